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

/// Something worth telling the person who loads frameworks that is not an error,
/// such as a prose page that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The file concerned.
    pub path: PathBuf,
    /// What happened to it.
    pub message: String,
}

/// A framework as a reader produced it, with the lines the loader needs for cross-file errors.
#[derive(Debug, Clone)]
pub struct ParsedFramework {
    /// The framework itself.
    pub framework: Framework,
    /// Where its id and aliases are written.
    pub lines: SourceLines,
}

/// Lines of the parts of a framework file that must be unique across files.
#[derive(Debug, Clone, Default)]
pub struct SourceLines {
    /// Line of the `id`, when the format has one.
    pub id: Option<u32>,
    /// Line of each alias, in `Framework::aliases` order.
    pub aliases: Vec<Option<u32>>,
}
