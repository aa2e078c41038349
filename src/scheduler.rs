//! The reminder scheduler: [`tick`] plans due reminders into the outbox and delivers what is
//! ready through a [`Chat`]; [`run`] calls it on a timer inside `serve`, and [`supervise`]
//! starts [`run`] again if it ever ends.
//!
//! # Nothing lost, nothing sent twice (but one window)
//!
//! Every message goes through a row in the `outbox` table before it is sent:
//!
//! 1. **Planning** inserts a row whose key is unique: `reminder:REPORT:MANAGER:START:INDEX`
//!    (START is the day reminders began, INDEX counts repeats), `digest:SLOT`, `ack:CHECKIN`.
//!    Planning the same reminder again — a second pass in the same slot, or a pass after a
//!    restart — inserts nothing. A missed slot (the bot was down) yields only the latest
//!    reminder, sent late, not one per missed slot. The one exception is a reminder that was
//!    cancelled before any attempt to send it (say the report moved to another manager) and
//!    is due again with the same key (they moved back before the next repeat): it is
//!    revived, so it still goes out, once. A pass reads who is due before it writes, so the
//!    write plans a reminder only if its report still has the manager, anchor and snooze it
//!    was computed from: a conversation recorded in between wins over the stale pass. The
//!    "Reminder N" a reminder says is counted at planning, from the reminders about that
//!    report actually sent to that manager in the current due period (see
//!    [`crate::store::Store::sent_reminder_counts`]), not from INDEX: the first one sent is
//!    "Reminder 1" even when its slot was not the first, and a snooze does not restart it.
//! 2. **Claiming** marks ready rows `sending` and leases them for `[delivery] lease` (five
//!    minutes by default), in a committed transaction, so no concurrent pass can take them.
//!    A batch that outlasts its lease (a slow chat) renews it before each send once half of
//!    it is spent, and leaves out any message another replica took over meanwhile (see
//!    `lease`).
//! 3. **Checking**, right before each message is sent (not once per claimed batch: against a
//!    slow chat a batch of 500 takes minutes): the stale-message rule,
//!    [`crate::store::Store::superseded_among`], on a connection the pass keeps for the
//!    batch ([`StaleCheck`]). On SQLite that is one query on the message's rows; on
//!    PostgreSQL one query covers the message and the next ones of the batch, and later
//!    messages are answered from it while no change notice has come since
//!    ([`crate::store::changes`]: as fresh as asking, without a round trip per message). A
//!    row whose purpose is gone (`done`, `move`, `remove`, `snooze`, an answered
//!    confirmation…) is marked `superseded` and left out; a retried row is checked again at
//!    each attempt.
//! 4. **Sending**, then **marking sent**: each delivered message is handed at once to a
//!    marker task that commits every mark waiting for it in one statement, and repeats
//!    (group commit). A pass returns only when all its marks are committed.
//!
//! **Marks are never dropped.** A mark that cannot be committed (another writer holds the
//! database longer than the busy timeout: an `import-org` of 100,000 rows holds it for about
//! 20 s) is retried, with backoff, until it commits: the message *was* sent, and a row left
//! `sending` would be sent again when its lease ran out. While a mark is failing, or marks
//! have waited more than a second, nothing more is sent; after a failure the pass stops, puts
//! the rest of its batch back untried, waits for the marks to commit and returns. So a long
//! writer delays delivery; it no longer doubles it.
//!
//! **One DM per manager per slot.** The reminders one manager has for one slot (several
//! reports due at once) go out as one message listing them all, most overdue first, split
//! only where the chat's limits require ([`Chat::fits`]; Slack's is 50 blocks). Each stays
//! its own row with its own key, so nothing is lost, doubled or stale: the stale-message rule
//! is applied to each row right before the message is sent (a superseded one is left out and
//! the message said again without it; a group left with one row is sent as that reminder
//! alone); the rows sent together are marked sent with the same channel and ts; on a 429 or
//! a temporary failure they are put back together; a permanent failure marks each of them
//! failed. Claims keep a manager's rows of one slot together (see
//! [`crate::store::Store::claim_ready`]).
//!
//! **Several replicas.** Planning is insert-if-absent on the unique keys above, so replicas
//! planning the same pass plan each message once. They also take turns
//! ([`crate::store::planning`]): a replica that finds another planning waits for it, plans
//! nothing itself and delivers what the other planned, so three replicas starting a pass
//! together do the planning once, not three times. The digest, which reads everyone and
//! computes the people team's figures before its one row, is also claimed per slot
//! (`Store::claim_job_slot`, see [`crate::store::job_claims`]): one replica builds it, the
//! others skip the work; a run that fails gives the slot back.
//!
//! **The duplicate window, closed but for one case.** A crash between 1 and 2 leaves
//! `pending` rows: the next pass sends them (nothing lost). A crash between 2 and 4 leaves
//! `sending` rows whose outcome is unknown: Slack's `chat.postMessage` has no idempotency
//! key, and it may have posted the message before the process died. So every message
//! carries its outbox keys in Slack message metadata (`career_bot_outbox`, see
//! `crate::slack::outbox_metadata`), and before such a row is sent again its DM's history is
//! read ([`Chat::sent_since`], `conversations.history` with metadata, scope `im:history`,
//! from the row's claim time less a minute): a row found there is marked sent where it
//! landed; one not found is sent as before. This happens at start-up ([`recover_checking`],
//! before [`recover`] makes the rest ready) and whenever a pass finds a row whose lease ended
//! still `sending`. A failed look-up falls back to sending (nothing lost), and is logged.
//!
//! One case remains: Slack accepted the message but does not yet return it in history
//! (it is written, but the read reaches a replica that has not seen it). Then the message is
//! sent again. It needs a crash within moments of the post *and* a restart fast enough to
//! read history before Slack's own replication catches up, so it should be rare; it is
//! counted rather than guessed: `career_bot_outbox_recovered_total{outcome="found"}` counts
//! messages recovery found, `{outcome="resent"}` those it sent again. A resent message that
//! turns out to be a duplicate shows up as two messages with the same key in the DM's
//! metadata, which an operator can count over a period (`conversations.history` with
//! `include_all_metadata`) against `resent`. Channel posts (the digest, alerts) are not
//! looked up (the bot has no scope to read channels), so a crash while posting one may still
//! post it twice. A DM whose send had an unknown outcome while the process lived — no answer
//! within the Slack client's time limit, a dropped connection, an HTTP status without
//! Slack's answer ([`SendError::Unknown`]), or a send shutdown abandoned after
//! [`STOP_GRACE`] — stays `sending` with its error until its retry time, so it too is looked
//! up before it is sent again. (Slack's own `ok: false` answers say it did not post: those
//! go back `pending` and are retried without a look-up.)

//! Failures: a 429 stops the pass and retries after `Retry-After` (at most
//! [`MAX_RETRY_AFTER`] at a time, whatever the header says); other temporary failures — no
//! answer within the Slack client's time limit, a dropped connection, any HTTP status
//! without a Slack error (a proxy's 408, a 5xx), Slack errors that are not final — retry with
//! exponential backoff; a message still failing a day after its slot, or failing permanently
//! (Slack's own final errors: `channel_not_found`, `not_in_channel`…), is marked `failed`,
//! logged, and reported to the admin channel. When Slack refuses the bot token itself
//! (`invalid_auth`), every message fails alike: each is given up, and the admin channel and
//! the log are told once a day, not once per message (the alert waits for a working token).
//!
//! **Time arithmetic never panics.** Leases, backoffs and rate-limit pauses are added with
//! checked arithmetic that saturates at the end of time, so no chat answer (a `Retry-After`
//! of a billion years) can end the task; and if anything ever does, [`supervise`] starts it
//! again, while `/readyz` fails and the log and `career_bot_scheduler_running` say why.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::Instrument;

