//! Pausing a report's reminders until a date.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::reminders::reschedule_in;
use super::{Store, StoreError, audit, time};
use crate::checkins::Cadence;
use crate::ids::UserId;

impl Store {
    /// Pauses reminders about `report_id` until `until`, cancelling any already planned.
    pub async fn snooze(
        &self,
        report_id: &UserId,
        until: NaiveDate,
        reason: Option<&str>,
        cadence: &Cadence,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO snoozes (report_id, until_date, reason, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(report_id)
        .bind(time::date_text(until))
        .bind(reason)
        .bind(actor)
        .bind(time::to_text(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE people SET snoozed_until = $1, snooze_reason = $2, updated_at = $3 WHERE user_id = $4",
        )
        .bind(time::date_text(until))
        .bind(reason)
        .bind(time::to_text(now))
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        reschedule_in(&mut tx, report_id, cadence).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "reminders.snoozed",
            Some(report_id),
            json!({ "until": time::date_text(until), "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
