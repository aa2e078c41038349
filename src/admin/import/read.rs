//! Step 1 of an import: reading the CSV file into [`OrgRow`]s.
//!
//! Columns are found by their header name, in any order; each row keeps the physical line it
//! starts on, so every later problem can point at it. Nothing here judges the values: that is
//! [`super::validate`]'s job.

use std::collections::HashMap;

use super::{COLUMNS, HistoryRow, OrgRow, ParsedFile, RowError, history};
use crate::admin::cells;

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
    SnoozedUntil,
    HeldOn,
    LevelDiscussed,
    CheckinManager,
    RecordedBy,
    RecordedAt,
    Acknowledgement,
    AcknowledgedAt,
    DisputeReason,
    EventAt,
    EventBy,
    EventDetails,
    Focus,
    NextSteps,
    Email,
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
            "snoozed_until" => Column::SnoozedUntil,
            "held_on" => Column::HeldOn,
            "level_discussed" => Column::LevelDiscussed,
            "checkin_manager" => Column::CheckinManager,
            "recorded_by" => Column::RecordedBy,
            "recorded_at" => Column::RecordedAt,
            "acknowledgement" => Column::Acknowledgement,
            "acknowledged_at" => Column::AcknowledgedAt,
            "dispute_reason" => Column::DisputeReason,
            "event_at" => Column::EventAt,
            "event_by" => Column::EventBy,
            "event_details" => Column::EventDetails,
            "focus" => Column::Focus,
            "next_steps" => Column::NextSteps,
            "email" | "e_mail" | "work_email" => Column::Email,
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
            Column::SnoozedUntil => "snoozed_until",
            Column::HeldOn => "held_on",
            Column::LevelDiscussed => "level_discussed",
            Column::CheckinManager => "checkin_manager",
            Column::RecordedBy => "recorded_by",
            Column::RecordedAt => "recorded_at",
            Column::Acknowledgement => "acknowledgement",
            Column::AcknowledgedAt => "acknowledged_at",
            Column::DisputeReason => "dispute_reason",
            Column::EventAt => "event_at",
            Column::EventBy => "event_by",
            Column::EventDetails => "event_details",
            Column::Focus => "focus",
            Column::NextSteps => "next_steps",
            Column::Email => "email",
        }
    }
}

/// Reads the header and the rows: person rows, and the history rows of an export
/// (conversations, answers, events; see [`history`]). Problems with the header stop here (no row can be
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
        let Some(mut values) = read_values(&columns, &record) else {
            parsed.errors.push(RowError {
                line,
                message: "this row is not valid UTF-8 text; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs).".to_owned(),
            });
            continue;
        };
        let mut take = |column: Column| values.remove(&column).unwrap_or_default();
        let record = take(Column::Record).to_lowercase();
        if record.is_empty() || record == "person" {
            parsed.rows.push(OrgRow {
                line,
                user: take(Column::User),
                name: take(Column::Name),
                manager: take(Column::Manager),
                framework: take(Column::Framework),
                level: take(Column::Level),
                start_date: take(Column::StartDate),
                time_zone: take(Column::TimeZone),
                active: take(Column::Active),
                snoozed_until: take(Column::SnoozedUntil),
                email: take(Column::Email),
            });
        } else if history::is_history_record(&record) {
            parsed.history.push(HistoryRow {
                line,
                record,
                user: take(Column::User),
                framework: take(Column::Framework),
                held_on: take(Column::HeldOn),
                level_discussed: take(Column::LevelDiscussed),
                checkin_manager: take(Column::CheckinManager),
                recorded_by: take(Column::RecordedBy),
                recorded_at: take(Column::RecordedAt),
                acknowledgement: take(Column::Acknowledgement),
                acknowledged_at: take(Column::AcknowledgedAt),
                dispute_reason: take(Column::DisputeReason),
                event_at: take(Column::EventAt),
                event_by: take(Column::EventBy),
                event_details: take(Column::EventDetails),
                focus: take(Column::Focus),
                next_steps: take(Column::NextSteps),
            });
        } else {
            parsed.errors.push(RowError {
                line,
                message: format!(
                    "record \"{record}\" is not a kind of row import-org reads; write person (or leave it empty), or one of the kinds an export writes: {}.",
                    history::RECORD_WORDS.join(", ")
                ),
            });
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

/// The row's values by column, trimmed, with the `'` an export puts before a formula-like
/// cell taken off ([`crate::admin::cells`]); `None` when a value is not UTF-8.
fn read_values(
    columns: &[Option<Column>],
    record: &csv::ByteRecord,
) -> Option<HashMap<Column, String>> {
    let mut values = HashMap::new();
    for (column, field) in columns.iter().zip(record) {
        let Some(column) = column else {
            continue;
        };
        let value = cells::restore(std::str::from_utf8(field).ok()?.trim()).to_owned();
        values.insert(*column, value);
    }
    Some(values)
}
