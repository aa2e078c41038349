//! What `stats`, the App Home's headline figures and the weekly digest read: the
//! conversations held in a window, each with the report's previous conversation (or start
//! date) so its cycle's overdue day can be worked out, and the org chart.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::NaiveDate;
use foldhash::{HashMap as FastMap, HashMapExt};

use super::packed::{PackedText, read_column};
use super::values::AckStatus;
use super::{Store, StoreError, dialect, time};
use crate::ids::UserId;

/// One conversation held in the window, as [`Store::held_between`] hands it over (borrowed
/// from what was read, so that 200,000 of them cost no allocation each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldRow<'a> {
    /// The report.
    pub report_id: &'a str,
    /// Their manager of record then.
    pub manager_id: &'a str,
    /// When.
    pub held_on: NaiveDate,
    /// The report's framework then.
    pub framework_id: Option<&'a str>,
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

/// The columns read of each conversation in the window, in this order.
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

/// The conversations in the window, column by column, as read.
struct Window<'a> {
    id: Vec<i64>,
    report_id: Vec<PackedText<'a>>,
    manager_id: Vec<PackedText<'a>>,
    held_on: Vec<PackedText<'a>>,
    framework_id: Vec<Option<PackedText<'a>>>,
    ack_status: Vec<PackedText<'a>>,
}

impl<'a> Window<'a> {
    /// The columns in [`WINDOW_COLUMNS`]' order, each checked to list every row.
    fn read(columns: &'a [String]) -> Result<Self, StoreError> {
        let [id, report_id, manager_id, held_on, framework_id, ack_status] = columns else {
            return Err(StoreError::Corrupt(
                "the conversations held came back without their columns".to_owned(),
            ));
        };
        let window = Window {
            id: read_column(id, "checkins.id")?,
            report_id: read_column(report_id, "checkins.report_id")?,
            manager_id: read_column(manager_id, "checkins.manager_id")?,
            held_on: read_column(held_on, "checkins.held_on")?,
            framework_id: read_column(framework_id, "checkins.framework_id")?,
            ack_status: read_column(ack_status, "checkins.ack_status")?,
        };
        let rows = window.id.len();
        let lengths = [
            window.report_id.len(),
            window.manager_id.len(),
            window.held_on.len(),
            window.framework_id.len(),
            window.ack_status.len(),
        ];
        if lengths.iter().any(|length| *length != rows) {
            return Err(StoreError::Corrupt(format!(
                "the conversations held came back as columns of different lengths ({rows} ids, then {lengths:?})"
            )));
        }
        Ok(window)
    }
}

/// A stored date, or an error naming where it was read.
fn day(text: &str, column: &str) -> Result<NaiveDate, StoreError> {
    time::date_from_text(text).ok_or_else(|| {
        StoreError::Corrupt(format!("{column} \"{text}\" is not a date (YYYY-MM-DD)"))
    })
}

/// Each person's date from a `[user_id, date]` pair of columns into `dates`, borrowing the
/// ids from the text.
fn read_dates<'a>(
    columns: &'a [String],
    what: &str,
    dates: &mut FastMap<Cow<'a, str>, NaiveDate>,
) -> Result<(), StoreError> {
    let [users, days] = columns else {
        return Err(StoreError::Corrupt(format!(
            "{what} came back without their columns"
        )));
    };
    let users: Vec<PackedText<'a>> = read_column(users, what)?;
    let days: Vec<PackedText<'_>> = read_column(days, what)?;
    if users.len() != days.len() {
        return Err(StoreError::Corrupt(format!(
            "{what} came back as columns of different lengths"
        )));
    }
    dates.reserve(users.len());
    for (user, date) in users.into_iter().zip(&days) {
        dates.insert(user.0, day(date, what)?);
    }
    Ok(())
}

