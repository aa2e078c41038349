//! Whose turn it is to plan: on a database several replicas share, one replica plans at a
//! time, and the others wait for it instead of planning the same messages again.
//!
//! Why: planning is idempotent (insert-if-absent on unique keys), so replicas that plan the
//! same minute at once are safe, but each does the whole work (the due query, every
//! reminder's text, an insert that conflicts row by row), and their write transactions take
//! turns ([`super::Store::write`]). Three replicas starting one pass together so took longer
//! than one alone (`BENCHMARKS.md`, "Several replicas on PostgreSQL").
//!
//! On PostgreSQL the turn is a session advisory lock held on a connection of its own for as
//! long as the plan runs. A replica that dies mid-plan closes its connection, which ends the
//! lock: no row to clean up, no lease to wait for. A replica that finds the lock taken waits
//! for it to be given back (at most [`PLANNING_WAIT`]), then goes on to deliver what the other
//! planned. On SQLite (one replica) every pass plans.

use std::time::Duration;

use sqlx::Any;
use sqlx::pool::PoolConnection;

use super::{Backend, Store, StoreError};

/// The key of the PostgreSQL advisory lock held while a replica plans ("cbpl" in ASCII;
/// [`super::Store::write`]'s is "cbot").
const PLANNING_LOCK: i64 = 0x6362_706c;

/// The longest a replica waits for another's plan before it delivers without it.
pub const PLANNING_WAIT: Duration = Duration::from_secs(10);

/// The outcome of [`Store::planning_turn`].
pub enum PlanningTurn {
    /// This replica plans; hand the turn back with [`PlanningLock::release`] when done.
    Ours(PlanningLock),
    /// Another replica was planning; it has finished (or [`PLANNING_WAIT`] passed).
    Waited,
}

/// This replica's turn to plan, held until [`PlanningLock::release`] (or drop).
pub struct PlanningLock {
    /// The connection holding the advisory lock; none on SQLite.
    held: Option<PoolConnection<Any>>,
}

impl Store {
    /// Takes the turn to plan, or waits while another replica has it (see the module docs).
    pub async fn planning_turn(&self) -> Result<PlanningTurn, StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(PlanningTurn::Ours(PlanningLock { held: None }));
        }
        let mut conn = self.pool().acquire().await?;
        // Whatever happens from here (an error, a cancelled wait), this connection is closed
        // rather than given back to the pool, where a lock it still held would stop every
        // replica's planning. Released normally, it is closed too: one reconnect per pass.
        conn.close_on_drop();
        let ours: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(PLANNING_LOCK)
            .fetch_one(&mut *conn)
            .await?;
        if ours {
            return Ok(PlanningTurn::Ours(PlanningLock { held: Some(conn) }));
        }
        let waited = tokio::time::timeout(PLANNING_WAIT, async {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PLANNING_LOCK)
                .execute(&mut *conn)
                .await
        })
        .await;
        match waited {
            Ok(result) => {
                result?;
                // Given back at once, so that a third replica waiting is not held up until
                // this connection's close reaches the server.
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PLANNING_LOCK)
                    .execute(&mut *conn)
                    .await?;
            }
            Err(_) => {
                tracing::warn!(
                    waited_seconds = PLANNING_WAIT.as_secs(),
                    "another replica is still planning; delivering without waiting longer"
                );
            }
        }
        Ok(PlanningTurn::Waited)
    }
}

impl PlanningLock {
    /// Hands the turn back (closing the connection that held it).
    pub async fn release(mut self) -> Result<(), StoreError> {
        if let Some(mut conn) = self.held.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PLANNING_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}
