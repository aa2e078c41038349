//! Whether a DM goes out now or waits, and until when: the one rule the scheduler applies
//! right before sending a reminder, an invitation to prepare or a confirmation request.
//!
//! In order: a slot on a day off (outside the working week, or a holiday of the recipient's
//! calendar) moves to the next working day's slot; a recipient who is away waits for the
//! first slot after their status expires (with no expiry, the next working day's slot, where
//! it is checked again); a reminder about a report who is away waits the same way (the
//! conversation cannot happen); a recipient in do-not-disturb waits until it ends, the same
//! day (a window lasting past the day moves to the next working slot after it).

use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;

use super::away::{Away, AwayRules, Presence};
use super::calendar::{Calendar, DayOff};
use super::reminders::{ReminderRules, local_start_of_day};

/// Why a message waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// The recipient's status says they are away.
    Away,
    /// The report a reminder is about is away.
    ReportAway,
    /// The recipient is in do-not-disturb.
    DoNotDisturb,
    /// Today is a public holiday for the recipient.
    Holiday,
    /// Today is outside the recipient's working week.
    NonWorkingDay,
}

impl HoldReason {
    /// A short name, for metrics labels.
    pub fn label(self) -> &'static str {
        match self {
            HoldReason::Away => "away",
            HoldReason::ReportAway => "report_away",
            HoldReason::DoNotDisturb => "dnd",
            HoldReason::Holiday => "holiday",
            HoldReason::NonWorkingDay => "non_working_day",
        }
    }
}

/// A message held back: why, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// Why.
    pub reason: HoldReason,
    /// When it is tried again.
    pub until: DateTime<Utc>,
}

impl Hold {
    /// What the outbox, `:tick` and `team` say about it, with dates in `tz` (the
    /// recipient's): `deferred: away until 2026-05-06`.
    pub fn describe(&self, tz: Tz) -> String {
        let local = self.until.with_timezone(&tz);
        let day = local.date_naive();
        match self.reason {
            HoldReason::Away => format!("{DEFERRED}away until {day}"),
            HoldReason::ReportAway => format!("{DEFERRED}{REPORT}away until {day}"),
            HoldReason::DoNotDisturb => {
                format!(
                    "{DEFERRED}do not disturb until {}",
                    local.format("%Y-%m-%d %H:%M")
                )
            }
            HoldReason::Holiday => format!("{DEFERRED}holiday until {day}"),
            HoldReason::NonWorkingDay => format!("{DEFERRED}non-working day until {day}"),
        }
    }
}

/// How every stored reason starts.
const DEFERRED: &str = "deferred: ";
/// What follows [`DEFERRED`] when the report's absence holds a manager's reminder back.
const REPORT: &str = "report ";

/// Whose absence a stored reason ([`Hold::describe`]) names, with the rest of it
/// (`away until 2026-05-06`), for the views that list held reminders by report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldBecause<'a> {
    /// The report is away (the conversation cannot happen).
    Report(&'a str),
    /// The recipient is away, busy or off (or the reason is not one this build wrote).
    Recipient(&'a str),
}

impl<'a> HeldBecause<'a> {
    /// Reads a stored reason.
    pub fn of(stored: &'a str) -> Self {
        let rest = stored.strip_prefix(DEFERRED).unwrap_or(stored);
        match rest.strip_prefix(REPORT) {
            Some(report) => HeldBecause::Report(report),
            None => HeldBecause::Recipient(rest),
        }
    }
}

/// What the rule needs to know besides the people.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The reminder slots.
    pub slots: &'a ReminderRules,
    /// Working days and holidays.
    pub calendar: &'a Calendar,
    /// Which statuses mark absence.
    pub away: &'a AwayRules,
}

/// How far ahead a working slot is looked for (a calendar of holidays every day ends it).
const MAX_DAYS_AHEAD: u64 = 400;

