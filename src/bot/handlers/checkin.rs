//! `done`, `ack`, `dispute` and `snooze`: recording conversations and their confirmation.
//! Slack's buttons and modal reach them through the same [`super::run`] as typed commands.

use chrono::{DateTime, Days, Utc};

use super::access::require_manager;
use crate::bot::command::{MAX_FOCUS, SnoozeUntil};
use crate::bot::mention::Mention;
use crate::bot::messages::{self, level_label};
use crate::bot::{Bot, HandlerError};
use crate::checkins::held_on::{DateError, DateWords};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::checkins::{Acknowledgement, AnswerOutcome, Checkin, NewCheckin, Recorded};
use crate::store::outbox::{NewMessage, OutboxStatus, kind};

/// Extra details an interactive recording can carry.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// The level discussed, when not the report's current level.
    pub level: Option<u32>,
    /// A key that makes the same submission record only once.
    pub request_key: Option<String>,
    /// The report's anchor when the form was opened: recording refuses if it has changed.
    pub opened_for: Option<chrono::NaiveDate>,
}

/// What a conversation agreed, as typed: focus areas (matched to the dimensions of the
/// report's next level, or current one at the top) and next steps.
#[derive(Debug, Clone, Default)]
pub struct Agreement {
    /// Focus areas as typed.
    pub focus: Vec<String>,
    /// Next steps.
    pub next_steps: Option<String>,
}

/// `done @person [DATE] [note…]`: the manager (or an admin) records a conversation.
pub async fn done(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    date: Option<DateWords>,
    note: Option<String>,
    recording: Option<Recording>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let agreed = Agreement::default();
    done_agreeing(bot, caller, person, date, note, agreed, recording, now).await
}

/// `done @person [DATE] [note…] [--focus …] [--next …]`: [`done`], with what the
/// conversation agreed.
#[allow(clippy::too_many_arguments)]
pub async fn done_agreeing(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    date: Option<DateWords>,
    note: Option<String>,
    agreed: Agreement,
    recording: Option<Recording>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let focus = focus_dimensions(bot, &report, &agreed.focus)?;
    let today = bot.local_date(caller, now).await?;
    let held_on = match date {
        Some(words) => words.resolve(today).map_err(|problem| match problem {
            DateError::Future(date) => HandlerError::Invalid(
                format!(
                    "{date} is in the future; record a conversation once it has happened (today is {today})."
                )
                .into(),
            ),
            other => HandlerError::Invalid(other.to_string().into()),
        })?,
        None => today,
    };
    let recording = recording.unwrap_or_default();
    let recording_opened_for = recording.opened_for;
    let framework = report
        .framework_id
        .clone()
        .map(FrameworkId::into_string)
        .unwrap_or_default();
    let level = recording.level.or(report.level);
    let engine = bot.engine();
    let label = level_label(&engine, &framework, level);
    let manager = report.manager_id.clone().unwrap_or_else(|| caller.clone());
    let report_id = report.user_id.clone();
    let request_label = label.clone();
    let request_manager = manager.clone();
    let outcome = bot
        .store()
        .record_checkin(
            NewCheckin {
                report_id: report.user_id.clone(),
                manager_id: manager.clone(),
                held_on,
                framework_id: report.framework_id.clone(),
                level_discussed: level,
                private_note: note,
                focus: focus.clone(),
                next_steps: agreed.next_steps.clone(),
                recorded_by: caller.clone(),
                request_key: recording.request_key,
                opened_for: recording.opened_for,
                cadence: bot.settings().cadence_for(&framework),
                acknowledgement_request: Some(Box::new(move |id| NewMessage {
                    key: format!("ack:{id}"),
                    kind: kind::ACK_REQUEST,
                    recipient: report_id.into_string(),
                    report_id: None,
                    payload: messages::acknowledgement_request(
                        &request_manager,
                        held_on,
                        &request_label,
                        id,
                    ),
                    planned_for: now,
                })),
            },
            now,
        )
        .await?;
    let who = report.user_id.as_str();
    match outcome {
        Recorded::AlreadyRecorded(existing) => Ok(Reply::paragraph(
            Text::from("Already recorded: the conversation with ")
                .mention(who)
                .push(format!(" on {} (recorded by ", existing.held_on))
                .mention(&existing.recorded_by)
                .push("). Nothing was added."),
        )),
        Recorded::SameDay(existing) => Err(HandlerError::Refused(Text::template(
            &format!(
                "A conversation with {{@}} on {} is already recorded (by {{@}}), so nothing was added. If that one was a mistake, `undo {{@}}` removes it.",
                existing.held_on
            ),
            &[who, existing.recorded_by.as_str(), who],
        ))),
        Recorded::Outdated { anchor_on } => Err(HandlerError::Refused(outdated_form(
            who,
            anchor_on,
            recording_opened_for,
        ))),
        Recorded::New(_) => {
            bot.metrics().checkin_recorded();
            bot.wake().ring();
            let next = bot
                .store()
                .person(&report.user_id)
                .await?
                .and_then(|p| p.timeline())
                .map(|timeline| {
                    bot.settings()
                        .cadence_for(&framework)
                        .schedule(&timeline)
                        .due_on
                });
            let next = next
                .map(|date| format!(" The next one is due on {date}."))
                .unwrap_or_default();
            let focus = if focus.is_empty() {
                String::new()
            } else {
                format!(" Focus areas: {}.", focus.join(", "))
            };
            Ok(Reply::paragraph(
                Text::from("Recorded: a career conversation with ")
                    .mention(who)
                    .push(format!(" on {held_on} ({label}).{focus} I've asked "))
                    .mention(who)
                    .push(format!(" to confirm it.{next}")),
            ))
        }
    }
}

