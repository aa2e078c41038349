//! Errors found while reading framework files, each pointing at a file and line.
//!
//! Every variant renders as one sentence a person can act on: what is wrong and what would be
//! valid. [`FrameworkError`] carries the location; [`FrameworkErrorKind`] says what went wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in one framework file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkError {
    /// The file (or directory, for whole-site problems) the error is in.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub kind: FrameworkErrorKind,
}

/// What is wrong with a framework file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkErrorKind {
    /// The file could not be read at all.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// YAML that does not parse, or does not fit the format (unknown field, wrong type…).
    #[error("{0}")]
    Yaml(String),
    /// A required value is empty.
    #[error("`{field}` is empty; {hint}")]
    Empty {
        /// Which field.
        field: String,
        /// What to put there.
        hint: String,
    },
    /// Two levels share a number.
    #[error(
        "level {number} is defined twice (first at line {first_line}); level numbers must be unique within a framework"
    )]
    DuplicateLevel {
        /// The repeated number.
        number: u32,
        /// Where it was first defined.
        first_line: u32,
    },
    /// A level with neither a summary nor any expectations.
    #[error(
        "level {number} is empty: it has neither a summary nor any expectations; add at least one of them"
    )]
    EmptyLevel {
        /// The level's number.
        number: u32,
    },
    /// A framework with no levels.
    #[error("the framework has no levels; add at least one under `levels`")]
    NoLevels,
    /// Level 0 or an absurd number.
    #[error("level {number} is out of range; level numbers run from 1 to 99")]
    LevelOutOfRange {
        /// The number given.
        number: i64,
    },
    /// An expectation group names a dimension the framework does not declare.
    #[error(
        "level {level} uses the dimension \"{name}\", which `dimensions` does not declare{suggestion}; declared: {declared}"
    )]
    UnknownDimension {
        /// The level using it.
        level: u32,
        /// The undeclared name.
        name: String,
        /// ", did you mean \"X\"?" or empty.
        suggestion: String,
        /// The declared names, comma-separated.
        declared: String,
    },
    /// A role refers to levels the framework does not have.
    #[error(
        "role \"{role}\" refers to level {level}, which does not exist; levels are {available}"
    )]
    RoleLevelMissing {
        /// The role's first title.
        role: String,
        /// The missing level.
        level: u32,
        /// The existing levels.
        available: String,
    },
    /// The id is not a lowercase slug.
    #[error(
        "id \"{id}\" is not valid; use lowercase letters, digits and dashes, e.g. \"{suggestion}\""
    )]
    BadId {
        /// The id given.
        id: String,
        /// A valid spelling.
        suggestion: String,
    },
    /// Two files declare the same id.
    #[error("the id \"{id}\" is already used by {other}; every framework needs its own id")]
    DuplicateId {
        /// The shared id.
        id: String,
        /// "path:line" of the other definition.
        other: String,
    },
    /// Two frameworks claim the same alias (or an alias equals another framework's id).
    #[error(
        "the alias \"{alias}\" is already used by framework \"{other_id}\" ({other}); aliases must be unique across frameworks"
    )]
    DuplicateAlias {
        /// The shared alias.
        alias: String,
        /// The framework that has it first.
        other_id: String,
        /// "path:line" of that framework.
        other: String,
    },
    /// Markdown whose structure the reader does not recognise.
    #[error("{0}")]
    Structure(String),
}

impl FrameworkError {
    /// An error at a known line.
    pub fn at(path: &Path, line: u32, kind: FrameworkErrorKind) -> Self {
        Self {
            path: path.to_path_buf(),
            line: Some(line),
            kind,
        }
    }

    /// An error about a whole file.
    pub fn file(path: &Path, kind: FrameworkErrorKind) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            kind,
        }
    }

    /// "path:line" (or just "path") for messages.
    pub fn location(&self) -> String {
        location_text(&self.path, self.line)
    }
}

/// Formats a file location the way compilers do: `path:line`.
pub fn location_text(path: &Path, line: Option<u32>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

impl fmt::Display for FrameworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.kind)
    }
}

impl std::error::Error for FrameworkError {}
