//! Reading the arguments of each command; the command word is looked up in the registry.

use chrono::NaiveDate;

use super::{AssessAction, Command, CommandKind, SnoozeUntil, UsageError};
use crate::bot::mention::{self, Mention};
use crate::checkins::Period;
use crate::checkins::held_on;

fn error(command: CommandKind, problem: impl Into<String>) -> UsageError {
    UsageError {
        problem: problem.into(),
        usage: command.usage(),
    }
}

/// Words people use for a command, and the command they mean.
const SYNONYMS: &[(&str, CommandKind)] = &[
    ("promote", CommandKind::Level),
    ("demote", CommandKind::Level),
    ("record", CommandKind::Done),
    ("met", CommandKind::Done),
    ("delete", CommandKind::Remove),
    ("drop", CommandKind::Remove),
    ("transfer", CommandKind::Move),
    ("reassign", CommandKind::Move),
    ("pause", CommandKind::Snooze),
    ("resume", CommandKind::Unsnooze),
    ("revert", CommandKind::Undo),
    ("show", CommandKind::History),
];

/// A line naming someone whose first word is no command: the closest command, by meaning
/// or by spelling, with its usage.
fn unknown_command(word: &str) -> UsageError {
    let lower = word.to_lowercase();
    let meant = SYNONYMS
        .iter()
        .find(|(synonym, _)| *synonym == lower)
        .map(|(_, kind)| *kind)
        .or_else(|| CommandKind::closest_word(&lower).and_then(CommandKind::from_word));
    match meant {
        Some(kind) => error(
            kind,
            format!("`{word}` is not a command; did you mean `{}`?", kind.name()),
        ),
        None => UsageError {
            problem: format!(
                "`{word}` is not a command. Commands that take a person: add, move, remove, level, framework, done, snooze, unsnooze, undo, history, accept, decline."
            ),
            usage: CommandKind::Help.usage(),
        },
    }
}

