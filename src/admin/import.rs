//! `career-bot import-org FILE.csv`: loading an org chart from CSV.
//!
//! Three steps, so that nothing is ever half-imported:
//! 1. [`parse`] reads the header and the rows (columns by name, in any order), keeping each
//!    row's physical line in the file;
//! 2. [`validate`] checks every row against the loaded frameworks, the other rows and the
//!    database, and collects *every* problem as a [`RowError`] with its line;
//! 3. [`apply`] writes all rows in one transaction, only when there was no problem at all.
//!
//! The columns and rules are documented for admins in `docs/org-csv.md`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::SqliteConnection;

use crate::ask::Engine;
use crate::bot::{Bot, Settings};
use crate::store::people::{self, NewReport, Person};
use crate::store::{Store, StoreError, audit, outbox, time};

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
    /// Rows skipped because their `record` column is not `person` (e.g. exported check-ins).
    pub skipped_rows: usize,
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
}

/// The result of [`parse`]: the person rows, how many other rows were skipped, and the
/// problems found in the file's structure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// Person rows, in file order.
    pub rows: Vec<OrgRow>,
    /// Rows whose `record` is not `person`.
    pub skipped: usize,
    /// Header and row-shape problems.
    pub errors: Vec<RowError>,
}

/// A valid row, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEntry {
    /// The row's line, for the audit entry.
    pub line: u64,
    /// The person.
    pub user_id: String,
    /// A name to store; `None` keeps the stored one.
    pub name: Option<String>,
    /// A canonical IANA zone to store; `None` keeps the stored one.
    pub time_zone: Option<String>,
    /// Tracked report or manager only.
    pub role: Role,
}

/// What a valid row makes of its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A person on a framework, with a manager of record: stored as `add` stores a report.
    Report {
        /// The resolved framework id.
        framework_id: String,
        /// The resolved level number.
        level: u32,
        /// Their manager.
        manager_id: String,
        /// When they started on the framework.
        start_date: NaiveDate,
        /// `false` imports them as removed (history kept, no reminders).
        active: bool,
    },
    /// No framework and no level: only the name and time zone are stored.
    ManagerOnly,
}

/// The columns the header may name; anything else is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    User,
    Name,
    Manager,
    Framework,
    Level,
    StartDate,
    TimeZone,
    Record,
    Active,
}

