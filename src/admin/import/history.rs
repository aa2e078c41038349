//! The history rows of an export, read back: conversations (`checkin`), the report's answers
//! to them (`answer`, under their conversation) and the timeline's events (`added`, `moved`,
//! `level_changed` …, see [`EventKind`]).
//!
//! Importing them restores what the export saw, and nothing twice: a conversation already
//! stored for the same person and day is skipped when it is the same one (same manager,
//! recorded at the same time) and refused by line when it is a different one; an answer or
//! an event already stored is skipped. So an export goes into an empty database whole, and
//! the same file imported again changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::check::user_id_problem;
use super::{HistoryRow, OrgRow, RowError};
use crate::admin::export_growth::{ASSESSMENT_RECORD, EVIDENCE_RECORD};
use crate::bot::command::MAX_FOCUS;
use crate::checkins::held_on::{FileDateError, file_date};
use crate::ids::{FrameworkId, UserId};
use crate::store::checkins::{AckStatus, Checkin};
use crate::store::events::{EventKind, PersonEvent};
use crate::store::people::Person;
pub use crate::store::restore::{ImportedAnswer, ImportedCheckin};
use crate::store::restore_growth::{AssessmentDetails, EvidenceDetails};
pub use crate::store::restore_growth::{ImportedAssessment, ImportedEvidence};
use crate::store::time;
use crate::store::values::{AssessmentSide, Rating};

/// The `record` words of history rows, in the order an export writes them.
pub const RECORD_WORDS: [&str; 12] = [
    "checkin",
    "answer",
    "added",
    "removed",
    "moved",
    "level_changed",
    "framework_changed",
    "snoozed",
    "unsnoozed",
    "undone",
    EVIDENCE_RECORD,
    ASSESSMENT_RECORD,
];

/// Whether `record` (lower case) names a history row.
pub fn is_history_record(record: &str) -> bool {
    RECORD_WORDS.contains(&record)
}

/// Every valid history row, in file order within each kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryEntries {
    /// Conversations not yet stored.
    pub checkins: Vec<ImportedCheckin>,
    /// Answers (the store skips those already there).
    pub answers: Vec<ImportedAnswer>,
    /// Events (the store skips those already there).
    pub events: Vec<PersonEvent>,
    /// Evidence (the store skips entries already there).
    pub evidence: Vec<ImportedEvidence>,
    /// Assessments (the store skips those already there).
    pub assessments: Vec<ImportedAssessment>,
}

/// What writing the history added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCounts {
    /// Conversations added.
    pub conversations: usize,
    /// Answers added.
    pub answers: usize,
    /// Events added.
    pub events: usize,
    /// Pieces of evidence added.
    pub evidence: usize,
    /// Assessments added.
    pub assessments: usize,
}

