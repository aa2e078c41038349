//! What the readers take in and give back: a file's text, a framework with the lines of its
//! names, and remarks that are not errors.
//!
//! The loader hands [`SourceFile`]s to the readers ([`native`](super::native),
//! [`hugo`](super::hugo), [`monzo`](super::monzo)) and collects their [`ParsedFramework`]s and
//! [`Notice`]s. Keeping these types here lets dependencies run one way: loader → readers →
//! model, with both the loader and the readers depending on this module.

use std::path::PathBuf;

use super::model::Framework;

/// A file's text with its path.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path, as found.
    pub path: PathBuf,
    /// The contents.
    pub text: String,
}

/// Something worth telling the person who loads frameworks that is not an error, such as a
/// prose page that was skipped. The loader gives each file at most one notice per load,
/// listing everything about it in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The file concerned.
    pub path: PathBuf,
    /// What happened to it.
    pub message: String,
    /// Whether it was skipped on purpose or read despite inconsistencies.
    pub kind: NoticeKind,
}

/// What a [`Notice`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeKind {
    /// Not a framework file (a README, a prose page, an FAQ…): skipped, as expected.
    Skipped,
    /// A file of another organisation's format read as it is, although it does not add up
    /// (more levels used than declared, a level without content, a derived id already taken).
    /// A running bot logs these once per load; `validate` prints them; neither fails.
    Inconsistent,
}

impl Notice {
    /// A file skipped on purpose.
    pub fn skipped(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            kind: NoticeKind::Skipped,
        }
    }

    /// A foreign file read as it is despite what `message` says.
    pub fn inconsistent(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            kind: NoticeKind::Inconsistent,
        }
    }
}

/// A framework as a reader produced it, with the lines the loader needs for cross-file errors.
#[derive(Debug, Clone)]
pub struct ParsedFramework {
    /// The framework itself.
    pub framework: Framework,
    /// Where its id and aliases are written.
    pub lines: SourceLines,
    /// For an id the reader derived (Hugo, Monzo) rather than one a file declares: the ids to
    /// use instead, in order, when another framework already has it. Empty for a declared id,
    /// which must be unique as written.
    pub fallback_ids: Vec<String>,
}

/// Lines of the parts of a framework file that must be unique across files.
#[derive(Debug, Clone, Default)]
pub struct SourceLines {
    /// Line of the `id`, when the format has one.
    pub id: Option<u32>,
    /// Line of each alias, in `Framework::aliases` order.
    pub aliases: Vec<Option<u32>>,
}