impl Column {
    /// The column a header cell names: case-insensitive, spaces and dashes count as `_`, so
    /// "Start Date" and "time-zone" work as people tend to write them.
    fn from_header(text: &str) -> Option<Column> {
        let key = text.trim().to_lowercase().replace([' ', '-'], "_");
        Some(match key.as_str() {
            "user" | "user_id" => Column::User,
            "name" | "display_name" => Column::Name,
            "manager" | "manager_id" => Column::Manager,
            "framework" | "framework_id" => Column::Framework,
            "level" => Column::Level,
            "start_date" => Column::StartDate,
            "time_zone" | "timezone" => Column::TimeZone,
            "record" => Column::Record,
            "active" => Column::Active,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Column::User => "user",
            Column::Name => "name",
            Column::Manager => "manager",
            Column::Framework => "framework",
            Column::Level => "level",
            Column::StartDate => "start_date",
            Column::TimeZone => "time_zone",
            Column::Record => "record",
            Column::Active => "active",
        }
    }
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
    if !errors.is_empty() {
        // Stable: several problems on one line stay in the order they were found.
        errors.sort_by_key(|error| error.line);
        return Err(ImportError::Invalid(errors));
    }
    let changed = apply(bot.store(), bot.settings(), &entries, source, now).await?;
    let reports = entries
        .iter()
        .filter(|entry| matches!(entry.role, Role::Report { .. }))
        .count();
    Ok(ImportSummary {
        people: entries.len(),
        reports,
        managers_only: entries.len() - reports,
        changed,
        skipped_rows: parsed.skipped,
    })
}

/// Reads the header and the person rows. Problems with the header stop here (no row can be
/// read without it); a row with the wrong number of fields or invalid UTF-8 is reported and
/// left out, and the other rows are still read so that every problem is reported at once.
pub fn parse(bytes: &[u8]) -> ParsedFile {
    // Spreadsheet programs often start "CSV UTF-8" files with a byte-order mark; the csv
    // reader would make it part of the first column name.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows of the wrong length are reported by line below instead of stopping the reader.
        .flexible(true)
        .from_reader(bytes);
    let mut parsed = ParsedFile::default();
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => {
            parsed.errors.push(RowError {
                line: error.position().map_or(1, csv::Position::line),
                message: format!("cannot read the header: {error}"),
            });
            return parsed;
        }
        None => {
            parsed.errors.push(RowError {
                line: 1,
                message: format!(
                    "the file is empty; it needs a header row naming the columns ({}), then one row per person.",
                    COLUMNS.join(", ")
                ),
            });
            return parsed;
        }
    };
    let header_line = header.position().map_or(1, csv::Position::line);
    let columns = match read_header(&header, header_line) {
        Ok(columns) => columns,
        Err(errors) => {
            parsed.errors = errors;
            return parsed;
        }
    };
    let record_index = columns
        .iter()
        .position(|column| *column == Some(Column::Record));
    let mut last_line = header_line;
    for result in records {
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                // Reading from memory with `flexible`, this should not happen; if it does, the
                // reader's position is unreliable, so report it and stop reading.
                parsed.errors.push(RowError {
                    line: error.position().map_or(last_line + 1, csv::Position::line),
                    message: format!("cannot read this row: {error}"),
                });
                break;
            }
        };
        let line = record.position().map_or(last_line + 1, csv::Position::line);
        last_line = line;
        // Spreadsheets save trailing empty rows as ",,,,"; they carry no person.
        if record.iter().all(|field| field.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            parsed.errors.push(RowError {
                line,
                message: format!(
                    "this row has {} field(s) but the header has {}; check for a missing or extra comma (quote values that contain commas).",
                    record.len(),
                    columns.len()
                ),
            });
            continue;
        }
        if let Some(index) = record_index {
            let kind = record.get(index).unwrap_or_default().trim_ascii();
            // Export files also hold check-in rows; import-org reads only people.
            if !(kind.is_empty() || kind.eq_ignore_ascii_case(b"person")) {
                parsed.skipped += 1;
                continue;
            }
        }
        match read_row(&columns, &record, line) {
            Some(row) => parsed.rows.push(row),
            None => parsed.errors.push(RowError {
                line,
                message: "this row is not valid UTF-8 text; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs).".to_owned(),
            }),
        }
    }
    parsed
}

