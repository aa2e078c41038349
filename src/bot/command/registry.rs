//! Every command declared once: its words, usage line, one-line description, whether it only
//! reads, and who may run it. Each property is an exhaustive `match` on [`CommandKind`], so a
//! new command does not compile until it has all of them; the parser and `help` read them here.

/// One command of `/career …`, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// `help [COMMAND]`.
    Help,
    /// `team`.
    Team,
    /// `add @person FRAMEWORK LEVEL`.
    Add,
    /// `move @person @new-manager`.
    Move,
    /// `remove @person`.
    Remove,
    /// `level @person N|next|previous`.
    Level,
    /// `framework @person FRAMEWORK LEVEL`.
    Framework,
    /// `done @person [DATE] [note…]`.
    Done,
    /// `ack`.
    Ack,
    /// `dispute [reason…]`.
    Dispute,
    /// `snooze @person PERIOD|DATE [reason…]`.
    Snooze,
    /// `unsnooze @person`.
    Unsnooze,
    /// `undo @person`.
    Undo,
    /// `history @person`.
    History,
    /// `me`.
    Me,
    /// `timezone [Area/City]`.
    TimeZone,
    /// `accept @manager`: say yes to joining their team.
    Accept,
    /// `decline @manager`: say no to joining their team.
    Decline,
    /// `log [@report] TEXT [#dimension]`: record evidence.
    Log,
    /// `evidence [@person] [--all]`: list evidence.
    Evidence,
    /// `unlog ID`: remove one of your own entries.
    Unlog,
    /// `assess [@person] [DIMENSION RATING [note]|topics TEXT|done]`.
    Assess,
    /// `prep [@person]`.
    Prep,
    /// `overdue`: everyone due, overdue or snoozed in the caller's view.
    Overdue,
    /// `stats [--months N] [--png FILE]`: how conversations are going.
    Stats,
}

/// Who may run a command: what its handler checks, said for `help COMMAND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Anyone: what it shows or changes is the caller's own.
    Anyone,
    /// Anyone, for someone new to the records or who only ever had the caller as manager;
    /// for someone who had another manager, an admin, or anyone once that person says yes
    /// (someone on a team is moved by their manager or an admin instead).
    AnyoneUnlessManaged,
    /// The person's manager of record, or an admin.
    ManagerOrAdmin,
    /// The person the conversation was with.
    Report,
    /// The person, their manager or an admin.
    PersonManagerOrAdmin,
    /// The person someone asked to add to their team.
    Asked,
    /// Anyone for themselves; a manager for a report (never an admin: evidence is personal).
    SelfOrManager,
    /// The person and their current manager; a previous manager sees only what they logged
    /// (never an admin: evidence is personal).
    PersonOrManager,
    /// Whoever logged the entry.
    Author,
    /// The person themselves, or their manager of record (not an admin: an assessment is one
    /// of the two sides of a conversation).
    EitherSide,
    /// An admin, for the whole organisation; a manager, for their reporting line.
    AdminOrManager,
}

impl Who {
    /// The rule as a sentence fragment.
    pub fn describe(self) -> &'static str {
        match self {
            Who::Anyone => "anyone",
            Who::AnyoneUnlessManaged => {
                "anyone, for someone new or who only ever had you as manager; someone who had another manager is added by an admin, or once they `accept` (someone on a team: their manager or an admin, with `move`)"
            }
            Who::ManagerOrAdmin => "the person's manager or an admin",
            Who::Report => "the person the conversation was with",
            Who::PersonManagerOrAdmin => "the person, their manager or an admin",
            Who::Asked => "the person who was asked to join the team",
            Who::SelfOrManager => "anyone, for themselves; a manager, for one of their reports",
            Who::PersonOrManager => {
                "the person and their current manager (a previous manager sees what they logged themselves; admins do not see evidence)"
            }
            Who::Author => "whoever logged the entry",
            Who::EitherSide => "the person (for themselves) or their manager",
            Who::AdminOrManager => {
                "an admin (the whole organisation) or a manager (their reporting line, reports of reports included)"
            }
        }
    }
}

impl CommandKind {
    /// Every command, in the order `help` lists them.
    pub const ALL: [CommandKind; 25] = [
        CommandKind::Help,
        CommandKind::Team,
        CommandKind::Add,
        CommandKind::Move,
        CommandKind::Remove,
        CommandKind::Level,
        CommandKind::Framework,
        CommandKind::Done,
        CommandKind::Ack,
        CommandKind::Dispute,
        CommandKind::Snooze,
        CommandKind::Unsnooze,
        CommandKind::Undo,
        CommandKind::History,
        CommandKind::Me,
        CommandKind::TimeZone,
        CommandKind::Accept,
        CommandKind::Decline,
        CommandKind::Log,
        CommandKind::Evidence,
        CommandKind::Unlog,
        CommandKind::Assess,
        CommandKind::Prep,
        CommandKind::Overdue,
        CommandKind::Stats,
    ];

