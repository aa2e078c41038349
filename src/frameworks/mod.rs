//! Career frameworks: the model, the readers for each file format, and loading a set of them.
//!
//! - [`model`]: what a framework is, independent of any file format.
//! - [`native`], [`hugo`], [`monzo`]: one reader per format; [`detect`] picks one per file.
//! - [`loader`]: walks directories (or the bundled set), runs the readers, checks ids and
//!   aliases across files, and returns a [`Library`] plus every error with file and line.
//! - [`library`]: the loaded, validated set that questions are answered from.
//!
//! This module is part of the pure core: it reads files but knows nothing of Slack or SQL.

pub mod bundled;
pub mod detect;
pub mod error;
pub mod hugo;
pub mod library;
pub mod loader;
pub mod model;
pub mod monzo;
pub(crate) mod naming;
pub mod native;
pub(crate) mod yaml;

pub use error::{FrameworkError, FrameworkErrorKind};
pub use library::Library;
pub use loader::{FrameworkSource, LoadReport, Notice, load};
pub use model::{Dimension, Format, Framework, Indicator, Level, Origin, Role, Source};

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
