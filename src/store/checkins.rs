//! Career conversations and the report's acknowledgement of them.
//!
//! Recording a conversation is one transaction: the check-in row, the report's new cadence
//! dates, cancelling reminders that are now pointless, the outbox row that asks the report to
//! acknowledge, and the audit entry. Only after it commits does the bot say "recorded".
//!
//! A form opened for one conversation cycle (the record modal carries the anchor it was
//! opened for, [`NewCheckin::opened_for`]) records only if that is still the report's anchor
//! inside the transaction: a conversation recorded another way in between (`done` in chat, a
//! second form) makes the form [`Recorded::Outdated`] instead of a second conversation.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::columns::{Day, MaybeDay};
use super::outbox::{self, NewMessage};
use super::people::ensure_person;
use super::reminders::reschedule_in;
pub use super::values::AckStatus;
use super::{Store, StoreError, audit, time};
use crate::checkins::Cadence;
use crate::ids::{FrameworkId, UserId};

/// A recorded conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Checkin {
    /// Row id.
    pub id: i64,
    /// The report.
    pub report_id: UserId,
    /// The manager of record when it was held.
    pub manager_id: UserId,
    /// The day it was held.
    #[sqlx(try_from = "crate::store::columns::Day")]
    pub held_on: NaiveDate,
    /// The report's framework then.
    pub framework_id: Option<FrameworkId>,
    /// The level discussed.
    #[sqlx(try_from = "crate::store::columns::MaybeLevel")]
    pub level_discussed: Option<u32>,
    /// A note only `recorded_by` may read.
    pub private_note: Option<String>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: String,
    /// Whether the report confirmed it.
    pub ack_status: AckStatus,
    /// The report's reason, for a dispute.
    pub ack_reason: Option<String>,
    /// When the report answered.
    pub ack_at: Option<String>,
}

/// The columns a [`Checkin`] is read from, in its field order.
pub(super) const CHECKIN_COLUMNS: &str = "id, report_id, manager_id, held_on, framework_id, level_discussed, \
     private_note, recorded_by, recorded_at, ack_status, ack_reason, ack_at";

/// What a conversation agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreed {
    /// The conversation.
    pub checkin_id: i64,
    /// When it was held.
    pub held_on: NaiveDate,
    /// The focus areas (dimension names), possibly none.
    pub focus: Vec<String>,
    /// The next steps, if any were noted.
    pub next_steps: Option<String>,
}

/// A conversation's id, day, focus (JSON) and next steps, as stored.
type AgreedRow = (i64, Day, Option<String>, Option<String>);

/// Reads the stored focus areas (a JSON array, NULL for none).
fn agreed_of(
    (checkin_id, Day(held_on), focus, next_steps): AgreedRow,
) -> Result<Agreed, StoreError> {
    let focus = match focus {
        Some(json) => serde_json::from_str(&json).map_err(|error| {
            StoreError::Corrupt(format!("checkins.focus of {checkin_id}: {error}"))
        })?,
        None => Vec::new(),
    };
    Ok(Agreed {
        checkin_id,
        held_on,
        focus,
        next_steps,
    })
}

/// A conversation to record.
pub struct NewCheckin {
    /// The report.
    pub report_id: UserId,
    /// Their manager of record.
    pub manager_id: UserId,
    /// When it was held.
    pub held_on: NaiveDate,
    /// Their framework.
    pub framework_id: Option<FrameworkId>,
    /// The level discussed.
    pub level_discussed: Option<u32>,
    /// The recorder's private note.
    pub private_note: Option<String>,
    /// Who records it (the manager, or an admin).
    pub recorded_by: UserId,
    /// Set for interactive submissions: the same key twice records once.
    pub request_key: Option<String>,
    /// For a form: the report's anchor (last conversation or start date) when it was opened.
    /// If the anchor is another one by the time this is recorded, nothing is written
    /// ([`Recorded::Outdated`]).
    pub opened_for: Option<NaiveDate>,
    /// The focus areas agreed (dimension names, at most three; the caller checks).
    pub focus: Vec<String>,
    /// The next steps agreed, visible to both.
    pub next_steps: Option<String>,
    /// The cadence for the report's framework.
    pub cadence: Cadence,
    /// Builds, from the new check-in's id, the message asking the report to acknowledge; it
    /// is queued in the same transaction.
    pub acknowledgement_request: Option<AcknowledgementRequest>,
}

/// Builds the acknowledgement request once the check-in id is known.
pub type AcknowledgementRequest = Box<dyn FnOnce(i64) -> NewMessage + Send>;

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new check-in with this id.
    New(i64),
    /// The request key was seen before: this is the check-in it recorded.
    AlreadyRecorded(Box<Checkin>),
    /// A conversation with this person on this day is already recorded (by a typed command,
    /// so not the same submission): nothing was written.
    SameDay(Box<Checkin>),
    /// The form was opened for another anchor than the report's current one (a conversation
    /// was recorded, or taken back, since): nothing was written.
    Outdated {
        /// The report's anchor now.
        anchor_on: Option<NaiveDate>,
    },
}

