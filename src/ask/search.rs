//! Ranked text search over what the frameworks say: every expectation (framework, level,
//! dimension, text), every level's summary and every specialist role, indexed once when the
//! frameworks load.
//!
//! Ranking is BM25 from the `bm25` crate; words are stemmed by the Snowball English stemmer
//! of `rust-stemmers` ("mentoring", "mentors" and "mentor" are one word), and filler and
//! question words are dropped on both sides, so "which level mentions mentoring" is matched on
//! "mentoring" alone. Only the splitting into words is ours ([`crate::text::normalize`], the
//! same as questions): no scoring is hand-rolled. `bm25`'s own default tokenizer is left out
//! (`default-features = false`): it would bring a memoising proc-macro crate, Unicode
//! segmentation and a second stop-word list that knows nothing of question words, where
//! this one shares the parser's filler. `bm25` keys words by a 32-bit hash: with the few
//! thousand words of a library, a collision is vanishingly unlikely and would only add a
//! passage to the matches.
//!
//! The same matcher serves questions (`which level mentions mentoring`) and any caller that
//! needs the closest passages to a piece of text, restricted by a [`Filter`] to some
//! frameworks, levels, or expectations only (for instance to tag a note with the dimension it
//! is about: the first match's `dimension`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use bm25::{Embedder, EmbedderBuilder, Scorer, Tokenizer};
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use super::tokens::is_level_word;
use super::vocabulary::is_stop_word;
use crate::frameworks::Library;

/// One passage that can be found: an expectation, a level's summary or a specialist role.
/// Serialised as the objects of `ask --json`'s `matches`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Passage {
    /// The framework's id.
    pub framework: String,
    /// The level number (a specialist role's first level).
    pub level: u32,
    /// The dimension of an expectation; `None` for a level's summary or a role.
    pub dimension: Option<String>,
    /// The passage as the framework gives it (a role's starts with its titles).
    pub text: String,
}

/// A passage found, with its BM25 score (higher is closer; only comparable within one search).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<'a> {
    /// The passage.
    pub passage: &'a Passage,
    /// How closely it matches.
    pub score: f32,
}

/// Which passages a search may return. The default admits every passage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    frameworks: Vec<String>,
    levels: Vec<u32>,
    expectations_only: bool,
}

impl Filter {
    /// Only passages of the framework with this id (several calls admit several frameworks).
    pub fn framework(mut self, id: impl Into<String>) -> Self {
        self.frameworks.push(id.into());
        self
    }

    /// Only passages of these level numbers (none given: every level).
    pub fn levels(mut self, levels: &[u32]) -> Self {
        self.levels.extend_from_slice(levels);
        self
    }

    /// Only expectations, which have a dimension: no summaries or roles.
    pub fn expectations_only(mut self) -> Self {
        self.expectations_only = true;
        self
    }

    fn admits(&self, passage: &Passage) -> bool {
        (self.frameworks.is_empty() || self.frameworks.contains(&passage.framework))
            && (self.levels.is_empty() || self.levels.contains(&passage.level))
            && (!self.expectations_only || passage.dimension.is_some())
    }
}

/// The search index of one loaded library.
pub struct SearchIndex {
    embedder: Embedder<u32, Words>,
    scorer: Scorer<usize, u32>,
    passages: Vec<Passage>,
    /// The stemmer the embedder's tokenizer uses (which it keeps private).
    stemmer: Stemmer,
    /// Every stemmed word some passage has.
    stems: HashSet<String>,
}

