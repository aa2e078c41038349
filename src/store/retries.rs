//! Slack deliveries already taken by some replica (`handled_deliveries`), so a retry of an
//! event, an interaction or a slash command that reaches another replica does not act twice.
//!
//! The key is whatever the Slack adapter derives from the delivery (see
//! `crate::slack::deliveries`); the store only keeps it, with the time it was first seen, for
//! an hour (Slack retries within minutes). The SQL is portable: `$n` placeholders,
//! `ON CONFLICT DO NOTHING`, times as the store's fixed-width UTC text ([`super::time`]), so
//! the text order is the time order on SQLite and PostgreSQL alike.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// How long a handled delivery is remembered. Slack gives up retrying well before.
pub const DELIVERY_MEMORY: chrono::Duration = chrono::Duration::hours(1);

impl Store {
    /// Notes that the delivery `key` is being handled, at `now`: `true` if no replica had
    /// noted it before (handle it), `false` if one had (a retry: acknowledge and do nothing).
    /// Committed before it returns, so a replica that gets the retry while the first delivery
    /// is still being handled sees it.
    pub async fn first_delivery(&self, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        if self.is_read_only() {
            return Err(StoreError::ReadOnly);
        }
        let inserted = sqlx::query(
            "INSERT INTO handled_deliveries (key, handled_at) VALUES ($1, $2)
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(super::time::to_text(now))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Forgets the deliveries noted more than [`DELIVERY_MEMORY`] before `now`; returns how
    /// many were forgotten.
    pub async fn prune_handled_deliveries(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = now
            .checked_sub_signed(DELIVERY_MEMORY)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let pruned = sqlx::query("DELETE FROM handled_deliveries WHERE handled_at < $1")
            .bind(super::time::to_text(before))
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(pruned)
    }
}
