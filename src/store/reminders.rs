//! Reminders about reports: what touches both the outbox and the report's row. The outbox
//! only writes outbox rows and the people functions only people rows; here they are put
//! together in one transaction, so a report's last planned key never disagrees with the
//! outbox.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::outbox::{self, PlannedReminder, ReminderBatch};
use super::people;
use super::{Store, StoreError};
use crate::checkins::Cadence;
use crate::ids::UserId;

/// Cancels the reminders about `report_id` that have not gone out and forgets the report's
/// last planned key (a conversation was recorded, the report moved or was snoozed), inside
/// the caller's transaction, so the next pass plans whatever is due now, even a reminder
/// with a cancelled one's key. Returns how many were cancelled.
pub async fn restart_reminders_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
) -> Result<u64, StoreError> {
    let cancelled = outbox::cancel_reminders_in(conn, report_id).await?;
    people::forget_last_reminder_in(conn, report_id).await?;
    Ok(cancelled)
}

/// After a report's cadence inputs changed (a conversation recorded or taken back, a snooze
/// set or ended, a framework changed): recomputes their due date with `cadence` and restarts
/// their reminders, inside the caller's transaction.
pub async fn reschedule_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
    cadence: &Cadence,
) -> Result<(), StoreError> {
    people::refresh_due_on(conn, report_id, cadence).await?;
    restart_reminders_in(conn, report_id).await?;
    Ok(())
}

impl Store {
    /// Plans reminders and remembers each report's latest reminder key, in one transaction
    /// of two statements (the reminders travel as one JSON array: a pass plans thousands).
    ///
    /// A reminder is planned only if its report is, as the write commits, still active, with
    /// the same manager, anchor and snooze it was computed from: a pass reads who is due
    /// before it writes, and a conversation recorded (or a move, a snooze) in between must
    /// win over the stale pass.
    ///
    /// A key already in the outbox is left alone, unless that reminder was cancelled before
    /// any attempt to send it: then it is due again (say the report moved to another manager
    /// and back before the next repeat) and goes out after all. One that was cancelled while
    /// failing stays cancelled, so its give-up clock is never reset; the next repeat is a
    /// new key. Returns how many were new or revived.
    pub async fn plan_reminders(
        &self,
        reminders: &[PlannedReminder],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let Some(batch) = ReminderBatch::new(reminders)? else {
            return Ok(0);
        };
        let mut tx = self.write().await?;
        let inserted = outbox::plan_reminders_in(&mut tx, &batch, now).await?;
        people::remember_last_reminders_in(&mut tx, &batch).await?;
        tx.commit().await?;
        Ok(usize::try_from(inserted).unwrap_or(usize::MAX))
    }
}