/// The dimensions a conversation with `report` can agree as focus areas: those of their next
/// level (or current one at the top) first, then the rest of their framework's. Empty when
/// they are on no framework the bot knows. The record form offers these.
pub fn focus_choices(bot: &Bot, report: &crate::store::people::Person) -> Vec<String> {
    let engine = bot.engine();
    let framework = report
        .framework_id
        .as_ref()
        .and_then(|id| engine.library().get(id.as_str()));
    let mut names: Vec<String> = Vec::new();
    if let Some(framework) = framework {
        if let Some((level, _)) = report
            .level
            .and_then(|level| super::assess::target_level(framework, level))
        {
            names = super::assess::dimension_names(framework, level);
        }
        for name in &framework.dimensions {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The dimensions `typed` names, among [`focus_choices`]; a sentence for one that is none of
/// them, or for more than three (the parser checks typed lines; a form's submission is
/// checked here, as it does not pass through the parser).
fn focus_dimensions(
    bot: &Bot,
    report: &crate::store::people::Person,
    typed: &[String],
) -> Result<Vec<String>, HandlerError> {
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    if typed.len() > MAX_FOCUS {
        return Err(HandlerError::Invalid(
            format!(
                "A conversation agrees at most {MAX_FOCUS} focus areas; you gave {}. Nothing was recorded.",
                typed.len()
            )
            .into(),
        ));
    }
    let names = focus_choices(bot, report);
    let mut found: Vec<String> = Vec::new();
    for area in typed {
        match super::dimensions::find_dimension(&names, area) {
            super::dimensions::DimensionMatch::Found(name) => {
                if !found.iter().any(|f| f == name) {
                    found.push(name.to_owned());
                }
            }
            other => {
                return Err(HandlerError::Invalid(
                    super::assess::unknown_dimension(area, &other, &names)
                        .replace("of this level", "of this framework")
                        .replace("Nothing was changed.", "Nothing was recorded.")
                        .into(),
                ));
            }
        }
    }
    Ok(found)
}

/// Why a form opened for the conversation cycle of `opened_for` records nothing now that the
/// report's anchor is `anchor_on`.
fn outdated_form(
    who: &str,
    anchor_on: Option<chrono::NaiveDate>,
    opened_for: Option<chrono::NaiveDate>,
) -> Text {
    match (anchor_on, opened_for) {
        (Some(now), Some(then)) if now > then => Text::template(
            &format!(
                "A conversation with {{@}} on {now} was recorded after this form was opened, so nothing was added. If you had another one, record it with `done {{@}} DATE`."
            ),
            &[who, who],
        ),
        _ => Text::template(
            "{@}'s record changed after this form was opened, so nothing was added. Check `history {@}`, then record the conversation with `done {@} DATE` if it is missing.",
            &[who, who, who],
        ),
    }
}

/// The check-in a report is answering: the one given; else their latest one waiting for an
/// answer; else their latest one (so an answer can be changed).
async fn target_checkin(
    bot: &Bot,
    caller: &UserId,
    checkin_id: Option<i64>,
) -> Result<Checkin, HandlerError> {
    let found = match checkin_id {
        Some(id) => bot.store().checkin(id).await?,
        None => match bot.store().pending_checkin(caller).await? {
            Some(pending) => Some(pending),
            None => bot.store().history(caller).await?.into_iter().next(),
        },
    };
    match found {
        Some(checkin) if checkin.report_id == *caller => Ok(checkin),
        Some(_) => Err(HandlerError::Refused(
            "Only the person the conversation was with can confirm or dispute it.".into(),
        )),
        None => Err(HandlerError::Invalid(
            "There is no conversation waiting for your confirmation: none has been recorded with you yet."
                .into(),
        )),
    }
}

/// `ack`: the report confirms the conversation took place.
pub async fn acknowledge(
    bot: &Bot,
    caller: &UserId,
    checkin_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let checkin = target_checkin(bot, caller, checkin_id).await?;
    let outcome = bot
        .store()
        .answer_checkin(
            caller,
            checkin.id,
            Acknowledgement::Acknowledged,
            None,
            None,
            now,
        )
        .await?;
    let with = checkin.manager_id.as_str();
    Ok(Reply::paragraph(match outcome {
        AnswerOutcome::Updated(_) => {
            Text::from("Thanks, confirmed: your career conversation with ")
                .mention(with)
                .push(format!(" on {}.", checkin.held_on))
        }
        AnswerOutcome::Unchanged(_) => {
            Text::from("You had already confirmed the conversation with ")
                .mention(with)
                .push(format!(" on {}.", checkin.held_on))
        }
        AnswerOutcome::NotFound => "That conversation is not yours to confirm.".into(),
    }))
}

/// `dispute [reason]`: the report says the conversation did not happen. The manager is told;
/// admins see it in `history` and exports.
pub async fn dispute(
    bot: &Bot,
    caller: &UserId,
    checkin_id: Option<i64>,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let checkin = target_checkin(bot, caller, checkin_id).await?;
    // One notice per conversation, manager and day: answers changed back and forth reach the
    // manager once a day, saying the latest (see `Store::answer_checkin`).
    let key = dispute_notice_key(checkin.id, &checkin.manager_id, now);
    let already_told = bot
        .store()
        .outbox_status(&key)
        .await?
        .is_some_and(|status| {
            matches!(
                status,
                OutboxStatus::Sending | OutboxStatus::Sent | OutboxStatus::Failed
            )
        });
    let notice = NewMessage {
        key,
        kind: kind::DISPUTE,
        recipient: checkin.manager_id.to_string(),
        report_id: None,
        payload: messages::dispute_notice(caller, checkin.held_on, reason.as_deref()),
        planned_for: now,
    };
    let outcome = bot
        .store()
        .answer_checkin(
            caller,
            checkin.id,
            Acknowledgement::Disputed,
            reason.as_deref(),
            Some(notice),
            now,
        )
        .await?;
    let with = checkin.manager_id.as_str();
    Ok(Reply::paragraph(match outcome {
        AnswerOutcome::Updated(_) if already_told => {
            Text::from("Noted: you say the conversation ")
                .mention(with)
                .push(format!(
                    " recorded for {} did not happen. ",
                    checkin.held_on
                ))
                .mention(with)
                .push(" was already told about a dispute today, so I'm not messaging them again; they see your latest answer in `history`.")
        }
        AnswerOutcome::Updated(_) => {
            bot.wake().ring();
            Text::from("Noted: you say the conversation ")
                .mention(with)
                .push(format!(
                    " recorded for {} did not happen. I've told ",
                    checkin.held_on
                ))
                .mention(with)
                .push(".")
        }
        AnswerOutcome::Unchanged(_) => Text::from("You had already disputed the conversation ")
            .mention(with)
            .push(format!(" recorded for {}.", checkin.held_on)),
        AnswerOutcome::NotFound => "That conversation is not yours to dispute.".into(),
    }))
}

/// The outbox key of the notice telling `manager` about a dispute of conversation
/// `checkin_id` on `now`'s day (UTC): the conversation's id comes first, as
/// `Store::superseded_among` reads it.
fn dispute_notice_key(checkin_id: i64, manager: &UserId, now: DateTime<Utc>) -> String {
    format!("dispute:{checkin_id}:{manager}:{}", now.date_naive())
}

/// The longest a snooze may run.
const MAX_SNOOZE_DAYS: u64 = 366;

/// `snooze @person PERIOD|DATE [reason]`.
pub async fn snooze(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    until: SnoozeUntil,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let today = bot.local_date(caller, now).await?;
    let until = match until {
        SnoozeUntil::For(period) => period.after(today),
        SnoozeUntil::Date(date) => date,
    };
    if until <= today {
        return Err(HandlerError::Invalid(
            format!(
                "{until} is not in the future; snooze for a period (e.g. 1w) or until a later date."
            )
            .into(),
        ));
    }
    let latest = today
        .checked_add_days(Days::new(MAX_SNOOZE_DAYS))
        .unwrap_or(today);
    if until > latest {
        return Err(HandlerError::Invalid(
            format!("A snooze can last at most a year (until {latest}); {until} is later.").into(),
        ));
    }
    if report.snoozed_until == Some(until) {
        // The same snooze again (a button clicked twice): nothing to change.
        return Ok(Reply::paragraph(
            Text::from("Reminders about ")
                .mention(&person.user_id)
                .push(format!(" are already paused until {until}.")),
        ));
    }
    let framework = report
        .framework_id
        .clone()
        .map(FrameworkId::into_string)
        .unwrap_or_default();
    bot.store()
        .snooze(
            &person.user_id,
            until,
            reason.as_deref(),
            &bot.settings().cadence_for(&framework),
            caller,
            now,
        )
        .await?;
    let reason = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    Ok(Reply::paragraph(
        Text::from("Reminders about ")
            .mention(&person.user_id)
            .push(format!(" are paused until {until}{reason}.")),
    ))
}