impl SearchIndex {
    /// Indexes every expectation, level summary and specialist role of `library`.
    pub fn new(library: &Library) -> Self {
        let mut passages = Vec::new();
        // What is scored: an expectation with its dimension's name, so "ownership" finds the
        // Ownership expectations even where their text says "owns".
        let mut documents = Vec::new();
        for framework in library.frameworks() {
            for level in &framework.levels {
                if !level.summary.is_empty() {
                    documents.push(level.summary.clone());
                    passages.push(Passage {
                        framework: framework.id.clone(),
                        level: level.number,
                        dimension: None,
                        text: level.summary.clone(),
                    });
                }
                for dimension in &level.expectations {
                    for item in &dimension.items {
                        documents.push(format!("{}: {item}", dimension.name));
                        passages.push(Passage {
                            framework: framework.id.clone(),
                            level: level.number,
                            dimension: Some(dimension.name.clone()),
                            text: item.clone(),
                        });
                    }
                }
            }
            for role in &framework.roles {
                let text = format!("{}: {}", role.titles.join(" / "), role.summary);
                documents.push(text.clone());
                passages.push(Passage {
                    framework: framework.id.clone(),
                    level: role.from_level,
                    dimension: None,
                    text,
                });
            }
        }
        // One pass for the words the frameworks use, their stems (kept, so the embedder and
        // later questions look them up instead of stemming them again) and the average
        // length BM25 needs.
        let mut words = Words::default();
        let mut total_words = 0;
        for document in &documents {
            for word in search_words(document) {
                total_words += 1;
                if !words.stems.contains_key(&word) {
                    let stem = words.stemmer.stem(&word).into_owned();
                    words.stems.insert(word, stem);
                }
            }
        }
        let stems = words.stems.values().cloned().collect();
        let average = total_words as f32 / documents.len().max(1) as f32;
        let embedder: Embedder<u32, Words> = EmbedderBuilder::with_avgdl(average)
            .tokenizer(words)
            .build();
        let mut scorer = Scorer::new();
        for (id, document) in documents.iter().enumerate() {
            scorer.upsert(&id, embedder.embed(document));
        }
        Self {
            embedder,
            scorer,
            passages,
            stemmer: Stemmer::create(Algorithm::English),
            stems,
        }
    }

    /// The passages `filter` admits that share a word with `query`, best first (ties in
    /// framework and level order). Filler and question words never count.
    pub fn search(&self, query: &str, filter: &Filter) -> Vec<Match<'_>> {
        let mut query = self.embedder.embed(query);
        // Each distinct word once, as BM25 scores a query: the crate's scorer adds a word's
        // weight once per occurrence in the query and compares every occurrence with each
        // matching passage, so a long text that repeats words (a 3,000-character piece of
        // evidence) cost several times the tagging budget and ranked by repetition.
        let mut seen = HashSet::with_capacity(query.len());
        query.0.retain(|word| seen.insert(word.index));
        if query.is_empty() {
            return Vec::new();
        }
        let mut matches: Vec<(usize, f32)> = self
            .scorer
            .matches(&query)
            .into_iter()
            .filter(|scored| filter.admits(&self.passages[scored.id]))
            .map(|scored| (scored.id, scored.score))
            .collect();
        // The scorer collects candidates through a hash set, so equal scores come in any
        // order; the passage order makes answers repeatable.
        matches.sort_by(|(a_id, a), (b_id, b)| b.total_cmp(a).then(a_id.cmp(b_id)));
        matches
            .into_iter()
            .map(|(id, score)| Match {
                passage: &self.passages[id],
                score,
            })
            .collect()
    }

    /// The share (0 to 1) of the distinct words a search of `text` looks for that some
    /// passage has: "sales team" is ½ (no framework says "sales"), "mentoring" 1.
    pub fn known_share(&self, text: &str) -> f32 {
        let mut stems: Vec<String> = search_words(text)
            .iter()
            .map(|word| self.stemmer.stem(word).into_owned())
            .collect();
        stems.sort_unstable();
        stems.dedup();
        if stems.is_empty() {
            return 0.0;
        }
        let known = stems
            .iter()
            .filter(|stem| self.stems.contains(*stem))
            .count();
        known as f32 / stems.len() as f32
    }

    /// Whether some passage has `word` (one normalised word), stemmed: "mentoring" is used
    /// where "mentors" is.
    pub fn uses_word(&self, word: &str) -> bool {
        self.stems.contains(self.stemmer.stem(word).as_ref())
    }

    /// How many passages are indexed.
    pub fn len(&self) -> usize {
        self.passages.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.passages.is_empty()
    }
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new(&Library::default())
    }
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("passages", &self.passages.len())
            .finish_non_exhaustive()
    }
}

/// Splits text into the stemmed words that are searched.
struct Words {
    stemmer: Stemmer,
    /// The stem of every word of the passages, found once when the index is built.
    stems: HashMap<String, String>,
}

impl Words {
    fn stem<'w>(&'w self, word: &'w str) -> Cow<'w, str> {
        match self.stems.get(word) {
            Some(stem) => Cow::Borrowed(stem),
            None => self.stemmer.stem(word),
        }
    }
}

impl Default for Words {
    fn default() -> Self {
        Self {
            stemmer: Stemmer::create(Algorithm::English),
            stems: HashMap::new(),
        }
    }
}

impl Tokenizer for Words {
    fn tokenize(&self, text: &str) -> Vec<String> {
        search_words(text)
            .iter()
            .map(|word| self.stem(word).into_owned())
            .collect()
    }
}