/// Checks every history row against the file's people, the stored people and the stored
/// conversations; returns what to write, or every problem by line.
pub fn validate(
    rows: &[HistoryRow],
    people_rows: &[OrgRow],
    people: &[Person],
    stored: &[Checkin],
    now: DateTime<Utc>,
) -> Result<HistoryEntries, Vec<RowError>> {
    let today = now.date_naive();
    let known: HashSet<&str> = people_rows
        .iter()
        .map(|row| row.user.as_str())
        .chain(people.iter().map(|person| person.user_id.as_str()))
        .collect();
    let stored_on: HashMap<(&str, NaiveDate), &Checkin> = stored
        .iter()
        .map(|checkin| ((checkin.report_id.as_str(), checkin.held_on), checkin))
        .collect();
    // Conversations this file holds, with their line: answers must follow one.
    let mut in_file: HashMap<(String, NaiveDate), u64> = HashMap::new();
    let mut entries = HistoryEntries::default();
    let mut errors = Vec::new();
    for row in rows {
        let mut problems = Vec::new();
        let user = match user_id_problem(&row.user, "user") {
            Some(problem) => {
                problems.push(problem);
                None
            }
            None if !known.contains(row.user.as_str()) => {
                problems.push(format!(
                    "{} is neither in this file nor in the database; add a person row for them first.",
                    row.user
                ));
                None
            }
            None => Some(UserId::new(row.user.clone())),
        };
        match row.record.as_str() {
            "checkin" => {
                let checkin = read_checkin(row, user, &mut problems, today);
                if let Some(checkin) = checkin {
                    let key = (checkin.report_id.to_string(), checkin.held_on);
                    if let Some(first) = in_file.get(&key) {
                        problems.push(format!(
                            "a conversation with {} on {} is already on line {first}; keep one row per conversation.",
                            checkin.report_id, checkin.held_on
                        ));
                    } else {
                        in_file.insert(key, row.line);
                        match stored_on.get(&(checkin.report_id.as_str(), checkin.held_on)) {
                            Some(existing)
                                if existing.manager_id == checkin.manager_id
                                    && existing.recorded_at == checkin.recorded_at => {}
                            Some(existing) => problems.push(format!(
                                "a different conversation with {} on {} is already recorded (with {}, recorded at {}); remove this row, or undo the stored one first.",
                                checkin.report_id,
                                checkin.held_on,
                                existing.manager_id,
                                existing.recorded_at
                            )),
                            None if problems.is_empty() => entries.checkins.push(checkin),
                            None => {}
                        }
                    }
                }
            }
            "answer" => {
                if let Some(answer) = read_answer(row, user, &mut problems, today) {
                    let key = (answer.report_id.to_string(), answer.held_on);
                    let listed = in_file.contains_key(&key)
                        || stored_on.contains_key(&(answer.report_id.as_str(), answer.held_on));
                    if !listed {
                        problems.push(format!(
                            "this answer is about a conversation with {} on {} that is neither stored nor on an earlier checkin row; put it under its conversation.",
                            answer.report_id, answer.held_on
                        ));
                    } else if problems.is_empty() {
                        entries.answers.push(answer);
                    }
                }
            }
            EVIDENCE_RECORD => {
                if let Some(evidence) = read_evidence(row, user, &mut problems)
                    && problems.is_empty()
                {
                    entries.evidence.push(evidence);
                }
            }
            ASSESSMENT_RECORD => {
                if let Some(assessment) = read_assessment(row, user, &mut problems) {
                    if let Some(day) = assessment.details.after_conversation {
                        let key = (assessment.person_id.to_string(), day);
                        let listed = in_file.contains_key(&key)
                            || stored_on.contains_key(&(assessment.person_id.as_str(), day));
                        if !listed {
                            problems.push(format!(
                                "this assessment follows a conversation with {} on {day} that is neither stored nor on an earlier checkin row; put it after its conversation.",
                                assessment.person_id
                            ));
                        }
                    }
                    if problems.is_empty() {
                        entries.assessments.push(assessment);
                    }
                }
            }
            word => {
                if let Some(event) = read_event(row, word, user, &mut problems)
                    && problems.is_empty()
                {
                    entries.events.push(event);
                }
            }
        }
        errors.extend(problems.into_iter().map(|message| RowError {
            line: row.line,
            message,
        }));
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

fn read_checkin(
    row: &HistoryRow,
    user: Option<UserId>,
    problems: &mut Vec<String>,
    today: NaiveDate,
) -> Option<ImportedCheckin> {
    let held_on = required_date(&row.held_on, "held_on", problems, today);
    let manager_id = required_user(&row.checkin_manager, "checkin_manager", problems);
    let recorded_by = required_user(&row.recorded_by, "recorded_by", problems);
    let recorded_at = required_time(&row.recorded_at, "recorded_at", problems);
    let level_discussed = whole_level(&row.level_discussed, problems);
    let ack_status = match row.acknowledgement.to_lowercase().as_str() {
        "" | "pending" => Some(AckStatus::Pending),
        "acknowledged" => Some(AckStatus::Acknowledged),
        "disputed" => Some(AckStatus::Disputed),
        other => {
            problems.push(format!(
                "\"{other}\" is not an acknowledgement; write pending, acknowledged or disputed."
            ));
            None
        }
    };
    let ack_at = optional_time(&row.acknowledged_at, "acknowledged_at", problems);
    let focus = focus_areas(&row.focus, problems);
    Some(ImportedCheckin {
        line: row.line,
        report_id: user?,
        manager_id: manager_id?,
        held_on: held_on?,
        framework_id: Some(row.framework.clone())
            .filter(|framework| !framework.is_empty())
            .map(FrameworkId::new),
        level_discussed: level_discussed?,
        recorded_by: recorded_by?,
        recorded_at: recorded_at?,
        ack_status: ack_status?,
        ack_at: ack_at?,
        ack_reason: Some(row.dispute_reason.clone())
            .filter(|reason| !reason.is_empty() && ack_status == Some(AckStatus::Disputed)),
        focus: focus?,
        next_steps: Some(row.next_steps.trim().to_owned()).filter(|next| !next.is_empty()),
    })
}

/// A conversation's `focus` cell: the JSON array an export writes, or names separated by
/// commas as `done --focus` takes them (someone editing the file by hand); at most three.
fn focus_areas(text: &str, problems: &mut Vec<String>) -> Option<Vec<String>> {
    let text = text.trim();
    let areas: Vec<String> = if text.starts_with('[') {
        match serde_json::from_str::<Vec<String>>(text) {
            Ok(areas) => areas,
            Err(_) => {
                problems.push(format!(
                    "focus \"{text}\" is not a list of dimensions; write them as the export does ([\"Ownership\",\"Scope of influence\"]) or separated by commas."
                ));
                return None;
            }
        }
    } else {
        text.split(',').map(str::to_owned).collect()
    };
    let areas: Vec<String> = areas
        .into_iter()
        .map(|area| area.trim().to_owned())
        .filter(|area| !area.is_empty())
        .collect();
    if areas.len() > MAX_FOCUS {
        problems.push(format!(
            "a conversation agrees at most {MAX_FOCUS} focus areas; this one has {}.",
            areas.len()
        ));
        return None;
    }
    Some(areas)
}

fn read_answer(
    row: &HistoryRow,
    user: Option<UserId>,
    problems: &mut Vec<String>,
    today: NaiveDate,
) -> Option<ImportedAnswer> {
    let held_on = required_date(&row.held_on, "held_on", problems, today);
    let answer = match row.acknowledgement.to_lowercase().as_str() {
        "acknowledged" => Some(AckStatus::Acknowledged),
        "disputed" => Some(AckStatus::Disputed),
        other => {
            problems.push(format!(
                "\"{other}\" is not an answer; write acknowledged or disputed in acknowledgement."
            ));
            None
        }
    };
    let answered_at = required_time(&row.acknowledged_at, "acknowledged_at", problems);
    Some(ImportedAnswer {
        line: row.line,
        report_id: user?,
        held_on: held_on?,
        answer: answer?,
        reason: Some(row.dispute_reason.clone()).filter(|reason| !reason.is_empty()),
        answered_at: answered_at?,
    })
}

fn read_event(
    row: &HistoryRow,
    word: &str,
    user: Option<UserId>,
    problems: &mut Vec<String>,
) -> Option<PersonEvent> {
    let kind = EventKind::from_record(word)?;
    let at = required_time(&row.event_at, "event_at", problems);
    let actor = required_user(&row.event_by, "event_by", problems);
    let details = match serde_json::from_str::<serde_json::Value>(&row.event_details) {
        Ok(details) if details.is_object() => Some(details),
        _ => {
            problems.push(format!(
                "event_details is not a JSON object; keep the value export wrote, e.g. {{\"from\":2,\"to\":3}} for {}.",
                EventKind::LevelChanged.record()
            ));
            None
        }
    };
    Some(PersonEvent {
        kind,
        subject: user?,
        at: at?,
        actor: actor?,
        details: details?,
    })
}

fn read_evidence(
    row: &HistoryRow,
    user: Option<UserId>,
    problems: &mut Vec<String>,
) -> Option<ImportedEvidence> {
    let logged_at = required_time(&row.event_at, "event_at", problems);
    let author_id = required_user(&row.event_by, "event_by", problems);
    let details = match serde_json::from_str::<EvidenceDetails>(&row.event_details) {
        Ok(details) => Some(details),
        Err(error) => {
            problems.push(format!(
                "event_details of an evidence row must be the JSON object export wrote ({{\"text\": …, \"dimension\": …}}): {error}."
            ));
            None
        }
    };
    Some(ImportedEvidence {
        line: row.line,
        person_id: user?,
        author_id: author_id?,
        logged_at: logged_at?,
        details: details?,
    })
}

fn read_assessment(
    row: &HistoryRow,
    user: Option<UserId>,
    problems: &mut Vec<String>,
) -> Option<ImportedAssessment> {
    let created_at = required_time(&row.event_at, "event_at", problems);
    let assessor_id = required_user(&row.event_by, "event_by", problems);
    let details = match serde_json::from_str::<AssessmentDetails>(&row.event_details) {
        Ok(details) => Some(details),
        Err(error) => {
            problems.push(format!(
                "event_details of an assessment row must be the JSON object export wrote ({{\"side\": \"self\", \"answers\": […]…}}): {error}."
            ));
            None
        }
    };
    if let Some(details) = &details {
        if AssessmentSide::try_from(details.side.as_str()).is_err() {
            problems.push(format!(
                "\"{}\" is not a side of an assessment; write self or manager.",
                details.side
            ));
        }
        for answer in &details.answers {
            if Rating::try_from(answer.rating.as_str()).is_err() {
                problems.push(format!(
                    "\"{}\" is not a rating; write not-yet, sometimes or consistently.",
                    answer.rating
                ));
            }
        }
    }
    Some(ImportedAssessment {
        line: row.line,
        person_id: user?,
        assessor_id: assessor_id?,
        created_at: created_at?,
        details: details?,
    })
}

fn required_user(text: &str, column: &str, problems: &mut Vec<String>) -> Option<UserId> {
    match user_id_problem(text, column) {
        Some(problem) => {
            problems.push(problem);
            None
        }
        None => Some(UserId::new(text)),
    }
}

fn required_date(
    text: &str,
    column: &str,
    problems: &mut Vec<String>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match file_date(text, today) {
        Ok(date) => Some(date),
        Err(FileDateError::NotIso(text)) => {
            problems.push(format!(
                "\"{text}\" is not a date; write {column} as YYYY-MM-DD with a four-digit year, e.g. 2026-03-02."
            ));
            None
        }
        Err(error @ FileDateError::OutOfRange(_)) => {
            problems.push(format!("{column} {error}."));
            None
        }
    }
}

/// A timestamp as the store writes it, or a problem.
fn required_time(text: &str, column: &str, problems: &mut Vec<String>) -> Option<String> {
    match time::from_text(text) {
        Ok(at) => Some(time::to_text(at)),
        Err(_) => {
            problems.push(format!(
                "\"{text}\" is not a time; write {column} as an RFC 3339 timestamp, e.g. 2026-03-02T09:30:00Z."
            ));
            None
        }
    }
}

/// `Some(None)` for an empty value, `Some(Some(t))` for a timestamp, `None` after a problem.
fn optional_time(text: &str, column: &str, problems: &mut Vec<String>) -> Option<Option<String>> {
    if text.is_empty() {
        return Some(None);
    }
    required_time(text, column, problems).map(Some)
}

/// `Some(None)` for an empty level, `Some(Some(n))` for a whole number, `None` after a problem.
fn whole_level(text: &str, problems: &mut Vec<String>) -> Option<Option<u32>> {
    if text.is_empty() {
        return Some(None);
    }
    // Digits only: "-1", "+1" and "2.5" are refused, as everywhere else.
    match text.parse::<u32>() {
        Ok(level) if text.bytes().all(|byte| byte.is_ascii_digit()) => Some(Some(level)),
        _ => {
            problems.push(format!(
                "\"{text}\" is not a level; write level_discussed as a whole number such as 3, or leave it empty."
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_is_read_as_the_export_writes_it_or_as_names_separated_by_commas() {
        let mut problems = Vec::new();
        let exported = focus_areas(r#"["Ownership","Scope, and influence"]"#, &mut problems);
        assert_eq!(
            exported,
            Some(vec![
                "Ownership".to_owned(),
                "Scope, and influence".to_owned()
            ])
        );
        let typed = focus_areas(" Ownership ,Scope of influence,", &mut problems);
        assert_eq!(
            typed,
            Some(vec![
                "Ownership".to_owned(),
                "Scope of influence".to_owned()
            ])
        );
        assert_eq!(focus_areas("", &mut problems), Some(vec![]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(focus_areas("a,b,c,d", &mut problems), None);
        assert_eq!(focus_areas("[\"a\",", &mut problems), None);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("at most 3"), "{problems:?}");
    }

    #[test]
    fn every_event_kind_has_a_record_word_here() {
        for kind in EventKind::ALL {
            assert!(is_history_record(kind.record()), "{}", kind.record());
        }
        assert!(!is_history_record("person"));
    }
}
