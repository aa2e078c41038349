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
//! Each signature is remembered by 128 bits folded from its MAC (the 256 bits its 64 hex
//! digits stand for; two different signatures give the same 128 bits with a chance of about
//! one in 10^30 among 20,000), in a hash set, and by the second it expires, in a map of those
//! seconds (at most about 600). A full memory takes about 1 MB, where the signatures kept as
//! text, twice (a key and an expiry order), took about 5 MB; and each request costs a hash
//! lookup and a push instead of a walk down a tree of 20,000 strings. Both matter to a process
//! meant to stay under 25 MB and within half the speed of a server doing nothing (issue 12,
//! item 16; BENCHMARKS.md).
//!
//! Time is a value: the caller passes now, in Unix seconds.

use std::collections::{BTreeMap, HashSet};
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

/// A signature as remembered: its MAC's two halves, XORed.
type Key = u128;

#[derive(Debug)]
struct Seen {
    /// Every signature remembered.
    keys: HashSet<Key>,
    /// The same signatures by the second after which they expire, to prune them and to
    /// forget the soonest-expiring first.
    by_expiry: BTreeMap<i64, Vec<Key>>,
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
        let capacity = capacity.max(1);
        Self {
            inner: Mutex::new(Seen {
                // Room for all of them at once: a set growing by doubling holds its old and
                // its new table together, more than the full set needs. Only the slots used
                // become resident.
                keys: HashSet::with_capacity(capacity),
                by_expiry: BTreeMap::new(),
                warned_full: false,
            }),
            capacity,
        }
    }

    /// Records a verified request's `signature` (`v0=` and 64 hex digits), signed at
    /// `timestamp` (Unix seconds), seen at `now`: `true` the first time, `false` for a replay.
    /// A signature of another form cannot have been verified (the verifier compares it with
    /// the hex digest it computes), so it is never acted on: `false`.
    pub fn first_time(&self, signature: &str, timestamp: i64, now: i64) -> bool {
        let Some(key) = key(signature) else {
            return false;
        };
        let mut seen = match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        seen.prune(now);
        if seen.keys.contains(&key) {
            return false;
        }
        while seen.keys.len() >= self.capacity && seen.forget_soonest() {
            if !seen.warned_full {
                seen.warned_full = true;
                tracing::warn!(
                    capacity = self.capacity,
                    "the memory of Slack request signatures is full; forgetting the oldest ones still inside the 5-minute window"
                );
            }
        }
        let expires = timestamp.saturating_add(WINDOW_SECONDS);
        seen.keys.insert(key);
        seen.by_expiry.entry(expires).or_default().push(key);
        true
    }

    /// How many signatures are remembered now.
    pub fn len(&self) -> usize {
        match self.inner.lock() {
            Ok(guard) => guard.keys.len(),
            Err(poisoned) => poisoned.into_inner().keys.len(),
        }
    }

    /// Whether no signature is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The [`Key`] of a `v0=` signature, or `None` if it is not `v0=` and 64 hex digits.
fn key(signature: &str) -> Option<Key> {
    let hex = signature.strip_prefix("v0=")?;
    if hex.len() != 64 || !hex.bytes().all(|digit| digit.is_ascii_hexdigit()) {
        return None;
    }
    let half = |digits: &str| u128::from_str_radix(digits, 16).ok();
    Some(half(&hex[..32])? ^ half(&hex[32..])?)
}

impl Seen {
    /// Forgets every signature the verifier would refuse at `now` anyway.
    fn prune(&mut self, now: i64) {
        while let Some(entry) = self.by_expiry.first_entry()
            && *entry.key() < now
        {
            for key in entry.remove() {
                self.keys.remove(&key);
            }
        }
    }

