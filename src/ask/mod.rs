//! Questions about career frameworks: parsing free text into a [`Query`] and answering it.
//!
//! [`Engine`] holds a loaded [`Library`] with its lookup [`index::Index`]; `engine.ask(text)`
//! returns an [`Answer`]: the query as understood and the [`Reply`] to show. Part of the pure
//! core: no Slack, no SQL.
//!
//! A framework or level name means the same everywhere: questions and commands
//! (`engine.find_framework`, `engine.find_level`) look names up through [`lookup`].
//!
//! What the frameworks say is searchable too: `engine.search(text, filter)` ranks every
//! expectation, level summary and role against a text ([`search`]), and questions that ask
//! where something is said, or name nothing known, are answered that way.

pub mod answer;
pub mod cache;
mod clues;
mod cross;
pub mod index;
pub mod lookup;
pub mod parser;
pub mod personal;
pub mod query;
mod refusals;
mod resolve;
pub mod search;
mod search_question;
mod search_reply;
mod side_by_side;
mod small_talk;
pub mod tagging;
pub mod tokens;
pub mod vocabulary;
mod whole_levels;

use serde::Serialize;

pub use parser::MAX_QUESTION_CHARS;
pub use personal::AskerRecord;
pub use query::{Intent, PersonalKind, PersonalQuery, Query};
pub use search::{Filter, Match, Passage};

use crate::frameworks::Library;
use crate::reply::Reply;

/// Answers questions from one loaded library.
#[derive(Debug)]
pub struct Engine {
    library: Library,
    index: index::Index,
    cache: cache::AnswerCache,
}

/// A question's answer: how it was understood, and what to show.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The question as understood.
    pub query: Query,
    /// The reply.
    pub reply: Reply,
}

/// The `ask --json` object: exactly these fields, always all present.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AnswerJson {
    /// `level`, `compare`, `titles`, `dimension`, `frameworks`, `help`, `unknown`,
    /// `smalltalk`, `search`, or `personal` (a question about the asker where nobody is known
    /// to be asking).
    pub intent: Intent,
    /// The framework id, or null.
    pub framework: Option<String>,
    /// The level for `level`, else null.
    pub level: Option<u32>,
    /// The lower level for `compare`, else null; in `framework` for a comparison across
    /// frameworks.
    pub from_level: Option<u32>,
    /// The higher level for `compare`, else null; in `other_framework` for a comparison
    /// across frameworks.
    pub to_level: Option<u32>,
    /// The second framework of a comparison across frameworks, else null.
    pub other_framework: Option<String>,
    /// The dimension asked about, or null.
    pub dimension: Option<String>,
    /// The whole answer as plain text.
    pub text: String,
    /// Questions to try instead (for `unknown`) or other readings of an ambiguous question;
    /// for `search`, the question for the best match's level.
    pub suggestions: Vec<String>,
    /// For `search`, the passages found, best first, at most 10 (`framework`, `level`,
    /// `dimension`, `text`); empty otherwise.
    pub matches: Vec<Passage>,
}

impl Engine {
    /// Indexes `library` for questions.
    pub fn new(library: Library) -> Self {
        let index = index::Index::new(&library);
        Self {
            library,
            index,
            cache: cache::AnswerCache::new(cache::ANSWER_CACHE_BYTES),
        }
    }

    /// The loaded frameworks.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Parses a question without answering it.
    pub fn parse(&self, question: &str) -> Query {
        parser::parse(&self.index, &self.library, question)
    }

    /// The passages `filter` admits that share a word with `text`, best first (see
    /// [`search::SearchIndex::search`]).
    pub fn search(&self, text: &str, filter: &Filter) -> Vec<Match<'_>> {
        self.index.passages().search(text, filter)
    }

    /// Parses and answers a question.
    pub fn ask(&self, question: &str) -> Answer {
        self.answer(self.parse(question))
    }

    /// Answers a parsed question, from the cache when the same question (however worded)
    /// was answered before.
    pub fn answer(&self, query: Query) -> Answer {
        let reply = self
            .cache
            .get_or_answer(&query, || answer::answer(&self.library, &query));
        Answer {
            query,
            reply: Reply::clone(&reply),
        }
    }

    /// How often questions were answered from the cache.
    pub fn cache_stats(&self) -> cache::CacheStats {
        self.cache.stats()
    }
}

impl Answer {
    /// Every question the answer offers next: the query's alternatives or suggestions, then
    /// each button's typed form, each once.
    fn suggestions(&self) -> Vec<String> {
        let mut suggestions = self.query.suggestions();
        for typed in self.reply.typed_follow_ups() {
            if !suggestions.iter().any(|known| known == typed) {
                suggestions.push(typed.to_owned());
            }
        }
        suggestions
    }

    /// The answer in the `ask --json` shape.
    pub fn to_json(&self) -> AnswerJson {
        let (level, from_level, to_level) = match self.query.answered() {
            Query::Level(query) => (Some(query.level), None, None),
            Query::Compare(query) => (None, Some(query.from), Some(query.to)),
            Query::CrossCompare(query) => (None, Some(query.level), Some(query.other_level)),
            _ => (None, None, None),
        };
        AnswerJson {
            intent: self.query.intent(),
            framework: self.query.framework().map(str::to_owned),
            level,
            from_level,
            to_level,
            other_framework: self.query.other_framework().map(str::to_owned),
            dimension: self.query.dimension().map(str::to_owned),
            text: self.reply.to_plain_text(),
            suggestions: self.suggestions(),
            matches: match self.query.answered() {
                Query::Search(search) => search.matches.clone(),
                _ => Vec::new(),
            },
        }
    }
}
