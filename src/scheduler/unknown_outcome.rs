//! Messages whose outcome is unknown: a process claimed them (`sending`) and died before
//! their "sent" mark was committed, or an attempt got no answer (a time-out, a dropped
//! connection, shutdown abandoning it), so Slack may or may not have them. Before one is sent
//! again, its DM's history is read (every message carries its outbox key, see
//! `crate::slack::outbox_metadata`): one found there is marked sent where it landed; one not
//! found, or whose history cannot be read, is sent again (nothing lost).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::MAX_BACKOFF;
use crate::bot::Bot;
use crate::chat::Chat;
use crate::store::StoreError;
use crate::store::outbox::{OutboxRow, kind};

/// How far before a row's claim the history is read: the chat's clock and ours may differ a
/// little, and a message found early costs nothing.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::minutes(1);

/// What recovery did with messages whose outcome was unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Found in their DM: marked sent, not sent again.
    pub found: usize,
    /// Not found (or not looked up): they go out again.
    pub resent: usize,
}

/// Settles the rows `unknown` (see [`crate::store::Store::unknown_outcomes`]) at `now`: each
/// DM's history is read once, from the earliest claim among its rows; rows found there are
/// marked sent; the others are left as they are, for the caller to make ready (at start-up)
/// or for the next claim to take (their lease has ended).
pub async fn settle<C: Chat>(
    bot: &Bot,
    chat: &C,
    unknown: Vec<OutboxRow>,
    now: DateTime<Utc>,
) -> Result<Recovered, StoreError> {
    let mut recovered = Recovered::default();
    let mut by_user: BTreeMap<String, Vec<OutboxRow>> = BTreeMap::new();
    for row in unknown {
        if matches!(row.kind, kind::DIGEST | kind::ALERT) {
            // A channel post: the bot reads no channel's history (no scope for it).
            resent(bot, &row, &mut recovered);
        } else {
            by_user.entry(row.recipient.clone()).or_default().push(row);
        }
    }
    for (user, rows) in by_user {
        let since = rows
            .iter()
            .map(|row| earliest_send(row, bot.settings().delivery_lease))
            .min()
            .unwrap_or(now)
            .checked_sub_signed(CLOCK_SLACK)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let found = match chat.sent_since(&user, since).await {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(%error, rows = rows.len(), "cannot read a DM's history to recover messages of unknown outcome; sending them again");
                Default::default()
            }
        };
        for row in rows {
            let Some(delivered) = found.get(&row.key) else {
                resent(bot, &row, &mut recovered);
                continue;
            };
            bot.store()
                .mark_sent(
                    row.id,
                    delivered.channel.as_ref(),
                    delivered.ts.as_deref(),
                    now,
                )
                .await?;
            bot.metrics().outbox_recovered("found");
            tracing::info!(key = %row.key, "a message of unknown outcome was already delivered; marked sent");
            recovered.found += 1;
        }
    }
    Ok(recovered)
}

/// The earliest `row` can have been sent: its next attempt time is either its claim's lease
/// end (a claim plus `lease`, `[delivery] lease`) or the retry time set after an attempt of unknown outcome
/// (the attempt plus a backoff of at most [`MAX_BACKOFF`]), so the longer of the two before
/// it covers both. A row whose stored time is unreadable reads as sent at the Unix epoch,
/// so its whole history page is read. Reading a little more history costs nothing; starting
/// after the send would miss it.
fn earliest_send(row: &OutboxRow, lease: chrono::Duration) -> DateTime<Utc> {
    row.next_attempt_time()
        .ok()
        .and_then(|until| until.checked_sub_signed(lease.max(MAX_BACKOFF)))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn resent(bot: &Bot, row: &OutboxRow, recovered: &mut Recovered) {
    bot.metrics().outbox_recovered("resent");
    tracing::info!(key = %row.key, "a message of unknown outcome was not found delivered; sending it again");
    recovered.resent += 1;
}
