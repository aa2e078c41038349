-- PostgreSQL (mirrors ../0006_outbox_slot_groups.sql).
CREATE INDEX outbox_ready_by_recipient ON outbox (recipient, planned_for)
    WHERE status IN ('pending', 'sending');
