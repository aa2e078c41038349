//! Reader for Hugo career-ladder sites laid out like InfraCloud's (`content/docs/<team>/<role>.md`).

use std::path::Path;

use super::error::FrameworkError;
use super::loader::{Notice, SourceFile};
use super::ParsedFramework;

/// What reading one team directory produced.
#[derive(Debug)]
pub struct TeamOutcome {
    /// The team's framework; `Ok(None)` when the directory holds no level pages.
    pub framework: Result<Option<ParsedFramework>, Vec<FrameworkError>>,
    /// Pages skipped on purpose (an FAQ…).
    pub notices: Vec<Notice>,
}

/// Reads one team directory: its `_index.md` (if any) and its pages.
pub fn parse_team(_team_dir: &Path, _index: Option<&SourceFile>, _pages: &[SourceFile]) -> TeamOutcome {
    TeamOutcome { framework: Ok(None), notices: Vec::new() }
}
