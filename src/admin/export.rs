//! `career-bot export --format csv|json`: every person (removed ones too, with
//! `active = false`) and the full check-in history.
//!
//! Private notes are never exported, in either format: a note is visible only to the person
//! who wrote it, and an export is read by whoever runs it. [`ExportedCheckin`] has no field
//! for it, so no format can leak it.
//!
//! The CSV is one file: a `record` column (`person`, `checkin`, `answer`, or an event word
//! such as `level_changed`, see [`crate::store::events::EventKind::record`]), then the `import-org` columns, then
//! the person extras, then the check-in columns, then the event columns, empty where not
//! applicable. People come first (by user), then check-ins (by user, date, with the `focus`
//! areas agreed as a JSON array of dimension names and the `next_steps`), each followed by
//! its answers in order (`acknowledgement`, `acknowledged_at`, `dispute_reason` hold the
//! answer, its time and its reason), so a dispute that was later confirmed keeps both; then
//! the timeline's events (by user, then as they happened: `event_at`, `event_by`, and
//! `event_details`, the JSON the audit log keeps); then the evidence and the assessments
//! ([`super::export_growth`]), their parts as JSON in `event_details`. The file goes straight back into
//! `import-org`, which restores all of it: export, import into an empty database and export
//! again gives the same file. A cell that a spreadsheet would run as a formula (`=…`, `-…`,
//! `@…`) is written with a leading `'` that `import-org` takes off again ([`super::cells`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::cells;
use super::export_growth::{self, ExportedAssessment, ExportedEvidence};
use crate::bot::{Bot, Settings};
use crate::checkins::Status;
use crate::ids::{FrameworkId, UserId};
use crate::store::checkins::{Agreed, Answer, Checkin};
use crate::store::events::PersonEvent;
use crate::store::people::Person;
use crate::store::{StoreError, time};

/// The CSV header, in order.
pub const CSV_COLUMNS: [&str; 27] = [
    "record",
    // The import-org columns:
    "user",
    "name",
    "manager",
    "framework",
    "level",
    "start_date",
    "time_zone",
    // Person extras:
    "active",
    "last_conversation",
    "next_due",
    "status",
    // Check-in columns:
    "held_on",
    "level_discussed",
    "checkin_manager",
    "recorded_by",
    "recorded_at",
    "acknowledgement",
    "acknowledged_at",
    "dispute_reason",
    // Added later, so at the end: files written before keep their column positions.
    "snoozed_until",
    "event_at",
    "event_by",
    "event_details",
    // A conversation's agreement (issue 13): focus areas as a JSON array, next steps as text.
    "focus",
    "next_steps",
    // The work email an HR export named them by (issue 14).
    "email",
];

/// The export file format. CSV is the default because it opens in a spreadsheet and goes
/// straight back into `import-org`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportFormat {
    /// One CSV file, person rows then check-in rows.
    #[default]
    Csv,
    /// One JSON object: `exported_at`, `people`, `checkins`, `events`, `evidence`,
    /// `assessments`.
    Json,
}

/// Everything an export contains, in the order it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    /// When the export was made (RFC 3339, UTC).
    pub exported_at: String,
    /// Everyone, active or not, by user id.
    pub people: Vec<ExportedPerson>,
    /// Every check-in, by report then date.
    pub checkins: Vec<ExportedCheckin>,
    /// Every change to someone's record, by person then as they happened.
    pub events: Vec<ExportedEvent>,
    /// Every piece of evidence (removed ones marked), by person then as logged.
    pub evidence: Vec<ExportedEvidence>,
    /// Every assessment with its answers, by person then as started.
    pub assessments: Vec<ExportedAssessment>,
}

/// One change to a person's record (see [`crate::store::events`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedEvent {
    /// Whose record.
    pub user: String,
    /// What kind of change: `added`, `removed`, `moved`, `level_changed`,
    /// `framework_changed`, `snoozed`, `unsnoozed` or `undone`.
    pub event: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who made it.
    pub by: String,
    /// The details the audit log keeps (from/to values, a reason), as a JSON object's text.
    pub details: String,
}

