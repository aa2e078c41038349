//! Adding someone who has had another manager: `add` asks them first (a DM with yes / no),
//! and `accept @manager` / `decline @manager` (or the DM's buttons) answer. Until they say
//! yes nothing changes on their record, so nobody can take over someone's record, or message
//! them as their manager, by adding them after a `remove`.

use chrono::{DateTime, Utc};

use crate::bot::mention::Mention;
use crate::bot::messages::{self, level_label};
use crate::bot::{Bot, HandlerError};
use crate::frameworks::Framework;
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::outbox::{NewMessage, kind};
use crate::store::people::NewReport;
use crate::store::requests::{
    AddRequest, Answered, NewAddRequest, RequestStatus, Requested, request_key,
};

/// `add` for someone who has had another manager, by someone who is not an admin: asks the
/// person whether `caller` may add them at `level` of `framework`.
pub async fn ask(
    bot: &Bot,
    caller: &UserId,
    person: &Mention,
    framework: &Framework,
    level: u32,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let engine = bot.engine();
    let label = level_label(&engine, &framework.id, Some(level));
    let message_label = label.clone();
    let requester = caller.clone();
    let message = move |request: &AddRequest| NewMessage {
        key: request_key(request.id),
        kind: kind::ADD_REQUEST,
        recipient: request.person_id.to_string(),
        // So a request the person can no longer accept (they joined a team meanwhile) is
        // superseded, not sent.
        report_id: Some(request.person_id.clone()),
        payload: messages::add_request(&requester, &message_label, request.id),
        planned_for: now,
    };
    let requested = bot
        .store()
        .request_add(
            &NewAddRequest {
                person_id: person.user_id.clone(),
                requester_id: caller.clone(),
                framework_id: FrameworkId::new(framework.id.clone()),
                level,
                display_name: person.name.clone(),
            },
            &message,
            now,
        )
        .await?;
    let who = person.user_id.as_str();
    match requested {
        Requested::New(_) => {
            bot.wake().ring();
            Ok(Reply::paragraph(Text::template(
                &format!(
                    "{{@}} has had another manager before, so I've asked them whether you may add them ({label}). They join your team once they say yes; an admin can add them directly."
                ),
                &[who],
            )))
        }
        Requested::Updated(_) => {
            bot.wake().ring();
            Ok(Reply::paragraph(Text::template(
                &format!(
                    "You had already asked {{@}} to join your team; the request now says {label}. They join your team once they say yes."
                ),
                &[who],
            )))
        }
        Requested::RecentlyDeclined(declined) => Err(HandlerError::Refused(Text::template(
            &format!(
                "{{@}} said no to joining your team on {}, so I'm not asking them again until a day has passed. Talk with them, or ask an admin to add them.",
                day(declined.answered_at.as_deref())
            ),
            &[who],
        ))),
    }
}

/// The first ten characters of a stored time: its day.
fn day(at: Option<&str>) -> &str {
    at.map_or("?", |at| &at[..10.min(at.len())])
}

/// The request the caller is answering: the one a button was on (`request_id`), else the
/// latest one from `manager`. A request that is not the caller's, not from `manager`, or
/// already answered gets a sentence saying so.
async fn target(
    bot: &Bot,
    caller: &UserId,
    manager: &Mention,
    request_id: Option<i64>,
) -> Result<AddRequest, HandlerError> {
    let found = match request_id {
        Some(id) => bot.store().add_request(id).await?,
        None => {
            bot.store()
                .latest_add_request(caller, &manager.user_id)
                .await?
        }
    };
    let found = found
        .filter(|request| request.person_id == *caller && request.requester_id == manager.user_id);
    match found {
        Some(request) if request.status == RequestStatus::Pending => Ok(request),
        Some(request) => Err(HandlerError::Invalid(Text::template(
            &format!(
                "You already said {} to {{@}}'s request on {}, so nothing was changed.",
                if request.status == RequestStatus::Accepted {
                    "yes"
                } else {
                    "no"
                },
                day(request.answered_at.as_deref())
            ),
            &[manager.user_id.as_str()],
        ))),
        None => Err(HandlerError::Invalid(Text::about(
            "There is no open request from {@} to add you to their team, so nothing was changed.",
            &manager.user_id,
        ))),
    }
}