/// `stats [--months N] [--png FILE]`, flags in any order.
fn stats(rest: &str) -> Result<Command, UsageError> {
    use crate::checkins::stats::{DEFAULT_MONTHS, MAX_MONTHS};
    let kind = CommandKind::Stats;
    let mut months = None;
    let mut png = None;
    let mut words = rest.split_whitespace();
    while let Some(word) = words.next() {
        match word.to_lowercase().as_str() {
            "--months" | "-m" if months.is_none() => {
                let value = words.next().unwrap_or("");
                let parsed = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=MAX_MONTHS).contains(n))
                    .ok_or_else(|| {
                        error(
                            kind,
                            format!("`--months` takes a whole number of months from 1 to {MAX_MONTHS}, e.g. `stats --months 6`, not \"{value}\"."),
                        )
                    })?;
                months = Some(parsed);
            }
            "--png" if png.is_none() => {
                let path = words.next().ok_or_else(|| {
                    error(
                        kind,
                        "`--png` needs a file name, e.g. `stats --png chart.png`.",
                    )
                })?;
                png = Some(path.to_owned());
            }
            _ => return Err(error(kind, format!("I don't understand \"{word}\"."))),
        }
    }
    Ok(Command::Stats {
        months: months.unwrap_or(DEFAULT_MONTHS),
        png,
    })
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
    let question = || Ok(Command::Ask(text.to_owned()));
    let names_someone = rest
        .split_whitespace()
        .any(|token| mention::parse(token).is_some());
    let Some(kind) = CommandKind::from_word(first) else {
        // A line that names someone is meant as a command, not a framework question.
        if names_someone {
            return Err(unknown_command(first));
        }
        return question();
    };
    let person_then = |rest: &str| -> Result<(Mention, String), UsageError> {
        let name = kind.name();
        let (token, after) =
            next_word(rest).ok_or_else(|| error(kind, format!("`{name}` needs a person.")))?;
        let person = mention::parse(token).ok_or_else(|| {
            error(
                kind,
                format!("\"{token}\" is not a person; write them as @name (in Slack, pick them from the list)."),
            )
        })?;
        Ok((person, after.to_owned()))
    };
    match kind {
        CommandKind::Help => Ok(match next_word(rest) {
            Some((topic, _)) => Command::HelpOn {
                topic: topic.to_owned(),
            },
            None => Command::Help,
        }),
        // `team titles` and `me level` are questions.
        CommandKind::Team if rest.is_empty() => Ok(Command::Team),
        CommandKind::Team if names_someone => {
            let (manager, extra) = person_then(rest)?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::TeamOf { manager })
        }
        CommandKind::Me if rest.is_empty() => Ok(Command::Me),
        CommandKind::Team | CommandKind::Me => question(),
        CommandKind::Overdue if rest.is_empty() => Ok(Command::Overdue),
        CommandKind::Overdue => Err(error(
            kind,
            "`overdue` takes nothing after it: it lists everyone you oversee whose conversation is due, overdue or snoozed.",
        )),
        CommandKind::Stats => stats(rest),
        CommandKind::Ack => Ok(Command::Ack),
        CommandKind::Dispute => Ok(Command::Dispute {
            reason: non_empty(rest),
        }),
        CommandKind::TimeZone => Ok(Command::TimeZone {
            zone: non_empty(rest),
        }),
        CommandKind::Add => {
            let (person, rest) = person_then(rest)?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [] | [_] => Err(error(kind, "`add` needs a framework and a level.")),
                [framework @ .., level] => Ok(Command::Add {
                    person,
                    framework: framework.join(" "),
                    level: (*level).to_owned(),
                }),
            }
        }
        CommandKind::Move => {
            let (person, rest) = person_then(rest)?;
            let (manager, extra) = person_then(&rest)
                .map_err(|_| error(kind, "`move` needs the new manager after the person."))?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::Move { person, manager })
        }
        CommandKind::Remove => {
            let (person, extra) = person_then(rest)?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::Remove { person })
        }
        // `level 3 marketing` is a question: `level` is a command only before a person.
        CommandKind::Level
            if next_word(rest).is_some_and(|(token, _)| mention::parse(token).is_some()) =>
        {
            let (person, level) = person_then(rest)?;
            let level = non_empty(&level)
                .ok_or_else(|| error(kind, "`level` needs the new level after the person."))?;
            Ok(Command::Level { person, level })
        }
        CommandKind::Level => question(),
        // Likewise `framework` is a command only before a person.
        CommandKind::Framework
            if next_word(rest).is_some_and(|(token, _)| mention::parse(token).is_some()) =>
        {
            let (person, rest) = person_then(rest)?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [] | [_] => Err(error(kind, "`framework` needs a framework and a level.")),
                [framework @ .., level] => Ok(Command::Framework {
                    person,
                    framework: framework.join(" "),
                    level: (*level).to_owned(),
                }),
            }
        }
        CommandKind::Framework => question(),
        CommandKind::Accept | CommandKind::Decline => {
            let (manager, extra) = person_then(rest)?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(if kind == CommandKind::Accept {
                Command::Accept { manager }
            } else {
                Command::Decline { manager }
            })
        }
        CommandKind::Unsnooze | CommandKind::Undo => {
            let (person, extra) = person_then(rest)?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(if kind == CommandKind::Undo {
                Command::Undo { person }
            } else {
                Command::Unsnooze { person }
            })
        }
        CommandKind::Done => {
            let (person, rest) = person_then(rest)?;
            let (rest, focus, next_steps) = done_flags(&rest)?;
            let (date, note) = match held_on::parse_leading(&rest) {
                Ok(Some((words, after))) => (Some(words), after.to_owned()),
                Ok(None) => (None, rest.clone()),
                Err(problem) => return Err(error(kind, problem.to_string())),
            };
            Ok(Command::Done {
                person,
                date,
                note: non_empty(&note),
                focus,
                next_steps,
            })
        }
        CommandKind::Assess => {
            let (person, rest) =
                if next_word(rest).is_some_and(|(token, _)| mention::parse(token).is_some()) {
                    let (person, rest) = person_then(rest)?;
                    (Some(person), rest)
                } else {
                    (None, rest.to_owned())
                };
            let action = match next_word(&rest) {
                None => AssessAction::Show,
                Some((word, after))
                    if after.is_empty()
                        && ["done", "submit"]
                            .iter()
                            .any(|w| word.eq_ignore_ascii_case(w)) =>
                {
                    AssessAction::Done
                }
                Some((word, after))
                    if ["topics", "topic"]
                        .iter()
                        .any(|w| word.eq_ignore_ascii_case(w)) =>
                {
                    AssessAction::Topics(non_empty(after).ok_or_else(|| {
                        error(
                            kind,
                            "`assess topics` needs what you would like to talk about.",
                        )
                    })?)
                }
                Some(_) => AssessAction::Rate(rest.trim().to_owned()),
            };
            Ok(Command::Assess { person, action })
        }
        CommandKind::Prep if rest.is_empty() => Ok(Command::Prep { person: None }),
        CommandKind::Prep => {
            let (person, extra) = person_then(rest)?;
            if !extra.is_empty() {
                return Err(error(kind, format!("I don't understand \"{extra}\".")));
            }
            Ok(Command::Prep {
                person: Some(person),
            })
        }
        CommandKind::Snooze => {
            let (person, rest) = person_then(rest)?;
            let (until, reason) = parse_snooze(&rest)?;
            Ok(Command::Snooze {
                person,
                until,
                reason: non_empty(&reason),
            })
        }
        // `history` alone is the caller's own.
        CommandKind::History if rest.is_empty() => Ok(Command::History { person: None }),
        CommandKind::History => {
            let (person, _) = person_then(rest)?;
            Ok(Command::History {
                person: Some(person),
            })
        }
        CommandKind::Log => parse_log(rest),
        CommandKind::Evidence => parse_evidence(rest),
        CommandKind::Unlog => {
            let id = match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
                [id] => evidence_id(id),
                _ => None,
            };
            id.map(|id| Command::Unlog { id }).ok_or_else(|| {
                error(
                    kind,
                    "`unlog` needs the id of one entry, as `evidence` shows it (E12, e12 or 12).",
                )
            })
        }
    }
}

