//! Whether the database answers: what `/readyz` asks before a replica says it is ready.

use std::time::Duration;

use super::{Store, StoreError};

/// Why the database did not answer.
#[derive(Debug, thiserror::Error)]
pub enum PingError {
    /// No answer within the limit (a database that hangs, a network partition).
    #[error("the database did not answer within {0:?}")]
    TimedOut(Duration),
    /// The query failed (the server is down, the pool is closed).
    #[error(transparent)]
    Failed(#[from] StoreError),
}

impl Store {
    /// Runs the cheapest query there is, for at most `limit`.
    pub async fn ping(&self, limit: Duration) -> Result<(), PingError> {
        let query = sqlx::query("SELECT 1").execute(self.pool());
        match tokio::time::timeout(limit, query).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(PingError::Failed(StoreError::Query(error))),
            Err(_) => Err(PingError::TimedOut(limit)),
        }
    }
}