/// One person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedPerson {
    /// Chat user id.
    pub user: String,
    /// Display name (may be empty).
    pub name: String,
    /// Manager of record.
    pub manager: Option<String>,
    /// Framework id (none for people who only manage).
    pub framework: Option<String>,
    /// Level number.
    pub level: Option<u32>,
    /// When they started on the framework.
    pub start_date: Option<NaiveDate>,
    /// IANA time zone, if known.
    pub time_zone: Option<String>,
    /// `false` once removed (their history stays).
    pub active: bool,
    /// Date of their latest conversation, if any.
    pub last_conversation: Option<NaiveDate>,
    /// When the next conversation is due (tracked reports only).
    pub next_due: Option<NaiveDate>,
    /// `ok`, `due`, `overdue` or `snoozed` on the export day (UTC); tracked reports only.
    pub status: Option<Status>,
    /// Reminders paused until this date.
    pub snoozed_until: Option<NaiveDate>,
    /// Their work email (lower case), when an import stored one.
    pub email: Option<String>,
}

/// One conversation, without its private note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedCheckin {
    /// Check-in id.
    pub id: i64,
    /// The report.
    pub user: String,
    /// The manager of record when it was held.
    pub manager: String,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// The report's framework then.
    pub framework: Option<String>,
    /// The level discussed.
    pub level_discussed: Option<u32>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    /// `pending`, `acknowledged` or `disputed`.
    pub acknowledgement: String,
    /// When the report answered.
    pub acknowledged_at: Option<String>,
    /// The report's reason, when they disputed it.
    pub dispute_reason: Option<String>,
    /// Every answer the report gave, oldest first (a dispute then a confirmation keeps both).
    pub answers: Vec<ExportedAnswer>,
    /// The focus areas agreed (dimension names, at most three), possibly none.
    pub focus: Vec<String>,
    /// The next steps agreed, visible to both (unlike the private note).
    pub next_steps: Option<String>,
}

/// One answer to a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedAnswer {
    /// `acknowledged` or `disputed`.
    pub answer: String,
    /// The reason given with a dispute.
    pub reason: Option<String>,
    /// When (RFC 3339, UTC).
    pub answered_at: String,
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing CSV failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing JSON failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads everyone and every check-in from the bot's store; statuses are as of `now` (UTC).
pub async fn collect(bot: &Bot, now: DateTime<Utc>) -> Result<Export, StoreError> {
    let people = bot.store().people(true).await?;
    let emails = bot.store().emails_by_user().await?;
    let checkins = bot.store().all_checkins().await?;
    let answers = bot.store().all_answers().await?;
    let events = bot.store().events(None).await?;
    let evidence = bot.store().all_evidence().await?;
    let assessments = bot.store().all_assessments().await?;
    let agreed: HashMap<i64, Agreed> = bot
        .store()
        .all_agreed()
        .await?
        .into_iter()
        .map(|agreed| (agreed.checkin_id, agreed))
        .collect();
    let mut export = build(&people, &checkins, &answers, &events, bot.settings(), now);
    for checkin in &mut export.checkins {
        if let Some(agreed) = agreed.get(&checkin.id) {
            checkin.focus.clone_from(&agreed.focus);
            checkin.next_steps.clone_from(&agreed.next_steps);
        }
    }
    for person in &mut export.people {
        person.email = emails.get(&UserId::new(person.user.clone())).cloned();
    }
    export.evidence = export_growth::evidence(&evidence);
    export.assessments = export_growth::assessments(&assessments, &checkins);
    Ok(export)
}