use crate::bot::Bot;
use crate::bot::messages::{self, OverdueLine, ReminderFacts, ReminderList};
use crate::chat::{Chat, Delivered, Recipient, SendError};
use crate::checkins::Timeline;
use crate::checkins::away::Presence;
use crate::ids::UserId;
use crate::reply::Reply;
use crate::store::StoreError;
use crate::store::job_claims::{Job, JobSlot};
use crate::store::open::Backend;
use crate::store::outbox::{
    MessageKind, NewMessage, OutboxRow, PlannedReminder, ReminderPeriod, SentMark, SentMarkWriter,
    kind,
};
use crate::store::people::DueCandidate;
use crate::store::planning::PlanningTurn;
use crate::store::stale_check::StaleCheck;
use crate::wake::Wake;

mod lease;
mod pause;
mod unknown_outcome;

pub use unknown_outcome::Recovered;

/// How many messages one claim takes.
const BATCH: u32 = 500;
/// After this long past its slot, a message that keeps failing is given up.
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(1);
/// The longest wait between two attempts at a message after temporary failures.
const MAX_BACKOFF: chrono::Duration = chrono::Duration::hours(1);
/// Digest slots older than this are not sent (the bot was down for longer).
const DIGEST_LOOKBACK_DAYS: u64 = 2;
/// How many reports' time zones one query of [`plan_prep`] reads: well within every
/// database's limit on bound parameters (SQLite's is 32,766).
const PREP_ZONES_PER_QUERY: usize = 500;
/// The longest pause one rate limit imposes: a longer `Retry-After` (a bug, or a header that
/// means something else) is read as this, and the pause asked again after it if need be.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);
/// Once a stop is requested (shutdown), how long delivery may go on: new sends start during
/// the first half, the send in flight and the last marks' commit may take all of it. A send
/// the chat has not answered by then is abandoned and put back (it may have been delivered:
/// see the duplicate window); marks not committed by then are logged as messages that will
/// go out again.
pub const STOP_GRACE: Duration = Duration::from_secs(5);
/// Marks that have waited this long for their commit pause sending until they are committed.
const MARK_STALL: Duration = Duration::from_secs(1);
/// The longest wait between two attempts to commit marks.
const MARK_RETRY_MAX: Duration = Duration::from_secs(2);
/// The settings key remembering the last day the token refusal was reported.
const TOKEN_REFUSED_DAY: &str = "delivery.token_refused_day";

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Messages planned (new, or cancelled reminders revived).
    pub planned: usize,
    /// Messages delivered (outbox rows: a DM listing several reminders counts each).
    pub sent: usize,
    /// Messages put back for a later attempt (rows, as `sent`).
    pub retried: usize,
    /// Messages given up (rows, as `sent`).
    pub failed: usize,
    /// Messages not sent because their purpose was gone (see
    /// [`crate::store::Store::superseded_among`]).
    pub superseded: usize,
    /// Messages held back (recipient or report away, do not disturb, a day off): each stays
    /// in the outbox, pending, and goes out later.
    pub deferred: Vec<DeferredMessage>,
}

/// A message a pass held back, for its summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredMessage {
    /// The outbox key.
    pub key: String,
    /// Whom it is for.
    pub recipient: String,
    /// Why, and until when (`deferred: away until 2026-05-06`).
    pub reason: String,
}

/// `at` plus `by`, saturating at the last representable time instead of panicking.
fn later(at: DateTime<Utc>, by: chrono::Duration) -> DateTime<Utc> {
    at.checked_add_signed(by)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether, and since when, the scheduler was asked to stop.
#[derive(Clone)]
struct Stopping(Option<watch::Receiver<Option<Instant>>>);

impl Stopping {
    /// For a pass nobody stops ([`tick`]).
    fn never() -> Self {
        Self(None)
    }

    fn requested(&self) -> bool {
        self.0.as_ref().is_some_and(|rx| rx.borrow().is_some())
    }

    /// Whether a new send may start: always, and until half of [`STOP_GRACE`] after a stop
    /// request, so that a send started then still has the other half to be answered.
    fn may_start_send(&self) -> bool {
        match self.0.as_ref().and_then(|rx| *rx.borrow()) {
            None => true,
            Some(at) => at.elapsed() < STOP_GRACE / 2,
        }
    }

    /// When the stop was requested; pending until it is.
    async fn requested_at(&self) -> Instant {
        if let Some(rx) = &self.0 {
            let mut rx = rx.clone();
            if let Ok(at) = rx.wait_for(Option::is_some).await
                && let Some(at) = *at
            {
                return at;
            }
        }
        std::future::pending().await
    }

    /// Resolves [`STOP_GRACE`] after the stop request; pending until one is made.
    async fn deadline(&self) {
        let at = self.requested_at().await;
        tokio::time::sleep_until(at + STOP_GRACE).await;
    }
}

/// One scheduler pass at `now`: plan, then deliver. It runs in a `scheduler_pass` span, and
/// each message's send in a `delivery` span with its outbox key, so every log line (the Slack
/// client's too) says which pass and which message it is about.
pub async fn tick<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    tick_until(bot, chat, now, &Stopping::never()).await
}

/// [`tick`], ending early (see [`STOP_GRACE`]) once `stopping` is requested.
async fn tick_until<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
    stopping: &Stopping,
) -> Result<TickReport, StoreError> {
    let span = tracing::info_span!("scheduler_pass", at = %now);
    async {
        let planned = plan_in_turn(bot, now).await?;
        let mut report = deliver_until(bot, chat, now, stopping).await?;
        report.planned = planned;
        Ok(report)
    }
    .instrument(span)
    .await
}

/// [`plan`], when it is this replica's turn: on a database several replicas share, a replica
/// that finds another planning waits for it and plans nothing itself (see
/// [`crate::store::planning`]); its pass then delivers what the other planned.
async fn plan_in_turn(bot: &Bot, now: DateTime<Utc>) -> Result<usize, StoreError> {
    match bot.store().planning_turn().await? {
        PlanningTurn::Ours(turn) => {
            let planned = plan(bot, now).await;
            if let Err(error) = turn.release().await {
                // Its connection is closed all the same, which ends the lock.
                tracing::warn!(%error, "cannot hand back the turn to plan");
            }
            planned
        }
        PlanningTurn::Waited => {
            tracing::debug!("another replica planned this pass");
            Ok(0)
        }
    }
}

/// Which `sending` rows start-up may take as a dead process's: all of them on a database
/// only this process serves (SQLite: one replica), only those whose lease has ended on one
/// several replicas share (PostgreSQL), where a running lease may be a live replica's send.
fn interrupted_by(bot: &Bot, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (bot.store().backend() == Backend::Postgres).then_some(now)
}

/// At start-up: messages a previous process was sending become ready again (on a shared
/// database, those whose lease has ended; see [`interrupted_by`]).
pub async fn recover(bot: &Bot, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let requeued = bot
        .store()
        .requeue_interrupted(now, interrupted_by(bot, now))
        .await?;
    if requeued > 0 {
        tracing::warn!(
            requeued,
            "re-queued messages interrupted by a previous shutdown or crash"
        );
    }
    Ok(requeued)
}

