//! Questions about the asker: "what level am I", "what's my next level", "what do I need for my
//! next level", "how do I get promoted".
//!
//! The frameworks alone cannot answer them, so they go through two steps:
//! 1. **Parsing** notices them (module `cues`) and gives a [`Query::Personal`] with what was
//!    asked ([`PersonalKind`]) and nobody's record yet ([`Resolution::NoAsker`]). Answered as
//!    it is, that says in one sentence where the question can be asked: in chat, where the
//!    asker is known, or with `career-bot ask --as USER --db PATH`.
//! 2. **Answering from a record**: wherever the asker is known (Slack, the shell, `ask --as`),
//!    the wiring looks up their own record and calls [`Engine::answer_personal`] (module
//!    `answer`) with their framework and level, or with none when they are not tracked. Their
//!    level, or the step to their next level, is then answered as if they had named it, so
//!    `ask --json` reports `level` or `compare` with the framework and levels filled in.
//!
//! Pure like the rest of [`crate::ask`]: the record is passed in, never looked up here.
//!
//! [`Engine::answer_personal`]: crate::ask::Engine::answer_personal

mod answer;
mod cues;

pub(super) use answer::reply;
pub use answer::resolve;
pub(super) use cues::detect;

use super::query::{Intent, Query};

/// What someone asks about themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalKind {
    /// Where they are: "what level am I", "what's my title", "where am I on the ladder".
    CurrentLevel,
    /// What comes next and what it adds: "what's my next level", "what do I need for my next
    /// level", "how do I get promoted", "what should I work on".
    NextLevel,
}

/// A question about the asker (see [`Query::Personal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalQuery {
    /// What they asked about themselves.
    pub kind: PersonalKind,
    /// What their record made of it.
    pub resolution: Resolution,
}

/// How a [`PersonalQuery`] was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// As parsed: nobody is known to be asking (the CLI without `--as`). The answer is one
    /// sentence saying where to ask instead.
    NoAsker,
    /// One sentence instead of an answer: the asker is not tracked yet (and who can add
    /// them), or their record names a framework or level that is not loaded.
    Sentence {
        /// The sentence.
        message: String,
        /// Every command or question the sentence offers, in its order.
        follow_ups: Vec<String>,
    },
    /// Answered from their record: their level, or the step from it to the next.
    Answered {
        /// Where their record puts them, said first.
        intro: String,
        /// Their level ([`Query::Level`]) or the step to the next one ([`Query::Compare`]).
        query: Box<Query>,
        /// Every question the answer offers (its buttons), in its order.
        follow_ups: Vec<String>,
    },
}

/// The asker's place on a framework, from their own record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskerRecord {
    /// The framework id their record names.
    pub framework: String,
    /// Their level in it.
    pub level: u32,
}

impl PersonalQuery {
    /// The question as parsed: nobody's record looked at yet.
    pub fn new(kind: PersonalKind) -> Self {
        Self {
            kind,
            resolution: Resolution::NoAsker,
        }
    }

    /// The level or comparison answered from the asker's record, if it was.
    pub fn answered(&self) -> Option<&Query> {
        match &self.resolution {
            Resolution::Answered { query, .. } => Some(query),
            Resolution::NoAsker | Resolution::Sentence { .. } => None,
        }
    }

    /// `personal`, or the intent of the level or comparison it was answered with.
    pub fn intent(&self) -> Intent {
        self.answered().map_or(Intent::Personal, Query::intent)
    }

    /// The asker's framework, once answered from their record.
    pub fn framework(&self) -> Option<&str> {
        self.answered().and_then(Query::framework)
    }

    /// The dimension asked about: none, as personal questions ask about whole levels.
    pub fn dimension(&self) -> Option<&str> {
        self.answered().and_then(Query::dimension)
    }

    /// Every follow-up the answer offers: what the answered query suggests, then what its
    /// text and buttons offer.
    pub fn suggestions(&self) -> Vec<String> {
        let (mut suggestions, follow_ups) = match &self.resolution {
            Resolution::NoAsker => (Vec::new(), answer::no_asker(self.kind).1),
            Resolution::Sentence { follow_ups, .. } => (Vec::new(), follow_ups.clone()),
            Resolution::Answered {
                query, follow_ups, ..
            } => (query.suggestions(), follow_ups.clone()),
        };
        for follow_up in follow_ups {
            if !suggestions.contains(&follow_up) {
                suggestions.push(follow_up);
            }
        }
        suggestions
    }
}
