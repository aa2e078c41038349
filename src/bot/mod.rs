//! The handlers: what the bot does with the words of `/career …` or a shell line.
//!
//! Slack and the shell both call [`Bot::handle`] with the same [`Request`], so everything can
//! be tried and scripted locally. [`command::registry`] declares every command once;
//! [`command::parse`] reads the words; [`handlers::dispatch`] runs one small handler per command
//! (Slack's buttons and forms come in through [`handlers::run`]); questions go to the
//! [`crate::ask`] engine.

pub mod command;
pub mod error;
pub mod handlers;
pub mod mention;
pub mod messages;
pub mod rate_limit;
pub mod settings;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};

pub use error::HandlerError;
pub use settings::Settings;

use crate::ask::Engine;
use crate::ids::UserId;
use crate::metrics::Metrics;
use crate::reply::Reply;
use crate::store::Store;
use crate::store::job_claims::ReplicaId;
use crate::wake::Wake;

/// One message to the bot.
#[derive(Debug, Clone)]
pub struct Request {
    /// The chat user who sent it.
    pub user: UserId,
    /// The words after `/career`.
    pub text: String,
    /// The time to act at (the shell can set it; Slack uses the clock).
    pub now: DateTime<Utc>,
}

/// The bot: the loaded frameworks (swappable at runtime), the store, the settings, and the
/// [`Wake`] it rings after queueing a message.
#[derive(Debug)]
pub struct Bot {
    engine: RwLock<Arc<Engine>>,
    store: Store,
    settings: Settings,
    wake: Wake,
    metrics: Arc<Metrics>,
    engine_generation: std::sync::atomic::AtomicU64,
    rate_limiter: rate_limit::RateLimiter,
    replica: ReplicaId,
}

impl Bot {
    /// A bot answering from `engine` and keeping records in `store`.
    pub fn new(engine: Engine, store: Store, settings: Settings) -> Self {
        Self {
            engine: RwLock::new(Arc::new(engine)),
            store,
            settings,
            wake: Wake::new(),
            metrics: Arc::new(Metrics::new()),
            engine_generation: std::sync::atomic::AtomicU64::new(0),
            rate_limiter: rate_limit::RateLimiter::default(),
            replica: ReplicaId::of_this_process(),
        }
    }

    /// Counts engine replacements: anything derived from the frameworks (a cached answer)
    /// is stale once this changes.
    pub fn engine_generation(&self) -> u64 {
        self.engine_generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// The metrics every part of the bot records into.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// The current question engine. Callers hold the `Arc`, so a reload never changes the
    /// frameworks under a request that is being answered.
    pub fn engine(&self) -> Arc<Engine> {
        // A poisoned lock only means a panic happened while swapping; the Arc inside is
        // still a complete engine, so keep serving it.
        match self.engine.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the frameworks (after a successful reload).
    pub fn replace_engine(&self, engine: Engine) {
        let engine = Arc::new(engine);
        match self.engine.write() {
            Ok(mut guard) => *guard = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
        self.engine_generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The bot, ringing `wake` after queueing a message (the wiring gives the scheduler a
    /// clone, so it delivers promptly). Without this the bot rings a signal nobody hears.
    pub fn with_wake(mut self, wake: Wake) -> Self {
        self.wake = wake;
        self
    }

    /// What to ring after queueing a message.
    pub fn wake(&self) -> &Wake {
        &self.wake
    }

    /// The bot, allowing each user `limit` write commands (the default is
    /// [`rate_limit::Limit::default`]).
    pub fn with_rate_limit(mut self, limit: rate_limit::Limit) -> Self {
        self.rate_limiter = rate_limit::RateLimiter::new(limit);
        self
    }

    /// The bot, claiming scheduled jobs as `replica` (the default is
    /// [`ReplicaId::of_this_process`]; tests running two bots in one process name theirs).
    pub fn with_replica(mut self, replica: ReplicaId) -> Self {
        self.replica = replica;
        self
    }

    /// Which replica this bot is, in the claims of scheduled jobs (see
    /// [`crate::store::job_claims`]).
    pub fn replica(&self) -> &ReplicaId {
        &self.replica
    }

    /// The per-user limit on write commands (see [`rate_limit`]).
    pub fn rate_limiter(&self) -> &rate_limit::RateLimiter {
        &self.rate_limiter
    }

    /// `now` as a date in `user`'s time zone (or the default one).
    pub async fn local_date(
        &self,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<NaiveDate, HandlerError> {
        let zone = self
            .store
            .person(user)
            .await?
            .and_then(|person| person.time_zone);
        Ok(now
            .with_timezone(&self.settings.time_zone(zone.as_deref()))
            .date_naive())
    }

    /// Answers one request. Never fails: problems become a sentence for the user.
    pub async fn handle(&self, request: &Request) -> Reply {
        match command::parse(&request.text) {
            Ok(command) => handlers::dispatch(self, request, command).await,
            Err(usage) => Reply::paragraph(usage.to_string()),
        }
    }
}