/// At start-up, with a chat that can read its DMs' history: each message a previous process
/// was sending is first looked for in its DM (see [`Chat::sent_since`]); one found there is
/// marked sent, the others become ready again, as [`recover`] makes them.
pub async fn recover_checking<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
) -> Result<Recovered, StoreError> {
    let unknown = bot
        .store()
        .unknown_outcomes(interrupted_by(bot, now))
        .await?;
    if unknown.is_empty() {
        return Ok(Recovered::default());
    }
    let recovered = unknown_outcome::settle(bot, chat, unknown, now).await?;
    recover(bot, now).await?;
    tracing::info!(
        found = recovered.found,
        resent = recovered.resent,
        "recovered messages interrupted by a previous shutdown or crash"
    );
    Ok(recovered)
}

/// Plans every reminder and digest that is due at `now`. Returns how many were new (or
/// revived, see [`crate::store::Store::plan_reminders`]).
pub async fn plan(bot: &Bot, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let settings = bot.settings();
    let engine = bot.engine();
    // Zones ahead of UTC may already be a day further on.
    let until = now
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(now.date_naive());
    // One read of the candidates serves the reminders and the invitations to prepare, which
    // look further ahead (reading them twice cost a pass over 100,000 people a few hundred
    // milliseconds).
    let prep_until = until
        .checked_add_days(Days::new(u64::from(settings.prep_days_before)))
        .unwrap_or(until);
    let candidates = bot.store().due_candidates(prep_until.max(until)).await?;
    // First which reminders are new, then how many of each period's reminders were sent
    // already (one query for them all), then their texts.
    let mut due = Vec::new();
    for candidate in &candidates {
        let cadence = settings.cadence_for(candidate.framework_id.as_str());
        let schedule = cadence.schedule(&Timeline {
            anchor: candidate.anchor_on,
            snoozed_until: candidate.snoozed_until,
        });
        // Only those due by `until` (the stored `due_on` is this same date).
        if schedule.due_on > until {
            continue;
        }
        let tz = settings.time_zone(candidate.manager_time_zone.as_deref());
        let Some(reminder) =
            settings
                .reminders
                .latest(tz, schedule.remind_from, schedule.overdue_on, now)
        else {
            continue;
        };
        let key = format!(
            "reminder:{}:{}:{}:{}",
            candidate.user_id, candidate.manager_id, schedule.remind_from, reminder.index
        );
        if candidate.last_reminder_key.as_deref() == Some(key.as_str()) {
            continue;
        }
        due.push((candidate, cadence, schedule, reminder, key));
    }
    let periods: Vec<ReminderPeriod> = due
        .iter()
        .map(|(candidate, _, schedule, _, _)| ReminderPeriod {
            report_id: candidate.user_id.clone(),
            manager_id: candidate.manager_id.clone(),
            due_on: schedule.due_on,
        })
        .collect();
    let sent = bot.store().sent_reminder_counts(&periods).await?;
    let mut messages = Vec::with_capacity(due.len());
    for ((candidate, cadence, schedule, reminder, key), sent) in due.into_iter().zip(sent) {
        let payload = messages::reminder(
            &engine,
            &ReminderFacts {
                report_id: &candidate.user_id,
                framework_id: candidate.framework_id.as_str(),
                level: candidate.level,
                anchor_on: candidate.anchor_on,
                had_conversation: candidate.has_checkin,
                schedule,
                cadence,
                reminder,
                number: sent.saturating_add(1),
            },
        );
        messages.push(PlannedReminder {
            message: NewMessage {
                key,
                kind: kind::REMINDER,
                recipient: candidate.manager_id.as_str().to_owned(),
                report_id: Some(candidate.user_id.clone()),
                payload,
                planned_for: reminder.slot,
            },
            anchor_on: candidate.anchor_on,
            snoozed_until: candidate.snoozed_until,
        });
    }
    let mut planned = bot.store().plan_reminders(&messages, now).await?;
    bot.metrics()
        .planned(kind::REMINDER.as_str(), planned as u64);
    if plan_digest(bot, now).await? {
        bot.metrics().planned(kind::DIGEST.as_str(), 1);
        planned += 1;
    }
    let prep = plan_prep(bot, &candidates, now).await?;
    bot.metrics().planned(kind::PREP.as_str(), prep as u64);
    Ok(planned + prep)
}

/// Plans the invitations to prepare: `[prep] days_before` a report's conversation is due, at
/// the first reminder slot of that day in the report's zone (or the latest slot missed, sent
/// late), until the day it is due. The key names the report, the manager and the stored
/// `due_on` (`prep:REPORT:MANAGER:DUE_ON`), so one due period gets one invitation, and the
/// stale-message rule drops it if a conversation, a snooze or a move changed any of them.
///
/// `candidates` are those due by `[prep] days_before` days and one after today's UTC date
/// (read once by [`plan`] for the reminders too).
async fn plan_prep(
    bot: &Bot,
    candidates: &[DueCandidate],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let settings = bot.settings();
    let engine = bot.engine();
    let days_before = u64::from(settings.prep_days_before);
    // Anyone's local date is within a day of UTC's: rule out, without reading the person,
    // those surely past their due date or not yet in the window (most of the candidates, who
    // are due already; reading each made a pass over 100,000 people 2 s slower).
    let utc_today = now.date_naive();
    let mut in_window = Vec::new();
    for candidate in candidates {
        let cadence = settings.cadence_for(candidate.framework_id.as_str());
        let schedule = cadence.schedule(&Timeline {
            anchor: candidate.anchor_on,
            snoozed_until: candidate.snoozed_until,
        });
        let Some(prep_on) = schedule.due_on.checked_sub_days(Days::new(days_before)) else {
            continue;
        };
        if utc_today > schedule.due_on
            || utc_today
                .checked_add_days(Days::new(1))
                .is_some_and(|latest| latest < prep_on)
        {
            continue;
        }
        in_window.push((candidate, schedule, prep_on));
    }
    // The reports' own time zones, then which invitations exist already: a query each for
    // them all (one each per report cost a pass over 100,000 people about 85 ms).
    let mut zones = HashMap::new();
    let users: Vec<&str> = in_window
        .iter()
        .map(|(candidate, _, _)| candidate.user_id.as_str())
        .collect();
    for chunk in users.chunks(PREP_ZONES_PER_QUERY) {
        zones.extend(bot.store().time_zones(chunk).await?);
    }
    let mut invitations = Vec::new();
    for (candidate, schedule, prep_on) in in_window {
        let stored_zone = zones.get(candidate.user_id.as_str()).cloned().flatten();
        let tz = settings.time_zone(stored_zone.as_deref());
        let today = now.with_timezone(&tz).date_naive();
        if today >= schedule.due_on || today < prep_on {
            continue;
        }
        let Some(slot) = settings.reminders.first_slot_on(tz, prep_on) else {
            continue;
        };
        if slot > now {
            continue;
        }
        let key = format!(
            "prep:{}:{}:{}",
            candidate.user_id, candidate.manager_id, schedule.remind_from
        );
        invitations.push((candidate, schedule, slot, key));
    }
    let keys: Vec<String> = invitations.iter().map(|(.., key)| key.clone()).collect();
    let already = bot.store().planned_among(&keys).await?;
    let mut planned = 0;
    for (candidate, schedule, slot, key) in invitations {
        if already.contains(&key) {
            continue;
        }
        let target = engine
            .library()
            .get(candidate.framework_id.as_str())
            .zip(candidate.level)
            .map(|(framework, level)| match framework.next_level(level) {
                Some(next) => format!("your next level, {}", next.label()),
                None => "your level".to_owned(),
            })
            .unwrap_or_else(|| "your next level".to_owned());
        let message = NewMessage {
            key,
            kind: kind::PREP,
            recipient: candidate.user_id.as_str().to_owned(),
            report_id: Some(candidate.user_id.clone()),
            payload: messages::prep_invitation(
                &candidate.user_id,
                &candidate.manager_id,
                schedule.due_on,
                &target,
            ),
            planned_for: slot,
        };
        if bot.store().plan(&message, now).await? {
            planned += 1;
        }
    }
    Ok(planned)
}

