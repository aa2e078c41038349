//! The outbox: every DM and channel post the bot sends on its own goes through a row here.
//!
//! A message is *planned* by inserting a row whose `key` is unique (a reminder's key names the
//! report, the day reminders started and the reminder's index), so planning the same message
//! twice inserts nothing. Delivery *claims* ready rows (marks them `sending` with a lease),
//! checks each message against the stale-message rule ([`Store::superseded_among`]) right
//! before sending it, sends it, and marks it `sent` right after; a mark that cannot be
//! committed is retried until it is, because a row left `sending` is sent again once its
//! lease ends. The reminders one manager has for one slot are claimed together and sent as
//! one message, each still its own row (all of them marked with that message's channel and
//! ts). See `crate::scheduler` for the guarantees: a row a crash left `sending`
//! ([`Store::unknown_outcomes`]) is looked for in its DM before it is sent again, and the
//! one case in which a message can still go out twice.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};

pub use super::values::{MessageKind, OutboxStatus};
use super::{Backend, Store, StoreError, claimed, dialect, time};
use crate::ids::{ChannelId, UserId};
use crate::reply::Reply;

/// The kinds of message, as constants of [`MessageKind`] (kept so callers can write
/// `kind::REMINDER`).
pub mod kind {
    use super::MessageKind;

    /// A check-in reminder to a manager.
    pub const REMINDER: MessageKind = MessageKind::Reminder;
    /// A request to a report to acknowledge a conversation.
    pub const ACK_REQUEST: MessageKind = MessageKind::AckRequest;
    /// A dispute, told to the manager.
    pub const DISPUTE: MessageKind = MessageKind::Dispute;
    /// The weekly digest of overdue check-ins to the admin channel.
    pub const DIGEST: MessageKind = MessageKind::Digest;
    /// A problem reported to the admin channel.
    pub const ALERT: MessageKind = MessageKind::Alert;
    /// A DM about a change to someone's record, or an answer to their request.
    pub const NOTICE: MessageKind = MessageKind::Notice;
    /// A request to someone to say whether they may be added to a team.
    pub const ADD_REQUEST: MessageKind = MessageKind::AddRequest;
    /// An invitation to a report to prepare their coming conversation.
    pub const PREP: MessageKind = MessageKind::Prep;
}

/// A message to plan.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Unique key: a key is planned once (a cancelled, never-tried reminder can be revived,
    /// see [`Store::plan_reminders`]).
    pub key: String,
    /// What it is.
    pub kind: MessageKind,
    /// A user id (DM) or a channel id.
    pub recipient: String,
    /// The report a reminder is about (the person a request to join a team is to).
    pub report_id: Option<UserId>,
    /// What to send.
    pub payload: Reply,
    /// The slot it belongs to; it is not sent before this time.
    pub planned_for: DateTime<Utc>,
}

/// A reminder to plan, with the state of its report it was computed from (see
/// [`Store::plan_reminders`]).
#[derive(Debug, Clone)]
pub struct PlannedReminder {
    /// The reminder; its `recipient` is the report's manager, its `report_id` the report.
    pub message: NewMessage,
    /// The report's anchor (last conversation or start date) when it was computed.
    pub anchor_on: NaiveDate,
    /// The report's snooze when it was computed.
    pub snoozed_until: Option<NaiveDate>,
}

/// One report's current due period with one manager, whose sent reminders
/// [`Store::sent_reminder_counts`] counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPeriod {
    /// The report.
    pub report_id: UserId,
    /// The manager the reminders went to.
    pub manager_id: UserId,
    /// The day the period's conversation fell due (`Schedule::due_on` of its anchor).
    pub due_on: NaiveDate,
}

impl ReminderPeriod {
    /// The range of outbox keys (`reminder:REPORT:MANAGER:START:INDEX`) of this period's
    /// reminders: every key of this report and manager whose START is on or after `due_on`.
    /// User ids hold no `:`, so `;` (the next character) ends the report and manager's keys.
    fn key_range(&self) -> (String, String) {
        let prefix = format!("reminder:{}:{}", self.report_id, self.manager_id);
        (format!("{prefix}:{}", self.due_on), format!("{prefix};"))
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    /// Row id.
    pub id: i64,
    /// Unique key.
    pub key: String,
    /// Kind.
    pub kind: MessageKind,
    /// Recipient.
    pub recipient: String,
    /// Report concerned.
    pub report_id: Option<UserId>,
    /// Serialised [`Reply`].
    pub payload: String,
    /// Slot.
    pub planned_for: String,
    /// Where it is in its delivery.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When delivery may next be tried.
    pub next_attempt_at: String,
    /// When it was delivered.
    pub sent_at: Option<String>,
    /// Where it landed.
    pub channel: Option<ChannelId>,
    /// The chat's id for it.
    pub message_ts: Option<String>,
    /// When it was planned.
    pub created_at: String,
    /// Why it was last held back (`deferred: away until 2026-05-06`), if it ever was.
    pub deferred_reason: Option<String>,
    /// Until when it was last held back.
    pub deferred_until: Option<String>,
}

const OUTBOX_COLUMNS: &str = "id, key, kind, recipient, report_id, payload, planned_for, status, \
     attempts, last_error, next_attempt_at, sent_at, channel, message_ts, created_at, \
     deferred_reason, deferred_until";

/// A message waiting because its recipient (or its report) is away, busy or on a day off.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingDeferral {
    /// The outbox key.
    pub key: String,
    /// What it is.
    pub kind: MessageKind,
    /// Whom it is for.
    pub recipient: String,
    /// The report it is about.
    pub report_id: Option<UserId>,
    /// Why it waits (`deferred: away until 2026-05-06`).
    pub reason: String,
    /// Until when.
    pub until: String,
}

