-- Every answer a report gives to a recorded conversation, in order: a dispute followed by a
-- confirmation keeps both (checkins.ack_status stays the latest, for quick reads).
CREATE TABLE checkin_answers (
    id          INTEGER PRIMARY KEY,
    checkin_id  INTEGER NOT NULL REFERENCES checkins(id) ON DELETE CASCADE,
    answer      TEXT NOT NULL CHECK (answer IN ('acknowledged', 'disputed')),
    reason      TEXT,
    answered_at TEXT NOT NULL
);

CREATE INDEX checkin_answers_by_checkin ON checkin_answers (checkin_id, id);

-- The latest answer of conversations recorded before this table existed.
INSERT INTO checkin_answers (checkin_id, answer, reason, answered_at)
SELECT id, ack_status, ack_reason, ack_at
FROM checkins
WHERE ack_status IN ('acknowledged', 'disputed') AND ack_at IS NOT NULL;