/// Plans the weekly digest of overdue check-ins, when an admin channel is configured, the
/// latest digest slot has not been handled yet, and someone is overdue: a digest saying
/// "nobody" is noise, so an empty slot is only noted as handled.
async fn plan_digest(bot: &Bot, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let settings = bot.settings();
    let Some(channel) = settings.admin_channel.clone() else {
        return Ok(false);
    };
    let Some(slot) =
        settings
            .digest
            .latest_slot(settings.default_time_zone, now, DIGEST_LOOKBACK_DAYS)
    else {
        return Ok(false);
    };
    let key = format!("digest:{}", crate::store::time::to_text(slot));
    if bot.store().setting(LAST_DIGEST_SLOT).await?.as_deref() == Some(key.as_str())
        || bot.store().is_planned(&key).await?
    {
        return Ok(false);
    }
    // Every replica runs this pass; the one that claims the slot builds the digest, and the
    // others skip it. The outbox key alone would keep a second digest out, but only after each
    // replica read everyone and computed the figures. A run that fails gives the slot back,
    // so the next pass (of any replica) tries again.
    let job_slot = JobSlot::at(slot);
    if !bot
        .store()
        .claim_job_slot(Job::Digest, &job_slot, bot.replica(), now)
        .await?
    {
        tracing::debug!(slot = %job_slot, "the digest of this slot is another pass's");
        return Ok(false);
    }
    let planned = plan_digest_slot(bot, channel, slot, key, now).await;
    if planned.is_err()
        && let Err(error) = bot
            .store()
            .release_job_slot(Job::Digest, &job_slot, bot.replica())
            .await
    {
        tracing::error!(%error, "cannot give back the digest slot after a failed run");
    }
    planned
}

/// Plans the digest of `slot` under `key` into `channel` (the slot claimed by this replica).
async fn plan_digest_slot(
    bot: &Bot,
    channel: String,
    slot: DateTime<Utc>,
    key: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let settings = bot.settings();
    let today = now.with_timezone(&settings.default_time_zone).date_naive();
    let lines: Vec<OverdueLine> = bot
        .store()
        .tracked_reports()
        .await?
        .into_iter()
        .filter_map(|report| {
            let schedule = settings
                .cadence_for(report.framework_id.as_str())
                .schedule(&Timeline {
                    anchor: report.anchor_on,
                    snoozed_until: report.snoozed_until,
                });
            (today >= schedule.overdue_on).then(|| OverdueLine {
                report_id: report.user_id,
                manager_id: report.manager_id,
                anchor_on: report.anchor_on,
                overdue_on: schedule.overdue_on,
                snoozed_until: report.snoozed_until.filter(|until| *until > today),
            })
        })
        .collect();
    if lines.is_empty() {
        bot.store().set_setting(LAST_DIGEST_SLOT, &key).await?;
        return Ok(false);
    }
    // The same figures as `stats` and the admins' App Home.
    let months = crate::checkins::stats::DEFAULT_MONTHS;
    let stats = crate::bot::handlers::stats::figures(
        bot,
        crate::checkins::stats::Scope::Everyone,
        today,
        months,
    )
    .await?;
    let headline = crate::bot::handlers::stats::headline(&stats.overall);
    bot.store()
        .plan(
            &NewMessage {
                key,
                kind: kind::DIGEST,
                recipient: channel,
                report_id: None,
                payload: messages::digest(&lines, headline, months),
                planned_for: slot,
            },
            now,
        )
        .await
}

/// The settings key remembering the last digest slot that had nobody overdue.
const LAST_DIGEST_SLOT: &str = "digest.last_empty_slot";

/// Delivers every message ready at `now`. The reminders one manager has for one slot go out
/// as one message (see the module docs); everything else, one message per row.
pub async fn deliver<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    deliver_until(bot, chat, now, &Stopping::never()).await
}

/// How a claimed batch ended.
enum BatchEnd {
    /// Every message was handled.
    Done,
    /// The pass stops: `unsent` were never tried and go back, ready at `resume`.
    Stopped {
        unsent: Vec<OutboxRow>,
        resume: DateTime<Utc>,
    },
}

/// [`deliver`], ending early once `stopping` is requested.
async fn deliver_until<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
    stopping: &Stopping,
) -> Result<TickReport, StoreError> {
    let store = bot.store();
    let mut report = TickReport::default();
    let mut claim = lease::Claim::new(bot, now);
    // Rows whose lease ended while still `sending` (a pass outlived it, or recovery could
    // not run): looked for in their DMs before the claim below takes them again.
    let expired = store.unknown_outcomes(Some(now)).await?;
    if !expired.is_empty() {
        unknown_outcome::settle(bot, chat, expired, now).await?;
    }
    loop {
        if stopping.requested() {
            return Ok(report);
        }
        // A 429 another replica (or this one) met pauses everyone until it ends.
        if let Some(until) = pause::paused_until(bot, now).await? {
            tracing::info!(until = %until, "delivery paused after a chat rate limit");
            return Ok(report);
        }
        let lease_until = claim.for_new_batch();
        let rows = store.claim_ready(now, lease_until, BATCH).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        // One connection for the batch's stale-message checks (see `StaleCheck`).
        let mut stale = store.stale_check().await?;
        let marker = SentMarker::start(bot, now);
        let end = deliver_batch(
            bot,
            chat,
            now,
            rows,
            (&marker, &mut claim, &mut stale),
            stopping,
            &mut report,
        )
        .await;
        drop(stale);
        // Whatever happened, every mark handed over is committed first (retried until it
        // is): a delivered message left `sending` would be sent again when its lease ends.
        let marked = marker.finish(stopping).await;
        let end = end?;
        marked?;
        if let BatchEnd::Stopped { unsent, resume } = end {
            put_back(bot, &unsent, resume, &mut report).await;
            return Ok(report);
        }
    }
}