/// The words of `text` a search looks for, before stemming: normalised as questions are,
/// without numbers, single letters, level words and filler ("who sets strategy in level 3"
/// → "sets", "strategy").
pub fn search_words(text: &str) -> Vec<String> {
    crate::text::normalize(text)
        .split(' ')
        .filter(|word| {
            word.len() > 1
                && !word.bytes().all(|b| b.is_ascii_digit())
                && !is_level_word(word)
                && !is_stop_word(word)
                && !is_english_filler(word)
        })
        .map(str::to_owned)
        .collect()
}

/// Common English words that say nothing about a level, beyond the question parser's own
/// filler ([`is_stop_word`]): pronouns, articles, auxiliaries, conjunctions.
fn is_english_filler(word: &str) -> bool {
    matches!(
        word,
        "all"
            | "also"
            | "been"
            | "both"
            | "but"
            | "doing"
            | "each"
            | "eg"
            | "etc"
            | "every"
            | "few"
            | "he"
            | "her"
            | "hers"
            | "him"
            | "his"
            | "ie"
            | "just"
            | "may"
            | "might"
            | "most"
            | "must"
            | "no"
            | "nor"
            | "not"
            | "off"
            | "once"
            | "only"
            | "other"
            | "others"
            | "ours"
            // "your own tasks": the adjective; the verb ("owns", "owning") is kept, so a
            // search for who owns something finds owners, not every "own".
            | "own"
            | "out"
            | "over"
            | "she"
            | "such"
            | "these"
            | "those"
            | "too"
            | "very"
            | "whom"
            | "will"
            | "while"
            | "yet"
            | "yours"
            | "yourself"
            | "yourselves"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::{FrameworkSource, load};

    fn bundled() -> SearchIndex {
        SearchIndex::new(&load(&[FrameworkSource::Bundled]).library)
    }

    #[test]
    fn the_passage_with_the_stemmed_word_ranks_first() {
        let index = bundled();
        // "mentoring" is stemmed to "mentor", as are "Mentors" and "mentoring" in the text.
        let matches = index.search("mentoring", &Filter::default());
        let first = matches.first().expect("a match");
        assert!(
            first.passage.text.to_lowercase().contains("mentor"),
            "{first:?}"
        );
        // "thought leadership": the passage saying "thought leader" ranks first.
        let matches = index.search("where does thought leadership come in", &Filter::default());
        assert_eq!(
            matches[0].passage.text, "Is a thought leader in the industry.",
            "{matches:?}"
        );
        assert_eq!(matches[0].passage.level, 5);
    }

    #[test]
    fn a_word_repeated_in_the_query_counts_once() {
        let index = bundled();
        let once = index.search("mentoring thought leadership", &Filter::default());
        let repeated = index.search(
            &"mentoring mentoring thought leadership mentoring ".repeat(20),
            &Filter::default(),
        );
        let ranking = |matches: &[Match<'_>]| {
            matches
                .iter()
                .map(|found| (found.passage.text.clone(), found.score))
                .collect::<Vec<_>>()
        };
        assert!(!once.is_empty());
        assert_eq!(ranking(&once), ranking(&repeated));
    }

    #[test]
    fn filler_and_question_words_match_nothing() {
        let index = bundled();
        for query in [
            "which level is it",
            "what does it need",
            "who are they",
            "3",
            "",
        ] {
            assert!(
                index.search(query, &Filter::default()).is_empty(),
                "{query:?}"
            );
            assert!(search_words(query).is_empty(), "{query:?}");
        }
    }

    #[test]
    fn a_filter_restricts_frameworks_levels_and_kinds() {
        let index = bundled();
        let filter = Filter::default()
            .framework("infracloud-engineering")
            .levels(&[2, 3])
            .expectations_only();
        let matches = index.search("mentors associate engineers on debugging", &filter);
        assert!(!matches.is_empty());
        for found in &matches {
            assert_eq!(found.passage.framework, "infracloud-engineering");
            assert!(matches!(found.passage.level, 2 | 3));
            assert!(found.passage.dimension.is_some());
        }
        assert_eq!(
            matches[0].passage.dimension.as_deref(),
            Some("Delighting People")
        );
    }

    #[test]
    fn equal_scores_come_in_framework_and_level_order() {
        let index = bundled();
        let first = index.search("tenacity", &Filter::default());
        let again = index.search("tenacity", &Filter::default());
        assert_eq!(first, again);
        let levels: Vec<u32> = first.iter().map(|m| m.passage.level).collect();
        assert_eq!(levels, [2, 3]);
    }

    #[test]
    fn an_empty_library_has_an_empty_index() {
        let index = SearchIndex::default();
        assert!(index.is_empty());
        assert!(index.search("mentoring", &Filter::default()).is_empty());
    }
}
