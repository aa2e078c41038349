//! Replay protection for Slack's HTTP routes.
//!
//! A signature proves that Slack sent a request, not that Slack sent it *once*: a captured
//! request (a proxy log, a copied curl command) verifies again for as long as its timestamp is
//! inside the 5-minute window, and would act again. Slack never sends the same signature twice
//! (a retry of an event is signed anew with a new timestamp, and carries `X-Slack-Retry-Num`),
//! so a signature seen before is a replay: [`Replays::first_time`] says so, and the route
//! acknowledges it with an empty 200 without acting.
//!
//! Only verified signatures are remembered (a forged one never gets this far), each until the
//! verifier would refuse it anyway: its timestamp plus the window. The verifier accepts
//! timestamps up to 5 minutes either side of now, so that is between now and 10 minutes from
//! now. The memory is bounded ([`CAPACITY`]): when it is full of signatures that are all still
//! valid, the one closest to expiring is forgotten first. Filling it takes the signing secret
//! (or Slack itself sending more than [`CAPACITY`] requests in 10 minutes).
//!
//! Time is a value: the caller passes now, in Unix seconds.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// How long a signed request stays valid either side of its timestamp (Slack's window).
pub const WINDOW_SECONDS: i64 = 5 * 60;

/// The most signatures remembered at once.
pub const CAPACITY: usize = 20_000;

/// The signatures of requests already acted on, each with the second after which it expires.
#[derive(Debug)]
pub struct Replays {
    inner: Mutex<Seen>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Seen {
    /// Signature → expiry (Unix seconds).
    expiry: HashMap<String, i64>,
    /// The same entries ordered by expiry, to prune and evict the oldest first.
    by_expiry: BTreeSet<(i64, String)>,
    /// Whether eviction of still-valid signatures was already logged.
    warned_full: bool,
}

impl Default for Replays {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl Replays {
    /// A memory of at most `capacity` signatures (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Seen::default()),
            capacity: capacity.max(1),
        }
    }

    /// Records a verified request's `signature`, signed at `timestamp` (Unix seconds), seen
    /// at `now`: `true` the first time, `false` for a replay.
    pub fn first_time(&self, signature: &str, timestamp: i64, now: i64) -> bool {
        let mut seen = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        seen.prune(now);
        if seen.expiry.contains_key(signature) {
            return false;
        }
        while seen.expiry.len() >= self.capacity {
            let Some((_, oldest)) = seen.by_expiry.pop_first() else {
                break;
            };
            seen.expiry.remove(&oldest);
            if !seen.warned_full {
                seen.warned_full = true;
                tracing::warn!(
                    capacity = self.capacity,
                    "the memory of Slack request signatures is full; forgetting the oldest ones still inside the 5-minute window"
                );
            }
        }
        let expires = timestamp.saturating_add(WINDOW_SECONDS);
        seen.expiry.insert(signature.to_owned(), expires);
        seen.by_expiry.insert((expires, signature.to_owned()));
        true
    }

    /// How many signatures are remembered now.
    pub fn len(&self) -> usize {
        match self.inner.lock() {
            Ok(guard) => guard.expiry.len(),
            Err(poisoned) => poisoned.into_inner().expiry.len(),
        }
    }

    /// Whether no signature is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Seen {
    /// Forgets every signature the verifier would refuse at `now` anyway.
    fn prune(&mut self, now: i64) {
        while let Some((expires, _)) = self.by_expiry.first()
            && *expires < now
        {
            if let Some((_, signature)) = self.by_expiry.pop_first() {
                self.expiry.remove(&signature);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    #[test]
    fn a_signature_is_new_once_and_a_replay_after() {
        let replays = Replays::default();
        assert!(replays.first_time("v0=aa", NOW, NOW));
        assert!(!replays.first_time("v0=aa", NOW, NOW + 1));
        assert!(!replays.first_time("v0=aa", NOW, NOW + WINDOW_SECONDS));
        assert!(replays.first_time("v0=bb", NOW, NOW));
        assert_eq!(replays.len(), 2);
    }

    #[test]
    fn a_signature_is_forgotten_once_its_timestamp_is_outside_the_window() {
        let replays = Replays::default();
        assert!(replays.first_time("v0=aa", NOW, NOW));
        // Any request arriving after the window prunes it (the verifier refuses it anyway).
        assert!(replays.first_time("v0=bb", NOW + WINDOW_SECONDS + 1, NOW + WINDOW_SECONDS + 1));
        assert_eq!(replays.len(), 1);
    }

    #[test]
    fn a_timestamp_from_the_future_is_remembered_until_it_expires() {
        let replays = Replays::default();
        // Signed 5 minutes ahead of our clock: valid for 10 minutes from now.
        let ahead = NOW + WINDOW_SECONDS;
        assert!(replays.first_time("v0=aa", ahead, NOW));
        assert!(!replays.first_time("v0=aa", ahead, NOW + 2 * WINDOW_SECONDS));
        assert!(replays.first_time("v0=bb", NOW, NOW + 2 * WINDOW_SECONDS + 1));
        assert_eq!(replays.len(), 1, "v0=aa expired and was pruned");
    }

    #[test]
    fn a_flood_never_grows_the_memory_past_its_capacity() {
        let replays = Replays::with_capacity(100);
        for i in 0..1000 {
            assert!(replays.first_time(&format!("v0={i}"), NOW + i / 10, NOW));
            assert!(replays.len() <= 100);
        }
        // The newest are still remembered; the ones closest to expiring went first.
        assert!(!replays.first_time("v0=999", NOW + 99, NOW));
        assert!(replays.first_time("v0=0", NOW, NOW));
    }
}
