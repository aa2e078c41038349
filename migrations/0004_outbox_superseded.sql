-- A message whose purpose is gone by the time it would be sent (a reminder about a report
-- recorded, snoozed, moved or removed meanwhile; a confirmation request answered or taken
-- back; a dispute notice answered since) is marked 'superseded': neither sent nor failed.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt as it was, with
-- the one new status; every row and both indexes are kept.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    report_id       TEXT,
    payload         TEXT NOT NULL,
    planned_for     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    channel         TEXT,
    message_ts      TEXT,
    created_at      TEXT NOT NULL
);

INSERT INTO outbox_rebuilt
    (id, key, kind, recipient, report_id, payload, planned_for, status, attempts, last_error,
     next_attempt_at, sent_at, channel, message_ts, created_at)
SELECT id, key, kind, recipient, report_id, payload, planned_for, status, attempts, last_error,
       next_attempt_at, sent_at, channel, message_ts, created_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;

CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_by_report ON outbox (report_id) WHERE status = 'pending';
