//! How many changes one person may make in a while: the one per-user limit on commands that
//! write (typed, buttons and forms alike; [`super::handlers::run`] asks it before a command
//! that is not read-only runs). Questions and commands that only show things are never
//! limited.
//!
//! It counts each user's write commands in a sliding window, in memory (a restart forgets
//! them, which only ever lets someone do more). Time is a value: the caller passes the
//! request's `now`, so tests drive it with explicit times. A clock that goes back (a shell's
//! `:now`) forgets what it has not reached yet rather than counting it forever.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::ids::UserId;

/// At most `max` write commands per user in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many.
    pub max: usize,
    /// In how long.
    pub window: Duration,
}

impl Default for Limit {
    /// 20 a minute: far more than anyone types or clicks, few enough that no one can flood
    /// someone else's DMs through the bot.
    fn default() -> Self {
        Limit {
            max: 20,
            window: Duration::minutes(1),
        }
    }
}

impl Limit {
    /// No limit: the local shell, where the one typing is the operator, and scripts replay
    /// many changes at one fixed `--now`.
    pub fn unlimited() -> Self {
        Limit {
            max: usize::MAX,
            window: Duration::minutes(1),
        }
    }
}

/// Why a command was not let through: how many were made, and when the next is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    /// The limit that was reached.
    pub limit: Limit,
    /// When the oldest counted command leaves the window.
    pub retry_at: DateTime<Utc>,
}

impl Exceeded {
    /// Whole seconds from `now` until another command is allowed (at least 1).
    pub fn seconds_from(&self, now: DateTime<Utc>) -> i64 {
        (self.retry_at - now).num_seconds().max(1)
    }
}

/// The counts of write commands per user.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Limit,
    recent: Mutex<HashMap<UserId, VecDeque<DateTime<Utc>>>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(Limit::default())
    }
}

/// Above this many users in the table, every user's expired entries are dropped.
const PRUNE_ABOVE_USERS: usize = 1_000;

impl RateLimiter {
    /// A limiter allowing `limit`.
    pub fn new(limit: Limit) -> Self {
        RateLimiter {
            limit,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// The limit it enforces.
    pub fn limit(&self) -> Limit {
        self.limit
    }

    /// Counts one write command by `user` at `now`, or refuses it (counting nothing) when
    /// `user` has already made `max` in the window ending at `now`.
    pub fn check(&self, user: &UserId, now: DateTime<Utc>) -> Result<(), Exceeded> {
        let mut recent = match self.recent.lock() {
            Ok(guard) => guard,
            // A panic while holding the lock leaves counts that are still counts.
            Err(poisoned) => poisoned.into_inner(),
        };
        let since = now - self.limit.window;
        if recent.len() > PRUNE_ABOVE_USERS {
            recent.retain(|_, times| {
                times.retain(|time| *time > since && *time <= now);
                !times.is_empty()
            });
        }
        let times = recent.entry(user.clone()).or_default();
        times.retain(|time| *time > since && *time <= now);
        if times.len() >= self.limit.max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(Exceeded {
                limit: self.limit,
                retry_at: oldest + self.limit.window,
            });
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    fn user(id: &str) -> UserId {
        UserId::new(id)
    }

    #[test]
    fn twenty_writes_a_minute_pass_and_the_twenty_first_waits_for_the_oldest_to_expire() {
        let limiter = RateLimiter::default();
        let start = at("2026-06-15T10:00:00Z");
        for second in 0..20 {
            let now = start + Duration::seconds(second);
            assert_eq!(limiter.check(&user("ana"), now), Ok(()), "write {second}");
        }
        let refused = limiter
            .check(&user("ana"), start + Duration::seconds(30))
            .expect_err("the 21st in a minute");
        assert_eq!(refused.retry_at, start + Duration::seconds(60));
        assert_eq!(refused.seconds_from(start + Duration::seconds(30)), 30);
        // A refused command is not counted: at 60 s the first has left the window.
        assert!(
            limiter
                .check(&user("ana"), start + Duration::seconds(59))
                .is_err()
        );
        assert_eq!(
            limiter.check(&user("ana"), start + Duration::seconds(60)),
            Ok(())
        );
        assert!(
            limiter
                .check(&user("ana"), start + Duration::seconds(60))
                .is_err()
        );
    }

    #[test]
    fn each_user_has_their_own_count() {
        let limiter = RateLimiter::new(Limit {
            max: 2,
            window: Duration::minutes(1),
        });
        let now = at("2026-06-15T10:00:00Z");
        assert!(limiter.check(&user("ana"), now).is_ok());
        assert!(limiter.check(&user("ana"), now).is_ok());
        assert!(limiter.check(&user("ana"), now).is_err());
        assert!(limiter.check(&user("bo"), now).is_ok());
    }

    #[test]
    fn a_clock_set_back_forgets_what_it_has_not_reached() {
        let limiter = RateLimiter::new(Limit {
            max: 1,
            window: Duration::minutes(1),
        });
        assert!(
            limiter
                .check(&user("ana"), at("2026-06-15T10:00:00Z"))
                .is_ok()
        );
        assert!(
            limiter
                .check(&user("ana"), at("2026-06-15T10:00:30Z"))
                .is_err()
        );
        assert!(
            limiter
                .check(&user("ana"), at("2026-01-01T10:00:00Z"))
                .is_ok()
        );
    }

    #[test]
    fn many_users_are_pruned_once_their_writes_expire() {
        let limiter = RateLimiter::default();
        let now = at("2026-06-15T10:00:00Z");
        for index in 0..=PRUNE_ABOVE_USERS {
            assert!(limiter.check(&user(&format!("u{index}")), now).is_ok());
        }
        let later = now + Duration::minutes(2);
        assert!(limiter.check(&user("last"), later).is_ok());
        let users = limiter.recent.lock().map(|map| map.len()).unwrap_or(0);
        assert_eq!(
            users, 1,
            "only the user who wrote within the window is kept"
        );
    }
}
