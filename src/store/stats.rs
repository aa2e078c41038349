//! What `stats`, the App Home's headline figures and the weekly digest read: the
//! conversations held in a window, each with the report's previous conversation (or start
//! date) so its cycle's overdue day can be worked out, and the org chart.

use chrono::NaiveDate;

use super::values::AckStatus;
use super::{Store, StoreError, time};
use crate::ids::{FrameworkId, UserId};

/// One conversation held in the window.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HeldConversation {
    /// The report.
    pub report_id: UserId,
    /// Their manager of record then.
    pub manager_id: UserId,
    /// When.
    #[sqlx(try_from = "crate::store::columns::Day")]
    pub held_on: NaiveDate,
    /// The report's framework then.
    pub framework_id: Option<FrameworkId>,
    /// The report's latest answer.
    pub ack_status: AckStatus,
    /// The report's conversation before it, else their start date.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub previous: Option<NaiveDate>,
}

/// One tracked person and their manager.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrgEdge {
    /// The person.
    pub user_id: UserId,
    /// Their manager.
    pub manager_id: UserId,
    /// Their name to show; may be empty.
    pub display_name: String,
}

// The previous conversation comes from every conversation of the report (the window
// function runs before the window filter), so the first one in the window is measured
// from the one before it.
const HELD_SQL: &str =
    "SELECT report_id, manager_id, held_on, framework_id, ack_status, previous FROM (
         SELECT c.report_id, c.manager_id, c.held_on, c.framework_id, c.ack_status,
                COALESCE(LAG(c.held_on) OVER (PARTITION BY c.report_id ORDER BY c.held_on, c.id),
                         p.start_date) AS previous
         FROM checkins c LEFT JOIN people p ON p.user_id = c.report_id
     ) WHERE held_on >= $1 AND held_on <= $2";

impl Store {
    /// The conversations held from `from` to `to` (inclusive), each with its previous one.
    pub async fn held_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldConversation>, StoreError> {
        Ok(sqlx::query_as::<_, HeldConversation>(HELD_SQL)
            .bind(time::date_text(from))
            .bind(time::date_text(to))
            .fetch_all(self.pool())
            .await?)
    }

    /// Every tracked person with a manager: the org chart.
    pub async fn org_edges(&self) -> Result<Vec<OrgEdge>, StoreError> {
        Ok(sqlx::query_as::<_, OrgEdge>(
            "SELECT user_id, manager_id, display_name FROM people
             WHERE active = 1 AND manager_id IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
