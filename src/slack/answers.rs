//! A cache of rendered answers to questions, for the HTTP slash-command route.
//!
//! An answer depends only on the loaded frameworks and the words of the question, and people
//! ask the same questions again and again, so the finished JSON body is kept per question and
//! reused until the frameworks are reloaded. Commands that read or change people's records
//! (`team`, `done`…) and questions about the asker ("what level am I") are never cached.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use super::blocks::{ephemeral, render_answer};
use crate::ask::Query;
use crate::bot::Bot;
use crate::bot::command::{self, Command};

/// How many distinct questions are kept; the cache starts over when it is full.
const CAPACITY: usize = 2048;

/// Rendered answers by question text.
#[derive(Default)]
pub struct AnswerCache {
    entries: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    generation: u64,
    intent: &'static str,
    body: Bytes,
}

impl AnswerCache {
    /// The JSON response body for `text` when it is a question that does not depend on who
    /// asks (`None` for commands and questions about the asker); counts the questions it
    /// answers in the metrics.
    pub fn answer(&self, bot: &Bot, text: &str) -> Option<Bytes> {
        let generation = bot.engine_generation();
        // Only questions are ever cached, so a hit needs no parsing.
        if let Some(cached) = self.lock().get(text).filter(|c| c.generation == generation) {
            bot.metrics().question(cached.intent);
            return Some(cached.body.clone());
        }
        let Ok(Command::Ask(question)) = command::parse(text) else {
            return None;
        };
        let answer = bot.engine().ask(&question);
        // A question about the asker is answered from their own record: it is never cached,
        // and the full command path answers (and counts) it.
        if matches!(answer.query, Query::Personal(_)) {
            return None;
        }
        crate::bot::handlers::count_question(bot, &answer);
        let intent = crate::bot::handlers::intent_name(answer.query.intent());
        let response = ephemeral(render_answer(text, &answer.reply, 0));
        let body = Bytes::from(serde_json::to_vec(&response).ok()?);
        // A text too long to be a question is refused at once, and keeping it as a key could
        // hold megabytes per entry: it is not kept.
        if text.len() > 4 * crate::ask::MAX_QUESTION_CHARS {
            return Some(body);
        }
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            text.to_owned(),
            Cached {
                generation,
                intent,
                body: body.clone(),
            },
        );
        Some(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}