/// The column of each header cell, or every problem with the header.
fn read_header(header: &csv::ByteRecord, line: u64) -> Result<Vec<Option<Column>>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut columns = Vec::with_capacity(header.len());
    for field in header {
        let Ok(text) = std::str::from_utf8(field) else {
            errors.push(RowError {
                line,
                message: "the header is not valid UTF-8 text; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs).".to_owned(),
            });
            return Err(errors);
        };
        let column = Column::from_header(text);
        if let Some(column) = column
            && columns.contains(&Some(column))
        {
            errors.push(RowError {
                line,
                message: format!(
                    "the column \"{}\" appears twice in the header; keep one.",
                    column.name()
                ),
            });
        }
        columns.push(column);
    }
    if !columns.contains(&Some(Column::User)) {
        errors.push(RowError {
            line,
            message: format!(
                "the header has no \"user\" column; name the columns in the first row ({}); only user is required.",
                COLUMNS.join(", ")
            ),
        });
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// The row's values by column, trimmed; `None` when a value is not UTF-8.
fn read_row(columns: &[Option<Column>], record: &csv::ByteRecord, line: u64) -> Option<OrgRow> {
    let mut row = OrgRow {
        line,
        ..OrgRow::default()
    };
    for (column, field) in columns.iter().zip(record) {
        let Some(column) = column else {
            continue;
        };
        let value = std::str::from_utf8(field).ok()?.trim().to_owned();
        match column {
            Column::User => row.user = value,
            Column::Name => row.name = value,
            Column::Manager => row.manager = value,
            Column::Framework => row.framework = value,
            Column::Level => row.level = value,
            Column::StartDate => row.start_date = value,
            Column::TimeZone => row.time_zone = value,
            Column::Active => row.active = value,
            Column::Record => {}
        }
    }
    Some(row)
}

/// Checks every row and returns the entries to write, or every problem found.
///
/// `existing` is everyone in the database (active or not): a manager may be someone already
/// stored, and an empty start date keeps the stored one of a person already on the same
/// framework, so importing the same file again on a later day changes nothing.
pub fn validate(
    rows: &[OrgRow],
    engine: &Engine,
    settings: &Settings,
    existing: &[Person],
    now: DateTime<Utc>,
) -> Result<Vec<OrgEntry>, Vec<RowError>> {
    let stored: HashMap<&str, &Person> = existing
        .iter()
        .map(|person| (person.user_id.as_str(), person))
        .collect();
    // Everyone the file lists, with the line of their first row: managers may be listed
    // after their reports.
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    for row in rows {
        if user_id_problem(&row.user, "user").is_none() {
            first_line.entry(row.user.as_str()).or_insert(row.line);
        }
    }
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for row in rows {
        let mut problems = Vec::new();
        let user = row.user.as_str();
        let user_ok = match user_id_problem(user, "user") {
            Some(problem) => {
                problems.push(problem);
                false
            }
            None => true,
        };
        if user_ok
            && let Some(&first) = first_line.get(user)
            && first != row.line
        {
            problems.push(format!(
                "{user} is listed twice (first on line {first}); keep one row per person."
            ));
        }
        let time_zone = if row.time_zone.is_empty() {
            None
        } else {
            match row.time_zone.parse::<Tz>() {
                Ok(zone) => Some(zone),
                Err(_) => {
                    problems.push(format!(
                        "\"{}\" is not a time zone; write an IANA name such as Europe/Berlin, America/New_York or UTC, or leave time_zone empty.",
                        row.time_zone
                    ));
                    None
                }
            }
        };
        let active = match row.active.to_lowercase().as_str() {
            "" | "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            other => {
                problems.push(format!(
                    "\"{other}\" is not a value for active; write true or false, or leave it empty (true)."
                ));
                true
            }
        };
        let start_date = if row.start_date.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&row.start_date, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.push(format!(
                        "\"{}\" is not a date; write start_date as YYYY-MM-DD, e.g. 2026-03-02, or leave it empty for today.",
                        row.start_date
                    ));
                    None
                }
            }
        };
        let manager = if row.manager.is_empty() {
            None
        } else if let Some(problem) = user_id_problem(&row.manager, "manager") {
            problems.push(problem);
            None
        } else if user_ok && row.manager == row.user {
            problems.push(format!(
                "{user} can't be their own manager; name someone else, or leave manager empty for the top of the tree."
            ));
            None
        } else if !first_line.contains_key(row.manager.as_str())
            && !stored.contains_key(row.manager.as_str())
        {
            problems.push(format!(
                "the manager {} is neither in this file nor in the database; add a row for them (with framework and level empty if they only manage) or fix the id.",
                row.manager
            ));
            None
        } else {
            Some(row.manager.clone())
        };
        let placement = match (row.framework.is_empty(), row.level.is_empty()) {
            (true, true) => Some(None),
            (false, true) => {
                problems.push(format!(
                    "framework is \"{}\" but level is empty; give both, or neither for someone who only manages.",
                    row.framework
                ));
                None
            }
            (true, false) => {
                problems.push(format!(
                    "level is \"{}\" but framework is empty; give both, or neither for someone who only manages.",
                    row.level
                ));
                None
            }
            (false, false) => match engine.find_framework(&row.framework) {
                Err(message) => {
                    problems.push(message);
                    None
                }
                Ok(framework) => match engine.find_level(framework, &row.level) {
                    Err(message) => {
                        problems.push(message);
                        None
                    }
                    Ok(level) => Some(Some((framework.id.clone(), level))),
                },
            },
        };
        // A tracked report's conversations are held with, and reminded to, their manager.
        if matches!(placement, Some(Some(_))) && row.manager.is_empty() && user_ok {
            problems.push(format!(
                "{user} has a framework and level but no manager; name their manager, or leave framework and level empty for someone who only manages."
            ));
        }
        if !problems.is_empty() {
            errors.extend(problems.into_iter().map(|message| RowError {
                line: row.line,
                message,
            }));
            continue;
        }
        let role = match (placement, manager) {
            (Some(Some((framework_id, level))), Some(manager_id)) => {
                let before = stored.get(user).copied();
                let start_date = start_date
                    .or_else(|| {
                        before
                            .filter(|person| {
                                person.active
                                    && person.framework_id.as_deref() == Some(&framework_id)
                            })
                            .and_then(|person| person.start_date)
                    })
                    .unwrap_or_else(|| {
                        // "Today" where the person is, as `add` does for the manager.
                        let zone = time_zone
                            .map(|zone| zone.name().to_owned())
                            .or_else(|| before.and_then(|person| person.time_zone.clone()));
                        now.with_timezone(&settings.time_zone(zone.as_deref()))
                            .date_naive()
                    });
                Role::Report {
                    framework_id,
                    level,
                    manager_id,
                    start_date,
                    active,
                }
            }
            _ => Role::ManagerOnly,
        };
        entries.push(OrgEntry {
            line: row.line,
            user_id: row.user.clone(),
            name: Some(row.name.clone()).filter(|name| !name.is_empty()),
            time_zone: time_zone.map(|zone| zone.name().to_owned()),
            role,
        });
    }
    errors.extend(cycles(rows, &first_line, &stored));
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// Why `text` is not a usable user id, if it is not.
fn user_id_problem(text: &str, column: &str) -> Option<String> {
    if text.is_empty() {
        return Some(format!(
            "{column} is empty; every row needs the person's chat user id, e.g. U012AB3CD."
        ));
    }
    let valid = text
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (!valid).then(|| {
        format!(
            "\"{text}\" is not a chat user id; write the id alone, e.g. U012AB3CD (letters, digits, _ . -)."
        )
    })
}

