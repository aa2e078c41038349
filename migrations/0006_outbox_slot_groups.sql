-- The reminders one manager gets in one slot are sent as one message (see src/scheduler.rs),
-- so a delivery claim that stops in the middle of such a group takes the rest of it too:
-- this index finds a ready group by recipient and slot without scanning every ready row.
CREATE INDEX outbox_ready_by_recipient ON outbox (recipient, planned_for)
    WHERE status IN ('pending', 'sending');
