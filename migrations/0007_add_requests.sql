-- Requests to add someone to a team who has had another manager before (issue 11): they are
-- added only once they say yes (or by an admin). One row per request, kept after the answer.
CREATE TABLE add_requests (
    id           INTEGER PRIMARY KEY,
    person_id    TEXT NOT NULL,                         -- who would be added
    requester_id TEXT NOT NULL,                         -- who asked to become their manager
    framework_id TEXT NOT NULL,                         -- the framework and level asked for
    level        INTEGER NOT NULL,
    display_name TEXT,                                  -- the name the request mentioned, if any
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'accepted', 'declined')),
    requested_at TEXT NOT NULL,
    answered_at  TEXT
);

-- At most one open request per person and requester: asking again updates it.
CREATE UNIQUE INDEX add_requests_one_pending ON add_requests (person_id, requester_id)
    WHERE status = 'pending';
CREATE INDEX add_requests_by_person ON add_requests (person_id, requester_id, id);