/// A problem for every row whose management chain comes back to its own person, counting
/// the managers the file gives and, for people it does not list, the stored ones.
fn cycles(
    rows: &[OrgRow],
    first_line: &HashMap<&str, u64>,
    stored: &HashMap<&str, &Person>,
) -> Vec<RowError> {
    let mut manager_of: HashMap<&str, &str> = stored
        .values()
        .filter_map(|person| {
            let manager = person.manager_id.as_deref()?;
            (manager != person.user_id).then_some((person.user_id.as_str(), manager))
        })
        .collect();
    let listed = || {
        rows.iter()
            .filter(|row| first_line.get(row.user.as_str()) == Some(&row.line))
    };
    for row in listed() {
        // The file's manager replaces the stored one; empty means the top of the tree.
        if row.manager.is_empty() || row.manager == row.user {
            manager_of.remove(row.user.as_str());
        } else {
            manager_of.insert(row.user.as_str(), row.manager.as_str());
        }
    }
    let mut errors = Vec::new();
    for row in listed() {
        let start = row.user.as_str();
        let mut chain = vec![start];
        let mut seen = HashSet::from([start]);
        let mut current = manager_of.get(start).copied();
        while let Some(next) = current {
            if next == start {
                chain.push(start);
                errors.push(RowError {
                    line: row.line,
                    message: format!(
                        "{start}'s management chain comes back to them: {}. Give one of these people a different manager, or none for the top of the tree.",
                        chain.join(" → ")
                    ),
                });
                break;
            }
            // A loop that does not pass through `start` is reported on its own rows.
            if !seen.insert(next) {
                break;
            }
            chain.push(next);
            current = manager_of.get(next).copied();
        }
    }
    errors
}

