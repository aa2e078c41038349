//! `team`: the caller's reports, with framework, level, last conversation, next due date and
//! status (ok / due / overdue / snoozed), and a reminder about them held back ("away until
//! D" when the report is away; the outbox's reason otherwise); `team @manager`: that
//! manager's team, for admins and the managers above them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::checkins::Status;
use crate::checkins::deferral::HeldBecause;
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};

/// How `team` shows a reminder held back: "away until D" when the report is away, else the
/// reason as the outbox has it.
fn held_text(reason: &str) -> String {
    match HeldBecause::of(reason) {
        HeldBecause::Report(away) => away.to_owned(),
        HeldBecause::Recipient(why) => format!("reminder deferred: {why}"),
    }
}

/// Lists the caller's reports.
pub async fn run(bot: &Bot, caller: &UserId, now: DateTime<Utc>) -> Result<Reply, HandlerError> {
    show(bot, caller, caller, now).await
}

/// Lists `manager`'s reports, when the caller is them, an admin or a manager above them.
pub async fn of(
    bot: &Bot,
    caller: &UserId,
    manager: &Mention,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let manager = &manager.user_id;
    if manager == caller {
        return run(bot, caller, now).await;
    }
    if !super::access::may_oversee(bot, caller, manager).await? {
        return Err(HandlerError::Refused(
            Text::from("Only admins and the managers above ")
                .mention(manager)
                .push(" can see their team; `team` alone shows yours."),
        ));
    }
    show(bot, caller, manager, now).await
}

async fn show(
    bot: &Bot,
    caller: &UserId,
    manager: &UserId,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let own = caller == manager;
    let reports = bot.store().reports_of(manager).await?;
    if reports.is_empty() {
        return Ok(Reply::paragraph(if own {
            Text::from("You have no reports yet. Add one with `add @person FRAMEWORK LEVEL`.")
        } else {
            Text::new().mention(manager).push(" has no reports.")
        }));
    }
    let today = bot.local_date(caller, now).await?;
    let engine = bot.engine();
    // The reminders held back to this manager, in one query (one per report cost a `team`
    // of 50 reports 50 round trips), the oldest for each report.
    let mut held_by_report: HashMap<UserId, String> = HashMap::new();
    for deferral in bot.store().pending_deferrals_to(manager.as_str()).await? {
        if let Some(report) = deferral.report_id {
            held_by_report
                .entry(report)
                .or_insert_with(|| held_text(&deferral.reason));
        }
    }
    let held: Vec<Option<String>> = reports
        .iter()
        .map(|row| held_by_report.get(&row.person.user_id).cloned())
        .collect();
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
    let heading = if own {
        Text::from(format!("Your reports ({})", reports.len()))
    } else {
        Text::from("Reports of ")
            .mention(manager)
            .push(format!(" ({})", reports.len()))
    };
    let hint = if own {
        " Record a conversation with `done @person`."
    } else {
        ""
    };
    Ok(Reply::new()
        .with_heading(heading)
        .with_bullets(None, items)
        .with_context(format!(
            "{ok} ok · {due} due · {overdue} overdue · {snoozed} snoozed.{hint}"
        )))
}
