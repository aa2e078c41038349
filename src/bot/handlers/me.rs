//! `me`: the caller's framework, level, manager, last and next conversation, the focus areas
//! agreed last time, and what their next level asks for.

use chrono::{DateTime, Utc};

use crate::bot::messages::{level_label, next_level_question};
use crate::bot::{Bot, HandlerError};
use crate::ids::UserId;
use crate::reply::{Field, Reply, Text};

/// Shows the caller's own career picture.
pub async fn run(bot: &Bot, caller: &UserId, now: DateTime<Utc>) -> Result<Reply, HandlerError> {
    let person = bot.store().person(caller).await?.filter(|p| p.active);
    let Some((person, framework)) = person.and_then(|p| {
        p.framework_id
            .clone()
            .map(|framework| (p, framework.into_string()))
    }) else {
        return Ok(Reply::paragraph(
            "You are not on a career framework yet. Ask your manager to add you with `add @you FRAMEWORK LEVEL`; meanwhile you can ask about any level, e.g. `frameworks`.",
        ));
    };
    let engine = bot.engine();
    let today = bot.local_date(caller, now).await?;
    let history = bot.store().history(caller).await?;
    let mut fields = vec![Field::new(
        "Manager",
        match person.manager_id.as_ref() {
            Some(manager) => Text::new().mention(manager),
            None => Text::from("none"),
        },
    )];
    fields.push(Field::new(
        "Last conversation",
        match history.first() {
            Some(last) => format!("{} ({})", last.held_on, last.ack_status),
            None => "none yet".to_owned(),
        },
    ));
    // What the last conversation agreed: the areas to grow in until the next one.
    if let Some(agreed) = bot.store().agreed_last(caller).await?
        && !agreed.focus.is_empty()
    {
        fields.push(Field::new("Focus areas", agreed.focus.join(", ")));
    }
    if let Some(timeline) = person.timeline() {
        let cadence = bot.settings().cadence_for(&framework);
        let schedule = cadence.schedule(&timeline);
        fields.push(Field::new(
            "Next conversation",
            format!(
                "due {} ({})",
                schedule.due_on,
                cadence.status(&timeline, today).word()
            ),
        ));
    }
    let mut reply = Reply::new()
        .with_heading(format!(
            "You: {}",
            level_label(&engine, &framework, person.level)
        ))
        .with_fields(fields);
    if history
        .iter()
        .any(|checkin| checkin.ack_status == "pending")
    {
        reply = reply.with_context("A conversation is waiting for your confirmation: reply `ack`, or `dispute [reason]` if it did not happen.");
    }
    if let Some(question) = next_level_question(&engine, &framework, person.level) {
        reply = reply.with_divider().append(engine.ask(&question).reply);
    }
    Ok(reply)
}
