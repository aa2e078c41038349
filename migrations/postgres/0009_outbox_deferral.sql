-- PostgreSQL (mirrors ../0009_outbox_deferral.sql).
ALTER TABLE outbox ADD COLUMN deferred_reason TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN deferred_until TEXT COLLATE "C";
