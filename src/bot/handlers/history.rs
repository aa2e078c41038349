//! `history @person` (or `history` for your own): a timeline of conversations, with every
//! answer and reason, and of changes to the person's record (added, removed, manager moves,
//! level and framework changes, snoozes, undone conversations), oldest first.
//!
//! Who sees what:
//! - the person: their whole timeline except snoozes (their manager's planning);
//! - an admin: everything;
//! - a manager, current or former: only what happened while they managed the person (the
//!   changes in their management periods, told from the audit log's additions, moves,
//!   removals and imports) and the conversations they held or recorded, so adding someone
//!   never opens what earlier managers recorded;
//! - anyone else: nothing.
//!
//! A private note only ever reaches the one who wrote it: not the person, not an admin.

use super::access::EvidenceView;
use crate::ask::Engine;
use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::assessments::{Assessment, AssessmentSide};
use crate::store::checkins::{Answer, Checkin};
use crate::store::events::{EventKind, ManagementChange, PersonEvent};
use crate::store::evidence::Evidence;

/// Where an audit entry falls in a person's record: its time, then its audit log id.
type Position = (String, i64);

/// The stretches of the record during which `manager` managed the person, from the entry
/// that made them manager to the one that ended it (both included; open at the end while
/// they still manage).
fn periods_of(changes: &[ManagementChange], manager: &UserId) -> Vec<(Position, Option<Position>)> {
    let mut periods = Vec::new();
    let mut open: Option<Position> = None;
    for change in changes {
        let position = (change.at.clone(), change.id);
        let theirs = change.manager.as_ref() == Some(manager);
        match open.take() {
            None if theirs => open = Some(position),
            Some(start) if !theirs => periods.push((start, Some(position))),
            still => open = still,
        }
    }
    if let Some(start) = open {
        periods.push((start, None));
    }
    periods
}

/// Whether `position` falls in one of `periods`.
fn within(periods: &[(Position, Option<Position>)], position: &Position) -> bool {
    periods
        .iter()
        .any(|(start, end)| start <= position && end.as_ref().is_none_or(|end| position <= end))
}

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
    let mut history = bot.store().history(&person.user_id).await?;
    let mut events = bot.store().numbered_events(Some(&person.user_id)).await?;
    let partial = !(is_admin || is_self);
    if is_self && !is_admin {
        events.retain(|(_, event)| !event.kind.is_managers_only());
    } else if partial {
        // A manager, current or former: the conversations they held or recorded (with their
        // own private notes: a note is readable by its author forever), and the changes made
        // while they managed the person.
        history.retain(|checkin| checkin.manager_id == *caller || checkin.recorded_by == *caller);
        let changes = bot.store().management_changes(&person.user_id).await?;
        let periods = periods_of(&changes, caller);
        events.retain(|(id, event)| within(&periods, &(event.at.clone(), *id)));
        if history.is_empty() && events.is_empty() && !is_manager {
            return Err(HandlerError::Refused(
                Text::from("Only ")
                    .mention(&person.user_id)
                    .push(", their manager or an admin can see their conversation history."),
            ));
        }
    }
    let events: Vec<PersonEvent> = events.into_iter().map(|(_, event)| event).collect();
    if history.is_empty() && events.is_empty() {
        return Ok(Reply::paragraph(
            Text::from("No career conversations are recorded for ")
                .mention(&person.user_id)
                .push(" yet."),
        ));
    }
    let answers = bot.store().answers_of(&person.user_id).await?;
    let engine = bot.engine();
    // Evidence is seen by the person and their current manager, and by whoever logged it;
    // assessments show only that they were submitted (their answers are in `prep`).
    let view = super::access::evidence_view(caller, &person.user_id, subject.as_ref());
    let evidence: Vec<Evidence> = bot
        .store()
        .evidence_of(&person.user_id, None)
        .await?
        .into_iter()
        .filter(|entry| view == EvidenceView::Everything || entry.author_id == *caller)
        .collect();
    let assessments: Vec<Assessment> = if is_self || is_manager {
        bot.store()
            .all_assessments_of(&person.user_id)
            .await?
            .into_iter()
            .filter(|assessment| assessment.submitted_at.is_some())
            .collect()
    } else {
        Vec::new()
    };
    let mut entries: Vec<Entry<'_>> = history
        .iter()
        .map(Entry::Conversation)
        .chain(events.iter().map(Entry::Event))
        .chain(evidence.iter().rev().map(Entry::Evidence))
        .chain(assessments.iter().map(Entry::Assessment))
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
            Entry::Event(_) | Entry::Evidence(_) | Entry::Assessment(_) => {
                let line = match entry {
                    Entry::Event(event) => describe(&engine, event),
                    Entry::Evidence(evidence) => describe_evidence(evidence),
                    Entry::Assessment(assessment) => describe_assessment(assessment),
                    Entry::Conversation(_) => continue,
                };
                let entry_day = entry.day();
                match &mut changes {
                    Some((day, items)) if *day == entry_day => items.push(line),
                    _ => {
                        if let Some((day, items)) = changes.take() {
                            reply = reply.with_bullets(Some(day), items);
                        }
                        changes = Some((entry_day, vec![line]));
                    }
                }
            }
        }
    }
    if let Some((day, items)) = changes {
        reply = reply.with_bullets(Some(day), items);
    }
    if partial {
        reply = reply.with_context(
            Text::from("You see what happened while ")
                .mention(&person.user_id)
                .push(" was on your team, and the conversations you held or recorded."),
        );
    }
    Ok(reply)
}