impl Rules<'_> {
    /// The first slot at or after `instant` that falls on a working day in `tz`.
    pub fn working_slot_at_or_after(
        &self,
        tz: Tz,
        instant: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut from = instant;
        for _ in 0..MAX_DAYS_AHEAD {
            let slot = self.slots.slot_at_or_after(tz, from)?;
            let day = slot.with_timezone(&tz).date_naive();
            if self.calendar.day_off(tz, day).is_none() {
                return Some(slot);
            }
            from = local_start_of_day(tz, day.checked_add_days(Days::new(1))?)?;
        }
        None
    }

    /// The first working slot on a later day than `now`'s in `tz`.
    pub fn next_working_day_slot(&self, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let tomorrow = now
            .with_timezone(&tz)
            .date_naive()
            .checked_add_days(Days::new(1))?;
        self.working_slot_at_or_after(tz, local_start_of_day(tz, tomorrow)?)
    }

    /// Whether a message to someone in `tz` whose presence is `recipient` (and, for a
    /// reminder, about a report whose presence is `report`) waits at `now`. `slotted` says the
    /// message belongs to a reminder slot, so the calendar applies (a confirmation request
    /// goes out on any day the recipient is there).
    pub fn hold(
        &self,
        tz: Tz,
        now: DateTime<Utc>,
        slotted: bool,
        recipient: &Presence,
        report: Option<&Presence>,
    ) -> Option<Hold> {
        let hold = |reason, until: Option<DateTime<Utc>>| until.map(|until| Hold { reason, until });
        if slotted {
            let today = now.with_timezone(&tz).date_naive();
            match self.calendar.day_off(tz, today) {
                Some(DayOff::Holiday) => {
                    return hold(HoldReason::Holiday, self.working_slot_at_or_after(tz, now));
                }
                Some(DayOff::Weekend) => {
                    return hold(
                        HoldReason::NonWorkingDay,
                        self.working_slot_at_or_after(tz, now),
                    );
                }
                None => {}
            }
        }
        let back = |away: Away| match away {
            Away::No => None,
            Away::Until(expires) => Some(self.working_slot_at_or_after(tz, expires.max(now))),
            Away::Indefinitely => Some(self.next_working_day_slot(tz, now)),
        };
        if let Some(until) = back(self.away.away(recipient, now)) {
            return hold(HoldReason::Away, until);
        }
        if let Some(until) = report.and_then(|report| back(self.away.away(report, now))) {
            return hold(HoldReason::ReportAway, until);
        }
        let end = recipient.dnd_until(now)?;
        let same_day = end.with_timezone(&tz).date_naive() == now.with_timezone(&tz).date_naive();
        if same_day {
            return hold(HoldReason::DoNotDisturb, Some(end));
        }
        hold(
            HoldReason::DoNotDisturb,
            self.working_slot_at_or_after(tz, end),
        )
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_stored_reason_says_whose_absence_holds_the_message() {
        let until = "2026-05-06T07:00:00Z".parse().expect("time");
        let report = Hold {
            reason: HoldReason::ReportAway,
            until,
        }
        .describe(chrono_tz::UTC);
        assert_eq!(
            HeldBecause::of(&report),
            HeldBecause::Report("away until 2026-05-06")
        );
        let holiday = Hold {
            reason: HoldReason::Holiday,
            until,
        }
        .describe(chrono_tz::UTC);
        assert_eq!(
            HeldBecause::of(&holiday),
            HeldBecause::Recipient("holiday until 2026-05-06")
        );
        assert_eq!(HeldBecause::of("odd"), HeldBecause::Recipient("odd"));
    }
    use super::*;
    use crate::checkins::Period;
    use crate::checkins::away::{DndWindow, ProfileStatus};
    use crate::checkins::calendar::Holidays;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    fn slots() -> ReminderRules {
        ReminderRules::new("0 0 9 * * Mon-Fri", Period::days(7)).expect("cron")
    }

    fn away(text: &str, expires: Option<&str>) -> Presence {
        Presence {
            status: Some(ProfileStatus {
                text: text.to_owned(),
                emoji: String::new(),
                expires: expires.map(utc),
            }),
            dnd: None,
        }
    }

    #[test]
    fn a_holiday_moves_the_slot_to_the_next_working_day() {
        // 2026-05-01 is a Friday and a holiday: the next working slot is Monday 4 May.
        let calendar = Calendar {
            default: Holidays::from_dates(["2026-05-01".parse().expect("date")]),
            ..Calendar::default()
        };
        let (slots, away_rules) = (slots(), AwayRules::default());
        let rules = Rules {
            slots: &slots,
            calendar: &calendar,
            away: &away_rules,
        };
        let hold = rules
            .hold(
                Tz::UTC,
                utc("2026-05-01T09:00:00Z"),
                true,
                &Presence::default(),
                None,
            )
            .expect("held");
        assert_eq!(hold.reason, HoldReason::Holiday);
        assert_eq!(hold.until, utc("2026-05-04T09:00:00Z"));
        assert_eq!(hold.describe(Tz::UTC), "deferred: holiday until 2026-05-04");
        // A confirmation request is not slotted: the calendar does not hold it.
        assert_eq!(
            rules.hold(
                Tz::UTC,
                utc("2026-05-01T09:00:00Z"),
                false,
                &Presence::default(),
                None
            ),
            None
        );
    }

    #[test]
    fn away_waits_for_the_first_slot_after_the_status_expires() {
        let (slots, calendar, away_rules) = (slots(), Calendar::default(), AwayRules::default());
        let rules = Rules {
            slots: &slots,
            calendar: &calendar,
            away: &away_rules,
        };
        let now = utc("2026-05-04T09:00:00Z");
        let hold = rules
            .hold(
                Tz::UTC,
                now,
                true,
                &away("Vacation", Some("2026-05-06T18:00:00Z")),
                None,
            )
            .expect("held");
        assert_eq!(hold.until, utc("2026-05-07T09:00:00Z"));
        assert_eq!(hold.describe(Tz::UTC), "deferred: away until 2026-05-07");
        // Without an expiry: the next working day, checked again then.
        let hold = rules
            .hold(
                Tz::UTC,
                utc("2026-05-08T09:00:00Z"),
                true,
                &away("OOO", None),
                None,
            )
            .expect("held");
        assert_eq!(hold.until, utc("2026-05-11T09:00:00Z"));
        // A report away holds the manager's reminder.
        let hold = rules
            .hold(
                Tz::UTC,
                now,
                true,
                &Presence::default(),
                Some(&away("sick", None)),
            )
            .expect("held");
        assert_eq!(hold.reason, HoldReason::ReportAway);
        assert_eq!(
            hold.describe(Tz::UTC),
            "deferred: report away until 2026-05-05"
        );
    }

    #[test]
    fn dnd_waits_until_it_ends_the_same_day() {
        let (slots, calendar, away_rules) = (slots(), Calendar::default(), AwayRules::default());
        let rules = Rules {
            slots: &slots,
            calendar: &calendar,
            away: &away_rules,
        };
        let busy = Presence {
            status: None,
            dnd: Some(DndWindow {
                start: utc("2026-05-04T08:00:00Z"),
                end: utc("2026-05-04T10:30:00Z"),
            }),
        };
        let hold = rules
            .hold(Tz::UTC, utc("2026-05-04T09:00:00Z"), true, &busy, None)
            .expect("held");
        assert_eq!(hold.reason, HoldReason::DoNotDisturb);
        assert_eq!(hold.until, utc("2026-05-04T10:30:00Z"));
        assert_eq!(
            rules.hold(Tz::UTC, utc("2026-05-04T10:30:00Z"), true, &busy, None),
            None
        );
    }
}