/// `E12`, `e12`, `#12` or `12`: an evidence id.
fn evidence_id(token: &str) -> Option<i64> {
    let digits = token.strip_prefix(['E', 'e', '#']).unwrap_or(token);
    digits.parse().ok().filter(|id| *id > 0)
}

/// `log [@report] TEXT [#dimension]`.
fn parse_log(rest: &str) -> Result<Command, UsageError> {
    let kind = CommandKind::Log;
    let (person, text) = match next_word(rest) {
        Some((token, after)) => match mention::parse(token) {
            Some(person) => (Some(person), after),
            None => (None, rest),
        },
        None => (None, rest),
    };
    let (text, dimension) = split_dimension_tag(text);
    let text = non_empty(text).ok_or_else(|| {
        error(
            kind,
            "`log` needs what was done, e.g. `log led the incident review for the March outage`.",
        )
    })?;
    Ok(Command::Log {
        person,
        text,
        dimension,
    })
}

/// Splits a trailing dimension tag off evidence text: `#ownership`, `#scope` (a prefix),
/// `#scope-of-influence` (hyphens or underscores for spaces) or `#"scope of influence"`.
/// Only the end of the text is read, and only a tag starting with a letter, so `fixed #123
/// today` and `bug #42` keep their words.
pub(super) fn split_dimension_tag(text: &str) -> (&str, Option<String>) {
    let trimmed = text.trim_end();
    if let Some(open) = trimmed
        .strip_suffix('"')
        .and_then(|inner| inner.rfind("#\"").map(|at| (at, inner)))
    {
        let (at, inner) = open;
        let starts_word = at == 0 || inner[..at].ends_with(char::is_whitespace);
        let name = inner[at + 2..].trim();
        if starts_word && !name.is_empty() {
            return (&trimmed[..at], Some(name.to_owned()));
        }
    }
    let (before, last) = match trimmed.rfind(char::is_whitespace) {
        Some(at) => (&trimmed[..at], trimmed[at..].trim_start()),
        None => ("", trimmed),
    };
    match last.strip_prefix('#') {
        Some(name) if name.chars().next().is_some_and(char::is_alphabetic) => {
            (before, Some(name.replace(['-', '_'], " ")))
        }
        _ => (text, None),
    }
}

