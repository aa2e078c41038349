-- Between conversations (issue 13): evidence logged against framework dimensions, each
-- side's assessment before a conversation, and the focus areas and next steps agreed in one.
-- Additive only: new tables, and nullable columns on checkins.

-- A piece of evidence: what someone did, for a person (themselves, or a report of the author).
-- `unlog` sets removed_at; the row stays for the timeline and the audit log.
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    person_id    TEXT NOT NULL,                         -- whose evidence it is
    author_id    TEXT NOT NULL,                         -- who logged it (the person or their manager)
    text         TEXT NOT NULL,
    link         TEXT,                                  -- a permalink, when logged from a message
    note         TEXT,
    framework_id TEXT,                                  -- the dimension it supports; all NULL when untagged
    level        INTEGER,
    dimension    TEXT,
    logged_at    TEXT NOT NULL,
    removed_at   TEXT,
    removed_by   TEXT,
    -- Set by interactive submissions (a modal): the same submission twice logs once.
    request_key  TEXT UNIQUE
);

CREATE INDEX evidence_by_person ON evidence (person_id, logged_at);

-- One side's assessment of a person against their next level, for one period between
-- conversations. The period is named by the conversation it follows (0 before the first).
CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    person_id     TEXT NOT NULL,
    side          TEXT NOT NULL CHECK (side IN ('self', 'manager')),
    assessor_id   TEXT NOT NULL,
    after_checkin INTEGER NOT NULL DEFAULT 0,
    framework_id  TEXT NOT NULL,
    level         INTEGER NOT NULL,                     -- the level assessed against
    topics        TEXT,                                 -- what they would like to talk about
    created_at    TEXT NOT NULL,
    submitted_at  TEXT                                  -- NULL while still a draft
);

CREATE UNIQUE INDEX assessments_one_per_side ON assessments (person_id, side, after_checkin);

-- One answer of an assessment, per dimension.
CREATE TABLE assessment_answers (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    dimension     TEXT NOT NULL,
    rating        TEXT NOT NULL CHECK (rating IN ('not-yet', 'sometimes', 'consistently')),
    note          TEXT,
    answered_at   TEXT NOT NULL,
    PRIMARY KEY (assessment_id, dimension)
);

-- What a conversation agreed: up to three focus dimensions (a JSON list) and next steps.
ALTER TABLE checkins ADD COLUMN focus TEXT;
ALTER TABLE checkins ADD COLUMN next_steps TEXT;
