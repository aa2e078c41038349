//! The reminder scheduler: [`tick`] plans due reminders into the outbox and delivers what is
//! ready through a [`Chat`]; [`run`] calls it on a timer inside `serve`.
//!
//! # Nothing lost, nothing sent twice
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
//! 2. **Claiming** marks ready rows `sending` and leases them for five minutes, in a committed
//!    transaction, so no concurrent pass can take them.
//! 3. **Sending**, then **marking sent**: each delivered message is handed at once to a
//!    marker task that commits every mark waiting for it in one statement, and repeats
//!    (group commit). A pass returns only when all its marks are committed.
//!
//! A crash between 1 and 2 leaves `pending` rows: the next pass sends them (nothing lost). A
//! crash between 2 and 3 leaves `sending` rows: at start-up [`recover`] makes them ready again
//! (and, failing that, their lease expires), so they are sent (nothing lost). If the crash
//! came after the chat accepted a message but before its mark was committed, that message is
//! sent a second time: Slack's `chat.postMessage` has no idempotency key, so a window between
//! the chat's answer and our local commit is the duplicate the chat API makes unavoidable.
//! The marker keeps that window to one commit (about a tenth of a millisecond): against
//! Slack, where one send takes milliseconds to seconds, that is the single message being
//! marked; only against an instant chat do several messages share a commit.
//!
//! Failures: a 429 stops the pass and retries after `Retry-After`; other temporary failures
//! retry with exponential backoff; a message still failing a day after its slot, or failing
//! permanently, is marked `failed`, logged, and reported to the admin channel.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use tracing::Instrument;

use crate::bot::Bot;
use crate::bot::messages::{self, OverdueLine, ReminderFacts};
use crate::chat::{Chat, Recipient, SendError};
use crate::checkins::Timeline;
use crate::store::StoreError;
use crate::store::outbox::{
    NewMessage, OutboxRow, PlannedReminder, ReminderPeriod, SentMark, kind,
};
use crate::wake::Wake;

/// How long a claimed message is reserved for one delivery attempt.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// How many messages one claim takes.
const BATCH: u32 = 500;
/// After this long past its slot, a message that keeps failing is given up.
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(1);
/// Digest slots older than this are not sent (the bot was down for longer).
const DIGEST_LOOKBACK_DAYS: u64 = 2;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Messages planned (new, or cancelled reminders revived).
    pub planned: usize,
    /// Messages delivered.
    pub sent: usize,
    /// Messages put back for a later attempt.
    pub retried: usize,
    /// Messages given up.
    pub failed: usize,
    /// Messages not sent because their purpose was gone (see
    /// [`crate::store::Store::superseded_among`]).
    pub superseded: usize,
}

/// One scheduler pass at `now`: plan, then deliver. It runs in a `scheduler_pass` span, and
/// each message's send in a `delivery` span with its outbox key, so every log line (the Slack
/// client's too) says which pass and which message it is about.
pub async fn tick<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    let span = tracing::info_span!("scheduler_pass", at = %now);
    async {
        let planned = plan(bot, now).await?;
        let mut report = deliver(bot, chat, now).await?;
        report.planned = planned;
        Ok(report)
    }
    .instrument(span)
    .await
}

