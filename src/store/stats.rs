//! What `stats`, the App Home's headline figures and the weekly digest read: the
//! conversations held in a window, each with the report's previous conversation (or start
//! date) so its cycle's overdue day can be worked out, and the org chart.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::columns::Day;
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

/// One conversation in the window, before its previous one is known.
#[derive(sqlx::FromRow)]
struct WindowRow {
    id: i64,
    report_id: UserId,
    manager_id: UserId,
    #[sqlx(try_from = "crate::store::columns::Day")]
    held_on: NaiveDate,
    framework_id: Option<FrameworkId>,
    ack_status: AckStatus,
}

/// The conversations in the window: a plain scan, no sort (the rows are ordered in memory).
const WINDOW_SQL: &str =
    "SELECT id, report_id, manager_id, held_on, framework_id, ack_status FROM checkins
     WHERE held_on >= $1 AND held_on <= $2";

/// Each report's latest conversation before the window (read through `checkins_by_report`).
const BEFORE_SQL: &str =
    "SELECT report_id, MAX(held_on) FROM checkins WHERE held_on < $1 GROUP BY report_id";

/// Each person's start date, for a report whose first conversation is in the window.
const STARTS_SQL: &str = "SELECT user_id, start_date FROM people WHERE start_date IS NOT NULL";

impl Store {
    /// The conversations held from `from` to `to` (inclusive), each with its previous one
    /// (the report's conversation before it, else their start date), ordered by report,
    /// then date, then id.
    ///
    /// Why three plain queries and a merge rather than one `LAG() OVER (PARTITION BY
    /// report_id …)`: the window function sorts every conversation ever held and joins each
    /// to its person, which over 100,000 people and two years took seconds; here the
    /// previous one of a conversation in the window is the one before it in the window,
    /// and only each report's first needs the latest conversation before the window or
    /// the start date (see `BENCHMARKS.md`, "`stats` over 100,000 people").
    pub async fn held_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldConversation>, StoreError> {
        let mut rows = sqlx::query_as::<_, WindowRow>(WINDOW_SQL)
            .bind(time::date_text(from))
            .bind(time::date_text(to))
            .fetch_all(self.pool())
            .await?;
        let before: HashMap<UserId, NaiveDate> = sqlx::query_as::<_, (UserId, Day)>(BEFORE_SQL)
            .bind(time::date_text(from))
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(user, day)| (user, day.0))
            .collect();
        let starts: HashMap<UserId, NaiveDate> = sqlx::query_as::<_, (UserId, Day)>(STARTS_SQL)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|(user, day)| (user, day.0))
            .collect();
        rows.sort_unstable_by(|a, b| {
            (&a.report_id, a.held_on, a.id).cmp(&(&b.report_id, b.held_on, b.id))
        });
        let mut held = Vec::with_capacity(rows.len());
        let mut last: Option<(UserId, NaiveDate)> = None;
        for row in rows {
            let previous = match &last {
                Some((report, held_on)) if *report == row.report_id => Some(*held_on),
                _ => before
                    .get(&row.report_id)
                    .or_else(|| starts.get(&row.report_id))
                    .copied(),
            };
            last = Some((row.report_id.clone(), row.held_on));
            held.push(HeldConversation {
                report_id: row.report_id,
                manager_id: row.manager_id,
                held_on: row.held_on,
                framework_id: row.framework_id,
                ack_status: row.ack_status,
                previous,
            });
        }
        Ok(held)
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
