//! A rate-limit pause every replica keeps: when Slack answers one replica's send with 429,
//! the moment it may send again is stored in the database (settings key
//! `delivery.paused_until`), and every replica reads it before it claims the next batch. So a
//! 429 seen by one slows all, instead of each replica running into the limit in turn (one
//! replica alone, on SQLite, behaves as before: its own pass stopped at the 429 already).

use chrono::{DateTime, Utc};

use crate::bot::Bot;
use crate::store::{StoreError, time};

/// The settings key holding the end of the current pause (UTC, as the store writes times).
pub const PAUSED_UNTIL: &str = "delivery.paused_until";

/// Pauses delivery on every replica until `until` (a later pause already stored is kept).
pub async fn pause_all(bot: &Bot, until: DateTime<Utc>) -> Result<(), StoreError> {
    let stored = stored_pause(bot).await?;
    if stored.is_some_and(|stored| stored >= until) {
        return Ok(());
    }
    bot.store()
        .set_setting(PAUSED_UNTIL, &time::to_text(until))
        .await
}

/// The end of the pause, when one is still running at `now`.
pub async fn paused_until(
    bot: &Bot,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(stored_pause(bot).await?.filter(|until| *until > now))
}

/// The stored pause; one that does not read as a time (edited by hand) is logged and ignored,
/// so it cannot stop delivery for good.
async fn stored_pause(bot: &Bot) -> Result<Option<DateTime<Utc>>, StoreError> {
    let Some(text) = bot.store().setting(PAUSED_UNTIL).await? else {
        return Ok(None);
    };
    match time::from_text(&text) {
        Ok(until) => Ok(Some(until)),
        Err(error) => {
            tracing::warn!(%error, "ignoring an unreadable delivery pause");
            Ok(None)
        }
    }
}
