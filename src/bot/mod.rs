//! The handlers: what the bot does with the words of `/career …` or a shell line.
//!
//! Slack and the shell both call [`Bot::handle`] with the same [`Request`], so everything can
//! be tried and scripted locally. Questions go to the [`crate::ask`] engine.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::ask::Engine;
use crate::reply::Reply;

/// One message to the bot.
#[derive(Debug, Clone)]
pub struct Request {
    /// The chat user who sent it, if known.
    pub user: Option<String>,
    /// The words after `/career`.
    pub text: String,
    /// The time to act at (the shell can set it).
    pub now: DateTime<Utc>,
}

/// The bot: the loaded frameworks (swappable at runtime) and, later, the store.
#[derive(Debug)]
pub struct Bot {
    engine: RwLock<Arc<Engine>>,
}

impl Bot {
    /// A bot answering from `engine`.
    pub fn new(engine: Engine) -> Self {
        Self {
            engine: RwLock::new(Arc::new(engine)),
        }
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
    }

    /// Answers one request.
    pub async fn handle(&self, request: &Request) -> Reply {
        self.engine().ask(&request.text).reply
    }
}
