//! `history @person`: conversations and acknowledgements over time. Visible to the person,
//! their manager and admins; a private note only to the one who wrote it.

use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};

/// Shows the history of `person`'s career conversations.
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
    let sees_everything =
        *caller == person.user_id || is_manager || bot.settings().is_admin(caller);
    let mut history = bot.store().history(&person.user_id).await?;
    if !sees_everything {
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
    if history.is_empty() {
        return Ok(Reply::paragraph(
            Text::from("No career conversations are recorded for ")
                .mention(&person.user_id)
                .push(" yet."),
        ));
    }
    let answers = bot.store().answers_of(&person.user_id).await?;
    let engine = bot.engine();
    let mut reply = Reply::new().with_heading(
        Text::from("Career conversations: ")
            .mention(&person.user_id)
            .push(format!(" ({})", history.len())),
    );
    for checkin in &history {
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
                level_label(&engine, framework, checkin.level_discussed)
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
        reply = reply.with_bullets(Some(checkin.held_on.to_string()), items);
    }
    Ok(reply)
}
