-- Several replicas on one database (issue 15). Additive only: two new tables and their indexes.
--
-- A Slack delivery (an event, an interaction, a slash command) some replica has started to
-- handle, by a key derived from what Slack sent, so a retry that reaches another replica is
-- recognised. Short-lived: rows older than an hour are pruned.
CREATE TABLE handled_deliveries (
    key TEXT NOT NULL PRIMARY KEY,
    handled_at TEXT NOT NULL
);
CREATE INDEX handled_deliveries_by_time ON handled_deliveries (handled_at);

-- One row per scheduled job and slot, inserted by the replica that runs it: the others see the
-- row and skip the slot. Rows older than 30 days are pruned.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    replica TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);
CREATE INDEX job_runs_by_time ON job_runs (claimed_at);