/// One line of the timeline.
enum Entry<'a> {
    Conversation(&'a Checkin),
    Event(&'a PersonEvent),
    Evidence(&'a Evidence),
    Assessment(&'a Assessment),
}

impl Entry<'_> {
    fn day(&self) -> String {
        match self {
            Entry::Conversation(checkin) => checkin.held_on.to_string(),
            Entry::Event(event) => event.day().to_owned(),
            Entry::Evidence(evidence) => day_of(&evidence.logged_at),
            Entry::Assessment(assessment) => {
                day_of(assessment.submitted_at.as_deref().unwrap_or_default())
            }
        }
    }
}

/// The day of a stored time ("2026-03-05T10:00:00.000Z" → "2026-03-05").
fn day_of(stored: &str) -> String {
    stored.get(..10).unwrap_or(stored).to_owned()
}

/// "Evidence E12 (Ownership), logged by @marco: ran the launch".
fn describe_evidence(evidence: &Evidence) -> Text {
    let dimension = evidence.dimension.as_deref().unwrap_or("untagged");
    Text::from(format!(
        "Evidence {} ({dimension}), logged by ",
        evidence.short_id()
    ))
    .mention(&evidence.author_id)
    .push(format!(": {}", evidence.text))
}

/// "Self-assessment submitted against Level 3 (2 dimensions rated)".
fn describe_assessment(assessment: &Assessment) -> Text {
    let who = match assessment.side {
        AssessmentSide::Own => "Self-assessment",
        AssessmentSide::Manager => "Manager's assessment",
    };
    Text::from(format!(
        "{who} submitted against Level {}, by ",
        assessment.level
    ))
    .mention(&assessment.assessor_id)
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
            // Added at the manager's request, once the person said yes (the person is the
            // actor).
            let asked = if user("requested_by").is_some() {
                " at their request, confirmed"
            } else {
                ""
            };
            match user("manager") {
                Some(manager) => Text::from("Added to ")
                    .mention(&manager)
                    .push(format!("'s team ({on}){asked}")),
                None => Text::from(format!("Added ({on}){asked}")),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: i64, manager: Option<&str>) -> ManagementChange {
        ManagementChange {
            id,
            at: format!("2026-0{id}-01T10:00:00.000Z"),
            manager: manager.map(UserId::new),
        }
    }

    fn at(id: i64) -> Position {
        (format!("2026-0{id}-01T10:00:00.000Z"), id)
    }

    #[test]
    fn a_manager_s_periods_run_from_the_change_that_made_them_manager_to_the_one_that_ended_it() {
        // Added under boss, moved to carol, moved back to boss, removed, added by dan.
        let changes = [
            change(1, Some("boss")),
            change(2, Some("carol")),
            change(3, Some("boss")),
            change(4, None),
            change(5, Some("dan")),
        ];
        let boss = periods_of(&changes, &UserId::new("boss"));
        assert_eq!(boss, [(at(1), Some(at(2))), (at(3), Some(at(4)))]);
        let carol = periods_of(&changes, &UserId::new("carol"));
        assert_eq!(carol, [(at(2), Some(at(3)))]);
        let dan = periods_of(&changes, &UserId::new("dan"));
        assert_eq!(dan, [(at(5), None)]);
        assert!(periods_of(&changes, &UserId::new("eve")).is_empty());
        // Both ends are included: the move is in both managers' timelines.
        assert!(within(&boss, &at(2)) && within(&carol, &at(2)));
        assert!(!within(&carol, &at(1)) && !within(&carol, &at(4)));
        assert!(within(&dan, &("2027-01-01T00:00:00.000Z".to_owned(), 9)));
        assert!(!within(&dan, &at(4)));
        // The same manager named again (an import of the same chart) continues the period.
        let again = [change(1, Some("boss")), change(2, Some("boss"))];
        assert_eq!(periods_of(&again, &UserId::new("boss")), [(at(1), None)]);
    }
}
