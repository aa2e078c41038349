//! `team`: the caller's reports, with framework, level, last conversation, next due date and
//! status (ok / due / overdue / snoozed), and a reminder about them held back ("away until
//! D" when the report is away; the outbox's reason otherwise).

use chrono::{DateTime, Utc};

use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::checkins::Status;
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};

/// How `team` shows a reminder held back: "away until D" when the report is away, else the
/// reason as the outbox has it.
fn held_text(reason: &str) -> String {
    match reason.strip_prefix("deferred: report ") {
        Some(away) => away.to_owned(),
        None => format!("reminder {reason}"),
    }
}

/// Lists the caller's reports.
pub async fn run(bot: &Bot, caller: &UserId, now: DateTime<Utc>) -> Result<Reply, HandlerError> {
    let reports = bot.store().reports_of(caller).await?;
    if reports.is_empty() {
        return Ok(Reply::paragraph(
            "You have no reports yet. Add one with `add @person FRAMEWORK LEVEL`.",
        ));
    }
    let today = bot.local_date(caller, now).await?;
    let engine = bot.engine();
    let mut held = Vec::with_capacity(reports.len());
    for row in &reports {
        let deferral = bot
            .store()
            .pending_deferrals(Some(&row.person.user_id))
            .await?
            .into_iter()
            .find(|deferral| deferral.recipient == caller.as_str());
        held.push(deferral.map(|deferral| held_text(&deferral.reason)));
    }
    let mut counts = [0usize; 4];
    let items = reports
        .iter()
        .zip(&held)
        .map(|(row, held)| {
            let person = &row.person;
            let framework = person
                .framework_id
                .as_ref()
                .map_or("?", FrameworkId::as_str);
            let cadence = bot.settings().cadence_for(framework);
            let (status, next) = match person.timeline() {
                Some(timeline) => {
                    let schedule = cadence.schedule(&timeline);
                    (
                        cadence.status(&timeline, today),
                        schedule.due_on.to_string(),
                    )
                }
                None => (Status::Ok, "unknown".to_owned()),
            };
            counts[status as usize] += 1;
            let last = match (&row.last_held_on, &row.last_ack_status) {
                (Some(date), Some(ack)) if ack != "pending" => format!("{date} ({ack})"),
                (Some(date), _) => format!("{date} (not yet confirmed)"),
                (None, _) => "none yet".to_owned(),
            };
            let mut status_text = match (status, person.snoozed_until) {
                (Status::Snoozed, Some(until)) => format!("snoozed until {until}"),
                _ => status.word().to_owned(),
            };
            if let Some(held) = held {
                status_text.push_str(" · ");
                status_text.push_str(held);
            }
            Text::new().mention(&person.user_id).push(format!(
                ": {} · last conversation {last} · next due {next} · {status_text}",
                level_label(&engine, framework, person.level),
            ))
        })
        .collect();
    let [ok, due, overdue, snoozed] = counts;
    Ok(Reply::new()
        .with_heading(format!("Your reports ({})", reports.len()))
        .with_bullets(None, items)
        .with_context(format!(
            "{ok} ok · {due} due · {overdue} overdue · {snoozed} snoozed. Record a conversation with `done @person`."
        )))
}
