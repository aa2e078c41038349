//! Restoring history from an export (`import-org`): conversations and their answers, written
//! inside the import's transaction, each at most once, and the report's cadence dates counted
//! again from the restored conversations.

use chrono::NaiveDate;
use sqlx::AnyConnection;

use super::people::person_in;
use super::reminders::reschedule_in;
use super::values::AckStatus;
use super::{StoreError, time};
use crate::checkins::Cadence;
use crate::ids::{FrameworkId, UserId};

/// A conversation to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCheckin {
    /// The row's line.
    pub line: u64,
    /// The report.
    pub report_id: UserId,
    /// Their manager of record then.
    pub manager_id: UserId,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Their framework then.
    pub framework_id: Option<FrameworkId>,
    /// The level discussed.
    pub level_discussed: Option<u32>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When (as stored).
    pub recorded_at: String,
    /// The report's latest answer.
    pub ack_status: AckStatus,
    /// When they gave it.
    pub ack_at: Option<String>,
    /// A dispute's reason.
    pub ack_reason: Option<String>,
    /// The focus areas agreed (dimension names), possibly none.
    pub focus: Vec<String>,
    /// The next steps agreed.
    pub next_steps: Option<String>,
}

/// An answer to restore, under the conversation of `report_id` on `held_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAnswer {
    /// The row's line.
    pub line: u64,
    /// The report.
    pub report_id: UserId,
    /// The conversation's day.
    pub held_on: NaiveDate,
    /// Confirmed or disputed.
    pub answer: AckStatus,
    /// A dispute's reason.
    pub reason: Option<String>,
    /// When (as stored).
    pub answered_at: String,
}

/// Stores a conversation as the export had it (the import checked it is not stored yet; a
/// private note is never exported, so there is none). Its acknowledgement request is not
/// planned again: whatever was asked was asked in the database it came from.
pub async fn restore_checkin_in(
    conn: &mut AnyConnection,
    checkin: &ImportedCheckin,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checkins (report_id, manager_id, held_on, framework_id, level_discussed,
                               recorded_by, recorded_at, ack_status, ack_reason, ack_at,
                               focus, next_steps)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&checkin.report_id)
    .bind(&checkin.manager_id)
    .bind(time::date_text(checkin.held_on))
    .bind(&checkin.framework_id)
    .bind(checkin.level_discussed.map(i64::from))
    .bind(&checkin.recorded_by)
    .bind(&checkin.recorded_at)
    .bind(checkin.ack_status.as_str())
    .bind(&checkin.ack_reason)
    .bind(&checkin.ack_at)
    // As `record_checkin` stores it: none agreed is NULL, not "[]".
    .bind(
        (!checkin.focus.is_empty())
            .then(|| serde_json::to_string(&checkin.focus))
            .transpose()
            .map_err(|error| StoreError::Corrupt(format!("focus: {error}")))?,
    )
    .bind(&checkin.next_steps)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores an answer under its conversation unless the same answer at the same time is
/// already there. Returns whether it was added.
pub async fn restore_answer_in(
    conn: &mut AnyConnection,
    answer: &ImportedAnswer,
) -> Result<bool, StoreError> {
    let checkin_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM checkins WHERE report_id = $1 AND held_on = $2 LIMIT 1")
            .bind(&answer.report_id)
            .bind(time::date_text(answer.held_on))
            .fetch_optional(&mut *conn)
            .await?;
    let Some(checkin_id) = checkin_id else {
        // The import checks that every answer follows a conversation; this is a guard.
        return Err(StoreError::Corrupt(format!(
            "an imported answer (line {}) has no conversation with {} on {}",
            answer.line, answer.report_id, answer.held_on
        )));
    };
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM checkin_answers WHERE checkin_id = $1 AND answer = $2 AND answered_at = $3",
    )
    .bind(checkin_id)
    .bind(answer.answer.as_str())
    .bind(&answer.answered_at)
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO checkin_answers (checkin_id, answer, reason, answered_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(checkin_id)
    .bind(answer.answer.as_str())
    .bind(&answer.reason)
    .bind(&answer.answered_at)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Counts `report_id`'s cadence again from their latest conversation, or their start date
/// if that is later (as recording and `undo` do), then their due date; reminders planned
/// from the old dates are withdrawn.
pub async fn reanchor_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
    cadence: &Cadence,
) -> Result<(), StoreError> {
    let super::columns::MaybeDay(latest) =
        sqlx::query_scalar("SELECT max(held_on) FROM checkins WHERE report_id = $1")
            .bind(report_id)
            .fetch_one(&mut *conn)
            .await?;
    let start = person_in(conn, report_id)
        .await?
        .and_then(|person| person.start_date);
    let anchor = match (latest, start) {
        (Some(latest), Some(start)) => Some(latest.max(start)),
        (latest, start) => latest.or(start),
    };
    sqlx::query("UPDATE people SET anchor_on = $1 WHERE user_id = $2")
        .bind(anchor.map(time::date_text))
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
    reschedule_in(conn, report_id, cadence).await
}
