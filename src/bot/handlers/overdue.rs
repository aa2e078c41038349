//! `overdue`: everyone whose career conversation is due, overdue or snoozed, across the
//! organisation for an admin and across their reporting line (reports of reports) for a
//! manager.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::bot::{Bot, HandlerError};
use crate::checkins::deferral::HeldBecause;
use crate::checkins::{Status, Timeline};
use crate::ids::UserId;
use crate::reply::{Reply, Text};

/// One person who needs a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The report.
    pub report_id: UserId,
    /// Their manager.
    pub manager_id: UserId,
    /// Their last conversation, else their start.
    pub anchor_on: NaiveDate,
    /// Where they stand: due, overdue or snoozed (never ok).
    pub status: Status,
    /// When it became (or becomes) overdue.
    pub overdue_on: NaiveDate,
    /// Snoozed until, when snoozed.
    pub snoozed_until: Option<NaiveDate>,
    /// Why the reminder about them is held back, when it is ("away until 2026-05-06" when
    /// the report is away, "manager away until …" when their manager is).
    pub held: Option<String>,
}

/// Whose people `overdue` and `stats` cover.
pub enum Oversight {
    /// An admin: everyone.
    Everyone,
    /// A manager: their reporting line.
    Line(HashSet<UserId>),
}

/// What `caller` oversees; a refusal for someone who is neither an admin nor a manager.
pub async fn oversight(bot: &Bot, caller: &UserId) -> Result<Oversight, HandlerError> {
    if bot.settings().is_admin(caller) {
        return Ok(Oversight::Everyone);
    }
    let line = super::access::org(bot).await?.reporting_line(caller);
    if line.is_empty() {
        return Err(HandlerError::Refused(Text::from(
            "Only admins and managers can see this: nobody reports to you, so there is nobody to show.",
        )));
    }
    Ok(Oversight::Line(line))
}

/// Everyone in `oversight` who is due, overdue or snoozed on `today`: overdue first (longest
/// overdue first), then due, then snoozed.
pub async fn waiting(
    bot: &Bot,
    oversight: &Oversight,
    today: NaiveDate,
) -> Result<Vec<Waiting>, HandlerError> {
    let held = held_reminders(bot).await?;
    let mut waiting: Vec<Waiting> = bot
        .store()
        .tracked_reports()
        .await?
        .into_iter()
        .filter(|report| match oversight {
            Oversight::Everyone => true,
            Oversight::Line(line) => line.contains(&report.user_id),
        })
        .filter_map(|report| {
            let cadence = bot.settings().cadence_for(report.framework_id.as_str());
            let timeline = Timeline {
                anchor: report.anchor_on,
                snoozed_until: report.snoozed_until,
            };
            let status = cadence.status(&timeline, today);
            (status != Status::Ok).then(|| Waiting {
                held: held.get(&report.user_id).cloned(),
                report_id: report.user_id,
                manager_id: report.manager_id,
                anchor_on: report.anchor_on,
                status,
                overdue_on: cadence.schedule(&timeline).overdue_on,
                snoozed_until: report.snoozed_until.filter(|until| *until > today),
            })
        })
        .collect();
    let rank = |status: Status| match status {
        Status::Overdue => 0,
        Status::Due => 1,
        Status::Snoozed | Status::Ok => 2,
    };
    waiting.sort_by(|a, b| {
        rank(a.status)
            .cmp(&rank(b.status))
            .then(a.overdue_on.cmp(&b.overdue_on))
            .then_with(|| a.report_id.cmp(&b.report_id))
    });
    Ok(waiting)
}

/// Why each report's reminder is held back (the first held reminder about them), from the
/// outbox: the same reasons `team` shows.
async fn held_reminders(bot: &Bot) -> Result<HashMap<UserId, String>, HandlerError> {
    let mut held = HashMap::new();
    for deferral in bot.store().pending_deferrals().await? {
        let Some(report) = deferral.report_id else {
            continue;
        };
        let reason = match HeldBecause::of(&deferral.reason) {
            HeldBecause::Report(away) => away.to_owned(),
            HeldBecause::Recipient(why) => format!("manager {why}"),
        };
        held.entry(report).or_insert(reason);
    }
    Ok(held)
}

/// `overdue`.
pub async fn run(bot: &Bot, caller: &UserId, now: DateTime<Utc>) -> Result<Reply, HandlerError> {
    let oversight = oversight(bot, caller).await?;
    let today = bot.local_date(caller, now).await?;
    let waiting = waiting(bot, &oversight, today).await?;
    let whose = match oversight {
        Oversight::Everyone => "across the organisation",
        Oversight::Line(_) => "in your reporting line",
    };
    if waiting.is_empty() {
        return Ok(Reply::paragraph(format!(
            "Nobody {whose} is due, overdue or snoozed."
        )));
    }
    let count = |status: Status| waiting.iter().filter(|w| w.status == status).count();
    let held = waiting.iter().filter(|w| w.held.is_some()).count();
    let mut summary = format!(
        "{} overdue · {} due · {} snoozed {whose}",
        count(Status::Overdue),
        count(Status::Due),
        count(Status::Snoozed)
    );
    if held > 0 {
        summary.push_str(&format!(
            "; {held} with the reminder held back (away or a day off)"
        ));
    }
    summary.push('.');
    let items: Vec<Text> = waiting.iter().map(line).collect();
    Ok(Reply::new()
        .with_heading(format!("Conversations waiting ({})", waiting.len()))
        .with_bullets(None, items)
        .with_context(summary))
}

/// One person as `overdue` lists them.
fn line(waiting: &Waiting) -> Text {
    let state = match (waiting.status, waiting.snoozed_until) {
        (Status::Snoozed, Some(until)) => format!("snoozed until {until}"),
        (Status::Overdue, _) => format!("overdue since {}", waiting.overdue_on),
        _ => format!("due, overdue from {}", waiting.overdue_on),
    };
    Text::new()
        .mention(&waiting.report_id)
        .push(" (manager ")
        .mention(&waiting.manager_id)
        .push(format!("): {state} · last {}", waiting.anchor_on))
        .push(
            waiting
                .held
                .as_ref()
                .map(|held| format!(" · {held}"))
                .unwrap_or_default(),
        )
}