/// `accept @manager`: the caller joins the team of `manager`, who asked to add them.
pub async fn accept(
    bot: &Bot,
    caller: &UserId,
    manager: &Mention,
    request_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let request = target(bot, caller, manager, request_id).await?;
    let requester = request.requester_id.clone();
    let engine = bot.engine();
    let Some(framework) = engine.library().get(request.framework_id.as_str()) else {
        return Err(HandlerError::Invalid(Text::about(
            &format!(
                "{{@}} asked to add you on the framework \"{}\", which is no longer loaded, so nothing was changed. Ask them to add you again.",
                request.framework_id
            ),
            &requester,
        )));
    };
    let label = level_label(&engine, &framework.id, Some(request.level));
    // Someone coming back keeps their start date, as with `add`.
    let existing = bot.store().person(caller).await?;
    let start_date = match existing
        .as_ref()
        .filter(|person| person.framework_id.is_some())
        .and_then(|person| person.start_date)
    {
        Some(start) => start,
        None => bot.local_date(&requester, now).await?,
    };
    let cadence = bot.settings().cadence_for(&framework.id);
    let report = NewReport {
        user_id: caller.clone(),
        display_name: request.display_name.clone(),
        framework_id: request.framework_id.clone(),
        level: request.level,
        manager_id: requester.clone(),
        start_date,
        time_zone: None,
        cadence,
    };
    let notice = NewMessage {
        key: format!("add_answer:{}", request.id),
        kind: kind::NOTICE,
        recipient: requester.to_string(),
        report_id: None,
        payload: messages::add_request_answered(caller, true, &label),
        planned_for: now,
    };
    let answered = bot
        .store()
        .accept_add_request(request.id, &report, &notice, now)
        .await?;
    match answered {
        Answered::Done(_) => {
            bot.wake().ring();
            let due = bot
                .store()
                .person(caller)
                .await?
                .and_then(|person| person.timeline())
                .map(|timeline| {
                    format!(
                        " Your next career conversation is due on {}.",
                        cadence.schedule(&timeline).due_on
                    )
                })
                .unwrap_or_default();
            Ok(Reply::paragraph(Text::about(
                &format!(
                    "You are on {{@}}'s team now ({label}); I've told them. They see your record from today on, not your earlier conversations.{due}"
                ),
                &requester,
            )))
        }
        Answered::AlreadyTracked(person) => {
            let manager = person.manager_id.unwrap_or_else(|| requester.clone());
            Err(HandlerError::Refused(Text::about(
                "You are already on {@}'s team, so nothing was changed. To change teams, ask them or an admin to `move` you.",
                &manager,
            )))
        }
        Answered::NotOpen => Err(HandlerError::Invalid(Text::about(
            "There is no open request from {@} to add you to their team, so nothing was changed.",
            &requester,
        ))),
    }
}

/// `decline @manager`: the caller says no to joining `manager`'s team.
pub async fn decline(
    bot: &Bot,
    caller: &UserId,
    manager: &Mention,
    request_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let request = target(bot, caller, manager, request_id).await?;
    let requester = request.requester_id.clone();
    let label = level_label(
        &bot.engine(),
        request.framework_id.as_str(),
        Some(request.level),
    );
    let notice = NewMessage {
        key: format!("add_answer:{}", request.id),
        kind: kind::NOTICE,
        recipient: requester.to_string(),
        report_id: None,
        payload: messages::add_request_answered(caller, false, &label),
        planned_for: now,
    };
    match bot
        .store()
        .decline_add_request(request.id, caller, &notice, now)
        .await?
    {
        Answered::Done(_) => {
            bot.wake().ring();
            Ok(Reply::paragraph(Text::about(
                "You said no: {@} did not add you to their team, and I've told them.",
                &requester,
            )))
        }
        Answered::AlreadyTracked(_) | Answered::NotOpen => Err(HandlerError::Invalid(Text::about(
            "There is no open request from {@} to add you to their team, so nothing was changed.",
            &requester,
        ))),
    }
}
