//! Renewing a delivery claim's lease. A pass claims a batch of outbox rows under one lease
//! ([`Store::claim_ready`]); against a slow chat the batch can take longer than the lease,
//! and once the lease has ended another replica may take the rows it has not sent yet. So a
//! pass renews the lease of the rows it still holds before it runs out, and learns which
//! rows are no longer its own: those it must not send.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreError, dialect, time};

/// One claimed row, as the claim left it: its id and the attempt count the claim set. Another
/// replica's claim counts one more attempt, so the pair says whose the row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldRow {
    /// The outbox row.
    pub id: i64,
    /// Its `attempts` after this pass's claim.
    pub attempts: i64,
}

impl Store {
    /// Moves the lease of `rows` from `until` to `new_until`, for each row still held under
    /// that lease: still `sending`, with the attempt count of this claim, and the lease end
    /// `until` this pass gave it. Returns the ids of the rows renewed; the others were
    /// taken over (or settled) by another process after the lease ended and are not this
    /// pass's to send. A row is either renewed before another replica's claim could take it,
    /// or taken and not renewed: on SQLite writers run one at a time ([`Store::write`]); on
    /// PostgreSQL the row locks of this update and of a claim order the two.
    pub async fn renew_lease(
        &self,
        rows: &[HeldRow],
        until: DateTime<Utc>,
        new_until: DateTime<Utc>,
    ) -> Result<HashSet<i64>, StoreError> {
        if rows.is_empty() {
            return Ok(HashSet::new());
        }
        let held = serde_json::Value::Array(
            rows.iter()
                .map(|row| serde_json::json!({ "id": row.id, "attempts": row.attempts }))
                .collect(),
        )
        .to_string();
        let backend = self.backend();
        let sql = format!(
            "UPDATE outbox SET next_attempt_at = $3
             FROM (SELECT {id} AS id, {attempts} AS attempts FROM {rows}) AS held
             WHERE outbox.id = held.id AND outbox.attempts = held.attempts
               AND outbox.status = 'sending' AND outbox.next_attempt_at = $2
             RETURNING outbox.id",
            id = dialect::json_int(backend, "batch.value", "id"),
            attempts = dialect::json_int(backend, "batch.value", "attempts"),
            rows = dialect::json_rows(backend, "$1", "batch"),
        );
        // On PostgreSQL claims lock rows, not the whole database (see `Store::claim_ready`), and so
        // does this update: whichever of the two comes second sees the first's result.
        let mut tx = match backend {
            Backend::Sqlite => self.write().await?,
            Backend::Postgres => {
                if self.is_read_only() {
                    return Err(StoreError::ReadOnly);
                }
                self.pool().begin().await?
            }
        };
        let renewed: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(held)
            .bind(time::to_text(until))
            .bind(time::to_text(new_until))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(renewed.into_iter().collect())
    }
}
