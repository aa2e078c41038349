//! `add`, `move`, `remove`, `level` and `timezone`: keeping the org chart.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::access::{may_add_without_asking, require_manager};
use crate::ask::Engine;
use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::people::{NewReport, Person};

/// Why `add` changes nothing for someone who is already tracked, and what to use instead.
fn already_tracked(
    engine: &Engine,
    existing: &Person,
    manager: &UserId,
    caller: &UserId,
    caller_is_admin: bool,
) -> Text {
    let who = existing.user_id.as_str();
    let (manager, caller_id) = (manager.as_str(), caller.as_str());
    if manager == caller_id {
        let placement = level_label(
            engine,
            existing
                .framework_id
                .as_ref()
                .map_or("", FrameworkId::as_str),
            existing.level,
        );
        return Text::about(
            &format!(
                "{{@}} is already on your team ({placement}), so nothing was changed. \
                 Use `level {{@}} N` to change their level, `framework {{@}} FRAMEWORK LEVEL` to change their framework, \
                 or `move {{@}} @manager` to hand them to someone else."
            ),
            who,
        );
    }
    if caller_is_admin {
        return Text::template(
            "{@} is already on {@}'s team, so nothing was changed. Use `move {@} @new-manager` to hand them to someone else.",
            &[who, manager, who],
        );
    }
    Text::template(
        "{@} is already on {@}'s team, so nothing was changed. Ask them or an admin to `move {@} {@}`.",
        &[who, manager, who, caller_id],
    )
}

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
    let existing = bot.store().person(&person.user_id).await?;
    if let Some(existing) = &existing
        && existing.active
        && existing.framework_id.is_some()
        && let Some(manager) = existing.manager_id.as_ref()
    {
        return Err(HandlerError::Refused(already_tracked(
            &engine,
            existing,
            manager,
            caller,
            bot.settings().is_admin(caller),
        )));
    }
    // Someone who has had another manager is not taken over by whoever adds them first: an
    // admin adds them, anyone else asks them (see `requests`).
    if !may_add_without_asking(bot, caller, &person.user_id).await? {
        return super::requests::ask(bot, caller, person, found, number, now).await;
    }
    let today = bot.local_date(caller, now).await?;
    // Someone coming back keeps their history: the cadence counts from their last
    // conversation (the store anchors on the later of that and the start date), so the
    // original start date is kept rather than today.
    let returning = existing
        .as_ref()
        .filter(|person| person.framework_id.is_some());
    let start_date = returning
        .and_then(|person| person.start_date)
        .unwrap_or(today);
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
    let back = match returning.and_then(|person| person.anchor_on) {
        Some(last) => format!(
            " They were tracked before: their history is kept, and the cadence counts from {last}."
        ),
        None => String::new(),
    };
    Ok(Reply::paragraph(
        Text::from("Added")
            .push(" ")
            .mention(&person.user_id)
            .push(format!(
                " to your team: {}.{back}{due}",
                level_label(&engine, &found.id, Some(number))
            )),
    ))
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
            "Someone can't be their own manager; name a different person.".into(),
        ));
    }
    let report = require_manager(bot, caller, &person.user_id).await?;
    if report.manager_id.as_ref() == Some(&manager.user_id) {
        return Ok(Reply::paragraph(
            Text::new()
                .mention(&person.user_id)
                .push(" is already on ")
                .mention(&manager.user_id)
                .push("'s team; nothing to change."),
        ));
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
    caller: &UserId,
    person: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let tracked = bot
        .store()
        .person(&person.user_id)
        .await?
        .filter(|p| p.active && p.framework_id.is_some());
    if tracked.is_none() {
        return Err(HandlerError::Invalid(Text::about(
            "{@} is not on your team (nor anyone's), so there is nothing to remove.",
            &person.user_id,
        )));
    }
    let report = require_manager(bot, caller, &person.user_id).await?;
    bot.store().deactivate(&person.user_id, caller, now).await?;
    let whose = match report.manager_id.as_ref() {
        Some(manager) if manager != caller => Text::new().mention(manager).push("'s team"),
        _ => Text::from("your team"),
    };
    Ok(Reply::paragraph(
        Text::from("Removed ")
            .mention(&person.user_id)
            .push(" from ")
            .append(whose)
            .push(". Their conversation history is kept; `add` them again to resume."),
    ))
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
        HandlerError::Invalid(Text::new().mention(&person.user_id).push(format!(
            "'s framework \"{framework_id}\" is no longer loaded; `add` them again with a current one."
        )))
    })?;
    // `{@}` marks where the person is mentioned (see `Text::about`).
    let who = "{@}";
    let about = |text: String| Text::about(&text, &person.user_id);
    let label = |number: Option<u32>| level_label(&engine, &framework_id, number);
    let step = match level.trim().to_lowercase().as_str() {
        "next" | "up" => Some(true),
        "previous" | "prev" | "down" => Some(false),
        _ => None,
    };
    let number = match (step, report.level) {
        (None, _) => engine
            .find_level(framework, level)
            .map_err(|message| HandlerError::Invalid(message.into()))?,
        (Some(_), None) => {
            return Err(HandlerError::Invalid(about(format!(
                "{who} has no level yet; give one: `level {who} N` ({}).",
                framework.level_range_text()
            ))));
        }
        (Some(up), Some(current)) => {
            let target = if up {
                framework.next_level(current)
            } else {
                framework.previous_level(current)
            };
            match target {
                Some(target) => target.number,
                None => {
                    return Err(HandlerError::Invalid(about(format!(
                        "{who} is at {}, the {} level of {}, so nothing was changed.",
                        label(Some(current)),
                        if up { "top" } else { "first" },
                        framework.name
                    ))));
                }
            }
        }
    };
    if report.level == Some(number) {
        return Ok(Reply::paragraph(about(format!(
            "{who} is already at {}, so nothing was changed.",
            label(Some(number))
        ))));
    }
    bot.store()
        .set_level(&person.user_id, number, caller, now)
        .await?;
    let text = match report.level {
        Some(previous) => format!(
            "{who} is now at {}. (Before: {}.)",
            label(Some(number)),
            label(Some(previous))
        ),
        None => format!("{who} is now at {}.", label(Some(number))),
    };
    Ok(Reply::paragraph(about(text)))
}

