//! One small handler per command, dispatched by one exhaustive `match`.

mod access;
mod asking;
mod assess;
mod checkin;
mod corrections;
mod dimensions;
mod evidence;
mod help;
mod history;
mod home;
mod home_growth;
mod me;
mod overdue;
mod people;
mod prep;
mod requests;
pub mod stats;
mod team;

pub use access::{can_manage, manages_now, may_oversee, require_manager};
pub use asking::{ask_as, record_of};
pub use assess::{FormData, FormDimension, assessment_form, other_side_visible};
pub use evidence::{DimensionChoice, EvidenceForm, first_link};
pub use overdue::{Oversight, Waiting, oversight, waiting};

use chrono::{DateTime, Utc};

use tracing::Instrument;

use super::command::{Command, CommandKind};
use super::error::{INTERNAL_ERROR_REPLY, READ_ONLY_REPLY};
use super::mention::Mention;
use super::{Bot, HandlerError, Request};
use crate::ids::UserId;
use crate::reply::{Reply, Text};

/// Runs `command` for `request`. Never fails: errors become a sentence.
pub async fn dispatch(bot: &Bot, request: &Request, command: Command) -> Reply {
    run(bot, &request.user, command, Extras::default(), request.now)
        .await
        .unwrap_or_else(|error| error_reply(&error))
}

/// What a button or form adds to a [`Command`]: details typed words cannot carry. A typed
/// command has none.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The check-in an `ack` or `dispute` button was on (typed, they answer the latest one).
    pub checkin_id: Option<i64>,
    /// The level discussed and the once-only key of a `done` from the record form.
    pub recording: Option<Recording>,
    /// The request to join a team an `accept` or `decline` button was on (typed, they answer
    /// the open request from the person they name).
    pub request_id: Option<i64>,
    /// What the "Log as evidence" form adds to a `log`: link, note, dimension, once-only key.
    pub evidence: Option<EvidenceForm>,
}

/// Runs `command` for `caller`: the one way in for typed commands, buttons and forms alike, so
/// they pass the same checks. Callers that show errors their own way get them as values.
///
/// It runs in a `command` span with the caller and the command's kind (never its words:
/// questions and notes are private), and the framework once a handler knows it; an internal
/// error is logged here, once, inside that span. On a read-only database a command that would
/// change records is refused here ([`HandlerError::ReadOnly`]) before its handler runs; so is
/// one that would take its caller over the per-user limit on changes
/// ([`crate::bot::rate_limit`], counted at `now`), with a sentence saying when to try again.
pub async fn run(
    bot: &Bot,
    caller: &UserId,
    command: Command,
    extras: Extras,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let kind = command.kind().map_or("ask", CommandKind::name);
    let span = tracing::info_span!(
        "command",
        user = %caller,
        kind,
        framework = tracing::field::Empty,
    );
    async move {
        let result = if command.is_read_only() {
            run_in_span(bot, caller, command, extras, now).await
        } else if bot.store().is_read_only() {
            Err(HandlerError::ReadOnly)
        } else if let Err(exceeded) = bot.rate_limiter().check(caller, now) {
            tracing::warn!(
                max = exceeded.limit.max,
                "a user reached the limit on changes"
            );
            Err(HandlerError::Refused(rate_limited(&exceeded, now)))
        } else {
            run_in_span(bot, caller, command, extras, now).await
        };
        if let Err(HandlerError::Internal(error)) = &result {
            tracing::error!(%error, "a handler failed");
        }
        result
    }
    .instrument(span)
    .await
}

/// The sentence for a command refused by the per-user limit on changes.
fn rate_limited(exceeded: &crate::bot::rate_limit::Exceeded, now: DateTime<Utc>) -> Text {
    let window = exceeded.limit.window;
    let window = if window == chrono::Duration::minutes(1) {
        "minute".to_owned()
    } else {
        format!("{} seconds", window.num_seconds())
    };
    Text::from(format!(
        "You have made {} changes in the last {window}, the most I take from one person in that time, so nothing was recorded. Try again in {} seconds.",
        exceeded.limit.max,
        exceeded.seconds_from(now)
    ))
}

/// Notes the framework a command is about in the current `command` span.
pub(crate) fn record_framework(framework_id: &str) {
    tracing::Span::current().record("framework", framework_id);
}

