-- The order a delivery claims ready rows in (`Store::claim_ready`: by when they are due, then
-- recipient and slot, so a manager's reminders for one slot stay together), as an index: a
-- claim reads its batch in index order instead of sorting every ready row each time.
CREATE INDEX outbox_claim_order ON outbox (next_attempt_at, recipient, planned_for, id)
    WHERE status IN ('pending', 'sending');
-- PostgreSQL's migration of this number also adds the change notices its replicas listen for
-- (src/store/changes.rs); SQLite has one replica, which asks before every send instead.