/// Sends the messages of one claimed batch.
async fn deliver_batch<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
    rows: Vec<OutboxRow>,
    (marker, claim, stale): (&SentMarker, &mut lease::Claim, &mut StaleCheck),
    stopping: &Stopping,
    report: &mut TickReport,
) -> Result<BatchEnd, StoreError> {
    let store = bot.store();
    let mut ready = Vec::with_capacity(rows.len());
    for row in rows {
        match row.reply() {
            Ok(reply) => ready.push((row, reply)),
            Err(error) => {
                give_up(bot, &[&row], &error.to_string(), now).await?;
                report.failed += 1;
            }
        }
    }
    let ready = hold_back(bot, chat, now, ready, report).await?;
    let mut messages = outgoing(chat, ready).into_iter();
    let rest = |message: Outgoing, messages: std::vec::IntoIter<Outgoing>| -> Vec<OutboxRow> {
        message
            .into_rows()
            .chain(messages.flat_map(Outgoing::into_rows))
            .collect()
    };
    while let Some(message) = messages.next() {
        if let Err(pause) = marker.clear_to_send(stopping).await {
            match pause {
                Pause::MarksFailing => tracing::warn!(
                    "stopped sending: delivered messages could not be marked sent (the database is busy); the rest of the batch goes back, and the marks are retried until they commit"
                ),
                Pause::Stopping => {
                    tracing::info!("stopping: the rest of the batch goes back untried");
                }
            }
            return Ok(BatchEnd::Stopped {
                unsent: rest(message, messages),
                resume: now,
            });
        }
        // Still ours: a slow batch renews its lease, and leaves out what another took over.
        if !claim
            .still_holds(bot, &message, messages.as_slice())
            .await?
        {
            continue;
        }
        // The stale-message rule, right before the send.
        let Some(message) =
            without_superseded(bot, stale, message, messages.as_slice(), report).await?
        else {
            continue;
        };
        let first = &message.items[0].0;
        let recipient = match first.kind {
            kind::DIGEST | kind::ALERT => Recipient::Channel(&first.recipient),
            _ => Recipient::User(&first.recipient),
        };
        // Every row the message delivers, so the chat can carry them all (see
        // [`Chat::sent_since`]).
        let keys: Vec<&str> = message
            .items
            .iter()
            .map(|(row, _)| row.key.as_str())
            .collect();
        let span = tracing::info_span!(
            "delivery",
            key = %first.key,
            kind = %first.kind,
            attempts = first.attempts,
            rows = message.items.len(),
        );
        let sent = tokio::select! {
            biased;
            sent = chat.send_with_keys(recipient, message.reply(), &keys).instrument(span) => Some(sent),
            () = stopping.deadline() => None,
        };
        let Some(sent) = sent else {
            // Shutting down, and the chat has not answered within the grace: the send is
            // abandoned. It may have been delivered, so it is looked up before it goes out
            // again (at the next start, or the next pass of another process).
            let error = "stopped while the chat had not answered; it may have been delivered";
            for (row, _) in &message.items {
                if looked_up(row.kind) {
                    store.mark_unknown(row.id, error, now).await?;
                } else {
                    store.mark_retry(row.id, error, now).await?;
                }
                report.retried += 1;
            }
            tracing::warn!(key = %first.key, "stopping: abandoned a send the chat had not answered; it is looked up in its DM before it is sent again");
            return Ok(BatchEnd::Stopped {
                unsent: messages.flat_map(Outgoing::into_rows).collect(),
                resume: now,
            });
        };
        match sent {
            Ok(delivered) => {
                marker.mark(&message.items, &delivered);
                for (row, _) in &message.items {
                    bot.metrics().sent(row.kind.as_str());
                    report.sent += 1;
                }
            }
            Err(SendError::RateLimited { retry_after }) => {
                // The chat wants a pause: put this message and the rest of the batch back.
                let wait = retry_after.min(MAX_RETRY_AFTER);
                let resume = later(now, chrono::Duration::from_std(wait).unwrap_or(MAX_BACKOFF));
                let error = format!("rate limited; retrying after {}s", wait.as_secs());
                for (row, _) in &message.items {
                    store.mark_retry(row.id, &error, resume).await?;
                    report.retried += 1;
                }
                // Every replica waits, not only this one (see [`pause`]).
                pause::pause_all(bot, resume).await?;
                tracing::warn!(
                    key = %first.key,
                    retry_after_secs = retry_after.as_secs(),
                    pause_secs = wait.as_secs(),
                    "chat rate limit; pausing delivery"
                );
                // The rest of the batch was never tried: it goes back without an attempt.
                return Ok(BatchEnd::Stopped {
                    unsent: messages.flat_map(Outgoing::into_rows).collect(),
                    resume,
                });
            }
            Err(SendError::Temporary(error)) => {
                retry_or_give_up(bot, &message, &error, Outcome::NotDelivered, now, report).await?;
            }
            Err(SendError::Unknown(error)) => {
                retry_or_give_up(bot, &message, &error, Outcome::Unknown, now, report).await?;
            }
            Err(SendError::Unauthorized(error)) if first.kind == kind::ALERT => {
                // An alert is what an admin needs once the token works again: it waits.
                retry_or_give_up(bot, &message, &error, Outcome::NotDelivered, now, report).await?;
            }
            Err(SendError::Unauthorized(error)) => {
                for (row, _) in &message.items {
                    tracing::debug!(key = %row.key, "giving up on a message: the bot token is refused");
                    store.mark_failed(row.id, &error).await?;
                    bot.metrics().failed(row.kind.as_str());
                    report.failed += 1;
                }
                token_refused(bot, &error, now).await?;
            }
            Err(error) => {
                let rows: Vec<&OutboxRow> = message.items.iter().map(|(row, _)| row).collect();
                give_up(bot, &rows, &error.to_string(), now).await?;
                report.failed += rows.len();
            }
        }
    }
    Ok(BatchEnd::Done)
}

/// The kinds of DM held back while their recipient is away or busy: those a person acts on.
fn checks_presence(kind: MessageKind) -> bool {
    matches!(kind, kind::REMINDER | kind::PREP | kind::ACK_REQUEST)
}

/// The kinds of DM that belong to a reminder slot, so the working week and holidays apply.
fn slotted(kind: MessageKind) -> bool {
    matches!(kind, kind::REMINDER | kind::PREP)
}

/// `ready` without the messages that must wait (see [`crate::checkins::deferral`]): those are
/// put back, pending, until their time, with their reason. Each person's presence is asked of
/// the chat once per batch (the Slack adapter caches it for up to an hour), and the
/// recipients' time zones are read in one query per batch.
async fn hold_back<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
    ready: Vec<(OutboxRow, Reply)>,
    report: &mut TickReport,
) -> Result<Vec<(OutboxRow, Reply)>, StoreError> {
    let settings = bot.settings();
    let rules = settings.deferral_rules();
    let mut presences: HashMap<String, Presence> = HashMap::new();
    // Every recipient's zone in one query (one per recipient cost a pass over 100,000 people
    // a few hundred milliseconds).
    let recipients: Vec<&str> = ready
        .iter()
        .filter(|(row, _)| checks_presence(row.kind))
        .map(|(row, _)| row.recipient.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let zones = bot.store().time_zones(&recipients).await?;
    let mut kept = Vec::with_capacity(ready.len());
    for (row, reply) in ready {
        if !checks_presence(row.kind) {
            kept.push((row, reply));
            continue;
        }
        let tz = settings.time_zone(zones.get(&row.recipient).and_then(Option::as_deref));
        let recipient = presence_of(chat, &mut presences, &row.recipient, now).await;
        let about = match (&row.report_id, row.kind) {
            (Some(report_id), kind::REMINDER) => {
                Some(presence_of(chat, &mut presences, report_id.as_str(), now).await)
            }
            _ => None,
        };
        let Some(hold) = rules.hold(tz, now, slotted(row.kind), &recipient, about.as_ref()) else {
            kept.push((row, reply));
            continue;
        };
        let reason = hold.describe(tz);
        bot.store()
            .mark_deferred(row.id, &reason, hold.until)
            .await?;
        bot.metrics()
            .deferred(row.kind.as_str(), hold.reason.label());
        // The reason names a date, never what the status says (private).
        tracing::info!(key = %row.key, %reason, "holding a message back");
        report.deferred.push(DeferredMessage {
            key: row.key,
            recipient: row.recipient,
            reason,
        });
    }
    Ok(kept)
}

/// `user`'s presence, asked of the chat once and remembered in `seen`.
async fn presence_of<C: Chat>(
    chat: &C,
    seen: &mut HashMap<String, Presence>,
    user: &str,
    now: DateTime<Utc>,
) -> Presence {
    if let Some(presence) = seen.get(user) {
        return presence.clone();
    }
    let presence = chat.presence(user, now).await;
    seen.insert(user.to_owned(), presence.clone());
    presence
}

/// What a failed attempt may have left in the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The chat said it did not deliver the message.
    NotDelivered,
    /// Nobody knows: the message may have been delivered ([`SendError::Unknown`]).
    Unknown,
}

