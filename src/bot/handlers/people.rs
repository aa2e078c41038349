//! `add`, `move`, `remove`, `level` and `timezone`: keeping the org chart.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::access::require_manager;
use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::reply::{Reply, Text};
use crate::store::people::NewReport;

/// `add @person FRAMEWORK LEVEL`: the caller becomes the person's manager.
pub async fn add(
    bot: &Bot,
    caller: &str,
    person: &Mention,
    framework: &str,
    level: &str,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    if person.user_id == caller {
        return Err(HandlerError::Invalid(
            "You can't be your own manager. Ask your manager to add you.".into(),
        ));
    }
    let engine = bot.engine();
    let found = engine
        .find_framework(framework)
        .map_err(|message| HandlerError::Invalid(message.into()))?;
    let number = engine
        .find_level(found, level)
        .map_err(|message| HandlerError::Invalid(message.into()))?;
    if let Some(existing) = bot.store().person(&person.user_id).await?
        && existing.active
        && existing.framework_id.is_some()
        && let Some(manager) = existing.manager_id.as_deref()
        && manager != caller
        && !bot.settings().is_admin(caller)
    {
        return Err(HandlerError::Refused(
            Text::new()
                .mention(&person.user_id)
                .push(" is already on ")
                .mention(manager)
                .push("'s team, so nothing was changed. Ask them or an admin to `move ")
                .mention(&person.user_id)
                .push(" ")
                .mention(caller)
                .push("`."),
        ));
    }
    let start_date = bot.local_date(caller, now).await?;
    let cadence = bot.settings().cadence_for(&found.id);
    bot.store()
        .add_report(
            &NewReport {
                user_id: person.user_id.clone(),
                display_name: person.name.clone(),
                framework_id: found.id.clone(),
                level: number,
                manager_id: caller.to_owned(),
                start_date,
                time_zone: None,
                cadence,
            },
            caller,
            now,
        )
        .await?;
    let due = bot
        .store()
        .person(&person.user_id)
        .await?
        .and_then(|p| p.timeline())
        .map(|timeline| cadence.schedule(&timeline).due_on);
    let due = due
        .map(|date| format!(" Their next career conversation is due on {date}."))
        .unwrap_or_default();
    Ok(Reply::paragraph(
        Text::from("Added ").mention(&person.user_id).push(format!(
            " to your team: {}.{due}",
            level_label(&engine, &found.id, Some(number))
        )),
    ))
}

/// `move @person @new-manager`.
pub async fn move_to(
    bot: &Bot,
    caller: &str,
    person: &Mention,
    manager: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    if person.user_id == manager.user_id {
        return Err(HandlerError::Invalid(
            "Someone can't be their own manager; name a different person.".into(),
        ));
    }
    let report = require_manager(bot, caller, &person.user_id).await?;
    if report.manager_id.as_deref() == Some(manager.user_id.as_str()) {
        return Ok(Reply::paragraph(
            Text::new()
                .mention(&person.user_id)
                .push(" is already on ")
                .mention(&manager.user_id)
                .push("'s team; nothing to change."),
        ));
    }
    let framework = report.framework_id.as_deref().unwrap_or_default();
    bot.store()
        .move_report(
            &person.user_id,
            &manager.user_id,
            &bot.settings().cadence_for(framework),
            caller,
            now,
        )
        .await?;
    Ok(Reply::paragraph(
        Text::from("Moved ")
            .mention(&person.user_id)
            .push(" to ")
            .mention(&manager.user_id)
            .push("'s team. Reminders about them now go to ")
            .mention(&manager.user_id)
            .push("."),
    ))
}

/// `remove @person`: stop tracking; history stays.
pub async fn remove(
    bot: &Bot,
    caller: &str,
    person: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    require_manager(bot, caller, &person.user_id).await?;
    bot.store().deactivate(&person.user_id, caller, now).await?;
    Ok(Reply::paragraph(
        Text::from("Removed ").mention(&person.user_id).push(
            " from your team. Their conversation history is kept; `add` them again to resume.",
        ),
    ))
}

/// `level @person N`.
pub async fn set_level(
    bot: &Bot,
    caller: &str,
    person: &Mention,
    level: &str,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let engine = bot.engine();
    let framework_id = report.framework_id.clone().unwrap_or_default();
    let framework = engine.library().get(&framework_id).ok_or_else(|| {
        HandlerError::Invalid(Text::new().mention(&person.user_id).push(format!(
            "'s framework \"{framework_id}\" is no longer loaded; `add` them again with a current one."
        )))
    })?;
    let number = engine
        .find_level(framework, level)
        .map_err(|message| HandlerError::Invalid(message.into()))?;
    bot.store()
        .set_level(&person.user_id, number, caller, now)
        .await?;
    Ok(Reply::paragraph(Text::new().mention(&person.user_id).push(
        format!(
            " is now at {}.",
            level_label(&engine, &framework_id, Some(number))
        ),
    )))
}

/// `timezone [ZONE]`: show or set the caller's own time zone.
pub async fn time_zone(
    bot: &Bot,
    caller: &str,
    zone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let Some(zone) = zone else {
        let stored = bot.store().person(caller).await?.and_then(|p| p.time_zone);
        let shown = match &stored {
            Some(zone) => zone.clone(),
            None => format!("not set (using {})", bot.settings().default_time_zone),
        };
        return Ok(Reply::paragraph(format!(
            "Your time zone: {shown}. Set it with `timezone Area/City`, e.g. `timezone Europe/Berlin`."
        )));
    };
    let parsed: Tz = crate::checkins::time_zone::parse_time_zone(zone)
        .map_err(|error| HandlerError::Invalid(error.to_string().into()))?;
    bot.store()
        .update_profile(caller, None, Some(parsed.name()), caller, now)
        .await?;
    Ok(Reply::paragraph(format!(
        "Your time zone is now {}. Reminders reach you at the reminder time there.",
        parsed.name()
    )))
}
