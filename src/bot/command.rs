//! The words of `/career …` (and of a shell line) turned into a [`Command`].
//!
//! Command words come first (`team`, `add`, `done`…). Anything that is not a command is a
//! question for the framework engine, so `level 3 marketing` is a question while
//! `level @ana 3` is a command: `level` is a command only when a person follows it.

use chrono::NaiveDate;

use super::mention::{self, Mention};
use crate::checkins::Period;

/// What the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A question about the frameworks.
    Ask(String),
    /// Questions and commands, with examples.
    Help,
    /// The caller's reports.
    Team,
    /// The caller's own framework, level and conversations.
    Me,
    /// `add @person FRAMEWORK LEVEL`: the caller becomes their manager.
    Add {
        /// The report.
        person: Mention,
        /// Framework id, alias or name (may be several words).
        framework: String,
        /// Level number or title.
        level: String,
    },
    /// `move @person @new-manager`.
    Move {
        /// The report.
        person: Mention,
        /// Their new manager.
        manager: Mention,
    },
    /// `remove @person`.
    Remove {
        /// The report.
        person: Mention,
    },
    /// `level @person N`.
    Level {
        /// The report.
        person: Mention,
        /// The new level (number or title).
        level: String,
    },
    /// `done @person [DATE] [note…]`.
    Done {
        /// The report.
        person: Mention,
        /// When it was held (default today).
        date: Option<NaiveDate>,
        /// A private note.
        note: Option<String>,
    },
    /// `ack`: the report confirms the latest conversation.
    Ack,
    /// `dispute [reason]`: the report says it did not happen.
    Dispute {
        /// Why.
        reason: Option<String>,
    },
    /// `snooze @person PERIOD|DATE [reason]`.
    Snooze {
        /// The report.
        person: Mention,
        /// Until when.
        until: SnoozeUntil,
        /// Why.
        reason: Option<String>,
    },
    /// `history @person`.
    History {
        /// Whose.
        person: Mention,
    },
    /// `timezone [ZONE]`: show or set the caller's time zone.
    TimeZone {
        /// The new zone.
        zone: Option<String>,
    },
}

impl Command {
    /// Whether running the command changes nothing (so it can safely run again, e.g. for
    /// "Show more").
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Command::Ask(_)
                | Command::Help
                | Command::Team
                | Command::Me
                | Command::History { .. }
                | Command::TimeZone { zone: None }
        )
    }
}

/// How long to snooze.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnoozeUntil {
    /// For a period from today.
    For(Period),
    /// Until a date.
    Date(NaiveDate),
}

/// A command with missing or malformed words: says what is wrong and how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem} Usage: `{usage}`")]
pub struct UsageError {
    /// What is wrong.
    pub problem: String,
    /// How to write the command.
    pub usage: &'static str,
}

/// The usage line of every command, for help and errors.
pub const USAGE: &[(&str, &str)] = &[
    ("team", "team"),
    ("add", "add @person FRAMEWORK LEVEL"),
    ("move", "move @person @new-manager"),
    ("remove", "remove @person"),
    ("level", "level @person N"),
    ("done", "done @person [YYYY-MM-DD] [private note…]"),
    ("ack", "ack"),
    ("dispute", "dispute [reason…]"),
    ("snooze", "snooze @person PERIOD|YYYY-MM-DD [reason…]"),
    ("history", "history @person"),
    ("me", "me"),
    ("timezone", "timezone [Area/City]"),
];

fn usage(command: &str) -> &'static str {
    USAGE
        .iter()
        .find(|(name, _)| *name == command)
        .map_or("help", |(_, usage)| usage)
}

fn error(command: &str, problem: impl Into<String>) -> UsageError {
    UsageError {
        problem: problem.into(),
        usage: usage(command),
    }
}

