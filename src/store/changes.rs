//! Change notices on PostgreSQL: how a delivering replica learns, without asking, that
//! nothing the stale-message rule reads has changed since it last asked.
//!
//! Why: the delivery loop applies the stale-message rule ([`super::Store::superseded_among`])
//! right before every message's send. On SQLite that query runs in-process; on PostgreSQL
//! each is a round trip to a server, and 10,000 reminders made 7,600 of them, half of a
//! pass (`BENCHMARKS.md`, "Several replicas on PostgreSQL").
//!
//! How: migration 0012 puts triggers on everything the rule reads (people, check-ins,
//! evidence, join requests, and outbox rows becoming ready or changing what they are about);
//! each write, by any replica or tool, sends a notice on [`CHANNEL`] when it commits. A
//! [`ChangeWatch`] holds a connection that `LISTEN`s for them and counts them
//! ([`ChangeWatch::changes`]). The stale check ([`super::stale_check`]) then asks once for a
//! batch's upcoming messages and reuses that answer for a later message only while the count
//! has not moved since it asked.
//!
//! Why that is as fresh as asking: notices reach a listener in commit order. After asking,
//! the check sends a *ping* (a notice on this watch's own channel, committed after the
//! question's snapshot) and trusts the answer only once the watch has seen that ping
//! ([`ChangeWatch::has_seen`]): every change committed before the ping has been counted by
//! then, so an unchanged count means nothing changed between the snapshot and the ping. A
//! change committed after the ping is counted as soon as its notice arrives, a moment after
//! its commit; asking the database right before the send misses a change committed in the
//! same moment (after the query's snapshot, before Slack has the message). A lost
//! connection counts as a change, and until a ping gets through nothing is reused: every
//! message is asked about on its own, as on SQLite.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::watch;

/// The channel the change triggers of migration 0012 notify (the payload names the table).
pub const CHANNEL: &str = "career_bot_changes";

/// How long the watch waits before connecting again after its connection failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What the listening task has seen, shared with the stale checks.
#[derive(Debug)]
struct Seen {
    /// Notices on [`CHANNEL`], plus one for each (re)connection and each lost connection.
    changes: AtomicU64,
    /// The highest ping number seen on this watch's own channel (a channel, so a check can
    /// wait for its ping).
    pings: watch::Sender<u64>,
    /// The last ping number handed out ([`ChangeWatch::next_ping`]).
    sent: AtomicU64,
    /// Whether the connection is listening now.
    listening: watch::Sender<bool>,
}

/// A connection listening for change notices, and what it has counted (see the module docs).
/// The listening task ends when the watch is dropped or [stopped](ChangeWatch::stop).
#[derive(Debug)]
pub struct ChangeWatch {
    seen: Arc<Seen>,
    /// The channel this watch's pings go to (its own, so other replicas do not count them).
    ping_channel: String,
    task: tokio::task::JoinHandle<()>,
}

impl ChangeWatch {
    /// Starts listening on the PostgreSQL database at `url`, in the background: until the
    /// connection is up, no ping is seen, so nothing is reused.
    pub fn start(url: &str) -> ChangeWatch {
        let seen = Arc::new(Seen {
            changes: AtomicU64::new(0),
            pings: watch::Sender::new(0),
            sent: AtomicU64::new(0),
            listening: watch::Sender::new(false),
        });
        // Unique per watch: several stores in one process (tests, benchmarks), replicas in
        // containers where every process id is 1.
        static WATCHES: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or_default();
        let ping_channel = format!(
            "career_bot_ping_{:x}_{nanos:08x}_{}",
            std::process::id(),
            WATCHES.fetch_add(1, Ordering::Relaxed)
        );
        let task = tokio::spawn(listen(
            url.to_owned(),
            ping_channel.clone(),
            Arc::clone(&seen),
        ));
        ChangeWatch {
            seen,
            ping_channel,
            task,
        }
    }

    /// How many changes the watch has counted so far (read before asking the database).
    pub fn changes(&self) -> u64 {
        self.seen.changes.load(Ordering::SeqCst)
    }

    /// Whether the watch is listening, waiting at most `wait` for it to be.
    pub async fn is_listening(&self, wait: Duration) -> bool {
        let mut listening = self.seen.listening.subscribe();
        matches!(
            tokio::time::timeout(wait, listening.wait_for(|listening| *listening)).await,
            Ok(Ok(_))
        )
    }

    /// Whether the watch has seen ping `ping` (or a later one), waiting at most `wait` for it.
    pub async fn has_seen(&self, ping: u64, wait: Duration) -> bool {
        let mut pings = self.seen.pings.subscribe();
        matches!(
            tokio::time::timeout(wait, pings.wait_for(|seen| *seen >= ping)).await,
            Ok(Ok(_))
        )
    }

    /// A new ping number, to send with [`ChangeWatch::ping_channel`].
    pub fn next_ping(&self) -> u64 {
        self.seen.sent.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The channel this watch's pings are sent on.
    pub fn ping_channel(&self) -> &str {
        &self.ping_channel
    }
}

impl ChangeWatch {
    /// Ends the listening task (its connection closes).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for ChangeWatch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The listening task: connects, listens, counts; after a failure, waits and starts again.
/// A failure is logged as a warning once, not once a second while the database is down.
async fn listen(url: String, ping_channel: String, seen: Arc<Seen>) {
    let mut failing = false;
    loop {
        let failure = match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen_all([CHANNEL, ping_channel.as_str()]).await {
                Ok(()) => {
                    failing = false;
                    let lost = receive(&mut listener, &ping_channel, &seen).await;
                    seen.listening.send_replace(false);
                    lost
                }
                Err(error) => error,
            },
            Err(error) => error,
        };
        if failing {
            tracing::debug!(error = %failure, "still cannot listen for change notices");
        } else {
            tracing::warn!(error = %failure, "cannot listen for change notices; until it can, every message is checked on its own");
        }
        failing = true;
        // Whatever was missed meanwhile counts as a change.
        seen.changes.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// Counts notices until the connection fails; returns why it did.
async fn receive(listener: &mut PgListener, ping_channel: &str, seen: &Seen) -> sqlx::Error {
    // Anything asked before the connection was listening cannot be trusted.
    seen.changes.fetch_add(1, Ordering::SeqCst);
    seen.listening.send_replace(true);
    loop {
        match listener.try_recv().await {
            Ok(Some(notice)) if notice.channel() == ping_channel => {
                // A payload that is not a number cannot be this watch's ping: ignored.
                if let Ok(ping) = notice.payload().parse::<u64>() {
                    seen.pings.send_if_modified(|seen| {
                        let later = ping > *seen;
                        *seen = (*seen).max(ping);
                        later
                    });
                }
            }
            Ok(Some(_)) => {
                seen.changes.fetch_add(1, Ordering::SeqCst);
            }
            Ok(None) => {
                // The connection was lost and made again (re-listening); notices sent in
                // between are gone.
                tracing::debug!("the change-notice connection was lost and made again");
                seen.changes.fetch_add(1, Ordering::SeqCst);
            }
            Err(error) => return error,
        }
    }
}