/// `framework @person FRAMEWORK LEVEL`: moves a report to another framework.
pub async fn set_framework(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    framework: &str,
    level: &str,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let report = require_manager(bot, caller, &person.user_id).await?;
    let engine = bot.engine();
    let found = engine
        .find_framework(framework)
        .map_err(|message| HandlerError::Invalid(message.into()))?;
    let number = engine
        .find_level(found, level)
        .map_err(|message| HandlerError::Invalid(message.into()))?;
    let who = "{@}";
    let about = |text: String| Text::about(&text, &person.user_id);
    let before = level_label(
        &engine,
        report.framework_id.as_ref().map_or("", FrameworkId::as_str),
        report.level,
    );
    if report.framework_id.as_ref().map(FrameworkId::as_str) == Some(found.id.as_str())
        && report.level == Some(number)
    {
        return Ok(Reply::paragraph(about(format!(
            "{who} is already at {before}, so nothing was changed."
        ))));
    }
    bot.store()
        .set_framework(
            &person.user_id,
            &FrameworkId::new(found.id.clone()),
            number,
            &bot.settings().cadence_for(&found.id),
            caller,
            now,
        )
        .await?;
    Ok(Reply::paragraph(about(format!(
        "{who} is now at {}. (Before: {before}.)",
        level_label(&engine, &found.id, Some(number))
    ))))
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
        .map_err(|error| HandlerError::Invalid(error.to_string().into()))?;
    bot.store()
        .update_profile(caller, None, Some(parsed.name()), caller, now)
        .await?;
    Ok(Reply::paragraph(format!(
        "Your time zone is now {}. Reminders reach you at the reminder time there.",
        parsed.name()
    )))
}
