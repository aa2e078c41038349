//! The append-only audit log: who changed what, when. Written in the same transaction as the
//! change it describes, so there is never a change without its entry or an entry without its
//! change. Triggers in the schema refuse updates and deletes.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::AnyConnection;

use super::{Store, StoreError, time};
use crate::ids::UserId;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    /// Row id, increasing.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who (a user id, or `system`, or `import`).
    pub actor: String,
    /// What, e.g. `checkin.recorded`.
    pub action: String,
    /// Whom it concerns, usually a user id.
    pub subject: Option<String>,
    /// Details as JSON.
    pub details: String,
}

/// Appends an entry inside the caller's transaction.
pub async fn record(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    actor: &UserId,
    action: &str,
    subject: Option<&UserId>,
    details: Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(time::to_text(now))
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(details.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Audit entries about `subject` (or all when `None`), oldest first.
    pub async fn audit_log(&self, subject: Option<&UserId>) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query_as::<_, AuditEntry>(
            "SELECT id, at, actor, action, subject, details FROM audit_log
             WHERE $1 IS NULL OR subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}
