//! `history @person` (or `history` for your own): a timeline of conversations, with every
//! answer and reason, and of changes to the person's record (added, removed, manager moves,
//! level and framework changes, snoozes, undone conversations), oldest first.
//!
//! Who sees what: the person sees their own timeline except snoozes (their manager's
//! planning); their manager and admins see everything; a former manager sees the
//! conversations they held or recorded. A private note only ever reaches the one who wrote it.

use crate::ask::Engine;
use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::checkins::{Answer, Checkin};
use crate::store::events::{EventKind, PersonEvent};

/// Shows the timeline of `person`'s record.
pub async fn run(bot: &Bot, caller: &UserId, person: &Mention) -> Result<Reply, HandlerError> {
    let subject = bot.store().person(&person.user_id).await?;
    if subject.is_none() && *caller == person.user_id {
        return Ok(Reply::paragraph(
            "You are not in the records yet: nobody has added you to a team or recorded a conversation with you.",
        ));
    }
    if subject.is_none() {
        return Err(HandlerError::Invalid(Text::about(
            "There is no one called {@} in the records: nobody has added them or recorded a conversation with them.",
            &person.user_id,
        )));
    }
    let is_manager = subject
        .as_ref()
        .is_some_and(|p| p.manager_id.as_ref() == Some(caller));
    let is_admin = bot.settings().is_admin(caller);
    let is_self = *caller == person.user_id;
    let sees_everything = is_self || is_manager || is_admin;
    let mut history = bot.store().history(&person.user_id).await?;
    let mut events = Vec::new();
    if sees_everything {
        events = bot.store().events(Some(&person.user_id)).await?;
        if !(is_manager || is_admin) {
            events.retain(|event| !event.kind.is_managers_only());
        }
    } else {
        // A former manager keeps the conversations they held or recorded, with their own
        // private notes: a note is readable by its author forever, whoever manages now.
        history.retain(|checkin| checkin.manager_id == *caller || checkin.recorded_by == *caller);
        if history.is_empty() {
            return Err(HandlerError::Refused(
                Text::from("Only ")
                    .mention(&person.user_id)
                    .push(", their manager or an admin can see their conversation history."),
            ));
        }
    }
    if history.is_empty() && events.is_empty() {
        return Ok(Reply::paragraph(
            Text::from("No career conversations are recorded for ")
                .mention(&person.user_id)
                .push(" yet."),
        ));
    }
    let answers = bot.store().answers_of(&person.user_id).await?;
    let engine = bot.engine();
    let mut entries: Vec<Entry<'_>> = history
        .iter()
        .map(Entry::Conversation)
        .chain(events.iter().map(Entry::Event))
        .collect();
    // Stable: same-day entries keep conversations first, then events in the order they
    // happened.
    entries.sort_by_key(Entry::day);
    let mut reply = Reply::new().with_heading(
        Text::from("Career conversations: ")
            .mention(&person.user_id)
            .push(format!(" ({})", history.len())),
    );
    if history.is_empty() {
        reply = reply.with_paragraph("No career conversations are recorded yet.");
    }
    // Changes on the same day share one dated list; each conversation has its own.
    let mut changes: Option<(String, Vec<Text>)> = None;
    for entry in entries {
        match entry {
            Entry::Conversation(checkin) => {
                if let Some((day, items)) = changes.take() {
                    reply = reply.with_bullets(Some(day), items);
                }
                reply = reply.with_bullets(
                    Some(checkin.held_on.to_string()),
                    conversation_items(&engine, checkin, &answers, caller),
                );
            }
            Entry::Event(event) => {
                let line = describe(&engine, event);
                match &mut changes {
                    Some((day, items)) if day == event.day() => items.push(line),
                    _ => {
                        if let Some((day, items)) = changes.take() {
                            reply = reply.with_bullets(Some(day), items);
                        }
                        changes = Some((event.day().to_owned(), vec![line]));
                    }
                }
            }
        }
    }
    if let Some((day, items)) = changes {
        reply = reply.with_bullets(Some(day), items);
    }
    Ok(reply)
}

