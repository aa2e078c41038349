-- A message held back because its recipient is away, in do-not-disturb or on a day off (see
-- src/checkins/deferral.rs) stays in the outbox, pending, with why and until when: the
-- scheduler pass summary, `team` and the metrics read them. Additive: existing rows have
-- neither.
ALTER TABLE outbox ADD COLUMN deferred_reason TEXT;
ALTER TABLE outbox ADD COLUMN deferred_until TEXT;
