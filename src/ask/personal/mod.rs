//! Questions about the asker: "what level am I", "what's my next level", "what do I need for my
//! next level", "how do I get promoted".
//!
//! The frameworks alone cannot answer them, so they go through two steps:
//! 1. **Parsing** notices them ([`read`], module `cues`) and gives a [`Query::Personal`] with
//!    what was asked ([`PersonalKind`]) and no answer: nobody is known to be asking yet. Shown
//!    as it is, it says in one sentence where the question can be asked: in chat, where the
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
//! [`Query::Personal`]: crate::ask::Query::Personal
//! [`PersonalKind`]: crate::ask::PersonalKind

mod answer;
mod cues;

pub use answer::resolve;

use crate::ask::clues::Clues;
use crate::ask::query::PersonalQuery;

/// The asker's place on a framework, from their own record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskerRecord {
    /// The framework id their record names.
    pub framework: String,
    /// Their level in it.
    pub level: u32,
}

/// The question `clues` (read from `text`) ask about the asker, if they ask about them, as
/// parsed: not answered, saying where to ask it.
pub(in crate::ask) fn read(clues: &Clues<'_>, text: &str) -> Option<PersonalQuery> {
    cues::detect(clues, text).map(answer::as_parsed)
}