/// One line of the timeline.
enum Entry<'a> {
    Conversation(&'a Checkin),
    Event(&'a PersonEvent),
}

impl Entry<'_> {
    fn day(&self) -> String {
        match self {
            Entry::Conversation(checkin) => checkin.held_on.to_string(),
            Entry::Event(event) => event.day().to_owned(),
        }
    }
}

/// A conversation's lines: the level discussed, who held and recorded it, every answer, and
/// the caller's own private note.
fn conversation_items(
    engine: &Engine,
    checkin: &Checkin,
    answers: &[Answer],
    caller: &UserId,
) -> Vec<Text> {
    let framework = checkin
        .framework_id
        .as_ref()
        .map_or("?", FrameworkId::as_str);
    let given: Vec<String> = answers
        .iter()
        .filter(|answer| answer.checkin_id == checkin.id)
        .map(|answer| {
            let on = &answer.answered_at[..10.min(answer.answered_at.len())];
            match answer.answer.as_str() {
                "acknowledged" => format!("confirmed on {on}"),
                _ => format!(
                    "DISPUTED on {on}{}",
                    answer
                        .reason
                        .as_deref()
                        .map(|r| format!(": \"{r}\""))
                        .unwrap_or_default()
                ),
            }
        })
        .collect();
    let answer = if given.is_empty() {
        "not yet confirmed".to_owned()
    } else {
        given.join(", then ")
    };
    let mut items = vec![
        Text::from(format!(
            "Level discussed: {}",
            level_label(engine, framework, checkin.level_discussed)
        )),
        Text::from("With ")
            .mention(&checkin.manager_id)
            .push("; recorded by ")
            .mention(&checkin.recorded_by)
            .push(format!(
                " on {}",
                &checkin.recorded_at[..10.min(checkin.recorded_at.len())]
            )),
        Text::from(format!("Report's answer: {answer}")),
    ];
    if let Some(note) = &checkin.private_note
        && checkin.recorded_by == *caller
    {
        items.push(Text::from(format!("Your private note: {note}")));
    }
    items
}

/// One sentence for a change to the record, ending with who made it.
fn describe(engine: &Engine, event: &PersonEvent) -> Text {
    let level = |framework: Option<&str>, key: &str| {
        let number = event.number(key).and_then(|n| u32::try_from(n).ok());
        match framework {
            Some(framework) => level_label(engine, framework, number),
            None => number.map_or_else(|| "no level".to_owned(), |n| format!("Level {n}")),
        }
    };
    let user = |key: &str| event.text(key).map(UserId::new);
    let text = match event.kind {
        EventKind::Added => {
            let on = level(event.text("framework"), "level");
            match user("manager") {
                Some(manager) => Text::from("Added to ")
                    .mention(&manager)
                    .push(format!("'s team ({on})")),
                None => Text::from(format!("Added ({on})")),
            }
        }
        EventKind::Removed => Text::from("Removed from their team (history kept, no reminders)"),
        EventKind::Moved => match (user("from"), user("to")) {
            (Some(from), Some(to)) => Text::from("Moved from ")
                .mention(&from)
                .push("'s team to ")
                .mention(&to)
                .push("'s"),
            (None, Some(to)) => Text::from("Moved to ").mention(&to).push("'s team"),
            _ => Text::from("Moved to another team"),
        },
        EventKind::LevelChanged => Text::from(format!(
            "Level changed from {} to {}",
            level(None, "from"),
            level(None, "to")
        )),
        EventKind::FrameworkChanged => Text::from(format!(
            "Framework changed from {} to {}",
            level(event.text("from"), "from_level"),
            level(event.text("to"), "to_level")
        )),
        EventKind::Snoozed => Text::from(format!(
            "Reminders snoozed until {}{}",
            event.text("until").unwrap_or("?"),
            event
                .text("reason")
                .map(|reason| format!(" (\"{reason}\")"))
                .unwrap_or_default()
        )),
        EventKind::Unsnoozed => Text::from(format!(
            "Snooze until {} ended early",
            event.text("was_until").unwrap_or("?")
        )),
        EventKind::Undone => Text::from(format!(
            "Conversation of {} undone",
            event.text("held_on").unwrap_or("?")
        )),
    };
    text.push(", by ").mention(&event.actor)
}
