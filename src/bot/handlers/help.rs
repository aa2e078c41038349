//! `help`: how to ask questions, and the commands.

use crate::bot::Bot;
use crate::bot::command::USAGE;
use crate::reply::Reply;

/// Questions first (everyone can ask), then the check-in commands.
pub fn reply(bot: &Bot) -> Reply {
    let questions = bot.engine().ask("help").reply;
    let commands = USAGE
        .iter()
        .map(|(name, usage)| format!("{usage}: {}", describe(name)))
        .collect();
    questions.with_bullets(Some("Career conversations".to_owned()), commands)
}

fn describe(command: &str) -> &'static str {
    match command {
        "team" => "your reports, their last and next conversation, and who is due",
        "add" => "you become their manager (e.g. add @ana marketing 2)",
        "move" => "hand a report to another manager",
        "remove" => "stop tracking someone (their history is kept)",
        "level" => "change a report's level",
        "done" => {
            "record a career conversation (today unless a date is given); the note is private to you"
        }
        "ack" => "confirm the conversation your manager recorded",
        "dispute" => "say that conversation did not happen",
        "snooze" => "pause reminders for a while (1w, 2 weeks, 3d) or until a date",
        "history" => "conversations and confirmations over time",
        "me" => {
            "your level, your manager, your next conversation and what your next level asks for"
        }
        "timezone" => "show or set your time zone (reminders arrive at 09:00 in it)",
        _ => "",
    }
}