    /// Forgets one of the signatures that expire soonest; `false` if none is remembered.
    fn forget_soonest(&mut self) -> bool {
        let Some(mut entry) = self.by_expiry.first_entry() else {
            return false;
        };
        let key = entry.get_mut().pop();
        if entry.get().is_empty() {
            entry.remove();
        }
        if let Some(key) = key {
            self.keys.remove(&key);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    /// A well-formed signature, different for each `n`.
    fn sig(n: u32) -> String {
        format!("v0={}{n:08x}", "ab".repeat(28))
    }

    #[test]
    fn a_signature_is_new_once_and_a_replay_after() {
        let replays = Replays::default();
        assert!(replays.first_time(&sig(1), NOW, NOW));
        assert!(!replays.first_time(&sig(1), NOW, NOW + 1));
        assert!(!replays.first_time(&sig(1), NOW, NOW + WINDOW_SECONDS));
        assert!(replays.first_time(&sig(2), NOW, NOW));
        assert_eq!(replays.len(), 2);
    }

    #[test]
    fn a_signature_is_forgotten_once_its_timestamp_is_outside_the_window() {
        let replays = Replays::default();
        assert!(replays.first_time(&sig(1), NOW, NOW));
        // Any request arriving after the window prunes it (the verifier refuses it anyway).
        assert!(replays.first_time(&sig(2), NOW + WINDOW_SECONDS + 1, NOW + WINDOW_SECONDS + 1));
        assert_eq!(replays.len(), 1);
    }

    #[test]
    fn a_timestamp_from_the_future_is_remembered_until_it_expires() {
        let replays = Replays::default();
        // Signed 5 minutes ahead of our clock: valid for 10 minutes from now.
        let ahead = NOW + WINDOW_SECONDS;
        assert!(replays.first_time(&sig(1), ahead, NOW));
        assert!(!replays.first_time(&sig(1), ahead, NOW + 2 * WINDOW_SECONDS));
        assert!(replays.first_time(&sig(2), NOW, NOW + 2 * WINDOW_SECONDS + 1));
        assert_eq!(replays.len(), 1, "the first expired and was pruned");
    }

    #[test]
    fn a_flood_never_grows_the_memory_past_its_capacity() {
        let replays = Replays::with_capacity(100);
        for i in 0..1000 {
            assert!(replays.first_time(&sig(i as u32), NOW + i / 10, NOW));
            assert!(replays.len() <= 100);
        }
        // The newest are still remembered; the ones closest to expiring went first.
        assert!(!replays.first_time(&sig(999), NOW + 99, NOW));
        assert!(replays.first_time(&sig(0), NOW, NOW));
    }

    #[test]
    fn signatures_are_told_apart_by_every_digit_and_only_the_verified_form_counts() {
        let replays = Replays::default();
        let first = sig(1);
        let mut first_digit_changed = first.clone();
        first_digit_changed.replace_range(3..4, "f");
        let mut last_digit_changed = first.clone();
        last_digit_changed.replace_range(first.len() - 1.., "0");
        assert!(replays.first_time(&first, NOW, NOW));
        assert!(replays.first_time(&first_digit_changed, NOW, NOW));
        assert!(replays.first_time(&last_digit_changed, NOW, NOW));
        // Upper-case digits are the same signature.
        assert!(!replays.first_time(&first.to_uppercase().replace("V0=", "v0="), NOW, NOW));
        // Not `v0=` and 64 hex digits: never verified, never acted on.
        let plus = format!("v0=+{}", "a".repeat(63));
        let letters = format!("v0={}zz", "ab".repeat(31));
        for malformed in ["", "v0=", "v0=ab", "v1=abab", &plus, &letters] {
            assert!(!replays.first_time(malformed, NOW, NOW), "{malformed:?}");
        }
        assert_eq!(replays.len(), 3);
    }

    #[test]
    fn a_full_memory_forgets_the_signature_expiring_soonest_whenever_it_came() {
        let replays = Replays::with_capacity(2);
        assert!(replays.first_time(&sig(1), NOW + 100, NOW));
        assert!(replays.first_time(&sig(2), NOW + 50, NOW));
        assert!(replays.first_time(&sig(3), NOW + 200, NOW));
        assert_eq!(replays.len(), 2);
        // sig(2) expired soonest, so it went, although sig(1) came first.
        assert!(!replays.first_time(&sig(1), NOW + 100, NOW));
        assert!(!replays.first_time(&sig(3), NOW + 200, NOW));
        assert!(replays.first_time(&sig(2), NOW + 50, NOW));
    }
}
