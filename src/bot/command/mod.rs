//! The words of `/career …` (and of a shell line) turned into a [`Command`].
//!
//! Command words come first (`team`, `add`, `done`…). Anything that is not a command is a
//! question for the framework engine, so `level 3 marketing` is a question while
//! `level @ana 3` is a command: `level` is a command only when a person follows it.
//!
//! [`registry`] declares every command once (words, usage, description, who may run it);
//! [`parse()`] reads the arguments.

mod parse;
pub mod registry;

use chrono::NaiveDate;

pub use parse::{MAX_FOCUS, parse};
pub use registry::{CommandKind, Who};

use super::mention::Mention;
use crate::checkins::Period;
pub use crate::checkins::held_on::DateWords;

/// What the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A question about the frameworks.
    Ask(String),
    /// Questions and commands, with examples.
    Help,
    /// `help COMMAND`: one command's usage and description.
    HelpOn {
        /// The word typed after `help` (it may name no command).
        topic: String,
    },
    /// The caller's reports.
    Team,
    /// `team @manager`: that manager's team, for admins and the managers above them.
    TeamOf {
        /// The manager.
        manager: Mention,
    },
    /// `overdue`: everyone due, overdue or snoozed that the caller oversees.
    Overdue,
    /// `stats [--months N] [--png FILE]`.
    Stats {
        /// The window, in months (1 to [`crate::checkins::stats::MAX_MONTHS`]).
        months: u32,
        /// Where to write the chart; only the shell writes files (Slack posts the chart).
        png: Option<String>,
    },
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
    /// `framework @person FRAMEWORK LEVEL`.
    Framework {
        /// The report.
        person: Mention,
        /// Framework id, alias or name (may be several words).
        framework: String,
        /// Level number or title in that framework.
        level: String,
    },
    /// `unsnooze @person`.
    Unsnooze {
        /// The report.
        person: Mention,
    },
    /// `undo @person`: take back the last conversation the caller recorded for them.
    Undo {
        /// The report.
        person: Mention,
    },
    /// `done @person [DATE] [note…] [--focus DIMENSION[,DIMENSION]] [--next TEXT]`.
    Done {
        /// The report.
        person: Mention,
        /// When it was held, as written (default today); the handler resolves it against
        /// the caller's today.
        date: Option<DateWords>,
        /// A private note.
        note: Option<String>,
        /// The focus areas agreed, as typed (the handler matches them to dimensions).
        focus: Vec<String>,
        /// The next steps agreed (visible to both).
        next_steps: Option<String>,
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
    /// `history [@person]`.
    History {
        /// Whose; the caller's own when `None`.
        person: Option<Mention>,
    },
    /// `timezone [ZONE]`: show or set the caller's time zone.
    TimeZone {
        /// The new zone.
        zone: Option<String>,
    },
    /// `accept @manager`: the caller says yes to joining `manager`'s team.
    Accept {
        /// Who asked to add the caller.
        manager: Mention,
    },
    /// `decline @manager`: the caller says no to joining `manager`'s team.
    Decline {
        /// Who asked to add the caller.
        manager: Mention,
    },
    /// `log [@report] TEXT [#dimension]`: evidence of what someone did.
    Log {
        /// Whose evidence it is: a report of the caller; the caller's own when `None`.
        person: Option<Mention>,
        /// What they did, without the dimension tag.
        text: String,
        /// The dimension as typed after `#` (a name, a prefix, a typo of one).
        dimension: Option<String>,
    },
    /// `evidence [@person] [--all]`: evidence logged, newest first.
    Evidence {
        /// Whose; the caller's own when `None`.
        person: Option<Mention>,
        /// Everything, not only since the last conversation.
        all: bool,
    },
    /// `unlog ID`: remove one of the caller's own entries.
    Unlog {
        /// The entry's number (`E12`, `e12` and `12` are all 12).
        id: i64,
    },
    /// `assess [@person] …`: one side's assessment before a conversation.
    Assess {
        /// Whose assessment (a report, by their manager); the caller's own when `None`.
        person: Option<Mention>,
        /// What to do.
        action: AssessAction,
    },
    /// `prep [@person]`: the prepared conversation.
    Prep {
        /// Whose; the caller's own when `None`.
        person: Option<Mention>,
    },
}

/// What an `assess` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessAction {
    /// Show the dimensions, the answers so far and the syntax.
    Show,
    /// Rate one dimension: the words as typed (`ownership not yet took the lead`); the
    /// handler reads the dimension, rating and note against the framework.
    Rate(String),
    /// Set what the person would like to talk about.
    Topics(String),
    /// Submit.
    Done,
    /// A page of the assessment form (Slack's modal): its answers, what the person would
    /// like to talk about, and whether it is the last page (which submits). One change for
    /// the per-user limit, however many dimensions it rates; never typed.
    Form {
        /// `(dimension as the framework spells it, rating word, note)`.
        answers: Vec<(String, String, Option<String>)>,
        /// What the person would like to talk about.
        topics: Option<String>,
        /// Whether to submit after recording the answers.
        submit: bool,
    },
}

