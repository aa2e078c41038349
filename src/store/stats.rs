//! What `stats`, the App Home's headline figures and the weekly digest read: the
//! conversations held in a window, each with the report's previous conversation (or start
//! date) so its cycle's overdue day can be worked out, and the org chart.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::values::AckStatus;
use super::{Store, StoreError, time};
use crate::ids::{FrameworkId, UserId};

/// One conversation held in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldConversation {
    /// The report.
    pub report_id: UserId,
    /// Their manager of record then.
    pub manager_id: UserId,
    /// When.
    pub held_on: NaiveDate,
    /// The report's framework then.
    pub framework_id: Option<FrameworkId>,
    /// The report's latest answer.
    pub ack_status: AckStatus,
    /// The report's conversation before it, else their start date.
    pub previous: Option<NaiveDate>,
}

/// One tracked person and their manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEdge {
    /// The person.
    pub user_id: UserId,
    /// Their manager.
    pub manager_id: UserId,
    /// Their name to show; may be empty.
    pub display_name: String,
}

/// One conversation in the window, before its previous one is known, as packed
/// ([`Store::fetch_packed`]): `[id, report_id, manager_id, held_on, framework_id, ack_status]`.
#[derive(serde::Deserialize)]
struct WindowRow(i64, UserId, UserId, String, Option<FrameworkId>, String);

/// The columns of [`WindowRow`].
const WINDOW_COLUMNS: [&str; 6] = [
    "id",
    "report_id",
    "manager_id",
    "held_on",
    "framework_id",
    "ack_status",
];

/// The conversations in the window: a plain scan, no sort (the rows are ordered in memory).
const WINDOW_FROM: &str = "checkins WHERE held_on >= $1 AND held_on <= $2";

/// Each report's latest conversation before the window (read through `checkins_by_report`).
const BEFORE_FROM: &str = "(SELECT report_id, MAX(held_on) AS latest FROM checkins
                           WHERE held_on < $1 GROUP BY report_id) AS before_window";

/// Each person's start date, for a report whose first conversation is in the window.
const STARTS_FROM: &str = "people WHERE start_date IS NOT NULL";

/// A stored date, or an error naming where it was read.
fn day(text: &str, column: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("{column} \"{text}\" is not a date (YYYY-MM-DD)")))
}

/// Each person's date in `pairs` (`[user_id, date]`), read.
fn dates(
    pairs: Vec<(UserId, String)>,
    column: &str,
) -> Result<HashMap<UserId, NaiveDate>, StoreError> {
    pairs
        .into_iter()
        .map(|(user, text)| Ok((user, day(&text, column)?)))
        .collect()
}

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
    /// the start date. Each query's rows come packed in one JSON text
    /// ([`Store::fetch_packed`]): row by row, sqlx spent most of a second waking threads
    /// (see `BENCHMARKS.md`, "`stats` over 100,000 people").
    pub async fn held_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldConversation>, StoreError> {
        let (from_text, to_text) = (time::date_text(from), time::date_text(to));
        let mut rows: Vec<WindowRow> = self
            .fetch_packed(
                "the conversations held",
                &WINDOW_COLUMNS,
                WINDOW_FROM,
                &[&from_text, &to_text],
            )
            .await?;
        let before = dates(
            self.fetch_packed(
                "the conversations before the window",
                &["report_id", "latest"],
                BEFORE_FROM,
                &[&from_text],
            )
            .await?,
            "checkins.held_on",
        )?;
        let starts = dates(
            self.fetch_packed(
                "the start dates",
                &["user_id", "start_date"],
                STARTS_FROM,
                &[],
            )
            .await?,
            "people.start_date",
        )?;
        // Dates as stored (`YYYY-MM-DD`) sort as the dates do.
        rows.sort_unstable_by(|a, b| (&a.1, &a.3, a.0).cmp(&(&b.1, &b.3, b.0)));
        let mut held = Vec::with_capacity(rows.len());
        let mut last: Option<(UserId, NaiveDate)> = None;
        for WindowRow(_, report_id, manager_id, held_on, framework_id, ack_status) in rows {
            let held_on = day(&held_on, "checkins.held_on")?;
            let previous = match &last {
                Some((report, before_it)) if *report == report_id => Some(*before_it),
                _ => before
                    .get(&report_id)
                    .or_else(|| starts.get(&report_id))
                    .copied(),
            };
            last = Some((report_id.clone(), held_on));
            held.push(HeldConversation {
                report_id,
                manager_id,
                held_on,
                framework_id,
                ack_status: AckStatus::try_from(ack_status.as_str())?,
                previous,
            });
        }
        Ok(held)
    }

    /// Every tracked person with a manager: the org chart.
    pub async fn org_edges(&self) -> Result<Vec<OrgEdge>, StoreError> {
        // Packed: one row per person in the org (see [`Store::fetch_packed`]).
        let edges: Vec<(UserId, UserId, String)> = self
            .fetch_packed(
                "the org chart",
                &["user_id", "manager_id", "display_name"],
                "people WHERE active = 1 AND manager_id IS NOT NULL",
                &[],
            )
            .await?;
        Ok(edges
            .into_iter()
            .map(|(user_id, manager_id, display_name)| OrgEdge {
                user_id,
                manager_id,
                display_name,
            })
            .collect())
    }
}
