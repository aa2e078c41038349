//! People's work emails (migration 0010), as the HR system names them.
//!
//! `import-org` resolves an email to a chat user id once (through Slack, see
//! `crate::slack::directory`) and keeps it here, so the next import of the same HR export
//! finds everyone already stored and asks Slack only about people it has never seen. Emails
//! are compared lower-cased: HR systems and Slack do not agree on case.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{Store, StoreError, time};
use crate::ids::UserId;

/// An email as it is compared and stored: trimmed and lower-cased.
pub fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Stores `email` for `user_id` (a row that exists); any other person who had it loses it,
/// since an address names one person. Returns whether anything changed.
pub async fn set_email_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
    email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    let email = normalise(email);
    let current: Option<Option<String>> =
        sqlx::query_scalar("SELECT email FROM people WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    if current.flatten().as_deref() == Some(email.as_str()) {
        return Ok(false);
    }
    sqlx::query("UPDATE people SET email = NULL WHERE lower(email) = $1 AND user_id <> $2")
        .bind(&email)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE people SET email = $1, updated_at = $2 WHERE user_id = $3")
        .bind(&email)
        .bind(time::to_text(now))
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

impl Store {
    /// Every stored email, lower-cased, with its person.
    pub async fn user_ids_by_email(&self) -> Result<HashMap<String, UserId>, StoreError> {
        let rows: Vec<(String, UserId)> =
            sqlx::query_as("SELECT lower(email), user_id FROM people WHERE email IS NOT NULL")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every stored email, by person (for the export).
    pub async fn emails_by_user(&self) -> Result<HashMap<UserId, String>, StoreError> {
        let rows: Vec<(UserId, String)> =
            sqlx::query_as("SELECT user_id, email FROM people WHERE email IS NOT NULL")
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case_or_spaces() {
        assert_eq!(
            normalise("  Ana.Lopez@Example.COM "),
            "ana.lopez@example.com"
        );
    }
}