    /// The words that start the command: its name first, then its aliases (lowercase).
    pub fn words(self) -> &'static [&'static str] {
        match self {
            CommandKind::Help => &["help", "?", "commands"],
            CommandKind::Team => &["team"],
            CommandKind::Add => &["add"],
            CommandKind::Move => &["move"],
            CommandKind::Remove => &["remove"],
            CommandKind::Level => &["level"],
            CommandKind::Framework => &["framework"],
            CommandKind::Done => &["done"],
            CommandKind::Ack => &["ack", "acknowledge", "confirm"],
            CommandKind::Dispute => &["dispute"],
            CommandKind::Snooze => &["snooze"],
            CommandKind::Unsnooze => &["unsnooze"],
            CommandKind::Undo => &["undo"],
            CommandKind::History => &["history"],
            CommandKind::Me => &["me"],
            CommandKind::TimeZone => &["timezone", "tz"],
            CommandKind::Accept => &["accept"],
            CommandKind::Decline => &["decline"],
            CommandKind::Log => &["log"],
            CommandKind::Evidence => &["evidence"],
            CommandKind::Unlog => &["unlog"],
            CommandKind::Assess => &["assess", "assessment"],
            CommandKind::Prep => &["prep", "prepare"],
            CommandKind::Overdue => &["overdue"],
            CommandKind::Stats => &["stats", "statistics"],
        }
    }

    /// The command's name: its first word.
    pub fn name(self) -> &'static str {
        self.words()[0]
    }

    /// How to write the command, for help and usage errors.
    pub fn usage(self) -> &'static str {
        match self {
            CommandKind::Help => "help [COMMAND]",
            CommandKind::Team => "team [@manager]",
            CommandKind::Add => "add @person FRAMEWORK LEVEL",
            CommandKind::Move => "move @person @new-manager",
            CommandKind::Remove => "remove @person",
            CommandKind::Level => "level @person N|next|previous",
            CommandKind::Framework => "framework @person FRAMEWORK LEVEL",
            CommandKind::Done => "done @person [DATE] [private note…]",
            CommandKind::Ack => "ack",
            CommandKind::Dispute => "dispute [reason…]",
            CommandKind::Snooze => "snooze @person PERIOD|YYYY-MM-DD [reason…]",
            CommandKind::Unsnooze => "unsnooze @person",
            CommandKind::Undo => "undo @person",
            CommandKind::History => "history [@person]",
            CommandKind::Me => "me",
            CommandKind::TimeZone => "timezone [Area/City]",
            CommandKind::Accept => "accept @manager",
            CommandKind::Decline => "decline @manager",
            CommandKind::Log => "log [@report] TEXT [#dimension]",
            CommandKind::Evidence => "evidence [@person] [--all]",
            CommandKind::Unlog => "unlog ID",
            CommandKind::Assess => {
                "assess [@person] [DIMENSION not-yet|sometimes|consistently [note…] | topics TEXT | done]"
            }
            CommandKind::Prep => "prep [@person]",
            CommandKind::Overdue => "overdue",
            CommandKind::Stats => "stats [--months N] [--png FILE]",
        }
    }

    /// What the command does, in one line.
    pub fn description(self) -> &'static str {
        match self {
            CommandKind::Help => {
                "how to ask questions, and every command; `help COMMAND` for one of them"
            }
            CommandKind::Team => {
                "your reports, their last and next conversation, and who is due; `team @manager` shows a manager's team to admins and to the managers above them"
            }
            CommandKind::Add => {
                "you become their manager (e.g. add @ana marketing 2); someone who had another manager is asked first"
            }
            CommandKind::Move => "hand a report to another manager",
            CommandKind::Remove => "stop tracking someone (their history is kept)",
            CommandKind::Level => "change a report's level, or move it one step (next, previous)",
            CommandKind::Framework => "move a report to another framework, at a level of it",
            CommandKind::Done => {
                "record a career conversation, held today unless a DATE is given (2026-06-01, yesterday, monday, 3 days ago, June 1); the note is private to you"
            }
            CommandKind::Ack => "confirm the conversation your manager recorded",
            CommandKind::Dispute => "say that conversation did not happen",
            CommandKind::Snooze => "pause reminders for a while (1w, 2 weeks, 3d) or until a date",
            CommandKind::Unsnooze => "end a snooze now",
            CommandKind::Undo => {
                "take back the last conversation you recorded for someone (recorded by mistake)"
            }
            CommandKind::History => {
                "a timeline of conversations, answers and changes to the record (yours without a person)"
            }
            CommandKind::Me => {
                "your level, your manager, your next conversation and what your next level asks for"
            }
            CommandKind::TimeZone => "show or set your time zone (reminders arrive at 09:00 in it)",
            CommandKind::Accept => {
                "say yes to joining the team of someone who asked to add you (they see what happens from then on)"
            }
            CommandKind::Decline => "say no to joining the team of someone who asked to add you",
            CommandKind::Log => {
                "record evidence of what you did (up to 3,000 characters, any link kept); the bot tags the dimension of your current or next level it best supports, or name it at the end: #ownership, #scope (a prefix), #\"scope of influence\" or #scope-of-influence"
            }
            CommandKind::Evidence => {
                "evidence logged since the last conversation, newest first (--all: everything); yours without a person"
            }
            CommandKind::Unlog => "remove an entry you logged (E12, e12 or 12)",
            CommandKind::Assess => {
                "rate yourself (or, as their manager, a report) on each dimension of the next level before your conversation; `assess done` submits, and each side sees the other's answers once both have"
            }
            CommandKind::Prep => {
                "prepare a conversation: levels, both assessments side by side, evidence since the last one, the focus agreed last time (yours without a person)"
            }
            CommandKind::Overdue => {
                "everyone whose conversation is due, overdue or snoozed: the whole organisation for an admin, your reporting line for a manager"
            }
            CommandKind::Stats => {
                "per manager and overall over the last N months (default 12): conversations held, share on time, median days late, disputes, share confirmed, and a chart of the on-time share per month; `--png FILE` (shell only) writes the chart"
            }
        }
    }

    /// Whether the command never changes anything, whatever its arguments. (`timezone` only
    /// reads when given no zone: see [`super::Command::is_read_only`].)
    pub fn is_read_only(self) -> bool {
        match self {
            CommandKind::Help
            | CommandKind::Team
            | CommandKind::History
            | CommandKind::Me
            | CommandKind::Evidence
            | CommandKind::Prep
            | CommandKind::Overdue
            | CommandKind::Stats => true,
            CommandKind::Add
            | CommandKind::Move
            | CommandKind::Remove
            | CommandKind::Level
            | CommandKind::Framework
            | CommandKind::Done
            | CommandKind::Ack
            | CommandKind::Dispute
            | CommandKind::Snooze
            | CommandKind::Unsnooze
            | CommandKind::Undo
            | CommandKind::TimeZone
            | CommandKind::Accept
            | CommandKind::Decline
            | CommandKind::Log
            | CommandKind::Unlog
            | CommandKind::Assess => false,
        }
    }

    /// Who may run the command (the handlers enforce it; this says it).
    pub fn who(self) -> Who {
        match self {
            CommandKind::Help | CommandKind::Team | CommandKind::Me | CommandKind::TimeZone => {
                Who::Anyone
            }
            CommandKind::Add => Who::AnyoneUnlessManaged,
            CommandKind::Move
            | CommandKind::Remove
            | CommandKind::Level
            | CommandKind::Framework
            | CommandKind::Done
            | CommandKind::Snooze
            | CommandKind::Unsnooze
            | CommandKind::Undo => Who::ManagerOrAdmin,
            CommandKind::Ack | CommandKind::Dispute => Who::Report,
            CommandKind::History | CommandKind::Prep => Who::PersonManagerOrAdmin,
            CommandKind::Assess => Who::EitherSide,
            CommandKind::Accept | CommandKind::Decline => Who::Asked,
            CommandKind::Log => Who::SelfOrManager,
            CommandKind::Evidence => Who::PersonOrManager,
            CommandKind::Unlog => Who::Author,
            CommandKind::Overdue | CommandKind::Stats => Who::AdminOrManager,
        }
    }

    /// The command `word` starts (case-insensitive), if any.
    pub fn from_word(word: &str) -> Option<CommandKind> {
        let word = word.to_lowercase();
        Self::ALL
            .into_iter()
            .find(|kind| kind.words().contains(&word.as_str()))
    }

    /// The command word closest to `typed`, for a did-you-mean.
    pub fn closest_word(typed: &str) -> Option<&'static str> {
        // Only words made of letters: `?` normalises to nothing, which is close to any short typo.
        let words = Self::ALL
            .into_iter()
            .flat_map(|kind| kind.words().iter().copied())
            .filter(|word| word.chars().all(char::is_alphabetic));
        crate::text::closest(typed, words)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_command_has_words_usage_and_a_description() {
        for kind in CommandKind::ALL {
            assert!(!kind.words().is_empty(), "{kind:?}");
            assert!(
                kind.words()
                    .iter()
                    .all(|w| !w.is_empty() && *w == w.to_lowercase())
            );
            assert!(kind.usage().starts_with(kind.name()), "{kind:?}");
            assert!(!kind.description().is_empty(), "{kind:?}");
            assert!(!kind.who().describe().is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn every_command_is_listed_once_and_words_are_unique() {
        let kinds: HashSet<CommandKind> = CommandKind::ALL.into_iter().collect();
        assert_eq!(kinds.len(), CommandKind::ALL.len());
        let mut seen = HashSet::new();
        for kind in CommandKind::ALL {
            for word in kind.words() {
                assert!(seen.insert(*word), "\"{word}\" starts two commands");
                assert_eq!(CommandKind::from_word(word), Some(kind));
                assert_eq!(CommandKind::from_word(&word.to_uppercase()), Some(kind));
            }
        }
        assert_eq!(CommandKind::from_word("frobnicate"), None);
    }

    #[test]
    fn a_typo_of_a_command_word_is_suggested() {
        assert_eq!(CommandKind::closest_word("snoze"), Some("snooze"));
        assert_eq!(CommandKind::closest_word("hsitory"), Some("history"));
        assert_eq!(CommandKind::closest_word("frobnicate"), None);
    }
}
