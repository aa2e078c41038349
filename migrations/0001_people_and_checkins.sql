-- career-bot schema, part 1: people, check-ins, snoozes and the audit log.
-- Dates are ISO 8601 'YYYY-MM-DD' text; timestamps are fixed-width UTC text
-- 'YYYY-MM-DDTHH:MM:SS.mmmZ', so text comparison is time comparison.

CREATE TABLE people (
    user_id         TEXT PRIMARY KEY NOT NULL,          -- chat user id (Slack U…)
    display_name    TEXT NOT NULL DEFAULT '',
    time_zone       TEXT,                               -- IANA name; NULL: the configured default
    framework_id    TEXT,                               -- NULL for people who only manage
    level           INTEGER,
    manager_id      TEXT REFERENCES people(user_id),
    start_date      TEXT,                               -- when they joined the framework (or were added)
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Cadence, denormalised so that "who is due" is an index range scan:
    anchor_on       TEXT,                               -- last conversation, else start_date
    snoozed_until   TEXT,                               -- reminders paused until this date
    snooze_reason   TEXT,
    due_on          TEXT,                               -- first day reminders may go out
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX people_by_manager ON people (manager_id) WHERE active = 1;
CREATE INDEX people_by_due_on ON people (due_on) WHERE active = 1 AND due_on IS NOT NULL;

CREATE TABLE checkins (
    id              INTEGER PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES people(user_id),
    manager_id      TEXT NOT NULL,                      -- the manager of record at the time
    held_on         TEXT NOT NULL,
    framework_id    TEXT,
    level_discussed INTEGER,
    private_note    TEXT,                               -- shown only to recorded_by
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    ack_status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (ack_status IN ('pending', 'acknowledged', 'disputed')),
    ack_reason      TEXT,
    ack_at          TEXT,
    -- Set by interactive submissions (a button, a modal): the same submission twice records once.
    request_key     TEXT UNIQUE
);

CREATE INDEX checkins_by_report ON checkins (report_id, held_on DESC);

CREATE TABLE snoozes (
    id              INTEGER PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES people(user_id),
    until_date      TEXT NOT NULL,
    reason          TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE INDEX snoozes_by_report ON snoozes (report_id, created_at DESC);

-- Every change, who made it and when. Append-only: the triggers refuse edits.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject         TEXT,
    details         TEXT NOT NULL DEFAULT '{}'
);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Small facts about the database itself (e.g. which cadence the due dates were computed with).
CREATE TABLE settings (
    key             TEXT PRIMARY KEY NOT NULL,
    value           TEXT NOT NULL
);