/// Writes `entries` in one transaction: all of them or, on any database error, none. A
/// person whose stored record already matches their row is not written again (so a
/// re-import keeps snoozes and timestamps), but every person gets an audit entry.
/// Returns how many people changed.
pub async fn apply(
    store: &Store,
    settings: &Settings,
    entries: &[OrgEntry],
    source: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut tx = store.write().await?;
    let mut changed = 0;
    for entry in entries {
        let before = people::person_in(&mut tx, &entry.user_id).await?;
        let wrote = match &entry.role {
            Role::Report { .. } => {
                apply_report(&mut tx, settings, entry, before.as_ref(), now).await?
            }
            Role::ManagerOnly => apply_manager_only(&mut tx, entry, before.as_ref(), now).await?,
        };
        changed += usize::from(wrote);
        audit::record(
            &mut tx,
            now,
            ACTOR,
            ACTION,
            Some(&entry.user_id),
            audit_details(entry, source, wrote),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Stores a report as `add` does; returns whether anything changed.
async fn apply_report(
    conn: &mut SqliteConnection,
    settings: &Settings,
    entry: &OrgEntry,
    before: Option<&Person>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Role::Report {
        framework_id,
        level,
        manager_id,
        start_date,
        active,
    } = &entry.role
    else {
        return Ok(false);
    };
    let unchanged = before.is_some_and(|person| {
        person.framework_id.as_deref() == Some(framework_id)
            && person.level == Some(*level)
            && person.manager_id.as_deref() == Some(manager_id)
            && person.start_date == Some(*start_date)
            && person.active == *active
            && profile_unchanged(entry, person)
    });
    if unchanged {
        return Ok(false);
    }
    people::add_report_in(
        conn,
        &NewReport {
            user_id: entry.user_id.clone(),
            display_name: entry.name.clone(),
            framework_id: framework_id.clone(),
            level: *level,
            manager_id: manager_id.clone(),
            start_date: *start_date,
            time_zone: entry.time_zone.clone(),
            cadence: settings.cadence_for(framework_id),
        },
        now,
    )
    .await?;
    let moved = before.is_some_and(|person| person.manager_id.as_deref() != Some(manager_id));
    if moved || !active {
        // Reminders already planned were addressed to the old manager, or are now pointless.
        outbox::cancel_reminders_in(conn, &entry.user_id).await?;
    }
    if !active {
        // As `remove` does: history kept, no due date, no reminders.
        sqlx::query(
            "UPDATE people SET active = 0, due_on = NULL, updated_at = ? WHERE user_id = ?",
        )
        .bind(time::to_text(now))
        .bind(&entry.user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Stores a manager-only person's name and time zone; their framework, manager and tracking
/// are left as they are. Returns whether anything changed.
async fn apply_manager_only(
    conn: &mut SqliteConnection,
    entry: &OrgEntry,
    before: Option<&Person>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if before.is_some_and(|person| profile_unchanged(entry, person)) {
        return Ok(false);
    }
    people::ensure_person(conn, &entry.user_id, now).await?;
    sqlx::query(
        "UPDATE people SET
            display_name = coalesce(?, display_name),
            time_zone = coalesce(?, time_zone),
            updated_at = ?
         WHERE user_id = ?",
    )
    .bind(&entry.name)
    .bind(&entry.time_zone)
    .bind(time::to_text(now))
    .bind(&entry.user_id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Whether storing the row's name and time zone would leave `person` as it is (an empty value
/// in the file keeps the stored one).
fn profile_unchanged(entry: &OrgEntry, person: &Person) -> bool {
    entry
        .name
        .as_ref()
        .is_none_or(|name| *name == person.display_name)
        && entry
            .time_zone
            .as_ref()
            .is_none_or(|zone| person.time_zone.as_ref() == Some(zone))
}

/// The audit details of one imported person.
fn audit_details(entry: &OrgEntry, source: &str, changed: bool) -> serde_json::Value {
    let (framework, level, manager, start_date, active) = match &entry.role {
        Role::Report {
            framework_id,
            level,
            manager_id,
            start_date,
            active,
        } => (
            Some(framework_id.as_str()),
            Some(*level),
            Some(manager_id.as_str()),
            Some(time::date_text(*start_date)),
            Some(*active),
        ),
        Role::ManagerOnly => (None, None, None, None, None),
    };
    json!({
        "file": source,
        "line": entry.line,
        "changed": changed,
        "name": entry.name,
        "time_zone": entry.time_zone,
        "framework": framework,
        "level": level,
        "manager": manager,
        "start_date": start_date,
        "active": active,
    })
}