async fn run_in_span(
    bot: &Bot,
    caller: &UserId,
    command: Command,
    extras: Extras,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    match command {
        Command::Ask(question) => Ok(ask_as(bot, caller, &question).await?.reply),
        Command::Help => Ok(help::reply(bot)),
        Command::HelpOn { topic } => Ok(help::on(bot, &topic)),
        Command::Team => team::run(bot, caller, now).await,
        Command::TeamOf { manager } => team::of(bot, caller, &manager, now).await,
        Command::Overdue => overdue::run(bot, caller, now).await,
        Command::Stats { months, png } => {
            stats::run(bot, caller, months, png.as_deref(), now).await
        }
        Command::Me => me::run(bot, caller, now).await,
        Command::Add {
            person,
            framework,
            level,
        } => people::add(bot, caller, &person, &framework, &level, now).await,
        Command::Move { person, manager } => {
            people::move_to(bot, caller, &person, &manager, now).await
        }
        Command::Remove { person } => people::remove(bot, caller, &person, now).await,
        Command::Level { person, level } => {
            people::set_level(bot, caller, &person, &level, now).await
        }
        Command::Framework {
            person,
            framework,
            level,
        } => people::set_framework(bot, caller, &person, &framework, &level, now).await,
        Command::Unsnooze { person } => corrections::unsnooze(bot, caller, &person, now).await,
        Command::Undo { person } => corrections::undo(bot, caller, &person, now).await,
        Command::TimeZone { zone } => people::time_zone(bot, caller, zone.as_deref(), now).await,
        Command::Done {
            person,
            date,
            note,
            focus,
            next_steps,
        } => {
            let agreed = checkin::Agreement { focus, next_steps };
            checkin::done_agreeing(
                bot,
                caller,
                &person,
                date,
                note,
                agreed,
                extras.recording,
                now,
            )
            .await
        }
        Command::Assess { person, action } => {
            assess::run(bot, caller, person.as_ref(), action, now).await
        }
        Command::Prep { person } => prep::run(bot, caller, person.as_ref(), now).await,
        Command::Ack => checkin::acknowledge(bot, caller, extras.checkin_id, now).await,
        Command::Dispute { reason } => {
            checkin::dispute(bot, caller, extras.checkin_id, reason, now).await
        }
        Command::Snooze {
            person,
            until,
            reason,
        } => checkin::snooze(bot, caller, &person, until, reason, now).await,
        Command::History { person } => {
            let person = person.unwrap_or_else(|| Mention {
                user_id: caller.clone(),
                name: None,
            });
            history::run(bot, caller, &person).await
        }
        Command::Accept { manager } => {
            requests::accept(bot, caller, &manager, extras.request_id, now).await
        }
        Command::Decline { manager } => {
            requests::decline(bot, caller, &manager, extras.request_id, now).await
        }
        Command::Log {
            person,
            text,
            dimension,
        } => {
            evidence::log(
                bot,
                caller,
                person.as_ref(),
                &text,
                dimension.as_deref(),
                extras.evidence,
                now,
            )
            .await
        }
        Command::Evidence { person, all } => {
            evidence::list(bot, caller, person.as_ref(), all).await
        }
        Command::Unlog { id } => evidence::unlog(bot, caller, id, now).await,
    }
}

/// Answers a question without knowing who asks (one about the asker gets the sentence saying
/// where to ask it; [`ask_as`] answers it from their record) and counts it in the metrics.
pub fn ask(bot: &Bot, question: &str) -> crate::ask::Answer {
    let answer = bot.engine().ask(question);
    count_question(bot, &answer.query);
    answer
}

/// Counts a question in the metrics by intent and notes its framework in the current
/// `command` span.
pub fn count_question(bot: &Bot, query: &crate::ask::Query) {
    bot.metrics().question(intent_name(query.intent()));
    if let Some(framework) = query.framework() {
        record_framework(framework);
    }
}

/// The label of an intent in metrics (the same words as `ask --json`).
pub fn intent_name(intent: crate::ask::Intent) -> &'static str {
    use crate::ask::Intent;
    match intent {
        Intent::Level => "level",
        Intent::Compare => "compare",
        Intent::Titles => "titles",
        Intent::Dimension => "dimension",
        Intent::Frameworks => "frameworks",
        Intent::Help => "help",
        Intent::Unknown => "unknown",
        Intent::SmallTalk => "smalltalk",
        Intent::Personal => "personal",
        Intent::Search => "search",
    }
}

/// The reply for an error from a handler that did not go through [`run`] (opening a form,
/// the App Home): an internal error is logged here, in the caller's span, and not shown.
pub fn unlogged_error_reply(error: &HandlerError) -> Reply {
    if let HandlerError::Internal(error) = error {
        tracing::error!(%error, "a handler failed");
    }
    error_reply(error)
}

/// The reply for an error from [`run`]. Internal errors are not shown; `run` has logged them.
pub fn error_reply(error: &HandlerError) -> Reply {
    match error {
        HandlerError::Refused(message) | HandlerError::Invalid(message) => {
            Reply::paragraph(message.clone())
        }
        HandlerError::ReadOnly => Reply::paragraph(READ_ONLY_REPLY),
        HandlerError::Internal(_) => Reply::paragraph(INTERNAL_ERROR_REPLY),
    }
}

pub use checkin::{Agreement, Recording, done, done_agreeing, focus_choices};
pub use home::home;