/// Whether a message of `kind` can be looked for in its recipient's history before it is
/// sent again: DMs can; channel posts (the digest, alerts) cannot, the bot reads no channel.
fn looked_up(kind: MessageKind) -> bool {
    !matches!(kind, kind::DIGEST | kind::ALERT)
}

/// After a temporary failure: the rows sent together are retried together, at one time, or
/// given up once they have failed for a day. When the outcome is unknown, a DM's rows stay
/// `sending` until then, so they are looked up in the DM before they are sent again
/// ([`unknown_outcome::settle`]).
async fn retry_or_give_up(
    bot: &Bot,
    message: &Outgoing,
    error: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
    report: &mut TickReport,
) -> Result<(), StoreError> {
    let store = bot.store();
    let first = &message.items[0].0;
    let attempts = message.items.iter().map(|(row, _)| row.attempts).max();
    let retry_at = later(now, backoff(attempts.unwrap_or(1)));
    let mut expired = Vec::new();
    for (row, _) in &message.items {
        match first_due(row) {
            Ok(first_due) if now.signed_duration_since(first_due) < GIVE_UP_AFTER => {
                if outcome == Outcome::Unknown && looked_up(row.kind) {
                    store.mark_unknown(row.id, error, retry_at).await?;
                } else {
                    store.mark_retry(row.id, error, retry_at).await?;
                }
                report.retried += 1;
            }
            Ok(_) => expired.push(row),
            // Without a readable slot there is no give-up clock to retry against.
            Err(corrupt) => {
                give_up(bot, &[row], &format!("{error}; {corrupt}"), now).await?;
                report.failed += 1;
            }
        }
    }
    if expired.len() < message.items.len() {
        tracing::warn!(key = %first.key, attempts = first.attempts, error = %error, "delivery failed; will retry");
    }
    if !expired.is_empty() {
        give_up(bot, &expired, error, now).await?;
        report.failed += expired.len();
    }
    Ok(())
}

/// Puts rows that were claimed but never tried back, ready at `resume`. Best effort: a row
/// that cannot be put back (the database is busy) becomes ready when its lease ends.
async fn put_back(bot: &Bot, rows: &[OutboxRow], resume: DateTime<Utc>, report: &mut TickReport) {
    for row in rows {
        match bot.store().release_untried(row.id, resume).await {
            Ok(()) => report.retried += 1,
            Err(error) => {
                tracing::warn!(key = %row.key, %error, "cannot put a message back; it is retried when its lease ends");
            }
        }
    }
}

/// The message without the rows whose purpose is gone by now (marked superseded), said
/// again for the rows that are left; `None` when none is.
async fn without_superseded(
    bot: &Bot,
    stale: &mut StaleCheck,
    message: Outgoing,
    upcoming: &[Outgoing],
    report: &mut TickReport,
) -> Result<Option<Outgoing>, StoreError> {
    let store = bot.store();
    let ids: Vec<i64> = message.items.iter().map(|(row, _)| row.id).collect();
    let upcoming: Vec<i64> = if stale.asks_ahead() {
        upcoming
            .iter()
            .flat_map(|next| next.items.iter().map(|(row, _)| row.id))
            .take(StaleCheck::AHEAD_ROWS)
            .collect()
    } else {
        Vec::new()
    };
    let superseded = stale.superseded_before_send(&ids, &upcoming).await?;
    if superseded.is_empty() {
        return Ok(Some(message));
    }
    let Outgoing { items, list, .. } = message;
    let mut kept = Vec::with_capacity(items.len());
    let (mut removed, mut removed_overdue) = (0, 0);
    for (row, reply) in items {
        let Some(reason) = superseded.get(&row.id) else {
            kept.push((row, reply));
            continue;
        };
        store.mark_superseded(row.id, reason).await?;
        bot.metrics().superseded(row.kind.as_str());
        tracing::info!(key = %row.key, reason = %reason, "not sending a message whose purpose is gone");
        report.superseded += 1;
        removed += 1;
        removed_overdue += usize::from(messages::is_overdue_reminder(&reply));
    }
    if kept.is_empty() {
        return Ok(None);
    }
    let Some(list) = list else {
        return Ok(Some(Outgoing::alone(kept)));
    };
    let list = ReminderList {
        total: list.total.saturating_sub(removed),
        overdue: list.overdue.saturating_sub(removed_overdue),
        part: list.part,
    };
    Ok(Some(if kept.len() == 1 && list.part.is_none() {
        Outgoing::alone(kept)
    } else {
        Outgoing::together(list, kept)
    }))
}

/// One message to send: the outbox rows it delivers (one, or a manager's reminders for one
/// slot), each with what it says alone, and what the message says.
struct Outgoing {
    items: Vec<(OutboxRow, Reply)>,
    /// The heading's counts, for a message listing several reminders.
    list: Option<ReminderList>,
    /// What a message listing several reminders says; `None` for a row sent alone.
    combined: Option<Reply>,
}

impl Outgoing {
    /// The first of `items` sent as it was planned.
    fn alone(mut items: Vec<(OutboxRow, Reply)>) -> Self {
        items.truncate(1);
        Self {
            items,
            list: None,
            combined: None,
        }
    }

    /// `items` listed in one message with `list`'s heading.
    fn together(list: ReminderList, items: Vec<(OutboxRow, Reply)>) -> Self {
        let combined = render_together(&list, &items);
        Self {
            items,
            list: Some(list),
            combined: Some(combined),
        }
    }

    /// What to send.
    fn reply(&self) -> &Reply {
        match &self.combined {
            Some(combined) => combined,
            None => &self.items[0].1,
        }
    }

    fn into_rows(self) -> impl Iterator<Item = OutboxRow> {
        self.items.into_iter().map(|(row, _)| row)
    }
}

/// The messages that deliver `ready`, in the order of their first rows. Reminders to the
/// same recipient for the same slot become one message listing them all, most overdue first
/// (the earliest START in their keys: they have been due the longest), split only where the
/// chat's limits require ([`Chat::fits`]). A group of one is that reminder as planned; every
/// other kind of message is its own row.
fn outgoing<C: Chat>(chat: &C, ready: Vec<(OutboxRow, Reply)>) -> Vec<Outgoing> {
    let mut groups: Vec<Vec<(OutboxRow, Reply)>> = Vec::new();
    let mut slots: HashMap<(String, String), usize> = HashMap::new();
    for (row, reply) in ready {
        if row.kind != kind::REMINDER {
            groups.push(vec![(row, reply)]);
            continue;
        }
        let slot = (row.recipient.clone(), row.planned_for.clone());
        match slots.get(&slot) {
            Some(&group) => groups[group].push((row, reply)),
            None => {
                slots.insert(slot, groups.len());
                groups.push(vec![(row, reply)]);
            }
        }
    }
    let mut messages = Vec::with_capacity(groups.len());
    for mut group in groups {
        if group.len() == 1 {
            messages.push(Outgoing::alone(group));
            continue;
        }
        group.sort_by(|(a, _), (b, _)| {
            reminder_start(a)
                .cmp(reminder_start(b))
                .then(a.id.cmp(&b.id))
        });
        messages.extend(together(chat, group));
    }
    messages
}

/// The START of a reminder's key (`reminder:REPORT:MANAGER:START:INDEX`): the day its
/// reminders began.
fn reminder_start(row: &OutboxRow) -> &str {
    row.key.rsplit(':').nth(1).unwrap_or_default()
}