/// The export of `people` and `checkins`; statuses are as of `now` (UTC).
pub fn build(
    people: &[Person],
    checkins: &[Checkin],
    answers: &[Answer],
    events: &[PersonEvent],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Export {
    let today = now.date_naive();
    let mut last_conversation: HashMap<&str, NaiveDate> = HashMap::new();
    for checkin in checkins {
        let last = last_conversation
            .entry(checkin.report_id.as_str())
            .or_insert(checkin.held_on);
        *last = (*last).max(checkin.held_on);
    }
    let mut people: Vec<ExportedPerson> = people
        .iter()
        .map(|person| {
            // Only active reports with a manager have a rhythm (as `team` and the scheduler
            // see it); for anyone else "due" means nothing.
            let tracked = person.active && person.manager_id.is_some();
            let schedule = person
                .framework_id
                .as_ref()
                .map(FrameworkId::as_str)
                .filter(|_| tracked)
                .zip(person.timeline())
                .map(|(framework, timeline)| {
                    let cadence = settings.cadence_for(framework);
                    (
                        cadence.schedule(&timeline).due_on,
                        cadence.status(&timeline, today),
                    )
                });
            ExportedPerson {
                user: person.user_id.to_string(),
                name: person.display_name.clone(),
                manager: person.manager_id.clone().map(UserId::into_string),
                framework: person.framework_id.clone().map(FrameworkId::into_string),
                level: person.level,
                start_date: person.start_date,
                time_zone: person.time_zone.clone(),
                active: person.active,
                last_conversation: last_conversation.get(person.user_id.as_str()).copied(),
                next_due: schedule.map(|(due, _)| due),
                status: schedule.map(|(_, status)| status),
                snoozed_until: person.snoozed_until,
                email: None,
            }
        })
        .collect();
    people.sort_by(|a, b| a.user.cmp(&b.user));
    let mut checkins: Vec<ExportedCheckin> = checkins
        .iter()
        .map(|checkin| ExportedCheckin {
            id: checkin.id,
            user: checkin.report_id.to_string(),
            manager: checkin.manager_id.to_string(),
            held_on: checkin.held_on,
            framework: checkin.framework_id.clone().map(FrameworkId::into_string),
            level_discussed: checkin.level_discussed,
            recorded_by: checkin.recorded_by.to_string(),
            recorded_at: checkin.recorded_at.clone(),
            acknowledgement: checkin.ack_status.to_string(),
            acknowledged_at: checkin.ack_at.clone(),
            // The stored reason belongs to the current answer; only a dispute's is exported.
            dispute_reason: checkin
                .ack_reason
                .clone()
                .filter(|_| checkin.ack_status == "disputed"),
            answers: answers
                .iter()
                .filter(|answer| answer.checkin_id == checkin.id)
                .map(|answer| ExportedAnswer {
                    answer: answer.answer.to_string(),
                    reason: answer.reason.clone(),
                    answered_at: answer.answered_at.clone(),
                })
                .collect(),
            // Filled in by `collect`, which reads them (`Checkin` does not carry them).
            focus: Vec::new(),
            next_steps: None,
            // `private_note` is deliberately not copied: see the module docs.
        })
        .collect();
    checkins.sort_by(|a, b| (&a.user, a.held_on, a.id).cmp(&(&b.user, b.held_on, b.id)));
    let mut events: Vec<ExportedEvent> = events
        .iter()
        .map(|event| ExportedEvent {
            user: event.subject.to_string(),
            event: event.kind.record().to_owned(),
            at: event.at.clone(),
            by: event.actor.to_string(),
            details: event.details.to_string(),
        })
        .collect();
    // Stable: one person's events stay in the order they happened.
    events.sort_by(|a, b| a.user.cmp(&b.user));
    Export {
        exported_at: time::to_text(now),
        people,
        checkins,
        events,
        evidence: Vec::new(),
        assessments: Vec::new(),
    }
}

/// Writes `export` in `format` to `out`.
pub fn write(export: &Export, format: ExportFormat, out: impl Write) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => write_csv(export, out),
        ExportFormat::Json => write_json(export, out),
    }
}