/// The report's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledgement {
    /// "Yes, we talked."
    Acknowledged,
    /// "That didn't happen."
    Disputed,
}

impl Acknowledgement {
    /// The `ack_status` it leaves.
    pub fn status(self) -> AckStatus {
        match self {
            Acknowledgement::Acknowledged => AckStatus::Acknowledged,
            Acknowledgement::Disputed => AckStatus::Disputed,
        }
    }
}

impl Store {
    /// Records a conversation (see the module docs for what happens in the transaction).
    pub async fn record_checkin(
        &self,
        checkin: NewCheckin,
        now: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        let mut tx = self.write().await?;
        if let Some(key) = &checkin.request_key {
            let sql = format!("SELECT {CHECKIN_COLUMNS} FROM checkins WHERE request_key = $1");
            if let Some(existing) = sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
            {
                return Ok(Recorded::AlreadyRecorded(Box::new(existing)));
            }
        }
        if let Some(opened_for) = checkin.opened_for {
            let anchor_on: Option<NaiveDate> = sqlx::query_scalar::<_, super::columns::MaybeDay>(
                "SELECT anchor_on FROM people WHERE user_id = $1",
            )
            .bind(&checkin.report_id)
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|day| day.0);
            if anchor_on != Some(opened_for) {
                return Ok(Recorded::Outdated { anchor_on });
            }
        }
        let sql = format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE report_id = $1 AND held_on = $2 LIMIT 1"
        );
        if let Some(existing) = sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(&checkin.report_id)
            .bind(time::date_text(checkin.held_on))
            .fetch_optional(&mut *tx)
            .await?
        {
            return Ok(Recorded::SameDay(Box::new(existing)));
        }
        ensure_person(&mut tx, &checkin.manager_id, now).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO checkins (report_id, manager_id, held_on, framework_id, level_discussed,
                                   private_note, recorded_by, recorded_at, request_key,
                                   focus, next_steps)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&checkin.report_id)
        .bind(&checkin.manager_id)
        .bind(time::date_text(checkin.held_on))
        .bind(&checkin.framework_id)
        .bind(checkin.level_discussed.map(i64::from))
        .bind(&checkin.private_note)
        .bind(&checkin.recorded_by)
        .bind(time::to_text(now))
        .bind(&checkin.request_key)
        // No focus agreed is NULL, not "[]": nothing was said about it.
        .bind(
            (!checkin.focus.is_empty())
                .then(|| serde_json::to_string(&checkin.focus))
                .transpose()
                .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        )
        .bind(&checkin.next_steps)
        .fetch_one(&mut *tx)
        .await?;
        // The newest conversation (or one on the same day) restarts the cadence: it moves
        // the anchor, ends any snooze and cancels the reminders planned so far (planning
        // brings one back only if the new cadence is due with the very same key). A
        // back-filled, older conversation is history only: snoozes and reminders stay.
        let (MaybeDay(anchor), MaybeDay(snoozed_until), snooze_reason): (
            MaybeDay,
            MaybeDay,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT anchor_on, snoozed_until, snooze_reason FROM people WHERE user_id = $1",
        )
        .bind(&checkin.report_id)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_default();
        // A snooze this conversation ends is kept in its audit entry, so `undo` can bring it
        // back.
        let mut ended_snooze = serde_json::Value::Null;
        if anchor.is_none_or(|anchor| checkin.held_on >= anchor) {
            if let Some(until) = snoozed_until {
                ended_snooze = json!({ "until": time::date_text(until), "reason": snooze_reason });
            }
            sqlx::query(
                "UPDATE people SET anchor_on = $1, snoozed_until = NULL, snooze_reason = NULL,
                                   updated_at = $2
                 WHERE user_id = $3",
            )
            .bind(time::date_text(checkin.held_on))
            .bind(time::to_text(now))
            .bind(&checkin.report_id)
            .execute(&mut *tx)
            .await?;
            reschedule_in(&mut tx, &checkin.report_id, &checkin.cadence).await?;
        }
        if let Some(build) = checkin.acknowledgement_request {
            outbox::plan_in(&mut tx, &build(id), now).await?;
        }
        audit::record(
            &mut tx,
            now,
            &checkin.recorded_by,
            "checkin.recorded",
            Some(&checkin.report_id),
            json!({
                "checkin": id,
                "held_on": time::date_text(checkin.held_on),
                "level_discussed": checkin.level_discussed,
                "manager": checkin.manager_id,
                "has_private_note": checkin.private_note.is_some(),
                "focus": checkin.focus,
                "has_next_steps": checkin.next_steps.is_some(),
                "ended_snooze": ended_snooze,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(Recorded::New(id))
    }

    /// What the person's latest conversation agreed: the focus areas and next steps, with the
    /// conversation's id and date; `None` before the first conversation.
    pub async fn agreed_last(&self, report_id: &UserId) -> Result<Option<Agreed>, StoreError> {
        let row: Option<AgreedRow> = sqlx::query_as(
            "SELECT id, held_on, focus, next_steps FROM checkins WHERE report_id = $1
             ORDER BY held_on DESC, id DESC LIMIT 1",
        )
        .bind(report_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(agreed_of).transpose()
    }

    /// What every conversation agreed, by check-in id (for the export; conversations that
    /// agreed nothing are there too, with no focus areas and no next steps).
    pub async fn all_agreed(&self) -> Result<Vec<Agreed>, StoreError> {
        let rows: Vec<AgreedRow> =
            sqlx::query_as("SELECT id, held_on, focus, next_steps FROM checkins ORDER BY id")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(agreed_of).collect()
    }

    /// One check-in.
    pub async fn checkin(&self, id: i64) -> Result<Option<Checkin>, StoreError> {
        let sql = format!("SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = $1");
        Ok(sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// A report's conversations, newest first.
    pub async fn history(&self, report_id: &UserId) -> Result<Vec<Checkin>, StoreError> {
        let sql = format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE report_id = $1 ORDER BY held_on DESC, id DESC"
        );
        Ok(sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(report_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Every check-in, oldest first (for exports).
    pub async fn all_checkins(&self) -> Result<Vec<Checkin>, StoreError> {
        let sql = format!("SELECT {CHECKIN_COLUMNS} FROM checkins ORDER BY report_id, held_on, id");
        Ok(sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?)
    }

    /// The report's latest conversation still waiting for their answer.
    pub async fn pending_checkin(&self, report_id: &UserId) -> Result<Option<Checkin>, StoreError> {
        let sql = format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins WHERE report_id = $1 AND ack_status = 'pending'
             ORDER BY held_on DESC, id DESC LIMIT 1"
        );
        Ok(sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(report_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Records the report's answer on check-in `checkin_id`. Giving the same answer again
    /// changes nothing (a button clicked twice); a different answer replaces the first and is
    /// audited. `notify` (a dispute told to the manager) is queued in the same transaction,
    /// only when something changed, with [`outbox::plan_latest_in`]: a notice with the same
    /// key that has not gone out says the latest instead, and one that went out is not sent
    /// again (so its key bounds how many reach the recipient).
    pub async fn answer_checkin(
        &self,
        report_id: &UserId,
        checkin_id: i64,
        answer: Acknowledgement,
        reason: Option<&str>,
        notify: Option<NewMessage>,
        now: DateTime<Utc>,
    ) -> Result<AnswerOutcome, StoreError> {
        let mut tx = self.write().await?;
        let sql =
            format!("SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = $1 AND report_id = $2");
        let Some(current) = sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(checkin_id)
            .bind(report_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(AnswerOutcome::NotFound);
        };
        if current.ack_status == answer.status() {
            return Ok(AnswerOutcome::Unchanged(current));
        }
        sqlx::query(
            "UPDATE checkins SET ack_status = $1, ack_reason = $2, ack_at = $3 WHERE id = $4",
        )
        .bind(answer.status().as_str())
        .bind(reason)
        .bind(time::to_text(now))
        .bind(checkin_id)
        .execute(&mut *tx)
        .await?;
        // The answer history keeps every answer; the check-in row holds the latest.
        sqlx::query(
            "INSERT INTO checkin_answers (checkin_id, answer, reason, answered_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(checkin_id)
        .bind(answer.status().as_str())
        .bind(reason)
        .bind(time::to_text(now))
        .execute(&mut *tx)
        .await?;
        if let Some(message) = notify {
            outbox::plan_latest_in(&mut tx, &message, now).await?;
        }
        audit::record(
            &mut tx,
            now,
            report_id,
            &format!("checkin.{}", answer.status()),
            Some(report_id),
            json!({ "checkin": checkin_id, "reason": reason, "previous": current.ack_status }),
        )
        .await?;
        let sql = format!("SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = $1");
        let updated = sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(checkin_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(AnswerOutcome::Updated(updated))
    }
}

/// One answer a report gave to a conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Answer {
    /// The conversation.
    pub checkin_id: i64,
    /// `acknowledged` or `disputed`.
    pub answer: AckStatus,
    /// The reason given with a dispute.
    pub reason: Option<String>,
    /// When (RFC 3339, UTC).
    pub answered_at: String,
}

impl Store {
    /// Every answer to the conversations with `report_id`, oldest first.
    pub async fn answers_of(&self, report_id: &UserId) -> Result<Vec<Answer>, StoreError> {
        Ok(sqlx::query_as::<_, Answer>(
            "SELECT a.checkin_id, a.answer, a.reason, a.answered_at
             FROM checkin_answers a JOIN checkins c ON c.id = a.checkin_id
             WHERE c.report_id = $1 ORDER BY a.id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every answer, oldest first (for exports).
    pub async fn all_answers(&self) -> Result<Vec<Answer>, StoreError> {
        Ok(sqlx::query_as::<_, Answer>(
            "SELECT checkin_id, answer, reason, answered_at FROM checkin_answers ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }
}

/// What answering a check-in did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// The answer was recorded.
    Updated(Checkin),
    /// The check-in already had this answer; nothing was written.
    Unchanged(Checkin),
    /// No such check-in for this report.
    NotFound,
}
