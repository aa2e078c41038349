//! `[away]` and `[calendar]`: which statuses mark absence, the working week, and the holiday
//! files, read here (relative to the config file) so `config check` reports a bad one with
//! its file and line.

use std::collections::HashMap;
use std::path::Path;

use super::ConfigProblem;
use super::file::{FileAway, FileCalendar};
use crate::checkins::away::{AwayRules, DEFAULT_AWAY_EMOJI, DEFAULT_AWAY_WORDS};
use crate::checkins::calendar::{Calendar, Holidays, WorkingDays};
use crate::checkins::time_zone::parse_time_zone;

/// The `[away]` rules: the defaults for each list not given.
pub(super) fn away_rules(
    file: &FileAway,
    key: &dyn Fn(&str) -> String,
    problems: &mut Vec<ConfigProblem>,
) -> AwayRules {
    let owned = |list: &[&str]| list.iter().map(|item| (*item).to_owned()).collect();
    let emoji: Vec<String> = file
        .emoji
        .clone()
        .unwrap_or_else(|| owned(DEFAULT_AWAY_EMOJI));
    let words: Vec<String> = file
        .words
        .clone()
        .unwrap_or_else(|| owned(DEFAULT_AWAY_WORDS));
    if let Some(blank) = emoji
        .iter()
        .find(|name| name.trim().trim_matches(':').is_empty())
    {
        problems.push(ConfigProblem {
            source: key("away.emoji"),
            message: format!("\"{blank}\" is not an emoji name; write names like \":palm_tree:\""),
        });
    }
    if words
        .iter()
        .any(|word| !word.chars().any(char::is_alphanumeric))
    {
        problems.push(ConfigProblem {
            source: key("away.words"),
            message: "every entry must hold a word, e.g. \"OOO\" or \"out of office\"".to_owned(),
        });
    }
    AwayRules::new(&emoji, &words)
}

/// The `[calendar]`: the working week, and every holiday file read (a file that cannot be
/// read or parsed is a problem naming it, and its line).
pub(super) fn calendar(
    file: &FileCalendar,
    base_dir: &Path,
    key: &dyn Fn(&str) -> String,
    problems: &mut Vec<ConfigProblem>,
) -> Calendar {
    let working_days = match file.working_days.as_deref().map(WorkingDays::parse) {
        None => WorkingDays::default(),
        Some(Ok(days)) => days,
        Some(Err(error)) => {
            problems.push(ConfigProblem {
                source: key("calendar.working_days"),
                message: error.to_string(),
            });
            WorkingDays::default()
        }
    };
    let mut by_zone = HashMap::new();
    let mut default = Holidays::default();
    for (zone, path) in &file.holidays {
        let path = base_dir.join(path);
        let Some(holidays) = read_holidays(&path, problems) else {
            continue;
        };
        if zone == "default" {
            default = holidays;
            continue;
        }
        match parse_time_zone(zone) {
            Ok(tz) => {
                by_zone.insert(tz, holidays);
            }
            Err(error) => problems.push(ConfigProblem {
                source: key(&format!("calendar.holidays.{zone}")),
                message: format!("{error} (or `default` for everyone else)"),
            }),
        }
    }
    Calendar {
        working_days,
        by_zone,
        default,
    }
}

/// One holiday file, or `None` with a problem saying why.
fn read_holidays(path: &Path, problems: &mut Vec<ConfigProblem>) -> Option<Holidays> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(ConfigProblem {
                source: path.display().to_string(),
                message: format!(
                    "cannot read the holiday file: {error}; give an .ics file's path, relative to the config file"
                ),
            });
            return None;
        }
    };
    match Holidays::parse_ics(&text) {
        Ok(holidays) => Some(holidays),
        Err(error) => {
            problems.push(ConfigProblem {
                source: format!("{}:{}", path.display(), error.line),
                message: error.message,
            });
            None
        }
    }
}
