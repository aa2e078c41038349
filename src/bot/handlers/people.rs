//! `add`, `move`, `remove`, `level` and `timezone`: keeping the org chart.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::access::require_manager;
use crate::bot::mention::Mention;
use crate::bot::messages::{level_label, mention};
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::Reply;
use crate::store::people::NewReport;

/// `add @person FRAMEWORK LEVEL`: the caller becomes the person's manager.
pub async fn add(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    framework: &str,
    level: &str,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    if person.user_id == *caller {
        return Err(HandlerError::Invalid(
            "You can't be your own manager. Ask your manager to add you.".to_owned(),
        ));
    }
    let engine = bot.engine();
    let found = engine
        .find_framework(framework)
        .map_err(HandlerError::Invalid)?;
    let number = engine
        .find_level(found, level)
        .map_err(HandlerError::Invalid)?;
    if let Some(existing) = bot.store().person(&person.user_id).await?
        && existing.active
        && existing.framework_id.is_some()
        && let Some(manager) = existing.manager_id.as_ref()
        && manager != caller
        && !bot.settings().is_admin(caller)
    {
        return Err(HandlerError::Refused(format!(
            "{} is already on {}'s team, so nothing was changed. Ask them or an admin to `move {} {}`.",
            mention(&person.user_id),
            mention(manager),
            mention(&person.user_id),
            mention(caller)
        )));
    }
    let start_date = bot.local_date(caller, now).await?;
    let cadence = bot.settings().cadence_for(&found.id);
    bot.store()
        .add_report(
            &NewReport {
                user_id: person.user_id.clone(),
                display_name: person.name.clone(),
                framework_id: FrameworkId::new(found.id.clone()),
                level: number,
                manager_id: caller.clone(),
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
    Ok(Reply::paragraph(format!(
        "Added {} to your team: {}.{due}",
        mention(&person.user_id),
        level_label(&engine, &found.id, Some(number))
    )))
}

/// `move @person @new-manager`.
pub async fn move_to(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    manager: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    if person.user_id == manager.user_id {
        return Err(HandlerError::Invalid(
            "Someone can't be their own manager; name a different person.".to_owned(),
        ));
    }
    let report = require_manager(bot, caller, &person.user_id).await?;
    if report.manager_id.as_ref() == Some(&manager.user_id) {
        return Ok(Reply::paragraph(format!(
            "{} is already on {}'s team; nothing to change.",
            mention(&person.user_id),
            mention(&manager.user_id)
        )));
    }
    let framework = report.framework_id.as_ref().map_or("", FrameworkId::as_str);
    bot.store()
        .move_report(
            &person.user_id,
            &manager.user_id,
            &bot.settings().cadence_for(framework),
            caller,
            now,
        )
        .await?;
    Ok(Reply::paragraph(format!(
        "Moved {} to {}'s team. Reminders about them now go to {}.",
        mention(&person.user_id),
        mention(&manager.user_id),
        mention(&manager.user_id)
    )))
}

/// `remove @person`: stop tracking; history stays.
pub async fn remove(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    require_manager(bot, caller, &person.user_id).await?;
    bot.store().deactivate(&person.user_id, caller, now).await?;
    Ok(Reply::paragraph(format!(
        "Removed {} from your team. Their conversation history is kept; `add` them again to resume.",
        mention(&person.user_id)
    )))
}

/// `level @person N`.
pub async fn set_level(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    level: &str,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let engine = bot.engine();
    let framework_id = report
        .framework_id
        .clone()
        .map(FrameworkId::into_string)
        .unwrap_or_default();
    let framework = engine.library().get(&framework_id).ok_or_else(|| {
        HandlerError::Invalid(format!(
            "{}'s framework \"{framework_id}\" is no longer loaded; `add` them again with a current one.",
            mention(&person.user_id)
        ))
    })?;
    let number = engine
        .find_level(framework, level)
        .map_err(HandlerError::Invalid)?;
    bot.store()
        .set_level(&person.user_id, number, caller, now)
        .await?;
    Ok(Reply::paragraph(format!(
        "{} is now at {}.",
        mention(&person.user_id),
        level_label(&engine, &framework_id, Some(number))
    )))
}

/// `timezone [ZONE]`: show or set the caller's own time zone.
pub async fn time_zone(
    bot: &Bot,
    caller: &UserId,
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
        .map_err(|error| HandlerError::Invalid(error.to_string()))?;
    bot.store()
        .update_profile(caller, None, Some(parsed.name()), caller, now)
        .await?;
    Ok(Reply::paragraph(format!(
        "Your time zone is now {}. Reminders reach you at the reminder time there.",
        parsed.name()
    )))
}
