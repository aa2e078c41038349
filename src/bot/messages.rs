//! What the bot says on its own initiative: reminders, acknowledgement requests, dispute
//! notices, the overdue digest and delivery alerts. Pure functions from data to [`Reply`].
//!
//! People are written as mention elements ([`Text::mention`]): Slack renders them as names,
//! and the text renderer prints `@USERID`.

use chrono::NaiveDate;

use crate::ask::Engine;
use crate::checkins::{Cadence, Reminder, Schedule};
use crate::ids::UserId;
use crate::reply::{Action, Block, Reply, Text, actions};

/// The value of buttons about a report's current conversation cycle: `REPORT|ANCHOR`, where
/// ANCHOR is the last conversation (or start) the button was made for. A click that arrives
/// after a newer conversation was recorded is recognised as stale and records nothing.
pub fn cycle_value(report_id: &UserId, anchor_on: NaiveDate) -> String {
    format!("{report_id}|{anchor_on}")
}

/// Reads a [`cycle_value`].
pub fn parse_cycle_value(value: &str) -> Option<(UserId, NaiveDate)> {
    let (report, anchor) = value.split_once('|')?;
    Some((UserId::new(report), anchor.parse().ok()?))
}

/// "Buffer Marketing, Level 2: Strategist", or what is known of it.
pub fn level_label(engine: &Engine, framework: &str, level: Option<u32>) -> String {
    let Some(found) = engine.library().get(framework) else {
        return match level {
            Some(level) => format!("{framework}, Level {level}"),
            None => framework.to_owned(),
        };
    };
    match level.and_then(|number| found.level(number)) {
        Some(level) => format!("{}, {}", found.name, level.label()),
        None => match level {
            Some(level) => format!("{}, Level {level}", found.name),
            None => found.name.clone(),
        },
    }
}

/// The question whose answer shows what the next level asks for, if there is a next level;
/// else the current level's question.
pub fn next_level_question(engine: &Engine, framework: &str, level: Option<u32>) -> Option<String> {
    let found = engine.library().get(framework)?;
    let level = level?;
    Some(match found.next_level(level) {
        Some(next) => format!(
            "compare {framework} level {level} and level {}",
            next.number
        ),
        None => format!("{framework} level {level}"),
    })
}

/// What a reminder is about.
pub struct ReminderFacts<'a> {
    /// The report.
    pub report_id: &'a UserId,
    /// Their framework.
    pub framework_id: &'a str,
    /// Their level.
    pub level: Option<u32>,
    /// The last conversation or the start date.
    pub anchor_on: NaiveDate,
    /// Whether there has been a conversation (else `anchor_on` is when they were added).
    pub had_conversation: bool,
    /// The dates.
    pub schedule: Schedule,
    /// The cadence.
    pub cadence: Cadence,
    /// The slot's reminder (whether it is overdue).
    pub reminder: Reminder,
    /// Which reminder of the due period this is, counting the ones actually sent: 1 for the
    /// first, whatever slot it goes out in.
    pub number: u32,
}

/// The reminder DM to a manager.
pub fn reminder(engine: &Engine, facts: &ReminderFacts<'_>) -> Reply {
    let who = facts.report_id;
    let since = if facts.had_conversation {
        Text::from(format!("The last one was on {}.", facts.anchor_on))
    } else {
        Text::from("There has been none since ")
            .mention(who)
            .push(format!(" was added on {}.", facts.anchor_on))
    };
    let (heading, status) = if facts.reminder.overdue {
        (
            OVERDUE_HEADING.to_owned(),
            format!(
                "It is overdue: more than {} since the last one (overdue since {}).",
                facts.cadence.overdue_after, facts.schedule.overdue_on
            ),
        )
    } else {
        (
            DUE_HEADING.to_owned(),
            format!("It has been due since {}.", facts.schedule.due_on),
        )
    };
    let mut actions = vec![
        record_button(facts.report_id, facts.anchor_on),
        snooze_button(facts.report_id, facts.anchor_on),
        prepare_button(facts.report_id, false),
    ];
    if let Some(question) = next_level_question(engine, facts.framework_id, facts.level) {
        actions.push(Action::Button {
            label: "What does their next level need?".to_owned(),
            action_id: actions::ASK.to_owned(),
            value: question.clone(),
            primary: false,
            typed: Some(question),
        });
    }
    Reply::new()
        .with_heading(heading)
        .with_paragraph(
            Text::from("Time for a career conversation with ")
                .mention(who)
                .push(format!(
                    " ({}). ",
                    level_label(engine, facts.framework_id, facts.level)
                ))
                .append(since)
                .push(format!(" {status}")),
        )
        .with_actions(actions)
        .with_context(format!(
            "Reminder {} · repeats until the conversation is recorded",
            facts.number
        ))
}

