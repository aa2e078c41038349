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
//! Around them: `emails.rs` turns the emails of an HR export into user ids first (stored, or
//! asked of Slack), and `plan.rs` lists what the file changes, for `--dry-run` (print, write
//! nothing) and `--sync` (remove the tracked people the file does not list).
//!
//! The columns and rules are documented for admins in `docs/org-csv.md`.

mod check;
pub mod emails;
pub mod history;
pub mod plan;
mod read;
mod write;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

pub use check::validate;
pub use emails::{Directory, LookupError};
pub use plan::Change;
pub use read::parse;
pub use write::{Extras, apply, apply_with};

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
    /// Slack could not be asked who has an email; nothing was written.
    #[error("{0}; nothing was imported")]
    Directory(#[from] LookupError),
}

/// How `import-org` runs: `--sync` and `--dry-run`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Remove tracked reports the file does not list (history kept).
    pub sync: bool,
    /// Check the file and list the changes; write nothing.
    pub dry_run: bool,
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The counts, as for a plain import (nothing written on a dry run).
    pub summary: ImportSummary,
    /// Every change to the org chart, in file order, then the removals.
    pub changes: Vec<Change>,
    /// People removed because the file does not list them (`--sync`; 0 on a dry run).
    pub removed: usize,
    /// Emails asked of Slack (stored ones are not asked again).
    pub looked_up: usize,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
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
    /// `email` (written by `export`): the person's work email, when `user` is an id.
    pub email: String,
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
    import_with(bot, bytes, source, now, ImportOptions::default(), None)
        .await
        .map(|outcome| outcome.summary)
}

/// Reads, checks and imports `path` with `options`, emails resolved through `directory`.
pub async fn import_file_with(
    bot: &Bot,
    path: &Path,
    now: DateTime<Utc>,
    options: ImportOptions,
    directory: Option<&dyn Directory>,
) -> Result<ImportOutcome, ImportError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    import_with(
        bot,
        &bytes,
        &path.display().to_string(),
        now,
        options,
        directory,
    )
    .await
}

/// Checks CSV `bytes` and imports them as `options` say: emails turned into user ids (stored
/// ones from the database, others through `directory`), every problem reported by line and
/// nothing written, else one transaction (none on a dry run) with `--sync`'s removals.
pub async fn import_with(
    bot: &Bot,
    bytes: &[u8],
    source: &str,
    now: DateTime<Utc>,
    options: ImportOptions,
    directory: Option<&dyn Directory>,
) -> Result<ImportOutcome, ImportError> {
    let mut parsed = parse(bytes);
    let existing = bot.store().people(true).await?;
    let stored_emails = bot.store().user_ids_by_email().await?;
    let resolved = emails::resolve(&mut parsed.rows, &stored_emails, directory).await?;
    let engine = bot.engine();
    let mut errors = parsed.errors;
    // A line whose email nobody knows is reported for that alone: its other checks would only
    // repeat that the cell is not a user id.
    let email_lines: std::collections::HashSet<u64> =
        resolved.errors.iter().map(|error| error.line).collect();
    errors.extend(resolved.errors.iter().cloned());
    let entries = match validate(&parsed.rows, &engine, bot.settings(), &existing, now) {
        Ok(entries) => entries,
        Err(more) => {
            errors.extend(
                more.into_iter()
                    .filter(|error| !email_lines.contains(&error.line)),
            );
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
    let changes = plan::plan(&entries, &existing, options.sync);
    let reports = entries
        .iter()
        .filter(|entry| matches!(entry.role, Role::Report { .. }))
        .count();
    let mut summary = ImportSummary {
        people: entries.len(),
        reports,
        managers_only: entries.len() - reports,
        changed: 0,
        history: history::HistoryCounts::default(),
    };
    if options.dry_run {
        return Ok(ImportOutcome {
            summary,
            changes,
            removed: 0,
            looked_up: resolved.looked_up,
            dry_run: true,
        });
    }
    let extras = Extras {
        emails: resolved.emails,
        removals: plan::removals(&changes),
    };
    let (changed, history) = apply_with(
        bot.store(),
        bot.settings(),
        &entries,
        &history,
        &extras,
        source,
        now,
    )
    .await?;
    summary.changed = changed;
    summary.history = history;
    Ok(ImportOutcome {
        summary,
        changes,
        removed: extras.removals.len(),
        looked_up: resolved.looked_up,
        dry_run: false,
    })
}
