//! `career-bot import-org FILE.csv`: loading an org chart from CSV.
//!
//! Three steps, so that nothing is ever half-imported:
//! 1. [`parse`] reads the header and the rows (columns by name, in any order), keeping each
//!    row's physical line in the file;
//! 2. [`validate`] checks every row against the loaded frameworks, the other rows and the
//!    database, and collects *every* problem as a [`RowError`] with its line;
//! 3. [`apply`] writes all rows in one transaction, only when there was no problem at all.
//!
//! Each step has its own file (`read.rs`, `check.rs`, `write.rs`); `history.rs` checks the
//! rows an export adds after the people (conversations, answers, timeline events), which are
//! written in the same transaction, so an export goes back in whole. This file holds the
//! types they pass along and the entry points that run all three.
//!
//! The columns and rules are documented for admins in `docs/org-csv.md`.

mod check;
pub mod history;
mod read;
mod write;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

pub use check::validate;
pub use read::parse;
pub use write::apply;

use crate::bot::Bot;
use crate::ids::{FrameworkId, UserId};
use crate::store::StoreError;

/// The audit actor of every change an import makes.
pub const ACTOR: &str = "import";
/// The audit action written once per imported person.
pub const ACTION: &str = "person.imported";
/// The columns `import-org` reads, in the order `export` writes them. Only `user` is required.
pub const COLUMNS: [&str; 7] = [
    "user",
    "name",
    "manager",
    "framework",
    "level",
    "start_date",
    "time_zone",
];

/// One problem in the file: the physical line (the header is line 1) and a sentence saying
/// what is wrong and what would work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    /// The line in the file where the row starts.
    pub line: u64,
    /// What is wrong and what would work.
    pub message: String,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file has problems; every one is listed, in line order.
    #[error("{} problem(s) found; nothing was imported", .0.len())]
    Invalid(Vec<RowError>),
    /// The database failed; the transaction was rolled back.
    #[error("{0}; nothing was imported")]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    /// Person rows imported (reports plus managers only).
    pub people: usize,
    /// Of those, people on a framework and level.
    pub reports: usize,
    /// Of those, people without a framework (they only manage, or are not tracked).
    pub managers_only: usize,
    /// People whose stored record actually changed (0 when the same file is imported again).
    pub changed: usize,
    /// Conversations, answers and timeline events added (0 when the same file is imported
    /// again).
    pub history: history::HistoryCounts,
}

/// One person row as written in the file, every value trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgRow {
    /// The line where the row starts.
    pub line: u64,
    /// `user`.
    pub user: String,
    /// `name`.
    pub name: String,
    /// `manager`.
    pub manager: String,
    /// `framework`.
    pub framework: String,
    /// `level`.
    pub level: String,
    /// `start_date`.
    pub start_date: String,
    /// `time_zone`.
    pub time_zone: String,
    /// `active` (written by `export`; empty means active).
    pub active: String,
    /// `snoozed_until` (written by `export`; empty keeps the stored snooze).
    pub snoozed_until: String,
}

/// A history row of an export (`record` is `checkin`, `answer` or an event word), every value
/// trimmed; see [`history`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryRow {
    /// The line where the row starts.
    pub line: u64,
    /// `record`, lower case.
    pub record: String,
    /// `user`: the report.
    pub user: String,
    /// `framework` (a conversation's).
    pub framework: String,
    /// `held_on`.
    pub held_on: String,
    /// `level_discussed`.
    pub level_discussed: String,
    /// `checkin_manager`.
    pub checkin_manager: String,
    /// `recorded_by`.
    pub recorded_by: String,
    /// `recorded_at`.
    pub recorded_at: String,
    /// `acknowledgement`.
    pub acknowledgement: String,
    /// `acknowledged_at`.
    pub acknowledged_at: String,
    /// `dispute_reason`.
    pub dispute_reason: String,
    /// `event_at`.
    pub event_at: String,
    /// `event_by`.
    pub event_by: String,
    /// `event_details`.
    pub event_details: String,
    /// `focus` (a conversation's focus areas: a JSON array, or names separated by commas).
    pub focus: String,
    /// `next_steps` (a conversation's).
    pub next_steps: String,
}

/// The result of [`parse`]: the person rows, the history rows, and the problems found in the
/// file's structure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// Person rows, in file order.
    pub rows: Vec<OrgRow>,
    /// History rows, in file order.
    pub history: Vec<HistoryRow>,
    /// Header and row-shape problems.
    pub errors: Vec<RowError>,
}

/// A valid row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEntry {
    /// The row's line, for the audit entry.
    pub line: u64,
    /// The person.
    pub user_id: UserId,
    /// A name to store; `None` keeps the stored one.
    pub name: Option<String>,
    /// A canonical IANA zone to store; `None` keeps the stored one.
    pub time_zone: Option<String>,
    /// Tracked report or manager only.
    pub role: Role,
    /// Reminders paused until this date (an active report's); `None` keeps the stored snooze.
    pub snoozed_until: Option<NaiveDate>,
}

/// What a valid row makes of its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A person on a framework, with a manager of record: stored as `add` stores a report.
    Report {
        /// The resolved framework id.
        framework_id: FrameworkId,
        /// The resolved level number.
        level: u32,
        /// Their manager.
        manager_id: UserId,
        /// When they started on the framework.
        start_date: NaiveDate,
        /// `false` imports them as removed (history kept, no reminders).
        active: bool,
    },
    /// No framework and no level: only the name and time zone are stored.
    ManagerOnly,
}

/// Reads, checks and imports `path`; see the module docs. `now` is the time the import acts
/// at (audit times, and "today" for empty start dates).
pub async fn import_file(
    bot: &Bot,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ImportError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    import_bytes(bot, &bytes, &path.display().to_string(), now).await
}

/// Checks and imports CSV `bytes`; `source` names the file in audit entries.
pub async fn import_bytes(
    bot: &Bot,
    bytes: &[u8],
    source: &str,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ImportError> {
    let parsed = parse(bytes);
    let existing = bot.store().people(true).await?;
    let engine = bot.engine();
    let mut errors = parsed.errors;
    let entries = match validate(&parsed.rows, &engine, bot.settings(), &existing, now) {
        Ok(entries) => entries,
        Err(mut more) => {
            errors.append(&mut more);
            Vec::new()
        }
    };
    let stored_checkins = bot.store().all_checkins().await?;
    let history = match history::validate(
        &parsed.history,
        &parsed.rows,
        &existing,
        &stored_checkins,
        now,
    ) {
        Ok(history) => history,
        Err(mut more) => {
            errors.append(&mut more);
            history::HistoryEntries::default()
        }
    };
    if !errors.is_empty() {
        // Stable: several problems on one line stay in the order they were found.
        errors.sort_by_key(|error| error.line);
        return Err(ImportError::Invalid(errors));
    }
    let (changed, history) =
        apply(bot.store(), bot.settings(), &entries, &history, source, now).await?;
    let reports = entries
        .iter()
        .filter(|entry| matches!(entry.role, Role::Report { .. }))
        .count();
    Ok(ImportSummary {
        people: entries.len(),
        reports,
        managers_only: entries.len() - reports,
        changed,
        history,
    })
}
