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
//! **One DM per manager per slot.** The reminders one manager has for one slot (several
//! reports due at once) go out as one message listing them all, most overdue first, split
//! only where the chat's limits require ([`Chat::fits`]; Slack's is 50 blocks). Each stays
//! its own row with its own key, so nothing is lost, doubled or stale: the stale-message rule
//! is applied to each row before the message is built (a superseded one is left out, and a
//! group left with one row is sent as that reminder alone); the rows sent together are
//! marked sent with the same channel and ts; on a 429 or a temporary failure they are put
//! back together; a permanent failure marks each of them failed. Claims keep a manager's
//! rows of one slot together (see [`crate::store::Store::claim_ready`]).
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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use tracing::Instrument;

use crate::bot::Bot;
use crate::bot::messages::{self, OverdueLine, ReminderFacts, ReminderList};
use crate::chat::{Chat, Recipient, SendError};
use crate::checkins::Timeline;
use crate::ids::UserId;
use crate::reply::Reply;
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
    /// Messages delivered (outbox rows: a DM listing several reminders counts each).
    pub sent: usize,
    /// Messages put back for a later attempt (rows, as `sent`).
    pub retried: usize,
    /// Messages given up (rows, as `sent`).
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

/// Delivers every message ready at `now`. The reminders one manager has for one slot go out
/// as one message (see the module docs); everything else, one message per row.
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
        // claimed: a message whose purpose is gone is marked superseded, never sent (nor
        // listed in a manager's combined reminder).
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let superseded = store.superseded_among(&ids).await?;
        let mut ready = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(reason) = superseded.get(&row.id) {
                store.mark_superseded(row.id, reason).await?;
                bot.metrics().superseded(row.kind.as_str());
                tracing::info!(key = %row.key, reason = %reason, "not sending a message whose purpose is gone");
                report.superseded += 1;
                continue;
            }
            match row.reply() {
                Ok(reply) => ready.push((row, reply)),
                Err(error) => {
                    give_up(bot, &[&row], &error.to_string(), now).await?;
                    report.failed += 1;
                }
            }
        }
        let (marks, marker) = SentMarker::start(bot, now);
        let mut messages = outgoing(chat, ready).into_iter();
        while let Some(message) = messages.next() {
            let first = &message.rows[0];
            let recipient = match first.kind {
                kind::DIGEST | kind::ALERT => Recipient::Channel(&first.recipient),
                _ => Recipient::User(&first.recipient),
            };
            let span = tracing::info_span!(
                "delivery",
                key = %first.key,
                kind = %first.kind,
                attempts = first.attempts,
                rows = message.rows.len(),
            );
            match chat
                .send(recipient, &message.reply, &first.key)
                .instrument(span)
                .await
            {
                Ok(delivered) => {
                    for row in &message.rows {
                        // If the marker has failed, its error is returned below.
                        let _ = marks.send(SentMark {
                            id: row.id,
                            channel: delivered.channel.clone(),
                            ts: delivered.ts.clone(),
                        });
                        bot.metrics().sent(row.kind.as_str());
                        report.sent += 1;
                    }
                }
                Err(SendError::RateLimited { retry_after }) => {
                    // The chat wants a pause: put this message and the rest of the batch back.
                    let resume = now + chrono::Duration::from_std(retry_after).unwrap_or(LEASE);
                    let error = format!("rate limited; retrying after {}s", retry_after.as_secs());
                    for row in &message.rows {
                        store.mark_retry(row.id, &error, resume).await?;
                        report.retried += 1;
                    }
                    // The rest of the batch was never tried: put it back without an attempt.
                    for rest in messages.flat_map(|message| message.rows) {
                        store.release_untried(rest.id, resume).await?;
                        report.retried += 1;
                    }
                    tracing::warn!(key = %first.key, retry_after_secs = retry_after.as_secs(), "chat rate limit; pausing delivery");
                    SentMarker::finish(marks, marker).await?;
                    return Ok(report);
                }
                Err(SendError::Temporary(error)) => {
                    // The rows sent together are retried together, at one time.
                    let attempts = message.rows.iter().map(|row| row.attempts).max();
                    let retry_at = now + backoff(attempts.unwrap_or(1));
                    let mut expired = Vec::new();
                    for row in &message.rows {
                        match first_due(row) {
                            Ok(first_due) if now - first_due < GIVE_UP_AFTER => {
                                store.mark_retry(row.id, &error, retry_at).await?;
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
                    if expired.len() < message.rows.len() {
                        tracing::warn!(key = %first.key, attempts = first.attempts, error = %error, "delivery failed; will retry");
                    }
                    if !expired.is_empty() {
                        give_up(bot, &expired, &error, now).await?;
                        report.failed += expired.len();
                    }
                }
                Err(error) => {
                    let rows: Vec<&OutboxRow> = message.rows.iter().collect();
                    give_up(bot, &rows, &error.to_string(), now).await?;
                    report.failed += rows.len();
                }
            }
        }
        SentMarker::finish(marks, marker).await?;
    }
}

/// One message to send: the outbox rows it delivers (one, or a manager's reminders for one
/// slot) and what it says.
struct Outgoing {
    rows: Vec<OutboxRow>,
    reply: Reply,
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
            let (row, reply) = group.remove(0);
            messages.push(Outgoing {
                rows: vec![row],
                reply,
            });
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
    let render = |list: &ReminderList, part: &[(OutboxRow, Reply)]| {
        let items: Vec<(UserId, &Reply)> = part
            .iter()
            .map(|(row, reply)| {
                let report = row
                    .report_id
                    .clone()
                    .unwrap_or_else(|| UserId::new(row.key.as_str()));
                (report, reply)
            })
            .collect();
        let items: Vec<(&UserId, &Reply)> = items.iter().map(|(id, reply)| (id, *reply)).collect();
        messages::reminders_together(list, &items)
    };
    let mut parts: Vec<Vec<(OutboxRow, Reply)>> = Vec::new();
    let mut current: Vec<(OutboxRow, Reply)> = Vec::new();
    for item in group {
        current.push(item);
        // The heading's words do not change how many blocks it takes.
        if current.len() > 1
            && !chat.fits(&render(&list(None), &current))
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
            let reply = render(&list((count > 1).then_some((index + 1, count))), &part);
            Outgoing {
                rows: part.into_iter().map(|(row, _)| row).collect(),
                reply,
            }
        })
        .collect()
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