/// What a message listing `items` (reminders to one recipient for one slot) says.
fn render_together(list: &ReminderList, items: &[(OutboxRow, Reply)]) -> Reply {
    let reports: Vec<UserId> = items
        .iter()
        .map(|(row, _)| {
            row.report_id
                .clone()
                .unwrap_or_else(|| UserId::new(row.key.as_str()))
        })
        .collect();
    let listed: Vec<(&UserId, &Reply)> = reports
        .iter()
        .zip(items)
        .map(|(report, (_, reply))| (report, reply))
        .collect();
    messages::reminders_together(list, &listed)
}

/// One recipient's reminders for one slot, as few messages as the chat allows.
fn together<C: Chat>(chat: &C, group: Vec<(OutboxRow, Reply)>) -> Vec<Outgoing> {
    let total = group.len();
    let overdue = group
        .iter()
        .filter(|(_, reply)| messages::is_overdue_reminder(reply))
        .count();
    let list = |part| ReminderList {
        total,
        overdue,
        part,
    };
    let mut parts: Vec<Vec<(OutboxRow, Reply)>> = Vec::new();
    let mut current: Vec<(OutboxRow, Reply)> = Vec::new();
    for item in group {
        current.push(item);
        // The heading's words do not change how many blocks it takes.
        if current.len() > 1
            && !chat.fits(&render_together(&list(None), &current))
            && let Some(last) = current.pop()
        {
            parts.push(std::mem::replace(&mut current, vec![last]));
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| {
            Outgoing::together(list((count > 1).then_some((index + 1, count))), part)
        })
        .collect()
}

/// What the marker has left to commit, shared between it and the pass handing it marks.
#[derive(Debug, Clone, Copy, Default)]
struct MarkerState {
    /// Marks handed over and not committed yet.
    waiting: usize,
    /// About since when the oldest of them has waited (reset at each commit).
    since: Option<Instant>,
    /// A commit failed during this batch (it is retried until it succeeds).
    failed: bool,
}

/// Why the pass must not send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    /// A stop was requested.
    Stopping,
    /// Marking delivered messages sent failed: sending more would only widen what a crash
    /// would send twice.
    MarksFailing,
}

/// Commits "sent" marks as deliveries complete: each commit takes every mark waiting, so a
/// fast chat shares commits and a slow one gets one commit per message. A commit that fails
/// is retried, with backoff, until it succeeds.
struct SentMarker {
    marks: mpsc::UnboundedSender<SentMark>,
    state: Arc<watch::Sender<MarkerState>>,
    task: tokio::task::JoinHandle<()>,
}

impl SentMarker {
    fn start(bot: &Bot, now: DateTime<Utc>) -> SentMarker {
        let (marks, mut receiver) = mpsc::unbounded_channel::<SentMark>();
        let state = Arc::new(watch::Sender::new(MarkerState::default()));
        let shared = Arc::clone(&state);
        let store = bot.store().clone();
        let metrics = bot.metrics();
        let task = tokio::spawn(async move {
            let mut writer = None;
            let mut batch = Vec::new();
            while receiver.recv_many(&mut batch, 500).await > 0 {
                let mut failures = 0_u32;
                loop {
                    match commit(&store, &mut writer, &batch, now).await {
                        Ok(()) => break,
                        Err(error) => {
                            failures = failures.saturating_add(1);
                            metrics.sent_mark_failed();
                            shared.send_modify(|state| state.failed = true);
                            if failures == 1 {
                                tracing::warn!(%error, marks = batch.len(), "cannot mark delivered messages sent; retrying until it commits");
                            }
                            // A fresh connection for the next attempt.
                            writer = None;
                            tokio::time::sleep(mark_retry_delay(failures)).await;
                        }
                    }
                }
                if failures > 0 {
                    tracing::info!(
                        marks = batch.len(),
                        failures,
                        "marked delivered messages sent after the database was busy"
                    );
                }
                shared.send_modify(|state| {
                    state.waiting = state.waiting.saturating_sub(batch.len());
                    state.since = (state.waiting > 0).then(Instant::now);
                });
                batch.clear();
            }
        });
        SentMarker { marks, state, task }
    }

    /// Hands over the marks of `items`, delivered to `delivered`.
    fn mark(&self, items: &[(OutboxRow, Reply)], delivered: &Delivered) {
        self.state.send_modify(|state| {
            state.waiting += items.len();
            state.since.get_or_insert_with(Instant::now);
        });
        for (row, _) in items {
            // The receiver lives as long as the task; a dead task is seen by `clear_to_send`
            // and `finish`.
            let _ = self.marks.send(SentMark {
                id: row.id,
                channel: delivered.channel.clone(),
                ts: delivered.ts.clone(),
            });
        }
    }

    /// Whether the pass may send the next message: not when a stop was requested or a mark
    /// failed; after marks have waited [`MARK_STALL`], once they are committed.
    async fn clear_to_send(&self, stopping: &Stopping) -> Result<(), Pause> {
        if !stopping.may_start_send() {
            return Err(Pause::Stopping);
        }
        let mut state = self.state.subscribe();
        let now = *state.borrow_and_update();
        if now.failed || self.task.is_finished() {
            return Err(Pause::MarksFailing);
        }
        let stalled =
            now.waiting > 0 && now.since.is_some_and(|since| since.elapsed() >= MARK_STALL);
        if !stalled {
            return Ok(());
        }
        loop {
            let current = *state.borrow_and_update();
            if current.failed || self.task.is_finished() {
                return Err(Pause::MarksFailing);
            }
            if current.waiting == 0 {
                return Ok(());
            }
            tokio::select! {
                _ = state.changed() => {}
                // A marker that died would never change the state again.
                () = tokio::time::sleep(MARK_STALL) => {}
                () = stopping.deadline() => return Err(Pause::Stopping),
            }
        }
    }

    /// Waits until every mark handed over is committed; once a stop is requested, only until
    /// [`STOP_GRACE`] after it.
    async fn finish(self, stopping: &Stopping) -> Result<(), StoreError> {
        let SentMarker {
            marks,
            state,
            mut task,
        } = self;
        drop(marks);
        tokio::select! {
            biased;
            joined = &mut task => joined.map_err(|error| {
                StoreError::Task(format!("the sent-marker task failed: {error}"))
            }),
            () = stopping.deadline() => {
                task.abort();
                let waiting = state.borrow().waiting;
                tracing::error!(waiting, "stopping before delivered messages could be marked sent (the database stayed busy): they will be sent again at the next start");
                Ok(())
            }
        }
    }
}

/// One attempt to commit `marks`, on the marker's connection (taken when there is none).
async fn commit(
    store: &crate::store::Store,
    writer: &mut Option<SentMarkWriter>,
    marks: &[SentMark],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let writer = match writer {
        Some(writer) => writer,
        None => writer.insert(store.sent_mark_writer().await?),
    };
    writer.mark(marks, now).await
}

/// 50 ms, 100 ms, 200 ms … capped at [`MARK_RETRY_MAX`].
fn mark_retry_delay(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(6);
    Duration::from_millis(50 << exponent).min(MARK_RETRY_MAX)
}

/// When the message first became deliverable: its slot, or when it was planned if that was
/// later (a slot missed while the bot was down). The one-day give-up clock starts here, so a
/// late reminder still gets a day of retries.
fn first_due(row: &OutboxRow) -> Result<DateTime<Utc>, StoreError> {
    let first = row.planned_for_time()?.max(row.created_at_time()?);
    // A message held back (its recipient away) became deliverable when the hold ended.
    let held_until = row
        .deferred_until
        .as_deref()
        .and_then(|text| crate::store::time::from_text(text).ok());
    Ok(held_until.map_or(first, |until| first.max(until)))
}