impl OutboxRow {
    /// The message to send.
    pub fn reply(&self) -> Result<Reply, StoreError> {
        serde_json::from_str(&self.payload)
            .map_err(|error| StoreError::Corrupt(format!("outbox row {}: {error}", self.id)))
    }

    /// The slot, as a time.
    pub fn planned_for_time(&self) -> Result<DateTime<Utc>, StoreError> {
        self.stored_time("planned_for", &self.planned_for)
    }

    /// When delivery may next be tried (for a row being sent, when its lease ends), as a
    /// time.
    pub fn next_attempt_time(&self) -> Result<DateTime<Utc>, StoreError> {
        self.stored_time("next_attempt_at", &self.next_attempt_at)
    }

    /// When it was planned, as a time.
    pub fn created_at_time(&self) -> Result<DateTime<Utc>, StoreError> {
        self.stored_time("created_at", &self.created_at)
    }

    fn stored_time(&self, column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
        time::from_text(text).map_err(|_| {
            StoreError::Corrupt(format!(
                "the outbox table's {column} column holds \"{text}\" in row {}, which is not a timestamp",
                self.id
            ))
        })
    }
}

/// The stored form of a message's reply.
fn payload_text(message: &NewMessage) -> Result<String, StoreError> {
    serde_json::to_string(&message.payload)
        .map_err(|error| StoreError::Corrupt(format!("cannot serialise a reply: {error}")))
}

