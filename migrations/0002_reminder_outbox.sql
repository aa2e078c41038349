-- career-bot schema, part 2: the outbox every DM and channel post goes through.
-- A row is planned once (its key is unique), delivered, and marked sent; see src/scheduler.rs.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,               -- e.g. 'reminder:U2:2026-03-02:0'
    kind            TEXT NOT NULL,                      -- reminder | ack_request | dispute | digest | alert
    recipient       TEXT NOT NULL,                      -- a user id (DM) or a channel id
    report_id       TEXT,                               -- whom a reminder is about
    payload         TEXT NOT NULL,                      -- the message (a serialised Reply)
    planned_for     TEXT NOT NULL,                      -- the slot it belongs to
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    channel         TEXT,                               -- where it landed (for later updates)
    message_ts      TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_by_report ON outbox (report_id) WHERE status = 'pending';

-- The key of the last reminder planned about each report, so a scheduler pass can skip
-- reports whose current reminder is already in the outbox without building it again.
-- (The unique outbox key remains what guarantees "never twice".)
ALTER TABLE people ADD COLUMN last_reminder_key TEXT;
