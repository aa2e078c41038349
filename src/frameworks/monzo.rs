//! Reader for Monzo's progression-framework format (`frameworks/**/*.md` with YAML front matter).

use super::error::FrameworkError;
use super::loader::SourceFile;
use super::ParsedFramework;

/// What one Monzo file holds.
#[derive(Debug)]
pub enum Outcome {
    /// A framework.
    Framework(Box<ParsedFramework>),
    /// A prose page (`yaml: false`), to be skipped with a notice.
    Prose,
}

/// Reads one Monzo file.
pub fn parse(_file: &SourceFile) -> Result<Outcome, Vec<FrameworkError>> {
    Ok(Outcome::Prose)
}