/// At start-up: messages a previous process was sending become ready again.
pub async fn recover(bot: &Bot, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let requeued = bot.store().requeue_interrupted(now).await?;
    if requeued > 0 {
        tracing::warn!(
            requeued,
            "re-queued messages interrupted by a previous shutdown or crash"
        );
    }
    Ok(requeued)
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
    // First which reminders are new, then how many of each period's reminders were sent
    // already (one query for them all), then their texts.
    let mut due = Vec::new();
    for candidate in bot.store().due_candidates(until).await? {
        let tz = settings.time_zone(candidate.manager_time_zone.as_deref());
        let cadence = settings.cadence_for(candidate.framework_id.as_str());
        let schedule = cadence.schedule(&Timeline {
            anchor: candidate.anchor_on,
            snoozed_until: candidate.snoozed_until,
        });
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
                recipient: candidate.manager_id.into_string(),
                report_id: Some(candidate.user_id),
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
    bot.store()
        .plan(
            &NewMessage {
                key,
                kind: kind::DIGEST,
                recipient: channel,
                report_id: None,
                payload: messages::digest(&lines),
                planned_for: slot,
            },
            now,
        )
        .await
}

/// The settings key remembering the last digest slot that had nobody overdue.
const LAST_DIGEST_SLOT: &str = "digest.last_empty_slot";

/// Delivers every message ready at `now`.
pub async fn deliver<C: Chat>(
    bot: &Bot,
    chat: &C,
    now: DateTime<Utc>,
) -> Result<TickReport, StoreError> {
    let store = bot.store();
    let mut report = TickReport::default();
    loop {
        let rows = store.claim_ready(now, now + LEASE, BATCH).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        // The stale-message rule (`Store::superseded_among`), checked as the batch is
        // claimed: a message whose purpose is gone is marked superseded, never sent.
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let superseded = store.superseded_among(&ids).await?;
        let (marks, marker) = SentMarker::start(bot, now);
        let mut rows = rows.into_iter();
        while let Some(row) = rows.next() {
            if let Some(reason) = superseded.get(&row.id) {
                store.mark_superseded(row.id, reason).await?;
                bot.metrics().superseded(row.kind.as_str());
                tracing::info!(key = %row.key, reason = %reason, "not sending a message whose purpose is gone");
                report.superseded += 1;
                continue;
            }
            let reply = match row.reply() {
                Ok(reply) => reply,
                Err(error) => {
                    give_up(bot, &row, &error.to_string(), now).await?;
                    report.failed += 1;
                    continue;
                }
            };
            let recipient = match row.kind {
                kind::DIGEST | kind::ALERT => Recipient::Channel(&row.recipient),
                _ => Recipient::User(&row.recipient),
            };
            let span = tracing::info_span!(
                "delivery",
                key = %row.key,
                kind = %row.kind,
                attempts = row.attempts,
            );
            match chat
                .send(recipient, &reply, &row.key)
                .instrument(span)
                .await
            {
                Ok(delivered) => {
                    // If the marker has failed, its error is returned below.
                    let _ = marks.send(SentMark {
                        id: row.id,
                        channel: delivered.channel,
                        ts: delivered.ts,
                    });
                    bot.metrics().sent(row.kind.as_str());
                    report.sent += 1;
                }
                Err(SendError::RateLimited { retry_after }) => {
                    // The chat wants a pause: put this and the rest of the batch back.
                    let resume = now + chrono::Duration::from_std(retry_after).unwrap_or(LEASE);
                    let error = format!("rate limited; retrying after {}s", retry_after.as_secs());
                    store.mark_retry(row.id, &error, resume).await?;
                    report.retried += 1;
                    // The rest of the batch was never tried: put it back without an attempt.
                    for rest in rows {
                        store.release_untried(rest.id, resume).await?;
                        report.retried += 1;
                    }
                    tracing::warn!(key = %row.key, retry_after_secs = retry_after.as_secs(), "chat rate limit; pausing delivery");
                    SentMarker::finish(marks, marker).await?;
                    return Ok(report);
                }
                Err(SendError::Temporary(error)) => match first_due(&row) {
                    Ok(first_due) if now - first_due < GIVE_UP_AFTER => {
                        let delay = backoff(row.attempts);
                        tracing::warn!(key = %row.key, attempts = row.attempts, error = %error, "delivery failed; will retry");
                        store.mark_retry(row.id, &error, now + delay).await?;
                        report.retried += 1;
                    }
                    Ok(_) => {
                        give_up(bot, &row, &error, now).await?;
                        report.failed += 1;
                    }
                    // Without a readable slot there is no give-up clock to retry against.
                    Err(corrupt) => {
                        give_up(bot, &row, &format!("{error}; {corrupt}"), now).await?;
                        report.failed += 1;
                    }
                },
                Err(error) => {
                    give_up(bot, &row, &error.to_string(), now).await?;
                    report.failed += 1;
                }
            }
        }
        SentMarker::finish(marks, marker).await?;
    }
}

/// Commits "sent" marks as deliveries complete: each commit takes every mark waiting, so a
/// fast chat shares commits and a slow one gets one commit per message.
struct SentMarker;

impl SentMarker {
    fn start(
        bot: &Bot,
        now: DateTime<Utc>,
    ) -> (
        tokio::sync::mpsc::UnboundedSender<SentMark>,
        tokio::task::JoinHandle<Result<(), StoreError>>,
    ) {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<SentMark>();
        let store = bot.store().clone();
        let task = tokio::spawn(async move {
            let mut writer = store.sent_mark_writer().await?;
            let mut batch = Vec::new();
            while receiver.recv_many(&mut batch, 500).await > 0 {
                writer.mark(&batch, now).await?;
                batch.clear();
            }
            Ok(())
        });
        (sender, task)
    }

    /// Waits until every mark sent so far is committed.
    async fn finish(
        marks: tokio::sync::mpsc::UnboundedSender<SentMark>,
        marker: tokio::task::JoinHandle<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        drop(marks);
        match marker.await {
            Ok(result) => result,
            Err(error) => Err(StoreError::Task(format!(
                "the sent-marker task failed: {error}"
            ))),
        }
    }
}

/// When the message first became deliverable: its slot, or when it was planned if that was
/// later (a slot missed while the bot was down). The one-day give-up clock starts here, so a
/// late reminder still gets a day of retries.
fn first_due(row: &OutboxRow) -> Result<DateTime<Utc>, StoreError> {
    Ok(row.planned_for_time()?.max(row.created_at_time()?))
}

/// 30 s, 1 min, 2 min … capped at one hour.
fn backoff(attempts: i64) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 7)).unwrap_or(7);
    chrono::Duration::seconds((30_i64 << exponent).min(3600))
}

