//! The lease of the batch a pass is delivering. A claim reserves its rows for
//! `[delivery] lease`; once it ends, another replica may take them (after looking for them in
//! their DMs). Against a slow chat a batch of 500 can outlast the lease, and then both
//! replicas would send the rows the first had not reached yet. So right before each message
//! goes out, a pass whose lease is half spent renews it for every row of the batch it has not
//! sent yet ([`crate::store::Store::renew_lease`]), and leaves out any message with a row
//! that is no longer its own: another replica took it over, and sends it.
//!
//! Time runs on from the `now` the pass was given, by the monotonic clock, so a pass run with
//! a fixed time (tests) sees that time plus the few milliseconds it took.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::{Outgoing, later};
use crate::bot::Bot;
use crate::store::StoreError;
use crate::store::leases::HeldRow;

/// The lease of the rows one pass holds.
pub(super) struct Claim {
    /// The pass's time, and when (by the monotonic clock) it began.
    at: DateTime<Utc>,
    started: Instant,
    /// `[delivery] lease`.
    length: chrono::Duration,
    /// When the lease of the rows held ends, and when it was last set.
    until: DateTime<Utc>,
    set_at: DateTime<Utc>,
    /// Rows another process took over: never sent by this pass.
    lost: HashSet<i64>,
}

impl Claim {
    /// The lease of a pass at `now`, before its first claim.
    pub(super) fn new(bot: &Bot, now: DateTime<Utc>) -> Self {
        let length = bot.settings().delivery_lease;
        Self {
            at: now,
            started: Instant::now(),
            length,
            until: later(now, length),
            set_at: now,
            lost: HashSet::new(),
        }
    }

    /// The pass's time now: its `now` plus the time it has run.
    fn now(&self) -> DateTime<Utc> {
        chrono::Duration::from_std(self.started.elapsed())
            .map_or(DateTime::<Utc>::MAX_UTC, |elapsed| later(self.at, elapsed))
    }

    /// The lease end for a batch claimed now (a full lease from now, not from the pass's
    /// start: a later batch of a long pass gets its whole lease too).
    pub(super) fn for_new_batch(&mut self) -> DateTime<Utc> {
        self.set_at = self.now();
        self.until = later(self.set_at, self.length);
        self.until
    }

    /// Whether `message` may be sent: its rows are still this pass's. When half the lease
    /// is spent, first renews it for `message` and every message of the batch after it.
    pub(super) async fn still_holds(
        &mut self,
        bot: &Bot,
        message: &Outgoing,
        rest: &[Outgoing],
    ) -> Result<bool, StoreError> {
        let now = self.now();
        if now.signed_duration_since(self.set_at) >= self.length / 2 {
            let held: Vec<HeldRow> = std::iter::once(message)
                .chain(rest)
                .flat_map(|outgoing| &outgoing.items)
                .filter(|(row, _)| !self.lost.contains(&row.id))
                .map(|(row, _)| HeldRow {
                    id: row.id,
                    attempts: row.attempts,
                })
                .collect();
            let until = later(now, self.length);
            let renewed = bot.store().renew_lease(&held, self.until, until).await?;
            let lost = held.iter().filter(|row| !renewed.contains(&row.id));
            self.lost.extend(lost.map(|row| row.id));
            self.until = until;
            self.set_at = now;
        }
        let lost = message
            .items
            .iter()
            .find(|(row, _)| self.lost.contains(&row.id));
        if let Some((row, _)) = lost {
            tracing::warn!(key = %row.key, rows = message.items.len(), "not sending: the lease ended during a slow pass and another process took this message over");
            for (row, _) in &message.items {
                bot.metrics().taken_over(row.kind.as_str());
            }
            return Ok(false);
        }
        Ok(true)
    }
}