/// Plans a message inside the caller's transaction. Returns whether it was new.
pub async fn plan_in(
    conn: &mut AnyConnection,
    message: &NewMessage,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let payload = payload_text(message)?;
    let planned_for = time::to_text(message.planned_for);
    let inserted = sqlx::query(
        "INSERT INTO outbox (key, kind, recipient, report_id, payload, planned_for,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&message.key)
    .bind(message.kind.as_str())
    .bind(&message.recipient)
    .bind(&message.report_id)
    .bind(payload)
    .bind(&planned_for)
    .bind(&planned_for)
    .bind(time::to_text(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted > 0)
}

/// Plans a message whose latest version is the one that matters (a notice about an answer
/// that may change again): a new key is inserted; a key already planned whose message has not
/// gone out gets this payload instead (one message, saying the latest); a key whose message
/// was superseded or cancelled before it went out is planned again. A key whose message is
/// being sent, was sent or failed is left alone, so the key bounds how many go out. Returns
/// whether a message is now waiting to go out with this payload.
pub async fn plan_latest_in(
    conn: &mut AnyConnection,
    message: &NewMessage,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let payload = payload_text(message)?;
    let planned_for = time::to_text(message.planned_for);
    let changed = sqlx::query(
        "INSERT INTO outbox (key, kind, recipient, report_id, payload, planned_for,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
         ON CONFLICT (key) DO UPDATE SET
             payload = excluded.payload,
             status = 'pending',
             next_attempt_at = CASE WHEN outbox.status = 'pending' THEN outbox.next_attempt_at
                                    ELSE excluded.next_attempt_at END,
             created_at = CASE WHEN outbox.status = 'pending' THEN outbox.created_at
                               ELSE excluded.created_at END,
             attempts = CASE WHEN outbox.status = 'pending' THEN outbox.attempts ELSE 0 END,
             last_error = CASE WHEN outbox.status = 'pending' THEN outbox.last_error END
         WHERE outbox.status IN ('pending', 'superseded', 'cancelled')",
    )
    .bind(&message.key)
    .bind(message.kind.as_str())
    .bind(&message.recipient)
    .bind(&message.report_id)
    .bind(payload)
    .bind(&planned_for)
    .bind(time::to_text(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Cancels reminders about `report_id` that have not gone out (a conversation was recorded,
/// the report moved or was snoozed). Callers go through
/// [`super::people::restart_reminders_in`], which also forgets the report's last planned key.
pub async fn cancel_reminders_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE outbox SET status = 'cancelled'
         WHERE report_id = $1 AND kind = 'reminder' AND status = 'pending'",
    )
    .bind(report_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// One element of a [`ReminderBatch`]'s array, as the insert reads it.
#[derive(serde::Serialize)]
struct BatchRow<'a> {
    key: &'a str,
    kind: &'static str,
    recipient: &'a str,
    report_id: Option<&'a UserId>,
    payload: String,
    planned_for: String,
    /// As sqlx stores a `NaiveDate` (`%F`, which is also how chrono serialises one), to
    /// compare with the column.
    anchor_on: NaiveDate,
    snoozed_until: Option<NaiveDate>,
}

/// One element of a [`ReminderBatch`]'s array without the payload, as the statement that
/// remembers each report's last reminder reads it.
#[derive(serde::Serialize)]
struct BatchKey<'a> {
    key: &'a str,
    recipient: &'a str,
    report_id: Option<&'a UserId>,
    anchor_on: NaiveDate,
    snoozed_until: Option<NaiveDate>,
}

/// The reminders of one scheduler pass as JSON arrays, read by the statements of
/// [`Store::plan_reminders`] (a pass plans thousands; one bound parameter beats thousands).
#[derive(Debug, Clone)]
pub struct ReminderBatch {
    json: String,
    /// The same rows without their payloads (about 1 KB each): SQLite's `json_each` parses
    /// the whole text it is given, so the statement that needs only the keys is not handed
    /// 10 MB of messages to parse again.
    keys_json: String,
}

impl ReminderBatch {
    /// Serialises `reminders`, in the order a claim takes them ([`Store::claim_ready`]: slot,
    /// then recipient); `None` when there are none.
    ///
    /// The insert keeps the array's order, so one claim's rows, and one manager's reminders
    /// of one slot, sit side by side in the table: claiming them and marking them sent
    /// rewrite a few pages instead of one page per row.
    pub fn new(reminders: &[PlannedReminder]) -> Result<Option<ReminderBatch>, StoreError> {
        if reminders.is_empty() {
            return Ok(None);
        }
        let mut in_claim_order: Vec<&PlannedReminder> = reminders.iter().collect();
        in_claim_order.sort_by(|a, b| {
            (a.message.planned_for, &a.message.recipient)
                .cmp(&(b.message.planned_for, &b.message.recipient))
        });
        let mut rows = Vec::with_capacity(reminders.len());
        let mut keys = Vec::with_capacity(reminders.len());
        for reminder in in_claim_order {
            let message = &reminder.message;
            keys.push(BatchKey {
                key: &message.key,
                recipient: &message.recipient,
                report_id: message.report_id.as_ref(),
                anchor_on: reminder.anchor_on,
                snoozed_until: reminder.snoozed_until,
            });
            rows.push(BatchRow {
                key: &message.key,
                kind: message.kind.as_str(),
                recipient: &message.recipient,
                report_id: message.report_id.as_ref(),
                payload: payload_text(message)?,
                planned_for: time::to_text(message.planned_for),
                anchor_on: reminder.anchor_on,
                snoozed_until: reminder.snoozed_until,
            });
        }
        let unserialisable = |error: serde_json::Error| {
            StoreError::Corrupt(format!("cannot serialise reminders: {error}"))
        };
        let json = serde_json::to_string(&rows).map_err(unserialisable)?;
        let keys_json = serde_json::to_string(&keys).map_err(unserialisable)?;
        Ok(Some(ReminderBatch { json, keys_json }))
    }

    /// The JSON array: objects with `key`, `kind`, `recipient`, `report_id`, `payload`,
    /// `planned_for`, `anchor_on` and `snoozed_until`.
    pub(super) fn json(&self) -> &str {
        &self.json
    }

    /// The JSON array in the same order, without payloads: objects with `key`, `recipient`,
    /// `report_id`, `anchor_on` and `snoozed_until`.
    pub(super) fn keys_json(&self) -> &str {
        &self.keys_json
    }
}

/// Inserts the reminders of `batch` inside the caller's transaction, each only if its report
/// is still as it was computed from (see [`Store::plan_reminders`]). Returns how many were
/// new or revived.
pub async fn plan_reminders_in(
    conn: &mut AnyConnection,
    batch: &ReminderBatch,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let backend = Backend::of_connection(conn);
    let field = |name| dialect::json_text(backend, "batch.value", name);
    let sql = format!(
        "WITH planned AS (
             SELECT {key} AS key, {kind} AS kind, {recipient} AS recipient,
                    {report_id} AS report_id, {payload} AS payload,
                    {planned_for} AS planned_for, {anchor_on} AS anchor_on,
                    {snoozed_until} AS snoozed_until
             FROM {rows})
         INSERT INTO outbox (key, kind, recipient, report_id, payload, planned_for,
                             next_attempt_at, created_at)
         SELECT planned.key, planned.kind, planned.recipient, planned.report_id,
                planned.payload, planned.planned_for, planned.planned_for, $2
         FROM planned JOIN people p
           ON p.user_id = planned.report_id AND p.active = 1
          AND p.manager_id = planned.recipient AND p.anchor_on = planned.anchor_on
          AND p.snoozed_until IS NOT DISTINCT FROM planned.snoozed_until
         WHERE true
         ON CONFLICT (key) DO UPDATE SET
             status = 'pending', recipient = excluded.recipient,
             payload = excluded.payload, planned_for = excluded.planned_for,
             next_attempt_at = excluded.next_attempt_at,
             created_at = excluded.created_at
         WHERE outbox.status = 'cancelled' AND outbox.attempts = 0",
        key = field("key"),
        kind = field("kind"),
        recipient = field("recipient"),
        report_id = field("report_id"),
        payload = field("payload"),
        planned_for = field("planned_for"),
        anchor_on = field("anchor_on"),
        snoozed_until = field("snoozed_until"),
        rows = dialect::json_rows(backend, "$1", "batch"),
    );
    // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the join.
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch.json())
        .bind(time::to_text(now))
        .execute(conn)
        .await?
        .rows_affected())
}

/// Marks a message delivered, on the caller's connection (the delivery loop keeps one, so
/// each message's mark is a single statement, committed at once).
pub async fn mark_sent_in(
    conn: &mut AnyConnection,
    id: i64,
    channel: Option<&ChannelId>,
    message_ts: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, channel = $2, message_ts = $3,
                           last_error = NULL
         WHERE id = $4",
    )
    .bind(time::to_text(now))
    .bind(channel)
    .bind(message_ts)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where one delivered message landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMark {
    /// The outbox row.
    pub id: i64,
    /// The conversation it landed in.
    pub channel: Option<ChannelId>,
    /// Its id there.
    pub ts: Option<String>,
}

/// Marks several delivered messages sent in one statement (so one atomic commit).
pub async fn mark_sent_batch_in(
    conn: &mut AnyConnection,
    marks: &[SentMark],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let batch = serde_json::Value::Array(
        marks
            .iter()
            .map(
                |mark| serde_json::json!({ "id": mark.id, "channel": mark.channel, "ts": mark.ts }),
            )
            .collect(),
    )
    .to_string();
    let backend = Backend::of_connection(conn);
    let sql = format!(
        "UPDATE outbox SET status = 'sent', sent_at = $2, channel = sent.channel,
                           message_ts = sent.ts, last_error = NULL
         FROM (SELECT {id} AS id, {channel} AS channel, {ts} AS ts
               FROM {rows}) AS sent
         WHERE outbox.id = sent.id",
        id = dialect::json_int(backend, "batch.value", "id"),
        channel = dialect::json_text(backend, "batch.value", "channel"),
        ts = dialect::json_text(backend, "batch.value", "ts"),
        rows = dialect::json_rows(backend, "$1", "batch"),
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch)
        .bind(time::to_text(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A connection kept for marking delivered messages sent as deliveries complete, so each
/// batch of marks is one statement, committed at once, without waiting for the pool.
#[derive(Debug)]
pub struct SentMarkWriter {
    conn: PoolConnection<Any>,
}

impl SentMarkWriter {
    /// Marks `marks` sent at `now` (see [`mark_sent_batch_in`]).
    pub async fn mark(&mut self, marks: &[SentMark], now: DateTime<Utc>) -> Result<(), StoreError> {
        mark_sent_batch_in(&mut self.conn, marks, now).await
    }
}

/// [`Store::superseded_among`] on `conn`.
pub(super) async fn superseded_among_in(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let list = serde_json::Value::from(ids.to_vec()).to_string();
    let backend = Backend::of_connection(conn);
    // The id after the first ':' of a key (`ack:12`), NULL when it is not a number; the
    // day after a slot's.
    let (key_id, day_after_slot) = match backend {
        Backend::Sqlite => (
            "CAST(substr(o.key, instr(o.key, ':') + 1) AS INTEGER)",
            "date(o.planned_for, '+1 day')",
        ),
        Backend::Postgres => (
            "CASE WHEN split_part(o.key, ':', 2) ~ '^[0-9]{1,18}$'
                      THEN CAST(split_part(o.key, ':', 2) AS BIGINT) END",
            "to_char(CAST(substr(o.planned_for, 1, 10) AS DATE) + 1, 'YYYY-MM-DD')",
        ),
    };
    // Only the superseded rows come back (usually none): each row returned is a hand-over
    // from the database's worker thread, and this runs before every message.
    let sql = format!(
        "SELECT id, reason FROM (SELECT o.id, CASE
                 WHEN o.kind = 'reminder' AND p.user_id IS NULL
                     THEN 'the report is no longer tracked'
                 WHEN o.kind = 'reminder' AND p.active = 0
                     THEN 'the report was removed'
                 WHEN o.kind = 'reminder' AND p.manager_id IS DISTINCT FROM o.recipient
                     THEN 'the report has another manager'
                 WHEN o.kind = 'reminder'
                      AND (p.due_on IS NULL OR p.due_on > {day_after_slot})
                     THEN 'the conversation was recorded or snoozed'
                 WHEN o.kind = 'reminder' AND o.deferred_reason IS NOT NULL
                      AND EXISTS (SELECT 1 FROM outbox n
                                  WHERE n.report_id = o.report_id AND n.kind = 'reminder'
                                    AND n.recipient = o.recipient AND n.id > o.id
                                    AND n.status IN ('pending', 'sending'))
                     THEN 'a later reminder about the same report replaces it'
                 WHEN o.kind = 'ack_request' AND c.id IS NULL
                     THEN 'the conversation was taken back'
                 WHEN o.kind = 'ack_request' AND c.ack_status <> 'pending'
                     THEN 'the conversation was already answered'
                 WHEN o.kind = 'dispute' AND c.id IS NULL
                     THEN 'the conversation was taken back'
                 WHEN o.kind = 'dispute' AND c.ack_status <> 'disputed'
                     THEN 'the report changed their answer'
                 WHEN o.kind = 'prep' AND (p.user_id IS NULL OR p.active = 0)
                     THEN 'the report was removed'
                 WHEN o.kind = 'prep' AND o.key IS DISTINCT FROM
                          ('prep:' || p.user_id || ':' || p.manager_id || ':' || p.due_on)
                     THEN 'the conversation was recorded, snoozed or moved'
                 WHEN o.kind = 'add_request' AND (r.id IS NULL OR r.status <> 'pending')
                     THEN 'the request was already answered'
                 WHEN o.kind = 'add_request' AND p.active = 1 AND p.manager_id IS NOT NULL
                      AND p.framework_id IS NOT NULL
                     THEN 'the person joined a team meanwhile'
                 WHEN o.kind = 'notice' AND e.removed_at IS NOT NULL
                     THEN 'the evidence was removed'
             END AS reason
             FROM outbox o
             LEFT JOIN people p ON p.user_id = o.report_id
             LEFT JOIN checkins c
                 ON o.kind IN ('ack_request', 'dispute')
                AND c.id = {key_id}
             LEFT JOIN evidence e
                 ON o.kind = 'notice' AND o.key LIKE 'evidence:%'
                AND e.id = {key_id}
             LEFT JOIN add_requests r
                 ON o.kind = 'add_request'
                AND r.id = {key_id}
             WHERE o.id IN (SELECT {id} FROM {rows})) AS checked
             WHERE reason IS NOT NULL",
        id = dialect::json_int(backend, "ids.value", ""),
        rows = dialect::json_rows(backend, "$1", "ids"),
    );
    let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(list)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

impl Store {
    /// Plans one message. Returns whether it was new.
    pub async fn plan(&self, message: &NewMessage, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut conn = self.pool().acquire().await?;
        plan_in(&mut conn, message, now).await
    }

    /// A connection for marking delivered messages sent (the delivery loop keeps one).
    pub async fn sent_mark_writer(&self) -> Result<SentMarkWriter, StoreError> {
        Ok(SentMarkWriter {
            conn: self.pool().acquire().await?,
        })
    }

    /// Plans many messages in one transaction. Returns how many were new.
    pub async fn plan_all(
        &self,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.write().await?;
        let mut inserted = 0;
        for message in messages {
            if plan_in(&mut tx, message, now).await? {
                inserted += 1;
            }
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// For each period, how many reminders about its report were sent to its manager in it:
    /// the reminders whose START (the day they began: the due date, or the end of a snooze)
    /// is on or after the period's due date. Reminders of the period before began before
    /// its conversation was recorded, so before this period's due date (unless the
    /// conversation recorded was dated more than a due period back). One statement for the
    /// whole list, each count a range of the outbox's unique key index.
    pub async fn sent_reminder_counts(
        &self,
        periods: &[ReminderPeriod],
    ) -> Result<Vec<u32>, StoreError> {
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        let ranges = serde_json::Value::Array(
            periods
                .iter()
                .map(|period| {
                    let (from, until) = period.key_range();
                    serde_json::json!([from, until])
                })
                .collect(),
        )
        .to_string();
        let backend = self.backend();
        let sql = format!(
            "SELECT (SELECT count(*) FROM outbox o
                     WHERE o.key >= {from} AND o.key < {until} AND o.status = 'sent')
             FROM {rows}
             ORDER BY range.key",
            from = dialect::json_text(backend, "range.value", "0"),
            until = dialect::json_text(backend, "range.value", "1"),
            rows = dialect::json_rows(backend, "$1", "range"),
        );
        let counts: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(ranges)
            .fetch_all(self.pool())
            .await?;
        Ok(counts
            .into_iter()
            .map(|count| u32::try_from(count).unwrap_or(u32::MAX))
            .collect())
    }

    /// Whether a message with `key` was ever planned.
    pub async fn is_planned(&self, key: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox WHERE key = $1")
                .bind(key)
                .fetch_one(self.pool())
                .await?
                > 0,
        )
    }

    /// Which of `keys` were ever planned: [`Store::is_planned`] for many keys in one
    /// statement (the keys go as one JSON array, so there is no limit on their number).
    pub async fn planned_among(&self, keys: &[String]) -> Result<HashSet<String>, StoreError> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let backend = self.backend();
        let sql = format!(
            "SELECT o.key FROM {rows} JOIN outbox o ON o.key = {key}",
            rows = dialect::json_rows(backend, "$1", "wanted"),
            key = dialect::json_text(backend, "wanted.value", ""),
        );
        let keys = serde_json::to_string(keys)
            .map_err(|error| StoreError::Corrupt(format!("cannot serialise keys: {error}")))?;
        let found: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(keys)
            .fetch_all(self.pool())
            .await?;
        Ok(found.into_iter().collect())
    }

    /// Where the message with `key` stands, if it was ever planned.
    pub async fn outbox_status(&self, key: &str) -> Result<Option<OutboxStatus>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT status FROM outbox WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Claims up to `limit` messages that are ready at `now`: marks them `sending`, counts the
    /// attempt and leases them until `lease_until`, so no other pass picks them up meanwhile.
    /// A row still `sending` after its lease (the process died mid-delivery) is ready again.
    /// The reminders one recipient has for one slot are claimed together (they are sent as
    /// one message): when the limit falls inside such a group, the rest of it is claimed too.
    /// Rows come back by slot, then id.
    ///
    /// On SQLite, one process per file, the claim is a write transaction like any other
    /// ([`Store::write`]). On PostgreSQL, where several replicas claim at once, the claim
    /// locks the rows it takes with `FOR UPDATE SKIP LOCKED` instead of taking the advisory
    /// write lock: concurrent claims take disjoint rows without waiting for one another, nor
    /// for a long writer such as an `import-org`. A row whose state changed since the
    /// statement began is read again and kept only if still ready (PostgreSQL re-checks a
    /// locking read's conditions), so a lease renewed meanwhile is left alone. A manager's
    /// reminders for one slot then stay together unless another claim took part of the group
    /// first (each replica sends its part; no row goes twice).
    pub async fn claim_ready(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let backend = self.backend();
        if backend == Backend::Postgres && self.is_read_only() {
            return Err(StoreError::ReadOnly);
        }
        let (lock_picked, lock_rest) = match backend {
            Backend::Sqlite => ("", ""),
            Backend::Postgres => ("FOR UPDATE SKIP LOCKED", "FOR UPDATE OF o SKIP LOCKED"),
        };
        // `picked` is the batch, in an order that keeps a recipient's rows of one slot
        // together; `last` is the reminder group the batch may have cut in two, whose other
        // ready rows (`rest`) are taken too (a batch can so exceed `limit` by one group).
        // `rest` compares with `last`'s values rather than joining it, so that it is a lookup
        // in `outbox_ready_by_recipient` whatever the planner guesses of a freshly planned
        // outbox (joined, PostgreSQL scanned every ready row for each claim).
        let batch = format!(
            "WITH picked AS (
                 SELECT id, kind, recipient, planned_for, next_attempt_at FROM outbox
                 WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2
                 ORDER BY next_attempt_at, recipient, planned_for, id LIMIT $3
                 {lock_picked}),
             last AS (
                 SELECT kind, recipient, planned_for FROM picked
                 ORDER BY next_attempt_at DESC, recipient DESC, planned_for DESC, id DESC
                 LIMIT 1),
             rest AS (
                 SELECT o.id FROM outbox o
                 WHERE o.recipient = (SELECT recipient FROM last WHERE kind = 'reminder')
                   AND o.planned_for = (SELECT planned_for FROM last)
                   AND o.status IN ('pending', 'sending') AND o.kind = 'reminder'
                   AND o.next_attempt_at <= $2
                 {lock_rest})"
        );
        let in_batch = "SELECT id FROM picked UNION SELECT id FROM rest";
        let lease = time::to_text(lease_until);
        let mut rows = match backend {
            Backend::Sqlite => {
                // Read packed, then updated, in one write transaction (see `claimed`).
                let mut tx = self.write().await?;
                let sql = format!("{batch} {}", claimed::select_claimed(in_batch));
                let packed: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(&lease)
                    .bind(time::to_text(now))
                    .bind(i64::from(limit))
                    .fetch_one(&mut *tx)
                    .await?;
                let rows = claimed::read_claimed(&packed)?;
                if rows.is_empty() {
                    return Ok(rows);
                }
                let ids =
                    serde_json::Value::from(rows.iter().map(|row| row.id).collect::<Vec<_>>())
                        .to_string();
                sqlx::query(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1,
                                       next_attempt_at = $1
                     WHERE id IN (SELECT value FROM json_each($2))",
                )
                .bind(&lease)
                .bind(ids)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                rows
            }
            Backend::Postgres => {
                let mut tx = self.pool().begin().await?;
                let sql = format!(
                    "{batch}
                     UPDATE outbox SET status = 'sending', attempts = attempts + 1,
                                       next_attempt_at = $1
                     WHERE id IN ({in_batch})
                     RETURNING {OUTBOX_COLUMNS}"
                );
                let rows = sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(sql))
                    .bind(&lease)
                    .bind(time::to_text(now))
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                rows
            }
        };
        rows.sort_by(|a, b| a.planned_for.cmp(&b.planned_for).then(a.id.cmp(&b.id)));
        Ok(rows)
    }

    /// Marks a message delivered.
    pub async fn mark_sent(
        &self,
        id: i64,
        channel: Option<&ChannelId>,
        message_ts: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        mark_sent_in(&mut conn, id, channel, message_ts, now).await
    }

    /// Puts a message back in the queue after a failed attempt.
    pub async fn mark_retry(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.after_attempt(id, OutboxStatus::Pending, error, next_attempt_at)
            .await
    }

    /// After an attempt whose outcome is unknown (no answer in time, a dropped connection,
    /// shutdown abandoning the send): the message may have been delivered, so it stays
    /// `sending`, with `error`, until `next_attempt_at`. Then, like a row whose claim's lease
    /// ended, it is looked up in its DM before it is claimed again (see
    /// [`Store::unknown_outcomes`]).
    pub async fn mark_unknown(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.after_attempt(id, OutboxStatus::Sending, error, next_attempt_at)
            .await
    }

    /// Records a failed attempt's `error` and the row's next try, leaving it `status`.
    async fn after_attempt(
        &self,
        id: i64,
        status: OutboxStatus,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(time::to_text(next_attempt_at))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Puts a claimed message back untried (its claim counted an attempt that was not made).
    pub async fn release_untried(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                               next_attempt_at = $1
             WHERE id = $2",
        )
        .bind(time::to_text(next_attempt_at))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Holds a claimed message back until `until`, with `reason`: it goes back to `pending`,
    /// untried (its claim counted an attempt that was not made), and keeps its key, so it is
    /// neither lost nor planned again.
    pub async fn mark_deferred(
        &self,
        id: i64,
        reason: &str,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                               next_attempt_at = $1, deferred_reason = $2, deferred_until = $1
             WHERE id = $3",
        )
        .bind(time::to_text(until))
        .bind(reason)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The messages waiting, held back, oldest first (what `overdue` shows).
    pub async fn pending_deferrals(&self) -> Result<Vec<PendingDeferral>, StoreError> {
        Ok(sqlx::query_as::<_, PendingDeferral>(
            "SELECT key, kind, recipient, report_id, deferred_reason AS reason,
                    deferred_until AS until
             FROM outbox
             WHERE status IN ('pending', 'sending') AND deferred_reason IS NOT NULL
               AND next_attempt_at = deferred_until
             ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The messages to `recipient` waiting, held back, oldest first (what `team` shows).
    pub async fn pending_deferrals_to(
        &self,
        recipient: &str,
    ) -> Result<Vec<PendingDeferral>, StoreError> {
        Ok(sqlx::query_as::<_, PendingDeferral>(
            "SELECT key, kind, recipient, report_id, deferred_reason AS reason,
                    deferred_until AS until
             FROM outbox
             WHERE recipient = $1 AND status IN ('pending', 'sending')
               AND deferred_reason IS NOT NULL AND next_attempt_at = deferred_until
             ORDER BY id",
        )
        .bind(recipient)
        .fetch_all(self.pool())
        .await?)
    }

    /// Gives up on a message.
    pub async fn mark_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET status = 'failed', last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Rows whose outcome is unknown: claimed `sending` and never marked, their process
    /// gone, or marked so after an attempt nobody answered ([`Store::mark_unknown`]). With
    /// `lease_ended_by`, only those whose lease (or retry time) has ended by then; without,
    /// every `sending` row (at start-up, when no pass of this process runs yet). Oldest
    /// first.
    pub async fn unknown_outcomes(
        &self,
        lease_ended_by: Option<DateTime<Utc>>,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox
             WHERE status = 'sending' AND ($1 IS NULL OR next_attempt_at <= $1)
             ORDER BY id"
        );
        Ok(sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(sql))
            .bind(lease_ended_by.map(time::to_text))
            .fetch_all(self.pool())
            .await?)
    }

    /// At start-up: rows a previous process left `sending` become ready now. With
    /// `lease_ended_by`, only those whose lease (or retry time) has ended by then: on a
    /// database several replicas share, a `sending` row whose lease runs may be another live
    /// replica's send in progress.
    pub async fn requeue_interrupted(
        &self,
        now: DateTime<Utc>,
        lease_ended_by: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1
             WHERE status = 'sending' AND ($2 IS NULL OR next_attempt_at <= $2)",
        )
        .bind(time::to_text(now))
        .bind(lease_ended_by.map(time::to_text))
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// The stale-message rule, in one place: which of the rows `ids` no longer have a purpose,
    /// with why. The scheduler checks it right before each message is sent (on that
    /// message's rows), so a message planned, claimed or retried before the record changed is
    /// never sent:
    /// - a reminder, when its report is no longer active, has another manager than the
    ///   recipient, or is no longer due by the reminder's slot (a conversation was recorded
    ///   or a snooze set meanwhile; one day of slack for zones ahead of UTC); a reminder that
    ///   was held back (its recipient away) when a later reminder about the same report to
    ///   the same manager is waiting too, so a long absence ends with one reminder, not one
    ///   per week missed;
    /// - a confirmation request, when its conversation was answered or taken back;
    /// - a dispute notice, when its conversation was answered otherwise since, or taken back;
    /// - a request to join a team, when it was answered (by a typed command) since, or the
    ///   person joined a team meanwhile (their `report_id`);
    /// - an invitation to prepare, when its report was removed, or the key it was planned
    ///   with (`prep:REPORT:MANAGER:DUE_ON`, the stored `due_on` where reminders start) is no
    ///   longer the report's: a conversation recorded, a snooze or a move since.
    ///
    /// - a notice that evidence was logged for someone (key `evidence:ID`), when the entry
    ///   was removed since.
    ///
    /// Digests, alerts and other notices always keep their purpose. One statement, the same text
    /// whatever the ids (so it is prepared once per connection), reading each row by its
    /// primary key and its report and check-in by theirs.
    ///
    /// On PostgreSQL, what this reads must send change notices when written (the triggers of
    /// migration 0012, `store::changes`): a table or outbox column added here needs its
    /// trigger there, or a replica may reuse an answer it changed.
    pub async fn superseded_among(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        superseded_among_in(&mut conn, ids).await
    }

    /// Marks a row superseded: not sent, not failed, with why.
    pub async fn mark_superseded(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET status = 'superseded', last_error = $1 WHERE id = $2")
            .bind(reason)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Messages with `status` (all when `None`), oldest first: for tests and admin views.
    pub async fn outbox(&self, status: Option<&str>) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE $1 IS NULL OR status = $1 ORDER BY id"
        );
        Ok(sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .fetch_all(self.pool())
            .await?)
    }

    /// The delivered message with `key`, if any (to update it after a button click).
    pub async fn sent_message(&self, key: &str) -> Result<Option<OutboxRow>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE key = $1 AND status = 'sent'");
        Ok(sqlx::query_as::<_, OutboxRow>(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_optional(self.pool())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn reminder(key: &str, recipient: &str, hour: u32) -> PlannedReminder {
        PlannedReminder {
            message: NewMessage {
                key: key.to_owned(),
                kind: kind::REMINDER,
                recipient: recipient.to_owned(),
                report_id: Some(UserId::new(format!("U{key}"))),
                payload: Reply::paragraph("Time for a career conversation"),
                planned_for: Utc.with_ymd_and_hms(2026, 6, 17, hour, 0, 0).unwrap(),
            },
            anchor_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            snoozed_until: None,
        }
    }

    /// The batch lists reminders in the order a claim takes them (slot, then recipient), so
    /// the rows one claim takes are inserted side by side; and it says each field as the
    /// statements read it.
    #[test]
    fn a_reminder_batch_is_in_claim_order() {
        let reminders = [
            reminder("a", "UMGR2", 9),
            reminder("b", "UMGR1", 10),
            reminder("c", "UMGR1", 9),
            reminder("d", "UMGR2", 9),
        ];
        let batch = ReminderBatch::new(&reminders).unwrap().unwrap();
        let rows: Vec<serde_json::Value> = serde_json::from_str(batch.json()).unwrap();
        let keys: Vec<&str> = rows
            .iter()
            .map(|row| row["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["c", "a", "d", "b"]);
        let first = &rows[0];
        assert_eq!(first["kind"], "reminder");
        assert_eq!(first["recipient"], "UMGR1");
        assert_eq!(first["report_id"], "Uc");
        assert_eq!(first["planned_for"], "2026-06-17T09:00:00.000Z");
        assert_eq!(first["anchor_on"], "2026-01-05");
        assert_eq!(first["snoozed_until"], serde_json::Value::Null);
        let payload: Reply = serde_json::from_str(first["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload, Reply::paragraph("Time for a career conversation"));
    }

    /// The rows the last-reminder statement reads are the same, in the same order, without
    /// the payloads.
    #[test]
    fn a_reminder_batch_keys_are_its_rows_without_payloads() {
        let reminders = [reminder("a", "UMGR2", 9), reminder("b", "UMGR1", 10)];
        let batch = ReminderBatch::new(&reminders).unwrap().unwrap();
        let keys: Vec<serde_json::Value> = serde_json::from_str(batch.keys_json()).unwrap();
        assert_eq!(
            keys,
            [
                serde_json::json!({"key": "a", "recipient": "UMGR2", "report_id": "Ua",
                                   "anchor_on": "2026-01-05", "snoozed_until": null}),
                serde_json::json!({"key": "b", "recipient": "UMGR1", "report_id": "Ub",
                                   "anchor_on": "2026-01-05", "snoozed_until": null}),
            ]
        );
    }

    #[test]
    fn an_empty_reminder_batch_is_none() {
        assert!(ReminderBatch::new(&[]).unwrap().is_none());
    }
}
