//! `stats [--months N]`: how career conversations are going, per manager and overall, for an
//! admin (everyone) or a manager (their reporting line); with the on-time chart, which Slack
//! posts as an image and the shell writes with `--png FILE`. The App Home and the weekly
//! digest show the same figures ([`figures`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::overdue::{Oversight, oversight};
use crate::bot::{Bot, HandlerError};
use crate::checkins::chart;
use crate::checkins::org::Org;
use crate::checkins::stats::{self, Answer, Conversation, Conversations, Figures, Scope, Stats};
use crate::ids::UserId;
use crate::reply::{Field, Reply, Text};
use crate::store::StoreError;
use crate::store::values::AckStatus;

/// At most this many managers in the table (the largest first); the rest are counted.
const MAX_MANAGER_ROWS: usize = 15;

/// The figures for `scope` over the `months` months ending `today`: one read of the
/// conversations in the window, then one of the org chart above their managers.
pub async fn figures(
    bot: &Bot,
    scope: Scope<'_>,
    today: NaiveDate,
    months: u32,
) -> Result<Stats, StoreError> {
    let from = stats::window_start(today, months);
    let settings = bot.settings();
    let mut conversations = Conversations::default();
    bot.store()
        .held_between(from, today, |row| {
            let cadence = settings.cadence_for(row.framework_id.unwrap_or(""));
            let manager = conversations.manager(row.manager_id);
            conversations.push(Conversation {
                manager,
                held_on: row.held_on,
                previous: row.previous,
                cadence,
                answer: match row.ack_status {
                    AckStatus::Pending => Answer::Pending,
                    AckStatus::Acknowledged => Answer::Confirmed,
                    AckStatus::Disputed => Answer::Disputed,
                },
            });
        })
        .await?;
    let managers: Vec<&str> = conversations
        .managers()
        .iter()
        .map(UserId::as_str)
        .collect();
    let org = Org::new(bot.store().management_edges(&managers).await?);
    Ok(stats::compute(&conversations, &org, scope, today, months))
}

/// The reply and the chart of `stats`.
pub struct StatsView {
    /// The table.
    pub reply: Reply,
    /// The chart as a PNG; `None` when not asked for, when nothing was held in the window
    /// (nothing to draw) or when drawing failed (logged).
    pub png: Option<Vec<u8>>,
}

/// `stats` for `caller`; with `chart`, the chart too (drawing it is most of the work when
/// few conversations are in the window, so a reply without one skips it).
pub async fn view(
    bot: &Bot,
    caller: &UserId,
    months: u32,
    now: DateTime<Utc>,
    chart: bool,
) -> Result<StatsView, HandlerError> {
    let oversight = oversight(bot, caller).await?;
    let today = bot.local_date(caller, now).await?;
    let scope = match oversight {
        Oversight::Everyone => Scope::Everyone,
        Oversight::Line(_) => Scope::LineOf(caller),
    };
    Ok(build(bot, scope, today, months, chart).await?)
}

/// `stats` across the whole organisation on `today`, as an admin sees it (the command line's
/// `career-bot stats`).
pub async fn organisation(
    bot: &Bot,
    today: NaiveDate,
    months: u32,
    chart: bool,
) -> Result<StatsView, StoreError> {
    build(bot, Scope::Everyone, today, months, chart).await
}

async fn build(
    bot: &Bot,
    scope: Scope<'_>,
    today: NaiveDate,
    months: u32,
    chart: bool,
) -> Result<StatsView, StoreError> {
    let stats = figures(bot, scope, today, months).await?;
    let png = if !chart || stats.overall.held == 0 {
        None
    } else {
        let names = team_names(bot, &stats).await?;
        let label = |id: &UserId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        // Without a chart the table still answers; the failure is for the log.
        chart::on_time_png(&stats, &label)
            .inspect_err(|error| tracing::error!(%error, "the stats chart failed"))
            .ok()
    };
    Ok(StatsView {
        reply: reply(&stats, months, matches!(scope, Scope::Everyone)),
        png,
    })
}

/// `stats` typed in chat: the table. A `--png FILE` is refused here: only the shell writes
/// files (in Slack the chart is posted with the table).
pub async fn run(
    bot: &Bot,
    caller: &UserId,
    months: u32,
    png: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    if png.is_some() {
        return Err(HandlerError::Invalid(Text::from(
            "`--png FILE` writes the chart to a file, which only the shell and the command line do; here, `stats` shows the chart with the table.",
        )));
    }
    Ok(view(bot, caller, months, now, false).await?.reply)
}

/// The names of the chart's teams, for its legend.
async fn team_names(bot: &Bot, stats: &Stats) -> Result<HashMap<UserId, String>, StoreError> {
    let mut names = HashMap::new();
    for team in stats.teams.iter().filter_map(|team| team.team.as_ref()) {
        if let Some(person) = bot.store().person(team).await? {
            names.insert(team.clone(), person.name().to_owned());
        }
    }
    Ok(names)
}

/// A share as a percentage, or a dash when there is nothing to divide.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |share| format!("{:.0}%", share * 100.0))
}

fn days(median: Option<f64>) -> String {
    match median {
        None => "–".to_owned(),
        Some(days) if days.fract() == 0.0 => format!("{days:.0}"),
        Some(days) => format!("{days:.1}"),
    }
}

/// The headline figures as label/value pairs (the App Home and the digest show them too).
pub fn headline(figures: &Figures) -> Vec<Field> {
    let field = |label: &str, value: String| Field {
        label: label.to_owned(),
        value: Text::from(value),
    };
    vec![
        field("Held", figures.held.to_string()),
        field("On time", percent(figures.on_time_share())),
        field("Median days late", days(figures.median_days_late())),
        field("Disputes", figures.disputed.to_string()),
        field("Confirmed", percent(figures.confirmed_share())),
    ]
}

fn reply(stats: &Stats, months: u32, everyone: bool) -> Reply {
    let whose = if everyone {
        "across the organisation"
    } else {
        "in your reporting line"
    };
    let mut reply = Reply::new()
        .with_heading(format!("Career conversations, last {months} months"))
        .with_paragraph(format!("{} to {}, {whose}.", stats.from, stats.to))
        .with_fields(headline(&stats.overall));
    if stats.overall.held == 0 {
        return reply.with_context("No conversations were recorded in this time.");
    }
    let rows: Vec<Text> = stats
        .per_manager
        .iter()
        .take(MAX_MANAGER_ROWS)
        .map(|(manager, figures)| {
            Text::new().mention(manager).push(format!(
                ": {} held · {} on time · median {} days late · {} disputed · {} confirmed",
                figures.held,
                percent(figures.on_time_share()),
                days(figures.median_days_late()),
                figures.disputed,
                percent(figures.confirmed_share()),
            ))
        })
        .collect();
    reply = reply.with_bullets(Some("Per manager".to_owned()), rows);
    let more = stats.per_manager.len().saturating_sub(MAX_MANAGER_ROWS);
    let more = if more > 0 {
        format!(" {more} more managers are in the totals.")
    } else {
        String::new()
    };
    reply.with_context(format!(
        "On time: held before the conversation was overdue. Days late: the median of the late ones.{more}"
    ))
}