/// `evidence [@person] [--all]`, in any order.
fn parse_evidence(rest: &str) -> Result<Command, UsageError> {
    let kind = CommandKind::Evidence;
    let mut person = None;
    let mut all = false;
    for token in rest.split_whitespace() {
        if matches!(token.to_lowercase().as_str(), "--all" | "-a" | "all") {
            all = true;
        } else if let Some(mention) = mention::parse(token).filter(|_| person.is_none()) {
            person = Some(mention);
        } else {
            return Err(error(kind, format!("I don't understand \"{token}\".")));
        }
    }
    Ok(Command::Evidence { person, all })
}

/// The most focus areas one conversation agrees.
pub const MAX_FOCUS: usize = 3;

/// Takes `--focus A[,B,C]` and `--next TEXT` out of `done`'s words. A flag's value runs to the
/// next `--` flag or the end of the line (dimension names have spaces); `--next` may be
/// quoted. Returns the words left (date and note), the focus areas and the next steps.
fn done_flags(text: &str) -> Result<(String, Vec<String>, Option<String>), UsageError> {
    let kind = CommandKind::Done;
    let text = text.trim();
    let mut parts = text.split(" --");
    let first = parts.next().unwrap_or_default();
    if let Some(stripped) = first.strip_prefix("--") {
        // The flags came first: no date or note.
        return done_flags_of(std::iter::once(stripped).chain(parts), String::new(), kind);
    }
    done_flags_of(parts, first.to_owned(), kind)
}

fn done_flags_of<'a>(
    flags: impl Iterator<Item = &'a str>,
    rest: String,
    kind: CommandKind,
) -> Result<(String, Vec<String>, Option<String>), UsageError> {
    let mut focus = Vec::new();
    let mut next_steps = None;
    for flag in flags {
        let (name, value) = next_word(flag).unwrap_or(("", ""));
        let value = value.trim();
        match name.to_lowercase().as_str() {
            "focus" => {
                focus = value
                    .split(',')
                    .map(str::trim)
                    .filter(|area| !area.is_empty())
                    .map(str::to_owned)
                    .collect();
                if focus.is_empty() {
                    return Err(error(
                        kind,
                        "`--focus` needs one to three dimensions, separated by commas.",
                    ));
                }
                if focus.len() > MAX_FOCUS {
                    return Err(error(
                        kind,
                        format!(
                            "A conversation agrees at most {MAX_FOCUS} focus areas; you gave {}.",
                            focus.len()
                        ),
                    ));
                }
            }
            "next" => {
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| value.strip_prefix('“').and_then(|v| v.strip_suffix('”')))
                    .unwrap_or(value);
                next_steps = Some(
                    non_empty(unquoted)
                        .ok_or_else(|| error(kind, "`--next` needs the next steps agreed."))?,
                );
            }
            other => {
                return Err(error(
                    kind,
                    format!(
                        "`--{other}` is not an option of `done`; it takes `--focus` and `--next`."
                    ),
                ));
            }
        }
    }
    Ok((rest, focus, next_steps))
}

/// `2026-03-01`, for snoozes.
fn parse_date(token: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(token, "%Y-%m-%d").ok()
}

