//! A cache of rendered answers to questions, for the HTTP slash-command route.
//!
//! An answer depends only on the loaded frameworks and the question as understood, and
//! people ask the same things again and again in many wordings ("Marketing L3", "what does
//! level 3 in marketing need"), so the finished JSON body is kept per resolved question
//! ([`Query`]): a new wording of a known question costs only the parse. Entries are weighed
//! by their bytes and the least useful evicted first (quick_cache), and a framework reload
//! makes every entry stale (the engine generation is part of the key). Commands that read
//! or change people's records (`team`, `done`…) and questions about the asker ("what level
//! am I") are never cached.

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::blocks::{ephemeral, render_answer};
use crate::ask::Query;
use crate::bot::Bot;
use crate::bot::command::{self, Command};

/// The most bytes of response bodies kept: about 400 answers of the bundled frameworks (2.5 KB
/// on average, the longest 8 KB), the questions people keep asking. It was 4 MiB, and a full
/// cache then would have taken a sixth of the 25 MB the whole process must stay under
/// (issue 12, item 16; BENCHMARKS.md, "Resident memory").
const MAX_BYTES: u64 = 1024 * 1024;

/// A cached body is valid for one engine generation and one resolved question.
type Key = (u64, Query);

/// Rendered answers by resolved question.
pub struct AnswerCache {
    entries: Cache<Key, Bytes, ByBodySize>,
}

#[derive(Clone)]
struct ByBodySize;

impl Weighter<Key, Bytes> for ByBodySize {
    fn weight(&self, _key: &Key, body: &Bytes) -> u64 {
        // The key's text is small beside the body; a fixed allowance covers it.
        body.len() as u64 + 256
    }
}

impl Default for AnswerCache {
    fn default() -> Self {
        Self {
            entries: Cache::with_weighter(400, MAX_BYTES, ByBodySize),
        }
    }
}

impl AnswerCache {
    /// The JSON response body for `text` when it is a question that does not depend on who
    /// asks (`None` for commands and questions about the asker); counts the questions it
    /// answers in the metrics.
    pub fn answer(&self, bot: &Bot, text: &str) -> Option<Bytes> {
        let Ok(Command::Ask(question)) = command::parse(text) else {
            return None;
        };
        let engine = bot.engine();
        let key = (bot.engine_generation(), engine.parse(&question));
        // A question about the asker is answered from their own record: it is never cached,
        // and the full command path answers (and counts) it.
        if matches!(key.1, Query::Personal(_)) {
            return None;
        }
        if let Some(cached) = self.entries.get(&key) {
            crate::bot::handlers::count_question(bot, &key.1);
            return Some(cached);
        }
        let answer = engine.answer(key.1.clone());
        crate::bot::handlers::count_question(bot, &answer.query);
        // The "Show more" button re-asks this wording; any wording of the same question gives
        // the same pages, so the body serves them all.
        let response = ephemeral(render_answer(text, &answer.reply, 0));
        let body = Bytes::from(serde_json::to_vec(&response).ok()?);
        self.entries.insert(key, body.clone());
        Some(body)
    }

    /// The bytes held now.
    pub fn bytes(&self) -> u64 {
        self.entries.weight()
    }
}
