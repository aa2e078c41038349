//! The stale-message rule as the delivery loop applies it: right before each message's send
//! (issue 11, item 12), on a connection kept for the claimed batch.
//!
//! On SQLite every message is asked about on its own: the query runs in-process and costs
//! tens of microseconds. On PostgreSQL a question is a round trip to a server, so the check
//! asks about a message and the next ones of its batch ([`StaleCheck::AHEAD_ROWS`]) at once, and answers a
//! later message from that while the store's [`ChangeWatch`] proves nothing the rule reads has
//! changed since (see [`super::changes`] for why that is as fresh as asking again), and for
//! at most [`MAX_REUSE`]. Whenever it cannot prove that, it asks again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Any;
use sqlx::pool::PoolConnection;

use super::changes::ChangeWatch;
use super::outbox::superseded_among_in;
use super::{Store, StoreError};

/// How long a check waits for its ping to come back before it asks about the message alone.
/// A ping comes back within a round trip or two; only a connection that died without
/// closing never answers, and is then waited for once per batch, not again. Generous, so a
/// busy machine does not fall back to asking before every message.
const PING_WAIT: Duration = Duration::from_secs(1);

/// How long an answer is reused after its ping came back. The ping proves the watch was
/// listening then; a connection that later dies without closing (a network path dropped
/// silently) would miss notices unnoticed, so its answers are not reused for longer than
/// this. Against an instant chat a batch is sent well within it; against Slack (a send takes
/// a tenth of a second or more) it still answers dozens of messages per question.
const MAX_REUSE: Duration = Duration::from_secs(2);

/// A connection kept for the stale-message rule ([`Store::superseded_among`]), which the
/// delivery loop applies before every message.
///
/// Why keep one: sqlx pings every connection given back to its pool, a second round trip to
/// the database's worker thread; for a query run before each of thousands of messages that
/// doubled its cost. Each question is still its own statement (on SQLite, its own read
/// transaction), so it sees every commit made before it.
pub struct StaleCheck {
    conn: PoolConnection<Any>,
    /// The store's change watch (PostgreSQL), with the last answer it may confirm.
    watched: Option<Watched>,
}

/// A watch, and what was last asked under it.
struct Watched {
    watch: Arc<ChangeWatch>,
    last: Option<Answer>,
    /// A ping did not come back in this batch: the watch is not waited for again.
    unanswered: bool,
}

/// One question's answer, reusable while the watch shows no change since it was asked.
struct Answer {
    /// The rows it covers.
    asked: HashSet<i64>,
    /// Those of them whose purpose was gone, with why.
    superseded: HashMap<i64, String>,
    /// The watch's change count read before asking.
    changes: u64,
    /// The ping sent after asking; the answer is trusted once the watch has seen it.
    ping: u64,
    /// When the ping was seen.
    confirmed: Option<Instant>,
}

impl Answer {
    /// The part of the answer about `ids`.
    fn about(&self, ids: &[i64]) -> HashMap<i64, String> {
        ids.iter()
            .filter_map(|id| self.superseded.get(id).map(|reason| (*id, reason.clone())))
            .collect()
    }
}

impl StaleCheck {
    /// How many upcoming rows one question covers besides the message's own (a question
    /// about 128 rows costs about what a few about one do; see `BENCHMARKS.md`).
    pub const AHEAD_ROWS: usize = 128;

    /// Whether a question may cover upcoming messages too (PostgreSQL), so that the caller
    /// need not gather their rows otherwise.
    pub fn asks_ahead(&self) -> bool {
        self.watched.is_some()
    }

    /// [`Store::superseded_among`] on this connection: always asks.
    pub async fn superseded_among(
        &mut self,
        ids: &[i64],
    ) -> Result<HashMap<i64, String>, StoreError> {
        superseded_among_in(&mut self.conn, ids).await
    }

    /// Which of `ids` (the rows of the message about to be sent) are superseded, and why.
    /// `upcoming` are the rows of the batch's later messages, in order, which one question
    /// may cover too (PostgreSQL; see the module docs).
    pub async fn superseded_before_send(
        &mut self,
        ids: &[i64],
        upcoming: &[i64],
    ) -> Result<HashMap<i64, String>, StoreError> {
        let Some(watched) = &mut self.watched else {
            return superseded_among_in(&mut self.conn, ids).await;
        };
        if let Some(answer) = reusable(watched, ids).await {
            return Ok(answer);
        }
        if watched.unanswered {
            // Pings do not come back: nothing can be reused, so asking ahead is wasted.
            return superseded_among_in(&mut self.conn, ids).await;
        }
        let changes = watched.watch.changes();
        let asked: Vec<i64> = ids
            .iter()
            .chain(upcoming.iter().take(Self::AHEAD_ROWS))
            .copied()
            .collect();
        let superseded = superseded_among_in(&mut self.conn, &asked).await?;
        let ping = watched.watch.next_ping();
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(watched.watch.ping_channel())
            .bind(ping.to_string())
            .execute(&mut *self.conn)
            .await?;
        let answer = Answer {
            asked: asked.into_iter().collect(),
            superseded,
            changes,
            ping,
            confirmed: None,
        };
        let about = answer.about(ids);
        watched.last = Some(answer);
        Ok(about)
    }
}

/// The last answer's part about `ids`, when it covers them all and the watch shows nothing
/// changed since it was asked (waiting for its ping once, at most [`PING_WAIT`]), for at most
/// [`MAX_REUSE`] after the ping came back.
async fn reusable(watched: &mut Watched, ids: &[i64]) -> Option<HashMap<i64, String>> {
    let answer = watched.last.as_mut()?;
    if !ids.iter().all(|id| answer.asked.contains(id)) {
        return None;
    }
    let confirmed = match answer.confirmed {
        Some(at) => at,
        None => {
            if watched.unanswered || !watched.watch.has_seen(answer.ping, PING_WAIT).await {
                watched.unanswered = true;
                tracing::debug!("the change watch did not answer; asking before each message");
                return None;
            }
            *answer.confirmed.insert(Instant::now())
        }
    };
    // Read after the ping was seen: every change committed before the ping is counted.
    if watched.watch.changes() != answer.changes || confirmed.elapsed() > MAX_REUSE {
        watched.last = None;
        return None;
    }
    Some(answer.about(ids))
}

impl Store {
    /// A connection for the stale-message rule, which the delivery loop keeps for a claimed
    /// batch (see [`StaleCheck`]).
    pub async fn stale_check(&self) -> Result<StaleCheck, StoreError> {
        let conn = self.pool().acquire().await?;
        let watched = match self.change_watch() {
            Some(watch) => {
                // A watch just started is given a moment to connect; one that is down
                // is not pinged in this batch.
                let listening = watch.is_listening(PING_WAIT).await;
                Some(Watched {
                    watch,
                    last: None,
                    unanswered: !listening,
                })
            }
            None => None,
        };
        Ok(StaleCheck { conn, watched })
    }
}