/// `1w`, `2 weeks`, `3d`, `2026-05-01`, `until 2026-05-01`, then an optional reason.
fn parse_snooze(text: &str) -> Result<(SnoozeUntil, String), UsageError> {
    let missing = || {
        error(
            CommandKind::Snooze,
            "`snooze` needs how long (e.g. 1w, 2 weeks, 3d) or a date.",
        )
    };
    let (first, rest) = next_word(text).ok_or_else(missing)?;
    if ["off", "stop", "end", "cancel", "none", "no"]
        .iter()
        .any(|word| first.eq_ignore_ascii_case(word))
    {
        return Err(error(
            CommandKind::Unsnooze,
            "To end a snooze, use `unsnooze`.",
        ));
    }
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
        Err(problem) => Err(error(CommandKind::Snooze, format!("{problem}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkins::held_on::DateWords;
    use crate::ids::UserId;

    fn person(id: &str) -> Mention {
        Mention {
            user_id: UserId::new(id),
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
    fn bad_stats_and_overdue_arguments_say_what_works() {
        for (typed, says) in [
            ("stats --months 0", "from 1 to 120"),
            ("stats --months many", "not \"many\""),
            ("stats --months", "from 1 to 120"),
            ("stats --png", "needs a file name"),
            ("stats weekly", "I don't understand \"weekly\""),
            ("overdue soon", "takes nothing after it"),
        ] {
            let error = parse(typed).expect_err(typed);
            assert!(error.problem.contains(says), "{typed}: {}", error.problem);
        }
    }

    #[test]
    fn reads_every_command() {
        assert_eq!(parse("team"), Ok(Command::Team));
        assert_eq!(
            parse("team @lead"),
            Ok(Command::TeamOf {
                manager: person("lead")
            })
        );
        assert_eq!(parse("overdue"), Ok(Command::Overdue));
        assert_eq!(
            parse("stats"),
            Ok(Command::Stats {
                months: 12,
                png: None
            })
        );
        assert_eq!(
            parse("stats --png out.png --months 6"),
            Ok(Command::Stats {
                months: 6,
                png: Some("out.png".into())
            })
        );
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
                    user_id: UserId::new("U1"),
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
                date: NaiveDate::from_ymd_opt(2026, 3, 1).map(DateWords::Exact),
                note: Some("talked about   scope".into()),
                focus: vec![],
                next_steps: None
            })
        );
        assert_eq!(
            parse("done @ana"),
            Ok(Command::Done {
                person: person("ana"),
                date: None,
                note: None,
                focus: vec![],
                next_steps: None
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
                person: Some(person("ana"))
            })
        );
        assert_eq!(
            parse("accept @boss"),
            Ok(Command::Accept {
                manager: person("boss")
            })
        );
        assert_eq!(
            parse("decline <@U9>"),
            Ok(Command::Decline {
                manager: person("U9")
            })
        );
        let message = parse("accept").expect_err("no person").to_string();
        assert!(message.contains("`accept` needs a person"), "{message}");
    }

    #[test]
    fn log_reads_a_report_the_text_and_a_trailing_dimension_tag() {
        let log = |text: &str| parse(text).expect(text);
        assert_eq!(
            log("log shipped the billing migration https://x.test/pr/1"),
            Command::Log {
                person: None,
                text: "shipped the billing migration https://x.test/pr/1".into(),
                dimension: None
            }
        );
        assert_eq!(
            log("log @ana ran the offsite #ownership"),
            Command::Log {
                person: Some(person("ana")),
                text: "ran the offsite".into(),
                dimension: Some("ownership".into())
            }
        );
        for (typed, dimension) in [
            (
                "log helped two teams #scope-of-influence",
                "scope of influence",
            ),
            (
                "log helped two teams #\"Scope of influence\"",
                "Scope of influence",
            ),
            ("log helped two teams #scope", "scope"),
        ] {
            let Command::Log {
                text,
                dimension: tag,
                ..
            } = log(typed)
            else {
                panic!("{typed}")
            };
            assert_eq!(text, "helped two teams", "{typed}");
            assert_eq!(tag.as_deref(), Some(dimension), "{typed}");
        }
        // A number after `#` is part of the text (an issue, a PR).
        let Command::Log {
            text, dimension, ..
        } = log("log fixed bug #42")
        else {
            panic!("log")
        };
        assert_eq!((text.as_str(), dimension), ("fixed bug #42", None));
        let message = parse("log #ownership").expect_err("no text").to_string();
        assert!(message.contains("`log` needs what was done"), "{message}");
    }

    #[test]
    fn evidence_and_unlog_read_their_arguments() {
        assert_eq!(
            parse("evidence"),
            Ok(Command::Evidence {
                person: None,
                all: false
            })
        );
        assert_eq!(
            parse("evidence --all @ana"),
            Ok(Command::Evidence {
                person: Some(person("ana")),
                all: true
            })
        );
        for typed in ["unlog E12", "unlog e12", "unlog 12"] {
            assert_eq!(parse(typed), Ok(Command::Unlog { id: 12 }), "{typed}");
        }
        let message = parse("unlog twelve").expect_err("no id").to_string();
        assert!(message.contains("needs the id of one entry"), "{message}");
        let message = parse("evidence lately").expect_err("junk").to_string();
        assert!(message.contains("\"lately\""), "{message}");
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
