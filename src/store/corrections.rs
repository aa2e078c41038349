//! Putting a record right: taking back a conversation recorded by mistake, ending a snooze
//! early, moving a report to another framework. Each is one transaction with its audit entry,
//! so the timeline shows the mistake and its correction.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::checkins::{CHECKIN_COLUMNS, Checkin};
use super::outbox::{self, NewMessage};
use super::people::person_in;
use super::reminders::reschedule_in;
use super::values::MessageKind;
use super::{Store, StoreError, audit, time};
use crate::checkins::Cadence;
use crate::ids::{FrameworkId, UserId};
use crate::reply::Reply;

/// What became of the confirmation request of a conversation that was taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// It had not gone out yet: it was withdrawn and never will.
    Withdrawn,
    /// The report had already been asked: they are told it was taken back.
    ReportTold,
    /// There was none (a conversation imported or recorded before requests existed).
    None,
}

/// A conversation taken back.
#[derive(Debug, Clone)]
pub struct Undone {
    /// The conversation as it was.
    pub checkin: Checkin,
    /// The report's next due date now.
    pub due_on: Option<NaiveDate>,
    /// What became of the confirmation request.
    pub request: RequestOutcome,
    /// The snooze that recording the conversation had ended, back in force until this date.
    pub restored_snooze: Option<NaiveDate>,
}