/// The heading of a reminder about a conversation that is due.
const DUE_HEADING: &str = "Career conversation due";
/// The heading of a reminder about a conversation that is overdue.
const OVERDUE_HEADING: &str = "Career conversation overdue";

/// Whether `reminder` (a [`reminder`] DM) says its conversation is overdue.
pub fn is_overdue_reminder(reminder: &Reply) -> bool {
    matches!(reminder.blocks.first(), Some(Block::Heading { text }) if text.to_string() == OVERDUE_HEADING)
}

/// What the heading of a DM listing several reminders says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderList {
    /// How many reminders the manager has in this slot, in all parts.
    pub total: usize,
    /// How many of them are overdue.
    pub overdue: usize,
    /// Which part this is, of how many, when the list is split over several messages.
    pub part: Option<(usize, usize)>,
}

/// One DM for several reminders to one manager in one slot: a heading counting them, then
/// each reminder as [`reminder`] made it (its paragraph, buttons and context, without its
/// own heading), in the order given (most overdue first), separated by dividers. Each
/// reminder's buttons are marked as that report's item, so the chat can settle one person's
/// buttons and keep the others'.
pub fn reminders_together(list: &ReminderList, reminders: &[(&UserId, &Reply)]) -> Reply {
    let conversations = if list.total == 1 {
        "career conversation"
    } else {
        "career conversations"
    };
    let mut heading = if list.overdue == list.total {
        format!("{} {conversations} overdue", list.total)
    } else if list.overdue > 0 {
        format!(
            "{} {conversations} due, {} overdue",
            list.total, list.overdue
        )
    } else {
        format!("{} {conversations} due", list.total)
    };
    if let Some((part, parts)) = list.part {
        heading.push_str(&format!(" (part {part} of {parts})"));
    }
    let mut together = Reply::new().with_heading(heading);
    for (position, (report_id, reminder)) in reminders.iter().enumerate() {
        if position > 0 {
            together = together.with_divider();
        }
        for block in &reminder.blocks {
            match block {
                Block::Heading { .. } => {}
                Block::Actions { actions, .. } => together.blocks.push(Block::Actions {
                    actions: actions.clone(),
                    item: Some(report_id.to_string()),
                }),
                other => together.blocks.push(other.clone()),
            }
        }
    }
    together
}

/// "We had the conversation" for `report_id`'s current cycle.
pub fn record_button(report_id: &UserId, anchor_on: NaiveDate) -> Action {
    Action::Button {
        label: "We had the conversation".to_owned(),
        action_id: actions::RECORD.to_owned(),
        value: cycle_value(report_id, anchor_on),
        primary: true,
        typed: Some(format!("done @{report_id}")),
    }
}

/// "Prepare": the assessment form for `person`, by themselves (`own`) or by their manager.
pub fn prepare_button(person: &UserId, own: bool) -> Action {
    Action::Button {
        label: "Prepare".to_owned(),
        action_id: actions::PREPARE.to_owned(),
        value: person.as_str().to_owned(),
        primary: own,
        typed: Some(if own {
            "assess".to_owned()
        } else {
            format!("assess @{person}")
        }),
    }
}

/// The DM inviting a report to prepare their coming conversation with `manager_id`, due on
/// `due_on`, against `target` (the label of the level assessed against).
pub fn prep_invitation(
    report_id: &UserId,
    manager_id: &UserId,
    due_on: NaiveDate,
    target: &str,
) -> Reply {
    Reply::new()
        .with_heading("Prepare your career conversation")
        .with_paragraph(
            Text::from("Your conversation with ")
                .mention(manager_id)
                .push(format!(
                    " is due on {due_on}. Rate yourself against {target} and say what you would like to talk about, so you both come prepared; "
                ))
                .mention(manager_id)
                .push(" sees your answers once you have both submitted."),
        )
        .with_actions(vec![prepare_button(report_id, true)])
        .with_context("Also in chat: `assess` to rate yourself, `prep` for the whole picture.")
}