/// Splits off the first whitespace-separated word.
fn next_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    if text.is_empty() {
        return None;
    }
    Some(match text.find(char::is_whitespace) {
        Some(end) => (&text[..end], text[end..].trim_start()),
        None => (text, ""),
    })
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads the words after `/career`.
pub fn parse(text: &str) -> Result<Command, UsageError> {
    let text = text.trim();
    let Some((first, rest)) = next_word(text) else {
        return Ok(Command::Help);
    };
    let word = first.to_lowercase();
    let person_then = |command: &str, rest: &str| -> Result<(Mention, String), UsageError> {
        let (token, after) = next_word(rest)
            .ok_or_else(|| error(command, format!("`{command}` needs a person.")))?;
        let person = mention::parse(token).ok_or_else(|| {
            error(
                command,
                format!("\"{token}\" is not a person; write them as @name (in Slack, pick them from the list)."),
            )
        })?;
        Ok((person, after.to_owned()))
    };
    match word.as_str() {
        "help" | "?" | "commands" => Ok(Command::Help),
        "team" if rest.is_empty() => Ok(Command::Team),
        "me" if rest.is_empty() => Ok(Command::Me),
        "ack" | "acknowledge" | "confirm" => Ok(Command::Ack),
        "dispute" => Ok(Command::Dispute {
            reason: non_empty(rest),
        }),
        "timezone" | "tz" => Ok(Command::TimeZone {
            zone: non_empty(rest),
        }),
        "add" => {
            let (person, rest) = person_then("add", rest)?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [] | [_] => Err(error("add", "`add` needs a framework and a level.")),
                [framework @ .., level] => Ok(Command::Add {
                    person,
                    framework: framework.join(" "),
                    level: (*level).to_owned(),
                }),
            }
        }
        "move" => {
            let (person, rest) = person_then("move", rest)?;
            let (manager, extra) = person_then("move", &rest)
                .map_err(|_| error("move", "`move` needs the new manager after the person."))?;
            if !extra.is_empty() {
                return Err(error("move", format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::Move { person, manager })
        }
        "remove" => {
            let (person, extra) = person_then("remove", rest)?;
            if !extra.is_empty() {
                return Err(error("remove", format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::Remove { person })
        }
        "level" if next_word(rest).is_some_and(|(token, _)| mention::parse(token).is_some()) => {
            let (person, level) = person_then("level", rest)?;
            let level = non_empty(&level)
                .ok_or_else(|| error("level", "`level` needs the new level after the person."))?;
            Ok(Command::Level { person, level })
        }
        "done" => {
            let (person, rest) = person_then("done", rest)?;
            let (date, note) = match next_word(&rest) {
                Some((token, after)) => match parse_date(token) {
                    Some(date) => (Some(date), after.to_owned()),
                    None if looks_like_date(token) => {
                        return Err(error(
                            "done",
                            format!("\"{token}\" is not a date; write it as YYYY-MM-DD."),
                        ));
                    }
                    None => (None, rest.clone()),
                },
                None => (None, String::new()),
            };
            Ok(Command::Done {
                person,
                date,
                note: non_empty(&note),
            })
        }
        "snooze" => {
            let (person, rest) = person_then("snooze", rest)?;
            let (until, reason) = parse_snooze(&rest)?;
            Ok(Command::Snooze {
                person,
                until,
                reason: non_empty(&reason),
            })
        }
        "history" => {
            let (person, _) = person_then("history", rest)?;
            Ok(Command::History { person })
        }
        _ => Ok(Command::Ask(text.to_owned())),
    }
}

/// `2026-03-01`; also `today` and `yesterday`, which the handler resolves with its clock.
fn parse_date(token: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(token, "%Y-%m-%d").ok()
}

fn looks_like_date(token: &str) -> bool {
    token.len() >= 8
        && token.chars().filter(|c| *c == '-').count() == 2
        && token.chars().all(|c| c.is_ascii_digit() || c == '-')
}

/// `1w`, `2 weeks`, `3d`, `2026-05-01`, `until 2026-05-01`, then an optional reason.
fn parse_snooze(text: &str) -> Result<(SnoozeUntil, String), UsageError> {
    let missing = || {
        error(
            "snooze",
            "`snooze` needs how long (e.g. 1w, 2 weeks, 3d) or a date.",
        )
    };
    let (first, rest) = next_word(text).ok_or_else(missing)?;
    let (first, rest) = if first.eq_ignore_ascii_case("until") || first.eq_ignore_ascii_case("for")
    {
        next_word(rest).ok_or_else(missing)?
    } else {
        (first, rest)
    };
    if let Some(date) = parse_date(first) {
        return Ok((SnoozeUntil::Date(date), rest.to_owned()));
    }
    if let Some((second, after)) = next_word(rest)
        && let Ok(period) = format!("{first} {second}").parse::<Period>()
    {
        return Ok((SnoozeUntil::For(period), after.to_owned()));
    }
    match first.parse::<Period>() {
        Ok(period) => Ok((SnoozeUntil::For(period), rest.to_owned())),
        Err(problem) => Err(error("snooze", format!("{problem}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str) -> Mention {
        Mention {
            user_id: id.to_owned(),
            name: None,
        }
    }

    #[test]
    fn questions_are_not_commands() {
        for question in [
            "level 3 marketing",
            "team titles",
            "what does level 3 need",
            "me level",
        ] {
            assert_eq!(
                parse(question),
                Ok(Command::Ask(question.to_owned())),
                "{question}"
            );
        }
        assert_eq!(parse(""), Ok(Command::Help));
    }

    #[test]
    fn reads_every_command() {
        assert_eq!(parse("team"), Ok(Command::Team));
        assert_eq!(parse("me"), Ok(Command::Me));
        assert_eq!(
            parse("add @ana buffer marketing 2"),
            Ok(Command::Add {
                person: person("ana"),
                framework: "buffer marketing".into(),
                level: "2".into()
            })
        );
        assert_eq!(
            parse("move <@U1|ana> <@U9>"),
            Ok(Command::Move {
                person: Mention {
                    user_id: "U1".into(),
                    name: Some("ana".into())
                },
                manager: person("U9")
            })
        );
        assert_eq!(
            parse("remove @ana"),
            Ok(Command::Remove {
                person: person("ana")
            })
        );
        assert_eq!(
            parse("level @ana 3"),
            Ok(Command::Level {
                person: person("ana"),
                level: "3".into()
            })
        );
        assert_eq!(
            parse("done @ana 2026-03-01 talked about   scope"),
            Ok(Command::Done {
                person: person("ana"),
                date: NaiveDate::from_ymd_opt(2026, 3, 1),
                note: Some("talked about   scope".into())
            })
        );
        assert_eq!(
            parse("done @ana"),
            Ok(Command::Done {
                person: person("ana"),
                date: None,
                note: None
            })
        );
        assert_eq!(parse("ack"), Ok(Command::Ack));
        assert_eq!(
            parse("dispute we never met"),
            Ok(Command::Dispute {
                reason: Some("we never met".into())
            })
        );
        assert_eq!(
            parse("snooze @ana 2 weeks on leave"),
            Ok(Command::Snooze {
                person: person("ana"),
                until: SnoozeUntil::For(Period::days(14)),
                reason: Some("on leave".into())
            })
        );
        assert_eq!(
            parse("snooze @ana 1w"),
            Ok(Command::Snooze {
                person: person("ana"),
                until: SnoozeUntil::For(Period::days(7)),
                reason: None
            })
        );
        assert_eq!(
            parse("snooze @ana until 2026-05-01"),
            Ok(Command::Snooze {
                person: person("ana"),
                until: SnoozeUntil::Date(NaiveDate::from_ymd_opt(2026, 5, 1).expect("date")),
                reason: None
            })
        );
        assert_eq!(
            parse("history @ana"),
            Ok(Command::History {
                person: person("ana")
            })
        );
    }

    #[test]
    fn malformed_commands_say_what_is_wrong_and_how_to_write_them() {
        let message = parse("done ana").expect_err("no @").to_string();
        assert!(message.contains("\"ana\" is not a person"), "{message}");
        assert!(message.contains("done @person"), "{message}");
        let message = parse("add @ana").expect_err("no level").to_string();
        assert!(
            message.contains("needs a framework and a level"),
            "{message}"
        );
        let message = parse("snooze @ana soon")
            .expect_err("bad period")
            .to_string();
        assert!(message.contains("\"soon\" is not a period"), "{message}");
        let message = parse("done @ana 2026-13-45")
            .expect_err("bad date")
            .to_string();
        assert!(message.contains("is not a date"), "{message}");
        let message = parse("move @ana").expect_err("no manager").to_string();
        assert!(message.contains("needs the new manager"), "{message}");
    }
}