impl Store {
    /// The conversations held from `from` to `to` (inclusive), each handed to `each` with
    /// its previous one (the report's conversation before it, else their start date): each
    /// report's in order of date, then id; the reports in no particular order.
    ///
    /// Why three plain queries and a merge rather than one `LAG() OVER (PARTITION BY
    /// report_id …)`: the window function sorts every conversation ever held and joins each
    /// to its person, which over 100,000 people and two years took seconds; here the
    /// previous one of a conversation in the window is the one before it in the window,
    /// and only each report's first needs the latest conversation before the window or
    /// the start date. The three run at once, on three connections; each comes packed as
    /// one JSON text per column ([`Store::fetch_columns`]), read without copying the ids
    /// (see `BENCHMARKS.md`, "`stats` over 100,000 people"). They are not one snapshot: a
    /// conversation recorded meanwhile may be missed or counted from an older previous
    /// one, as if `stats` had run a moment earlier.
    pub async fn held_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut each: impl FnMut(HeldRow<'_>),
    ) -> Result<(), StoreError> {
        let (from_text, to_text) = (time::date_text(from), time::date_text(to));
        let (window_binds, before_binds) = ([&*from_text, &*to_text], [&*from_text]);
        // Each report's previous before its first in the window: the latest conversation
        // before the window, else the start date. Read and put in a map while SQLite is still
        // scanning the window, so that only the window's own work is left when it arrives;
        // the texts are kept here, since the map borrows its ids from them.
        let texts: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
        let first_previous = async {
            let (before, starts) = tokio::try_join!(
                self.fetch_columns(&["report_id", "latest"], BEFORE_FROM, &before_binds),
                self.fetch_columns(&["user_id", "start_date"], STARTS_FROM, &[]),
            )?;
            let (before, starts) = texts.get_or_init(|| (before, starts));
            let mut dates = FastMap::new();
            read_dates(starts, "people.start_date", &mut dates)?;
            read_dates(before, "checkins.held_on", &mut dates)?;
            Ok::<_, StoreError>(dates)
        };
        let (window, first_previous) = tokio::try_join!(
            self.fetch_columns(&WINDOW_COLUMNS, WINDOW_FROM, &window_binds),
            first_previous,
        )?;
        let window = Window::read(&window)?;
        // Reports numbered in order of appearance: sorting and looking up numbers is much
        // cheaper than doing either with the ids.
        let mut numbers: FastMap<&str, u32> = FastMap::with_capacity(window.id.len() / 2);
        let mut previous_of_first = Vec::new();
        let mut order = Vec::with_capacity(window.id.len());
        for (row, report) in window.report_id.iter().enumerate() {
            let number = *numbers.entry(&**report).or_insert_with(|| {
                previous_of_first.push(first_previous.get(&**report).copied());
                u32::try_from(previous_of_first.len() - 1).unwrap_or(u32::MAX)
            });
            let held_on = day(&window.held_on[row], "checkins.held_on")?;
            order.push((number, held_on, window.id[row], row));
        }
        order.sort_unstable();
        let mut last: Option<(u32, NaiveDate)> = None;
        for (number, held_on, _, row) in order {
            let previous = match last {
                Some((report, before_it)) if report == number => Some(before_it),
                _ => previous_of_first[number as usize],
            };
            last = Some((number, held_on));
            each(HeldRow {
                report_id: &window.report_id[row],
                manager_id: &window.manager_id[row],
                held_on,
                framework_id: window.framework_id[row].as_deref(),
                ack_status: AckStatus::try_from(&*window.ack_status[row])?,
                previous,
            });
        }
        Ok(())
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

    /// The part of the org chart above people who manage: `(person, manager)` for each
    /// active person who manages an active person, and for each of `also` who is tracked
    /// with a manager.
    ///
    /// This is all the figures of `stats` need from the org chart (each manager's chain up
    /// to their top-level team, and who is in a manager's line among the managers of
    /// record, given in `also`): every step up a chain is a manager of an active person.
    /// It is about one edge in a hundred of [`Store::org_edges`].
    pub async fn management_edges(
        &self,
        also: &[&str],
    ) -> Result<Vec<(UserId, UserId)>, StoreError> {
        let backend = self.backend();
        let also_ids = serde_json::to_string(also)
            .map_err(|error| StoreError::Corrupt(format!("the ids do not write: {error}")))?;
        let rest = format!(
            "people WHERE active = 1 AND manager_id IS NOT NULL AND user_id IN (
                 SELECT manager_id FROM people WHERE active = 1 AND manager_id IS NOT NULL
                 UNION SELECT {also} FROM {rows})",
            also = dialect::json_text(backend, "also.value", ""),
            rows = dialect::json_rows(backend, "$1", "also"),
        );
        self.fetch_packed(
            "the managers' org chart",
            &["user_id", "manager_id"],
            &rest,
            &[&also_ids],
        )
        .await
    }
}
