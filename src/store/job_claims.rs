//! Scheduled jobs run once per slot across replicas (`job_runs`).
//!
//! Every replica runs the same schedules. Before a [`Job`] runs for a [`JobSlot`], the replica
//! inserts `(job, slot)` with `ON CONFLICT DO NOTHING` ([`Store::claim_job_slot`]) and runs
//! the job only if its row went in: one replica per slot, whoever comes first. A run that
//! fails gives its slot back ([`Store::release_job_slot`]) so a later pass may try again.
//! Rows older than [`JOB_RUN_MEMORY`] are pruned whenever a claim is won (claims are rare: a
//! digest a week, an org file change), so the table stays small without a task of its own.
//!
//! The SQL is portable (`$n` placeholders, `ON CONFLICT DO NOTHING`, times as the store's
//! fixed-width UTC text from [`super::time`]): it runs on SQLite and PostgreSQL alike.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// How long a claim is kept: far longer than any slot is looked back at (the digest looks
/// back two days), so a slot is never run again because its claim was pruned.
pub const JOB_RUN_MEMORY: chrono::Duration = chrono::Duration::days(30);

/// A scheduled job. The stored word is [`Job::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// The weekly digest of overdue conversations in the admin channel (`digest_cron`).
    Digest,
    /// The org file (`[org] file`) imported with `--sync` at start and on each change.
    OrgSync,
}

impl Job {
    /// The word stored in `job_runs.job`.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Digest => "digest",
            Job::OrgSync => "org_sync",
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which run of a job a claim is for: a scheduled fire time, or a version of an input file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobSlot(String);

impl JobSlot {
    /// The slot of a schedule firing at `time`, as the store writes times (UTC text), so
    /// every replica computing the same fire time names the same slot.
    pub fn at(time: DateTime<Utc>) -> Self {
        Self(super::time::to_text(time))
    }

    /// A slot named by the caller (say, an input file's version): every replica must derive
    /// the same text from the same input.
    pub fn named(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which process claimed a slot: chosen once at start, kept in `job_runs.replica` so an
/// operator can tell which replica ran what.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplicaId(String);

impl ReplicaId {
    /// A replica id given by the caller (tests name theirs).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// This process: `HOSTNAME:PID`. The host name tells replicas on different machines or
    /// pods apart (a container's pid is often 1 everywhere), the pid two on one host. It is
    /// read from `HOSTNAME` (set in containers and Kubernetes pods), else the kernel's name
    /// (`/proc/sys/kernel/hostname`), else `/etc/hostname`; with none of those, the clock's
    /// nanoseconds at start stand in for it.
    pub fn of_this_process() -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|elapsed| elapsed.subsec_nanos())
                    .unwrap_or_default();
                format!("host-{nanos:08x}")
            });
        Self(format!("{host}:{}", std::process::id()))
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Store {
    /// Claims `slot` of `job` for `replica` at `now`: `true` if this call inserted the claim
    /// (run the job), `false` if some replica (this one included) claimed it before (skip it).
    /// Committed before it returns. A won claim also prunes claims older than
    /// [`JOB_RUN_MEMORY`].
    pub async fn claim_job_slot(
        &self,
        job: Job,
        slot: &JobSlot,
        replica: &ReplicaId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        if self.is_read_only() {
            return Err(StoreError::ReadOnly);
        }
        let inserted = sqlx::query(
            "INSERT INTO job_runs (job, slot, replica, claimed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job, slot) DO NOTHING",
        )
        .bind(job.as_str())
        .bind(slot.as_str())
        .bind(replica.as_str())
        .bind(super::time::to_text(now))
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        if inserted {
            let before = now
                .checked_sub_signed(JOB_RUN_MEMORY)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            sqlx::query("DELETE FROM job_runs WHERE claimed_at < $1")
                .bind(super::time::to_text(before))
                .execute(self.pool())
                .await?;
        }
        Ok(inserted)
    }

    /// Gives back `replica`'s claim on `slot` of `job` (its run failed), so a later pass of
    /// any replica may claim it again. A claim of another replica is left alone.
    pub async fn release_job_slot(
        &self,
        job: Job,
        slot: &JobSlot,
        replica: &ReplicaId,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM job_runs WHERE job = $1 AND slot = $2 AND replica = $3")
            .bind(job.as_str())
            .bind(slot.as_str())
            .bind(replica.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Which replica holds the claim on `slot` of `job`, if any (for tests and operators).
    pub async fn job_slot_claimant(
        &self,
        job: Job,
        slot: &JobSlot,
    ) -> Result<Option<ReplicaId>, StoreError> {
        let replica = sqlx::query_scalar::<_, String>(
            "SELECT replica FROM job_runs WHERE job = $1 AND slot = $2",
        )
        .bind(job.as_str())
        .bind(slot.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(replica.map(ReplicaId))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_have_stable_stored_words() {
        assert_eq!(Job::Digest.as_str(), "digest");
        assert_eq!(Job::OrgSync.to_string(), "org_sync");
    }

    #[test]
    fn a_slot_at_a_time_is_the_stored_time_text() {
        let time = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(JobSlot::at(time).as_str(), "2026-03-02T09:00:00.000Z");
    }

    #[test]
    fn this_process_is_named_by_host_and_pid() {
        let replica = ReplicaId::of_this_process();
        let (host, pid) = replica.as_str().rsplit_once(':').expect("HOST:PID");
        assert!(!host.is_empty());
        assert_eq!(pid, std::process::id().to_string());
    }
}
