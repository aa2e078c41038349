//! When a report's career conversation is due, overdue or snoozed.
//!
//! A check-in is **due** `due_after` (default 3 months) after the last conversation, or after
//! the report was added when there has been none, and **overdue** `overdue_after` (default 6
//! months) after it. A snooze pauses reminders until a date. All functions take "today" as a
//! value; only the wiring reads the clock.

use chrono::NaiveDate;
use serde::Serialize;

use super::period::Period;

/// The periods that define the rhythm, globally or for one framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cadence {
    /// Due this long after the last conversation.
    pub due_after: Period,
    /// Overdue this long after the last conversation.
    pub overdue_after: Period,
}

impl Default for Cadence {
    fn default() -> Self {
        Self {
            due_after: Period::months(3),
            overdue_after: Period::months(6),
        }
    }
}

/// What the cadence needs to know about one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    /// The last conversation, or the day the report was added if there has been none.
    pub anchor: NaiveDate,
    /// Reminders are paused until this date (exclusive of nothing: from this date they resume).
    pub snoozed_until: Option<NaiveDate>,
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not due yet.
    Ok,
    /// Due, not yet overdue.
    Due,
    /// Past the overdue point.
    Overdue,
    /// Due (or overdue) but reminders are paused.
    Snoozed,
}

impl Status {
    /// The word shown in `team`: ok / due / overdue / snoozed.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Due => "due",
            Status::Overdue => "overdue",
            Status::Snoozed => "snoozed",
        }
    }
}

/// The dates that follow from a timeline and a cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// When the next conversation is due.
    pub due_on: NaiveDate,
    /// When it becomes overdue.
    pub overdue_on: NaiveDate,
    /// The first day reminders may go out: the due date, or the end of a later snooze.
    pub remind_from: NaiveDate,
}

impl Cadence {
    /// The dates for `timeline`.
    pub fn schedule(&self, timeline: &Timeline) -> Schedule {
        let due_on = self.due_after.after(timeline.anchor);
        let overdue_on = self.overdue_after.after(timeline.anchor);
        let remind_from = match timeline.snoozed_until {
            Some(until) if until > due_on => until,
            _ => due_on,
        };
        Schedule {
            due_on,
            overdue_on,
            remind_from,
        }
    }

    /// The status on `today`. An active snooze always shows, even before the due date, so
    /// a manager sees that reminders are paused.
    pub fn status(&self, timeline: &Timeline, today: NaiveDate) -> Status {
        let schedule = self.schedule(timeline);
        if timeline.snoozed_until.is_some_and(|until| until > today) {
            Status::Snoozed
        } else if today < schedule.due_on {
            Status::Ok
        } else if today >= schedule.overdue_on {
            Status::Overdue
        } else {
            Status::Due
        }
    }
}

/// The first day reminders may go out for a report whose last conversation (or start) is
/// `anchor_on` and whose reminders are paused until `snoozed_until`; `None` without an anchor
/// (not a report). The store keeps this date in `people.due_on`, so "who is due" is an index
/// scan.
pub fn due_on(
    cadence: &Cadence,
    anchor_on: Option<NaiveDate>,
    snoozed_until: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let anchor = anchor_on?;
    Some(
        cadence
            .schedule(&Timeline {
                anchor,
                snoozed_until,
            })
            .remind_from,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("valid date")
    }

    fn timeline(anchor: &str, snoozed_until: Option<&str>) -> Timeline {
        Timeline {
            anchor: date(anchor),
            snoozed_until: snoozed_until.map(date),
        }
    }

    #[test]
    fn due_three_months_after_the_anchor_and_overdue_after_six() {
        let cadence = Cadence::default();
        let t = timeline("2026-01-15", None);
        assert_eq!(cadence.status(&t, date("2026-03-15")), Status::Ok);
        assert_eq!(cadence.status(&t, date("2026-04-14")), Status::Ok);
        assert_eq!(cadence.status(&t, date("2026-04-15")), Status::Due);
        assert_eq!(cadence.status(&t, date("2026-07-14")), Status::Due);
        assert_eq!(cadence.status(&t, date("2026-07-15")), Status::Overdue);
    }

    #[test]
    fn a_snooze_pauses_a_due_check_in_until_its_date() {
        let cadence = Cadence::default();
        let t = timeline("2026-01-15", Some("2026-04-22"));
        assert_eq!(cadence.status(&t, date("2026-04-16")), Status::Snoozed);
        assert_eq!(cadence.status(&t, date("2026-04-22")), Status::Due);
        assert_eq!(cadence.schedule(&t).remind_from, date("2026-04-22"));
        assert_eq!(
            due_on(&cadence, Some(t.anchor), t.snoozed_until),
            Some(date("2026-04-22"))
        );
    }

    #[test]
    fn nobody_without_an_anchor_is_due() {
        assert_eq!(due_on(&Cadence::default(), None, None), None);
    }

    #[test]
    fn a_snooze_that_ends_before_the_due_date_changes_no_date_but_shows_while_it_lasts() {
        let cadence = Cadence::default();
        let t = timeline("2026-01-15", Some("2026-02-01"));
        assert_eq!(cadence.schedule(&t).remind_from, date("2026-04-15"));
        assert_eq!(cadence.status(&t, date("2026-01-20")), Status::Snoozed);
        assert_eq!(cadence.status(&t, date("2026-02-01")), Status::Ok);
    }

    #[test]
    fn periods_are_configurable() {
        let cadence = Cadence {
            due_after: Period::days(14),
            overdue_after: Period::months(1),
        };
        let t = timeline("2026-01-01", None);
        assert_eq!(cadence.status(&t, date("2026-01-15")), Status::Due);
        assert_eq!(cadence.status(&t, date("2026-02-01")), Status::Overdue);
    }
}