/// Writes exactly one JSON object, pretty-printed, and a final newline.
pub fn write_json(export: &Export, mut out: impl Write) -> Result<(), ExportError> {
    serde_json::to_writer_pretty(&mut out, export)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Writes the CSV described in the module docs.
pub fn write_csv(export: &Export, out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
    let number = |value: Option<u32>| value.map(|n| n.to_string()).unwrap_or_default();
    let date = |value: Option<NaiveDate>| value.map(time::date_text).unwrap_or_default();
    for person in &export.people {
        let mut row = CsvRow::new("person", &person.user);
        row.set("name", person.name.clone());
        row.set("manager", text(person.manager.as_deref()));
        row.set("framework", text(person.framework.as_deref()));
        row.set("level", number(person.level));
        row.set("start_date", date(person.start_date));
        row.set("time_zone", text(person.time_zone.as_deref()));
        row.set("active", person.active.to_string());
        row.set("last_conversation", date(person.last_conversation));
        row.set("next_due", date(person.next_due));
        row.set("status", text(person.status.map(Status::word)));
        row.set("snoozed_until", date(person.snoozed_until));
        row.set("email", text(person.email.as_deref()));
        writer.write_record(row.cells())?;
    }
    for checkin in &export.checkins {
        let mut row = CsvRow::new("checkin", &checkin.user);
        row.set("framework", text(checkin.framework.as_deref()));
        row.set("held_on", time::date_text(checkin.held_on));
        row.set("level_discussed", number(checkin.level_discussed));
        row.set("checkin_manager", checkin.manager.clone());
        row.set("recorded_by", checkin.recorded_by.clone());
        row.set("recorded_at", checkin.recorded_at.clone());
        row.set("acknowledgement", checkin.acknowledgement.clone());
        row.set("acknowledged_at", text(checkin.acknowledged_at.as_deref()));
        row.set("dispute_reason", text(checkin.dispute_reason.as_deref()));
        // JSON, not commas: a dimension's name may have a comma of its own.
        if !checkin.focus.is_empty() {
            row.set("focus", serde_json::to_string(&checkin.focus)?);
        }
        row.set("next_steps", text(checkin.next_steps.as_deref()));
        writer.write_record(row.cells())?;
        // Each answer, in order, under its conversation.
        for answer in &checkin.answers {
            let mut row = CsvRow::new("answer", &checkin.user);
            row.set("held_on", time::date_text(checkin.held_on));
            row.set("acknowledgement", answer.answer.clone());
            row.set("acknowledged_at", answer.answered_at.clone());
            row.set("dispute_reason", text(answer.reason.as_deref()));
            writer.write_record(row.cells())?;
        }
    }
    for event in &export.events {
        let mut row = CsvRow::new(&event.event, &event.user);
        row.set("event_at", event.at.clone());
        row.set("event_by", event.by.clone());
        row.set("event_details", event.details.clone());
        writer.write_record(row.cells())?;
    }
    for entry in &export.evidence {
        let mut row = CsvRow::new(export_growth::EVIDENCE_RECORD, &entry.user);
        row.set("event_at", entry.at.clone());
        row.set("event_by", entry.by.clone());
        row.set("event_details", serde_json::to_string(&entry.details)?);
        writer.write_record(row.cells())?;
    }
    for assessment in &export.assessments {
        let mut row = CsvRow::new(export_growth::ASSESSMENT_RECORD, &assessment.user);
        row.set("event_at", assessment.at.clone());
        row.set("event_by", assessment.by.clone());
        row.set("event_details", serde_json::to_string(&assessment.details)?);
        writer.write_record(row.cells())?;
    }
    writer.flush()?;
    Ok(())
}

/// One CSV row, its cells set by column name so no row can put a value in the wrong column,
/// and each written so that no spreadsheet runs it as a formula ([`super::cells`]).
struct CsvRow(Vec<String>);

impl CsvRow {
    fn new(record: &str, user: &str) -> Self {
        let mut row = CsvRow(vec![String::new(); CSV_COLUMNS.len()]);
        row.set("record", record.to_owned());
        row.set("user", user.to_owned());
        row
    }

    fn set(&mut self, column: &str, value: String) {
        let index = CSV_COLUMNS.iter().position(|name| *name == column);
        debug_assert!(index.is_some(), "no CSV column {column}");
        if let Some(index) = index {
            self.0[index] = match cells::neutralise(&value) {
                Cow::Borrowed(_) => value,
                Cow::Owned(neutralised) => neutralised,
            };
        }
    }

    fn cells(&self) -> &[String] {
        &self.0
    }
}