/// "Snooze 1 week" for `report_id`'s current cycle.
pub fn snooze_button(report_id: &UserId, anchor_on: NaiveDate) -> Action {
    Action::Button {
        label: "Snooze 1 week".to_owned(),
        action_id: actions::SNOOZE_WEEK.to_owned(),
        value: cycle_value(report_id, anchor_on),
        primary: false,
        typed: Some(format!("snooze @{report_id} 1w")),
    }
}

/// The DM asking a report to confirm a conversation took place.
pub fn acknowledgement_request(
    manager_id: &UserId,
    held_on: NaiveDate,
    level_label: &str,
    checkin_id: i64,
) -> Reply {
    Reply::new()
        .with_heading("Did you have a career conversation?")
        .with_paragraph(Text::new().mention(manager_id).push(format!(
            " recorded a career conversation with you on {held_on} ({level_label}). Please confirm it took place."
        )))
        .with_actions(vec![
            Action::Button {
                label: "Yes, we talked".to_owned(),
                action_id: actions::ACKNOWLEDGE.to_owned(),
                value: checkin_id.to_string(),
                primary: true,
                typed: Some("ack".to_owned()),
            },
            Action::Button {
                label: "That didn't happen".to_owned(),
                action_id: actions::DISPUTE.to_owned(),
                value: checkin_id.to_string(),
                primary: false,
                typed: Some("dispute [reason]".to_owned()),
            },
        ])
}

/// The DM telling a report that their manager logged evidence for them.
pub fn evidence_logged_for_you(
    manager_id: &UserId,
    evidence: &crate::store::evidence::Evidence,
) -> Reply {
    let dimension = evidence
        .dimension
        .as_deref()
        .map(|dimension| format!(" ({dimension})"))
        .unwrap_or_default();
    let words: String = evidence.text.chars().take(500).collect();
    let words = if words.len() < evidence.text.len() {
        format!("{}…", words.trim_end())
    } else {
        words
    };
    Reply::new()
        .with_heading("Evidence logged for you")
        .with_paragraph(Text::new().mention(manager_id).push(format!(
            " logged {}{dimension} for you:",
            evidence.short_id()
        )))
        .with_paragraph(Text::from(format!("\"{words}\"")))
        .with_context("`evidence` lists what is logged for you since your last conversation.")
}

/// The DM telling a manager their report disputes a recorded conversation.
pub fn dispute_notice(report_id: &UserId, held_on: NaiveDate, reason: Option<&str>) -> Reply {
    let reason = reason
        .map(|reason| format!(" Their reason: \"{reason}\"."))
        .unwrap_or_default();
    Reply::new()
        .with_heading("A conversation was disputed")
        .with_paragraph(Text::new().mention(report_id).push(format!(
            " says the career conversation you recorded for {held_on} did not happen.{reason} Talk with them, then record it again with `done`."
        )))
}

/// One line of the overdue digest.
pub struct OverdueLine {
    /// The report.
    pub report_id: UserId,
    /// Their manager.
    pub manager_id: UserId,
    /// The last conversation (or start).
    pub anchor_on: NaiveDate,
    /// Overdue since.
    pub overdue_on: NaiveDate,
    /// Snoozed until, if so.
    pub snoozed_until: Option<NaiveDate>,
}

/// The weekly digest for the admin channel: the headline figures of `stats` across the
/// organisation (`headline`, over `months` months), then the overdue check-ins.
pub fn digest(lines: &[OverdueLine], headline: Vec<crate::reply::Field>, months: u32) -> Reply {
    let items = lines
        .iter()
        .map(|line| {
            let snoozed = line
                .snoozed_until
                .map(|until| format!(" (snoozed until {until})"))
                .unwrap_or_default();
            Text::new()
                .mention(&line.report_id)
                .push(" (manager ")
                .mention(&line.manager_id)
                .push(format!(
                    "): last {}, overdue since {}{snoozed}",
                    line.anchor_on, line.overdue_on
                ))
        })
        .collect();
    Reply::new()
        .with_heading(format!("Overdue career conversations: {}", lines.len()))
        .with_paragraph(format!("Across the organisation, last {months} months:"))
        .with_fields(headline)
        .with_bullets(None, items)
        .with_context("`stats` shows the figures per manager, with a chart; `overdue` lists who is due as well.")
}

/// An alert for the admin channel about a message that could not be delivered.
pub fn delivery_alert(recipient: &str, kind: &str, attempts: i64, error: &str) -> Reply {
    Reply::new()
        .with_heading("A message could not be delivered")
        .with_paragraph(
            Text::from(format!("I could not deliver a {kind} message to "))
                .mention(recipient)
                .push(format!(" after {attempts} attempt(s): {error}")),
        )
}