/// Puts back the snooze that recording `checkin` ended (kept in its `checkin.recorded` audit
/// entry), when it has not run out by `now` and the report has no snooze now. Returns the date
/// it runs until.
async fn restore_ended_snooze(
    conn: &mut sqlx::AnyConnection,
    checkin: &Checkin,
    now: DateTime<Utc>,
) -> Result<Option<NaiveDate>, StoreError> {
    let backend = super::Backend::of_connection(conn);
    let sql = format!(
        "SELECT {until}, {reason}
         FROM audit_log
         WHERE action = 'checkin.recorded' AND subject = $1 AND {checkin} = $2
         ORDER BY id DESC LIMIT 1",
        until = super::dialect::json_text(backend, "details", "ended_snooze.until"),
        reason = super::dialect::json_text(backend, "details", "ended_snooze.reason"),
        checkin = super::dialect::json_int(backend, "details", "checkin"),
    );
    let ended: Option<(Option<String>, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&checkin.report_id)
        .bind(checkin.id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((Some(until), reason)) = ended else {
        return Ok(None);
    };
    let until = NaiveDate::parse_from_str(&until, "%Y-%m-%d").map_err(|_| {
        StoreError::Corrupt(format!(
            "audit_log.details.ended_snooze.until \"{until}\" is not a date"
        ))
    })?;
    if until <= now.date_naive() {
        return Ok(None);
    }
    let restored = sqlx::query(
        "UPDATE people SET snoozed_until = $1, snooze_reason = $2
         WHERE user_id = $3 AND snoozed_until IS NULL",
    )
    .bind(time::date_text(until))
    .bind(reason)
    .bind(&checkin.report_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok((restored > 0).then_some(until))
}

/// Who may take back which conversation.
#[derive(Debug, Clone, Copy)]
pub enum UndoScope<'a> {
    /// The last one this user recorded for the report.
    RecordedBy(&'a UserId),
    /// The last one recorded for the report, by anyone (admins).
    Anyone,
}

impl Store {
    /// Takes back the last conversation recorded for `report_id` (within `scope`): removes it,
    /// counts the cadence from the conversation before (or the start date), withdraws its
    /// confirmation request if unsent, else plans `tell_report` to the report, and audits it
    /// with every field but the private note's text. `None` when there is nothing to undo.
    pub async fn undo_last_checkin(
        &self,
        report_id: &UserId,
        scope: UndoScope<'_>,
        cadence: &Cadence,
        tell_report: impl FnOnce(&Checkin) -> Reply,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Undone>, StoreError> {
        let mut tx = self.write().await?;
        let recorded_by = match scope {
            UndoScope::RecordedBy(user) => Some(user),
            UndoScope::Anyone => None,
        };
        let sql = format!(
            "SELECT {CHECKIN_COLUMNS} FROM checkins
             WHERE report_id = $1 AND ($2 IS NULL OR recorded_by = $2)
             ORDER BY id DESC LIMIT 1"
        );
        let Some(checkin) = sqlx::query_as::<_, Checkin>(sqlx::AssertSqlSafe(sql))
            .bind(report_id)
            .bind(recorded_by)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM checkins WHERE id = $1")
            .bind(checkin.id)
            .execute(&mut *tx)
            .await?;
        // A snooze that recording this conversation ended comes back, if it still runs and
        // no other snooze was set since.
        let restored_snooze = restore_ended_snooze(&mut tx, &checkin, now).await?;
        // The cadence counts from the latest conversation left, else the start date.
        super::restore::reanchor_in(&mut tx, report_id, cadence).await?;
        sqlx::query("UPDATE people SET updated_at = $1 WHERE user_id = $2")
            .bind(time::to_text(now))
            .bind(report_id)
            .execute(&mut *tx)
            .await?;
        let request_key = format!("ack:{}", checkin.id);
        let withdrawn = sqlx::query(
            "UPDATE outbox SET status = 'cancelled' WHERE key = $1 AND status IN ('pending', 'sending')",
        )
        .bind(&request_key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let super::flag::Flag(sent) = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE key = $1 AND status = 'sent')",
        )
        .bind(&request_key)
        .fetch_one(&mut *tx)
        .await?;
        let request = if withdrawn > 0 {
            RequestOutcome::Withdrawn
        } else if sent {
            outbox::plan_in(
                &mut tx,
                &NewMessage {
                    key: format!("undone:{}", checkin.id),
                    kind: MessageKind::Notice,
                    recipient: report_id.to_string(),
                    report_id: None,
                    payload: tell_report(&checkin),
                    planned_for: now,
                },
                now,
            )
            .await?;
            RequestOutcome::ReportTold
        } else {
            RequestOutcome::None
        };
        let due_on: Option<NaiveDate> = sqlx::query_scalar::<_, super::columns::MaybeDay>(
            "SELECT due_on FROM people WHERE user_id = $1",
        )
        .bind(report_id)
        .fetch_optional(&mut *tx)
        .await?
        .and_then(|day| day.0);
        audit::record(
            &mut tx,
            now,
            actor,
            "checkin.undone",
            Some(report_id),
            json!({
                "checkin": checkin.id,
                "held_on": time::date_text(checkin.held_on),
                "manager": checkin.manager_id,
                "recorded_by": checkin.recorded_by,
                "recorded_at": checkin.recorded_at,
                "level_discussed": checkin.level_discussed,
                "ack_status": checkin.ack_status.as_str(),
                "ack_reason": checkin.ack_reason,
                "had_private_note": checkin.private_note.is_some(),
                "restored_snooze_until": restored_snooze.map(time::date_text),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Undone {
            checkin,
            due_on,
            request,
            restored_snooze,
        }))
    }

    /// Ends `report_id`'s snooze now. `false` (and nothing written) when there was none.
    pub async fn unsnooze(
        &self,
        report_id: &UserId,
        cadence: &Cadence,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let until: Option<NaiveDate> = sqlx::query_scalar::<_, super::columns::MaybeDay>(
            "SELECT snoozed_until FROM people WHERE user_id = $1",
        )
        .bind(report_id)
        .fetch_optional(&mut *tx)
        .await?
        .and_then(|day| day.0);
        let Some(until) = until else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE people SET snoozed_until = NULL, snooze_reason = NULL, updated_at = $1
             WHERE user_id = $2",
        )
        .bind(time::to_text(now))
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        reschedule_in(&mut tx, report_id, cadence).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "reminders.unsnoozed",
            Some(report_id),
            json!({ "was_until": time::date_text(until) }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves `report_id` to `framework_id` at `level`, recomputing their due date with that
    /// framework's `cadence`.
    pub async fn set_framework(
        &self,
        report_id: &UserId,
        framework_id: &FrameworkId,
        level: u32,
        cadence: &Cadence,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let before = person_in(&mut tx, report_id).await?;
        sqlx::query(
            "UPDATE people SET framework_id = $1, level = $2, updated_at = $3 WHERE user_id = $4",
        )
        .bind(framework_id)
        .bind(i64::from(level))
        .bind(time::to_text(now))
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        reschedule_in(&mut tx, report_id, cadence).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "person.framework_changed",
            Some(report_id),
            json!({
                "from": before.as_ref().and_then(|p| p.framework_id.clone()),
                "from_level": before.as_ref().and_then(|p| p.level),
                "to": framework_id,
                "to_level": level,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
