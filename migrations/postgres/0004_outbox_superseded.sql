-- PostgreSQL (mirrors ../0004_outbox_superseded.sql): the 'superseded' status. PostgreSQL
-- changes a CHECK constraint in place, so nothing is rebuilt.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'superseded'));
