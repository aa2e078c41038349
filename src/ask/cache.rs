//! Answers cached by the question as understood, not as typed.
//!
//! People ask the same thing in many wordings ("Marketing L3", "what does level 3 in
//! marketing need"); all of them parse to the same [`Query`], so the cache is keyed by that,
//! and a new wording of a known question costs only the parse. It is bounded by bytes (an
//! estimate of each entry's size), evicts the least useful entries first (quick_cache's
//! CLOCK-Pro), and lives inside the [`super::Engine`], so a framework reload, which builds a
//! new engine, starts with an empty one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::query::Query;
use crate::reply::Reply;

/// The most bytes the cache holds, by estimate: about 240 replies of the bundled frameworks
/// (4.3 KB on average, as this cache weighs them). It was 2 MiB; the serving process must stay
/// under 25 MB, and over HTTP a question's rendered body is kept as well
/// (`slack::answers`), so this copy serves mostly the other routes, Socket Mode and the
/// "Show more" pages (issue 12, item 16; BENCHMARKS.md, "Resident memory").
pub const ANSWER_CACHE_BYTES: u64 = 1024 * 1024;

/// A cached answer with its size, measured once when it is stored.
#[derive(Clone)]
struct Entry {
    reply: Arc<Reply>,
    bytes: u64,
}

/// Weighs an entry by its stored size.
#[derive(Clone)]
struct BySize;

impl Weighter<Query, Entry> for BySize {
    fn weight(&self, _query: &Query, entry: &Entry) -> u64 {
        entry.bytes
    }
}

/// Replies by resolved question, bounded by bytes.
pub struct AnswerCache {
    entries: Cache<Query, Entry, BySize>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// How often the cache answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Questions answered from the cache.
    pub hits: u64,
    /// Questions answered from the frameworks (and then cached).
    pub misses: u64,
    /// The estimated bytes held now.
    pub bytes: u64,
}

impl AnswerCache {
    /// An empty cache holding at most `max_bytes` (by estimate).
    pub fn new(max_bytes: u64) -> Self {
        // About 4 KiB per answer is typical of the bundled frameworks.
        let estimated_items = usize::try_from(max_bytes / 4096).unwrap_or(1).max(16);
        Self {
            entries: Cache::with_weighter(estimated_items, max_bytes, BySize),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The reply for `query`, built by `answer` unless it is cached.
    pub fn get_or_answer(&self, query: &Query, answer: impl FnOnce() -> Reply) -> Arc<Reply> {
        if let Some(entry) = self.entries.get(query) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return entry.reply;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let reply = Arc::new(answer());
        let bytes = estimated_bytes(query, &reply);
        self.entries.insert(
            query.clone(),
            Entry {
                reply: Arc::clone(&reply),
                bytes,
            },
        );
        reply
    }

    /// Hits, misses and size so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bytes: self.entries.weight(),
        }
    }
}

impl std::fmt::Debug for AnswerCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AnswerCache")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Roughly what an entry occupies: the reply's text (with its structure, about twice the
/// text) and the key's.
fn estimated_bytes(query: &Query, reply: &Reply) -> u64 {
    let text = reply.to_plain_text().len() as u64;
    let key = format!("{query:?}").len() as u64;
    2 * text + key + 256
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ask::query::{LevelQuery, Query};

    fn level(number: u32) -> Query {
        Query::Level(LevelQuery {
            framework: "buffer-marketing".to_owned(),
            level: number,
            dimension: None,
            role: None,
            alternatives: Vec::new(),
            note: None,
        })
    }

    #[test]
    fn a_known_question_is_answered_from_the_cache_without_building_the_reply_again() {
        let cache = AnswerCache::new(ANSWER_CACHE_BYTES);
        let first = cache.get_or_answer(&level(3), || Reply::paragraph("Level 3"));
        let second = cache.get_or_answer(&level(3), || panic!("built again"));
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(cache.stats().hits, 1);
        assert_eq!(cache.stats().misses, 1);
    }

    #[test]
    fn the_cache_never_holds_more_than_its_bytes() {
        let cache = AnswerCache::new(64 * 1024);
        for number in 0..2_000 {
            cache.get_or_answer(&level(number), || Reply::paragraph("x".repeat(1_000)));
        }
        let stats = cache.stats();
        assert!(stats.bytes <= 64 * 1024, "{stats:?}");
        assert!(stats.bytes > 32 * 1024, "{stats:?}");
    }
}
