//! Step 2 of an import: checking every row against the loaded frameworks, the other rows and
//! the database, and turning valid rows into [`OrgEntry`]s.
//!
//! Every problem is collected as a [`RowError`] with its line, rather than stopping at the
//! first, so an admin can fix the whole file in one go.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::checkins::held_on::FileDateError;

use super::{OrgEntry, OrgRow, Role, RowError};
use crate::ask::Engine;
use crate::bot::Settings;
use crate::ids::{FrameworkId, UserId};
use crate::store::people::Person;

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
            match crate::checkins::time_zone::parse_time_zone(&row.time_zone) {
                Ok(zone) => Some(zone),
                Err(error) => {
                    problems.push(format!(
                        "\"{}\" is not a time zone; write an IANA name such as Europe/Berlin, America/New_York or UTC, or leave time_zone empty.{}",
                        error.given, error.hint
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
            match crate::checkins::held_on::file_date(&row.start_date, now.date_naive()) {
                Ok(date) => Some(date),
                Err(FileDateError::NotIso(text)) => {
                    problems.push(format!(
                        "\"{text}\" is not a date; write start_date as YYYY-MM-DD with a four-digit year, e.g. 2026-03-02, or leave it empty for today."
                    ));
                    None
                }
                Err(error @ FileDateError::OutOfRange(_)) => {
                    problems.push(format!("start_date {error}."));
                    None
                }
            }
        };
        let snoozed_until = if row.snoozed_until.is_empty() {
            None
        } else {
            match crate::checkins::held_on::file_date(&row.snoozed_until, now.date_naive()) {
                Ok(date) => Some(date),
                Err(FileDateError::NotIso(text)) => {
                    problems.push(format!(
                        "\"{text}\" is not a date; write snoozed_until as YYYY-MM-DD with a four-digit year, or leave it empty to keep the stored snooze."
                    ));
                    None
                }
                Err(error @ FileDateError::OutOfRange(_)) => {
                    problems.push(format!("snoozed_until {error}."));
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
            Some(UserId::new(row.manager.clone()))
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
                    Ok(level) => Some(Some((FrameworkId::new(framework.id.clone()), level))),
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
                                person.active && person.framework_id.as_ref() == Some(&framework_id)
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
            user_id: UserId::new(row.user.clone()),
            name: Some(row.name.clone()).filter(|name| !name.is_empty()),
            time_zone: time_zone.map(|zone| zone.name().to_owned()),
            role,
            snoozed_until,
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
pub(super) fn user_id_problem(text: &str, column: &str) -> Option<String> {
    if text.is_empty() {
        return Some(format!(
            "{column} is empty; every row needs the person's chat user id, e.g. U012AB3CD."
        ));
    }
    let valid = crate::ids::UserId::parse(text).is_ok_and(|id| id.as_str() == text);
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
        // A removed person keeps their last manager on record but is not in the chart, as
        // in chat: only active people can close a loop.
        .filter(|person| person.active)
        .filter_map(|person| {
            let manager = person.manager_id.as_ref()?.as_str();
            (person.user_id != manager).then_some((person.user_id.as_str(), manager))
        })
        .collect();
    let listed = || {
        rows.iter()
            .filter(|row| first_line.get(row.user.as_str()) == Some(&row.line))
    };
    for row in listed() {
        // The file's manager replaces the stored one; empty means the top of the tree, and a
        // removed person (`active` false) is out of the chart.
        let removed = matches!(row.active.to_lowercase().as_str(), "false" | "no" | "0");
        if removed || row.manager.is_empty() || row.manager == row.user {
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