async fn give_up(
    bot: &Bot,
    row: &OutboxRow,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tracing::error!(key = %row.key, kind = %row.kind, recipient = %row.recipient, attempts = row.attempts, error, "giving up on a message");
    bot.store().mark_failed(row.id, error).await?;
    bot.metrics().failed(row.kind.as_str());
    // An alert about an alert could loop forever; the log line is enough for those.
    if row.kind != kind::ALERT
        && let Some(channel) = bot.settings().admin_channel.clone()
    {
        bot.store()
            .plan(
                &NewMessage {
                    key: format!("alert:{}", row.key),
                    kind: kind::ALERT,
                    recipient: channel,
                    report_id: None,
                    payload: messages::delivery_alert(
                        &row.recipient,
                        row.kind.as_str(),
                        row.attempts,
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

/// Runs [`tick`] every `interval` (and whenever `wake` is rung, e.g. after a check-in
/// queued an acknowledgement request) until `shutdown` resolves. A pass in progress when
/// shutdown is requested is finished first, so no claimed message is left half-delivered.
pub async fn run<C: Chat>(
    bot: Arc<Bot>,
    chat: C,
    interval: Duration,
    wake: Wake,
    shutdown: impl std::future::Future<Output = ()>,
) {
    if let Err(error) = recover(&bot, Utc::now()).await {
        tracing::error!(%error, "cannot re-queue interrupted messages");
    }
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = timer.tick() => {}
            _ = wake.rung() => {}
        }
        match tick(&bot, &chat, Utc::now()).await {
            Ok(report) if report != TickReport::default() => {
                tracing::info!(
                    planned = report.planned,
                    sent = report.sent,
                    retried = report.retried,
                    failed = report.failed,
                    superseded = report.superseded,
                    "scheduler pass"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "scheduler pass failed; will try again"),
        }
    }
    tracing::info!("scheduler stopped");
}