/// The value of the buttons on a request to join a team: `REQUEST|REQUESTER`.
pub fn request_value(request_id: i64, requester: &UserId) -> String {
    format!("{request_id}|{requester}")
}

/// Reads a [`request_value`].
pub fn parse_request_value(value: &str) -> Option<(i64, UserId)> {
    let (id, requester) = value.split_once('|')?;
    let requester = UserId::parse(requester).ok()?;
    Some((id.parse().ok()?, requester))
}

/// The DM asking someone who had another manager whether `requester` may add them.
pub fn add_request(requester: &UserId, level_label: &str, request_id: i64) -> Reply {
    Reply::new()
        .with_heading("Someone wants to add you to their team")
        .with_paragraph(Text::new().mention(requester).push(format!(
            " wants to add you to their team ({level_label}). You have had another manager before, so you decide: if you say yes, "
        )).mention(requester).push(
            " becomes your manager and sees your record from then on (not your earlier conversations).",
        ))
        .with_actions(vec![
            Action::Button {
                label: "Yes, add me".to_owned(),
                action_id: actions::ACCEPT_ADD.to_owned(),
                value: request_value(request_id, requester),
                primary: true,
                typed: Some(format!("accept @{requester}")),
            },
            Action::Button {
                label: "No".to_owned(),
                action_id: actions::DECLINE_ADD.to_owned(),
                value: request_value(request_id, requester),
                primary: false,
                typed: Some(format!("decline @{requester}")),
            },
        ])
}

/// The DM telling `requester` what `person` answered to their request.
pub fn add_request_answered(person: &UserId, accepted: bool, level_label: &str) -> Reply {
    let text = if accepted {
        Text::new().mention(person).push(format!(
            " said yes: they are on your team now ({level_label})."
        ))
    } else {
        Text::new()
            .mention(person)
            .push(" said no to joining your team, so they were not added.")
    };
    Reply::paragraph(text)
}

/// To the admin channel: the chat refused the bot's own token, so nothing can be delivered.
pub fn token_alert(error: &str) -> Reply {
    Reply::new()
        .with_heading("Slack refused the bot token")
        .with_paragraph(format!(
            "I cannot deliver any message ({error}). Reminders and other messages are given up \
             as they fail until SLACK_BOT_TOKEN is replaced with a valid Bot User OAuth Token \
             and the bot restarted; the outbox keeps each one as failed."
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(report: &str, overdue: bool) -> Reply {
        Reply::new()
            .with_heading(if overdue {
                OVERDUE_HEADING
            } else {
                DUE_HEADING
            })
            .with_paragraph(Text::from("Time for a career conversation with ").mention(report))
            .with_actions(vec![snooze_button(
                &UserId::new(report),
                "2026-01-20".parse().expect("date"),
            )])
            .with_context("Reminder 1 · repeats until the conversation is recorded")
    }

    #[test]
    fn reminders_together_list_each_reminder_without_its_heading_and_mark_its_buttons() {
        let (ana, ben) = (UserId::new("ana"), UserId::new("ben"));
        let (first, second) = (single("ana", true), single("ben", false));
        assert!(is_overdue_reminder(&first) && !is_overdue_reminder(&second));
        let list = ReminderList {
            total: 2,
            overdue: 1,
            part: None,
        };
        let together = reminders_together(&list, &[(&ana, &first), (&ben, &second)]);
        let text = together.to_plain_text();
        assert!(
            text.starts_with("2 career conversations due, 1 overdue\n"),
            "{text}"
        );
        assert!(!text.contains(OVERDUE_HEADING) && !text.contains(DUE_HEADING));
        let items: Vec<Option<&str>> = together
            .blocks
            .iter()
            .filter_map(|block| match block {
                Block::Actions { item, .. } => Some(item.as_deref()),
                _ => None,
            })
            .collect();
        assert_eq!(items, [Some("ana"), Some("ben")]);
        assert_eq!(
            together
                .blocks
                .iter()
                .filter(|block| matches!(block, Block::Divider))
                .count(),
            1
        );
        let all_overdue = ReminderList {
            total: 30,
            overdue: 30,
            part: Some((2, 3)),
        };
        assert_eq!(
            reminders_together(&all_overdue, &[(&ana, &first)])
                .first_line()
                .map(ToString::to_string)
                .as_deref(),
            Some("30 career conversations overdue (part 2 of 3)")
        );
    }
}
