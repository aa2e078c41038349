//! `undo` and `unsnooze`: putting a record right, in the timeline like any other change.

use chrono::{DateTime, Utc};

use super::access::require_manager;
use crate::bot::mention::Mention;
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::corrections::{RequestOutcome, UndoScope};

/// `undo @person`: takes back the last conversation the caller recorded for the person (an
/// admin: the last one anyone recorded).
pub async fn undo(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    // `{@}` marks where the person is mentioned (see `Text::about`).
    let who = "{@}";
    let about = |text: String| Text::about(&text, &person.user_id);
    let scope = if bot.settings().is_admin(caller) {
        UndoScope::Anyone
    } else {
        UndoScope::RecordedBy(caller)
    };
    let framework = report.framework_id.as_ref().map_or("", FrameworkId::as_str);
    let undone = bot
        .store()
        .undo_last_checkin(
            &person.user_id,
            scope,
            &bot.settings().cadence_for(framework),
            |checkin| {
                Reply::paragraph(Text::about(
                    &format!(
                        "{{@}} took back the career conversation recorded with you on {}: it was recorded by mistake. There is nothing for you to confirm.",
                        checkin.held_on
                    ),
                    caller,
                ))
            },
            caller,
            now,
        )
        .await?;
    let Some(undone) = undone else {
        return Err(HandlerError::Invalid(about(format!(
            "You have not recorded a conversation with {who}, so there is nothing to undo."
        ))));
    };
    let told = match undone.request {
        RequestOutcome::Withdrawn => format!(" The request to {who} to confirm it was withdrawn."),
        RequestOutcome::ReportTold => {
            bot.wake().ring();
            format!(
                " {who} had already been asked to confirm it, so I'm telling them it was taken back."
            )
        }
        RequestOutcome::None => String::new(),
    };
    let due = undone
        .due_on
        .map(|date| format!(" Their next conversation is due on {date} again."))
        .unwrap_or_default();
    let snooze = undone
        .restored_snooze
        .map(|until| {
            format!(" The snooze that recording it had ended is back: no reminders until {until}.")
        })
        .unwrap_or_default();
    Ok(Reply::paragraph(about(format!(
        "Took back the conversation with {who} on {}.{told}{due}{snooze}",
        undone.checkin.held_on
    ))))
}

/// `unsnooze @person`: reminders about them resume now.
pub async fn unsnooze(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let who = "{@}";
    let about = |text: String| Text::about(&text, &person.user_id);
    let framework = report.framework_id.as_ref().map_or("", FrameworkId::as_str);
    let ended = bot
        .store()
        .unsnooze(
            &person.user_id,
            &bot.settings().cadence_for(framework),
            caller,
            now,
        )
        .await?;
    if !ended {
        return Ok(Reply::paragraph(about(format!(
            "Reminders about {who} are not paused, so nothing was changed."
        ))));
    }
    bot.wake().ring();
    Ok(Reply::paragraph(about(format!(
        "Reminders about {who} are on again."
    ))))
}