/// 30 s, 1 min, 2 min … capped at one hour.
fn backoff(attempts: i64) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    chrono::Duration::seconds(30_i64 << exponent).min(MAX_BACKOFF)
}

/// Marks `rows` (sent, or tried, together) failed with `error`, and tells the admin channel
/// once for them.
async fn give_up(
    bot: &Bot,
    rows: &[&OutboxRow],
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    for row in rows {
        tracing::error!(key = %row.key, kind = %row.kind, recipient = %row.recipient, attempts = row.attempts, error, "giving up on a message");
        bot.store().mark_failed(row.id, error).await?;
        bot.metrics().failed(row.kind.as_str());
    }
    // An alert about an alert could loop forever; the log line is enough for those.
    if first.kind != kind::ALERT
        && let Some(channel) = bot.settings().admin_channel.clone()
    {
        bot.store()
            .plan(
                &NewMessage {
                    key: format!("alert:{}", first.key),
                    kind: kind::ALERT,
                    recipient: channel,
                    report_id: None,
                    payload: messages::delivery_alert(
                        &first.recipient,
                        first.kind.as_str(),
                        first.attempts,
                        error,
                    ),
                    planned_for: now,
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// The chat refused the bot token: told to the log, and to the admin channel, once a day
/// (the day of `now`, in UTC) however many messages fail.
async fn token_refused(bot: &Bot, error: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let day = now.date_naive().to_string();
    if bot.store().setting(TOKEN_REFUSED_DAY).await?.as_deref() == Some(day.as_str()) {
        return Ok(());
    }
    bot.store().set_setting(TOKEN_REFUSED_DAY, &day).await?;
    tracing::error!(
        error,
        "the chat refused the bot token: no message can be delivered, and each is given up, until SLACK_BOT_TOKEN is fixed"
    );
    if let Some(channel) = bot.settings().admin_channel.clone() {
        bot.store()
            .plan(
                &NewMessage {
                    key: format!("alert:token:{day}"),
                    kind: kind::ALERT,
                    recipient: channel,
                    report_id: None,
                    payload: messages::token_alert(error),
                    planned_for: now,
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// Runs [`tick`] every `interval` (and whenever `wake` is rung, e.g. after a check-in
/// queued an acknowledgement request) until `shutdown` resolves. A pass in progress when
/// shutdown is requested claims nothing more and goes on sending its batch for half of
/// [`STOP_GRACE`]; the send in flight then, and the marks of those delivered, get until
/// [`STOP_GRACE`]; what was claimed but not tried goes back, ready at once. So `run` returns
/// within about [`STOP_GRACE`] whatever the chat does, and nothing is left `sending`.
pub async fn run<C: Chat>(
    bot: Arc<Bot>,
    chat: C,
    interval: Duration,
    wake: Wake,
    shutdown: impl std::future::Future<Output = ()>,
) {
    if let Err(error) = recover_checking(&bot, &chat, Utc::now()).await {
        tracing::error!(%error, "cannot re-queue interrupted messages");
    }
    passes(&bot, &chat, interval, &wake, shutdown).await;
}

/// The passes of [`run`], after recovery.
async fn passes<C: Chat>(
    bot: &Bot,
    chat: &C,
    interval: Duration,
    wake: &Wake,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let (stop, stop_requested) = watch::channel(None);
    let stopping = Stopping(Some(stop_requested));
    let shutdown = async move {
        shutdown.await;
        let _ = stop.send(Some(Instant::now()));
    };
    tokio::pin!(shutdown);
    let mut shutting_down = false;
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !shutting_down {
        tokio::select! {
            () = &mut shutdown => break,
            _ = timer.tick() => {}
            _ = wake.rung() => {}
        }
        let pass = tick_until(bot, chat, Utc::now(), &stopping);
        tokio::pin!(pass);
        // The pass sees the shutdown through `stopping`, so this future must keep being
        // polled while it runs.
        let result = loop {
            tokio::select! {
                result = &mut pass => break result,
                () = &mut shutdown, if !shutting_down => shutting_down = true,
            }
        };
        match result {
            Ok(report) if report != TickReport::default() => {
                tracing::info!(
                    planned = report.planned,
                    sent = report.sent,
                    retried = report.retried,
                    failed = report.failed,
                    superseded = report.superseded,
                    deferred = report.deferred.len(),
                    "scheduler pass"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "scheduler pass failed; will try again"),
        }
    }
    tracing::info!("scheduler stopped");
}

/// Runs the scheduler ([`run`]) in a task of its own until `shutdown` resolves, and starts it
/// again whenever it ends before that (a panic: a bug), after 1 s, 2 s, 4 s … at most a
/// minute. `running` says whether it runs (`serve` makes `/readyz` fail while it does not);
/// so do the metric `career_bot_scheduler_running` and an error log line with the reason.
///
/// A restarted scheduler does not re-queue the rows the ended one had claimed (as [`run`]
/// does at start-up): the marks of the messages it delivered may still be committing, and
/// re-queuing them would send them twice. Those rows are ready again when their lease ends,
/// `[delivery] lease` (five minutes by default) after they were claimed.
pub async fn supervise<C: Chat + Clone + 'static>(
    bot: Arc<Bot>,
    chat: C,
    interval: Duration,
    wake: Wake,
    shutdown: impl std::future::Future<Output = ()>,
    running: watch::Sender<bool>,
) {
    tokio::pin!(shutdown);
    let (stop, stopped) = watch::channel(false);
    let mut restarts = 0_u32;
    let mut first = true;
    loop {
        let task = tokio::spawn({
            let (bot, chat, wake, mut stopped) = (
                Arc::clone(&bot),
                chat.clone(),
                wake.clone(),
                stopped.clone(),
            );
            let recovers = std::mem::replace(&mut first, false);
            async move {
                let shutdown = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                if recovers {
                    run(bot, chat, interval, wake, shutdown).await;
                } else {
                    passes(&bot, &chat, interval, &wake, shutdown).await;
                }
            }
        });
        let started = Instant::now();
        running.send_replace(true);
        bot.metrics().scheduler_running(true);
        let mut task = task;
        let ended = tokio::select! {
            ended = &mut task => Some(ended),
            () = &mut shutdown => None,
        };
        let Some(ended) = ended else {
            let _ = stop.send(true);
            // The scheduler gives up on the chat STOP_GRACE after this.
            let _ = task.await;
            break;
        };
        let reason = match ended {
            Ok(()) => "it returned".to_owned(),
            Err(error) if error.is_panic() => {
                let payload = error.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".to_owned());
                format!("it panicked: {message}")
            }
            Err(error) => error.to_string(),
        };
        if started.elapsed() > Duration::from_secs(600) {
            restarts = 0;
        }
        restarts = restarts.saturating_add(1);
        let delay = Duration::from_secs(1_u64 << restarts.saturating_sub(1).min(6))
            .min(Duration::from_secs(60));
        bot.metrics().scheduler_restarted();
        bot.metrics().scheduler_running(false);
        running.send_replace(false);
        tracing::error!(
            %reason,
            restart_in_secs = delay.as_secs(),
            "the scheduler stopped: no message is delivered, and /readyz fails, until it runs again"
        );
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = &mut shutdown => break,
        }
    }
    running.send_replace(false);
    bot.metrics().scheduler_running(false);
}