impl Command {
    /// The command this is; `None` for a question.
    pub fn kind(&self) -> Option<CommandKind> {
        Some(match self {
            Command::Ask(_) => return None,
            Command::Help | Command::HelpOn { .. } => CommandKind::Help,
            Command::Team | Command::TeamOf { .. } => CommandKind::Team,
            Command::Overdue => CommandKind::Overdue,
            Command::Stats { .. } => CommandKind::Stats,
            Command::Me => CommandKind::Me,
            Command::Add { .. } => CommandKind::Add,
            Command::Move { .. } => CommandKind::Move,
            Command::Remove { .. } => CommandKind::Remove,
            Command::Level { .. } => CommandKind::Level,
            Command::Framework { .. } => CommandKind::Framework,
            Command::Unsnooze { .. } => CommandKind::Unsnooze,
            Command::Undo { .. } => CommandKind::Undo,
            Command::Done { .. } => CommandKind::Done,
            Command::Ack => CommandKind::Ack,
            Command::Dispute { .. } => CommandKind::Dispute,
            Command::Snooze { .. } => CommandKind::Snooze,
            Command::History { .. } => CommandKind::History,
            Command::TimeZone { .. } => CommandKind::TimeZone,
            Command::Accept { .. } => CommandKind::Accept,
            Command::Decline { .. } => CommandKind::Decline,
            Command::Log { .. } => CommandKind::Log,
            Command::Evidence { .. } => CommandKind::Evidence,
            Command::Unlog { .. } => CommandKind::Unlog,
            Command::Assess { .. } => CommandKind::Assess,
            Command::Prep { .. } => CommandKind::Prep,
        })
    }

    /// Whether running the command changes nothing (so it can safely run again, e.g. for
    /// "Show more").
    pub fn is_read_only(&self) -> bool {
        match self.kind() {
            None => true,
            Some(kind) => {
                kind.is_read_only()
                    || matches!(
                        self,
                        Command::TimeZone { zone: None }
                            | Command::Assess {
                                action: AssessAction::Show,
                                ..
                            }
                    )
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_questions_help_team_me_history_and_showing_the_time_zone_are_read_only() {
        let read_only = [
            "level 3 marketing",
            "help",
            "help done",
            "team",
            "me",
            "history @ana",
            "timezone",
            "evidence",
            "evidence @ana --all",
            "prep",
            "prep @ana",
            "overdue",
            "stats --months 3",
            "team @lead",
        ];
        for text in read_only {
            assert!(parse(text).expect(text).is_read_only(), "{text}");
        }
        let writes = [
            "add @ana marketing 2",
            "move @ana @bo",
            "remove @ana",
            "level @ana 3",
            "done @ana",
            "ack",
            "dispute",
            "snooze @ana 1w",
            "timezone Europe/Berlin",
            "accept @boss",
            "decline @boss",
            "log shipped the launch",
            "unlog E3",
            "assess ownership sometimes",
            "assess done",
        ];
        for text in writes {
            assert!(!parse(text).expect(text).is_read_only(), "{text}");
        }
    }

    #[test]
    fn every_command_word_reads_as_its_kind_and_help_names_it() {
        let person = |kind: CommandKind| match kind {
            CommandKind::Add => " @ana marketing 2",
            CommandKind::Move => " @ana @bo",
            CommandKind::Remove
            | CommandKind::History
            | CommandKind::Done
            | CommandKind::Unsnooze
            | CommandKind::Undo
            | CommandKind::Assess
            | CommandKind::Prep => " @ana",
            CommandKind::Level => " @ana 3",
            CommandKind::Framework => " @ana marketing 3",
            CommandKind::Snooze => " @ana 1w",
            CommandKind::Accept | CommandKind::Decline => " @boss",
            CommandKind::Log => " shipped the launch",
            CommandKind::Unlog => " E12",
            CommandKind::Help
            | CommandKind::Evidence
            | CommandKind::Team
            | CommandKind::Overdue
            | CommandKind::Stats
            | CommandKind::Ack
            | CommandKind::Dispute
            | CommandKind::Me
            | CommandKind::TimeZone => "",
        };
        for kind in CommandKind::ALL {
            for word in kind.words() {
                let text = format!("{word}{}", person(kind));
                assert_eq!(parse(&text).expect(&text).kind(), Some(kind), "{text}");
                for help in CommandKind::Help.words() {
                    assert_eq!(
                        parse(&format!("{help} {word}")),
                        Ok(Command::HelpOn {
                            topic: (*word).to_owned()
                        })
                    );
                }
            }
        }
    }
}
