//! Claiming ready outbox rows on PostgreSQL, where several replicas claim at once: each
//! claim locks the rows it takes with `FOR UPDATE SKIP LOCKED`, so concurrent claims take
//! disjoint rows without waiting for one another, and without the advisory lock every other
//! write takes ([`Store::write`]): a long writer (an `import-org`) no longer holds delivery
//! up. SQLite, one process per file, keeps its one-writer claim
//! ([`Store::claim_ready`]).

use chrono::{DateTime, Utc};

use super::outbox::OutboxRow;
use super::{Store, StoreError, time};

impl Store {
    /// [`Store::claim_ready`] on PostgreSQL: the same batch, ordered and grouped the same
    /// way, less any row another claim holds at that moment. A manager's reminders for one
    /// slot stay together unless another claim took part of the group first (then each
    /// replica sends its part; no row goes twice).
    pub(super) async fn claim_ready_skip_locked(
        &self,
        sql_columns: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        if self.is_read_only() {
            return Err(StoreError::ReadOnly);
        }
        // `picked` and `rest` lock what they take; a row whose state changed since the
        // statement began is read again and kept only if still ready (PostgreSQL re-checks
        // the conditions of a locking read), so a lease renewed meanwhile is left alone.
        let sql = format!(
            "WITH picked AS (
                 SELECT id, kind, recipient, planned_for, next_attempt_at FROM outbox
                 WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2
                 ORDER BY next_attempt_at, recipient, planned_for, id LIMIT $3
                 FOR UPDATE SKIP LOCKED),
             last AS (
                 SELECT kind, recipient, planned_for FROM picked
                 ORDER BY next_attempt_at DESC, recipient DESC, planned_for DESC, id DESC
                 LIMIT 1),
             rest AS (
                 SELECT o.id FROM outbox o JOIN last
                     ON last.kind = 'reminder' AND o.recipient = last.recipient
                    AND o.planned_for = last.planned_for
                 WHERE o.status IN ('pending', 'sending') AND o.kind = 'reminder'
                   AND o.next_attempt_at <= $2
                 FOR UPDATE OF o SKIP LOCKED)
             UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $1
             WHERE id IN (SELECT id FROM picked UNION SELECT id FROM rest)
             RETURNING {sql_columns}"
        );
        let mut tx = self.pool().begin().await?;
        let mut rows = sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(sql))
            .bind(time::to_text(lease_until))
            .bind(time::to_text(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.sort_by(|a, b| a.planned_for.cmp(&b.planned_for).then(a.id.cmp(&b.id)));
        Ok(rows)
    }
}
