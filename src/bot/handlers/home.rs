//! The home view: for a manager, their reports with status, next due date and buttons, and
//! for each their evidence since the last conversation and whether each side has assessed; for
//! everyone, their own level, next conversation, evidence count, focus areas, a way to see
//! what the next level asks for, "Log evidence" and, close to the conversation, "Prepare"
//! ([`super::home_growth`]); for an admin, the headline figures of `stats` across the
//! organisation. Slack shows it as the App Home tab.

use chrono::{DateTime, Utc};

use super::home_growth;
use crate::bot::messages::{
    level_label, next_level_question, prepare_button, record_button, snooze_button,
};
use crate::bot::{Bot, HandlerError};
use crate::checkins::Status;
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Action, Reply, Text, actions};

/// The home view for `user`.
pub async fn home(bot: &Bot, user: &UserId, now: DateTime<Utc>) -> Result<Reply, HandlerError> {
    let engine = bot.engine();
    let today = bot.local_date(user, now).await?;
    let mut reply = Reply::new().with_heading("Career conversations");
    if bot.settings().is_admin(user) {
        let months = crate::checkins::stats::DEFAULT_MONTHS;
        let stats =
            super::stats::figures(bot, crate::checkins::stats::Scope::Everyone, today, months)
                .await?;
        reply = reply
            .with_paragraph(format!("Across the organisation, last {months} months"))
            .with_fields(super::stats::headline(&stats.overall))
            .with_context(
                "`stats` shows them per manager, with a chart; `overdue` lists who is waiting.",
            )
            .with_divider();
    }
    let reports = bot.store().reports_of(user).await?;
    if !reports.is_empty() {
        reply = reply.with_paragraph(format!("Your reports ({})", reports.len()));
        for row in &reports {
            let person = &row.person;
            let framework = person
                .framework_id
                .as_ref()
                .map_or("?", FrameworkId::as_str);
            let cadence = bot.settings().cadence_for(framework);
            let Some(timeline) = person.timeline() else {
                continue;
            };
            let schedule = cadence.schedule(&timeline);
            let status = cadence.status(&timeline, today);
            let status_text = match (status, person.snoozed_until) {
                (Status::Snoozed, Some(until)) => format!("snoozed until {until}"),
                _ => status.word().to_owned(),
            };
            let last = row
                .last_held_on
                .map(|date| date.to_string())
                .unwrap_or_else(|| "none yet".to_owned());
            let growth = home_growth::growth(bot, person).await?;
            let mut buttons = vec![
                record_button(&person.user_id, timeline.anchor),
                snooze_button(&person.user_id, timeline.anchor),
            ];
            if home_growth::in_prep_window(bot, schedule.due_on, today)
                && growth.manager != home_growth::Assessed::Submitted
            {
                buttons.push(prepare_button(&person.user_id, false));
            }
            reply = reply
                .with_paragraph(Text::new().mention(&person.user_id).push(format!(
                    " · {} · last {last} · next due {} · {status_text}",
                    level_label(&engine, framework, person.level),
                    schedule.due_on
                )))
                .with_context(home_growth::report_line(&person.user_id, &growth))
                .with_actions(buttons);
        }
        reply = reply.with_divider();
    }
    match bot.store().person(user).await?.filter(|p| p.active) {
        Some(me) if me.framework_id.is_some() => {
            let framework = me
                .framework_id
                .clone()
                .map(FrameworkId::into_string)
                .unwrap_or_default();
            let due_on = me.timeline().map(|timeline| {
                bot.settings()
                    .cadence_for(&framework)
                    .schedule(&timeline)
                    .due_on
            });
            let next = due_on
                .map(|date| format!("Your next career conversation is due on {date}."))
                .unwrap_or_default();
            reply = reply.with_paragraph(format!(
                "You: {}. {next}",
                level_label(&engine, &framework, me.level)
            ));
            let growth = home_growth::growth(bot, &me).await?;
            let mut facts = format!(
                "{} since your last conversation.",
                home_growth::evidence_words(growth.evidence)
            );
            if !growth.focus.is_empty() {
                facts.push_str(&format!(" Focus areas: {}.", growth.focus.join(", ")));
            }
            if growth.own == home_growth::Assessed::Submitted {
                facts.push_str(" Your assessment for the coming conversation is submitted.");
            }
            reply = reply.with_paragraph(facts);
            // Preparing needs someone to prepare with: a manager.
            let preparing = me.manager_id.is_some()
                && due_on.is_some_and(|due| home_growth::in_prep_window(bot, due, today));
            let mut buttons = home_growth::own_actions(&me.user_id, &growth, preparing);
            if let Some(question) = next_level_question(&engine, &framework, me.level) {
                buttons.push(Action::Button {
                    label: "What does my next level need?".to_owned(),
                    action_id: actions::ASK.to_owned(),
                    value: question.clone(),
                    primary: false,
                    typed: Some(question),
                });
            }
            reply = reply.with_actions(buttons);
        }
        _ => {
            // Evidence can be logged untagged before someone is on a framework.
            reply = reply
                .with_paragraph(
                    "You are not on a career framework yet. Ask about any level with `/career help`.",
                )
                .with_actions(vec![home_growth::log_evidence_button(user)]);
        }
    }
    Ok(reply.with_context("Type `/career help` for everything I can do."))
}
