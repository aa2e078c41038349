//! `help`: how to ask questions, and the commands; `help COMMAND`: one command. Everything
//! said about a command comes from the registry.

use crate::bot::Bot;
use crate::bot::command::CommandKind;
use crate::reply::{Field, Reply};

/// Questions first (everyone can ask), then the check-in commands.
pub fn reply(bot: &Bot) -> Reply {
    let questions = bot.engine().ask("help").reply;
    let commands = CommandKind::ALL
        .into_iter()
        // This page is `help` itself.
        .filter(|kind| *kind != CommandKind::Help)
        .map(|kind| format!("{}: {}", kind.usage(), kind.description()))
        .collect();
    questions.with_bullets(Some("Career conversations".to_owned()), commands)
}

/// `help TOPIC`: the command `topic` names; for a word that names none, the general help
/// under a did-you-mean.
pub fn on(bot: &Bot, topic: &str) -> Reply {
    match CommandKind::from_word(topic) {
        Some(kind) => command(kind),
        None => Reply::paragraph(not_a_command(topic)).append(reply(bot)),
    }
}

/// The sentence above the general help when `topic` names no command.
fn not_a_command(topic: &str) -> String {
    match CommandKind::closest_word(topic) {
        Some(word) => format!("\"{topic}\" is not a command; did you mean `{word}`?"),
        None => format!("\"{topic}\" is not a command. Here is everything I can do."),
    }
}

/// One command: how to write it, what it does, who may run it and its other words.
pub fn command(kind: CommandKind) -> Reply {
    let mut fields = vec![Field::new("Who can run it", kind.who().describe())];
    let aliases = &kind.words()[1..];
    if !aliases.is_empty() {
        let aliases: Vec<String> = aliases.iter().map(|word| format!("`{word}`")).collect();
        fields.push(Field::new("Also written", aliases.join(", ")));
    }
    Reply::new()
        .with_heading(kind.usage())
        .with_paragraph(sentence(kind.description()))
        .with_fields(fields)
        .with_context("Type `help` for every command.")
}

/// "record a conversation" → "Record a conversation."
fn sentence(fragment: &str) -> String {
    let mut chars = fragment.chars();
    let first: String = chars
        .next()
        .into_iter()
        .flat_map(char::to_uppercase)
        .collect();
    format!("{first}{}.", chars.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::text::render;

    #[test]
    fn help_on_each_command_gives_its_usage_description_and_who() {
        for kind in CommandKind::ALL {
            let text = render(&command(kind));
            assert!(text.contains(kind.usage()), "{text}");
            assert!(text.contains(&sentence(kind.description())), "{text}");
            assert!(text.contains(kind.who().describe()), "{text}");
        }
        let text = render(&command(CommandKind::Ack));
        assert!(text.contains("`acknowledge`, `confirm`"), "{text}");
    }

    #[test]
    fn an_unknown_topic_gets_a_did_you_mean_when_one_is_close() {
        assert_eq!(
            not_a_command("snoze"),
            "\"snoze\" is not a command; did you mean `snooze`?"
        );
        assert_eq!(
            not_a_command("frobnicate"),
            "\"frobnicate\" is not a command. Here is everything I can do."
        );
    }
}
