//! When reminders go out: cron slots in each manager's own time zone, repeated while open.
//!
//! Once a check-in is due, the first reminder goes out at the first slot on or after the day
//! reminders may start (the due date, or the end of a snooze), in the manager's time zone. It
//! repeats every `repeat` (default 7 days): the k-th reminder is the first slot at or after
//! the first one plus k × `repeat`. Each reminder has an index `k`; together with the report
//! and the start date it makes the outbox key, so the same reminder can never be planned
//! twice, and a missed slot (the bot was down) is sent once, late, not once per missed slot.

use std::str::FromStr;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::period::Period;

/// The slots and the repeat period.
#[derive(Debug, Clone)]
pub struct ReminderRules {
    slots: cron::Schedule,
    repeat: Period,
}

/// One reminder that is due to go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    /// 0 for the first reminder of a due check-in, 1 for the first repeat, …
    pub index: u32,
    /// The slot it belongs to.
    pub slot: DateTime<Utc>,
    /// Whether the check-in is overdue at that slot (in the manager's time zone).
    pub overdue: bool,
}

impl ReminderRules {
    /// Rules from a cron expression (six fields, seconds first) and a repeat period.
    pub fn new(cron: &str, repeat: Period) -> Result<Self, cron::error::Error> {
        Ok(Self {
            slots: cron::Schedule::from_str(cron)?,
            repeat,
        })
    }

    /// The first slot at or after `instant`.
    pub fn slot_at_or_after(&self, tz: Tz, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let just_before = instant
            .with_timezone(&tz)
            .checked_sub_signed(chrono::Duration::seconds(1))?;
        self.slots
            .after(&just_before)
            .next()
            .map(|slot| slot.with_timezone(&Utc))
    }

    /// The first slot on or after the start of `date` in `tz`.
    pub fn first_slot_on(&self, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
        self.slot_at_or_after(tz, local_start_of_day(tz, date)?)
    }

    /// The latest reminder that should have gone out by `now` for a check-in whose reminders
    /// may start on `remind_from` and which is overdue from `overdue_on`; `None` before the
    /// first slot.
    pub fn latest(
        &self,
        tz: Tz,
        remind_from: NaiveDate,
        overdue_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Option<Reminder> {
        let first = self.first_slot_on(tz, remind_from)?;
        if first > now {
            return None;
        }
        let index = self.latest_index(tz, first, now);
        let slot = self.nth_slot(tz, first, index)?;
        Some(Reminder {
            index,
            slot,
            overdue: slot.with_timezone(&tz).date_naive() >= overdue_on,
        })
    }

    /// The k-th reminder slot after `first`.
    fn nth_slot(&self, tz: Tz, first: DateTime<Utc>, index: u32) -> Option<DateTime<Utc>> {
        if index == 0 {
            return Some(first);
        }
        let local = first.with_timezone(&tz).naive_local();
        let shifted = add_period_times(local, self.repeat, index)?;
        let instant = resolve_local(tz, shifted)?;
        self.slot_at_or_after(tz, instant)
    }

    /// The largest k whose slot is at or before `now` (the first slot already is).
    fn latest_index(&self, tz: Tz, first: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
        let at_or_before_now = |k: u32| self.nth_slot(tz, first, k).is_some_and(|slot| slot <= now);
        // Estimate from elapsed days, then step; periods in months step from zero.
        let mut k = if self.repeat.months == 0 && self.repeat.days > 0 {
            let elapsed = (now - first).num_days().max(0) as u64;
            u32::try_from(elapsed / u64::from(self.repeat.days)).unwrap_or(u32::MAX)
        } else {
            0
        };
        while k > 0 && !at_or_before_now(k) {
            k -= 1;
        }
        // The repeat period is never zero (config rejects it), so this loop ends; the cap is
        // a guard against a clock set centuries ahead.
        while k < 100_000 && at_or_before_now(k + 1) {
            k += 1;
        }
        k
    }

    /// The most recent slot at or before `now`, looking back at most `lookback_days` (for the
    /// weekly digest).
    pub fn latest_slot(
        &self,
        tz: Tz,
        now: DateTime<Utc>,
        lookback_days: u64,
    ) -> Option<DateTime<Utc>> {
        let start = now.checked_sub_days(Days::new(lookback_days))?;
        self.slots
            .after(&start.with_timezone(&tz))
            .take_while(|slot| slot.with_timezone(&Utc) <= now)
            .last()
            .map(|slot| slot.with_timezone(&Utc))
    }
}

fn add_period_times(local: NaiveDateTime, period: Period, times: u32) -> Option<NaiveDateTime> {
    let months = period.months.checked_mul(times)?;
    let days = u64::from(period.days).checked_mul(u64::from(times))?;
    local
        .checked_add_months(chrono::Months::new(months))?
        .checked_add_days(Days::new(days))
}

/// The first instant of `date` in `tz`. Where midnight does not exist (a DST gap), the day
/// starts at the first valid hour.
pub fn local_start_of_day(tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    (0..24).find_map(|hour| resolve_local(tz, date.and_hms_opt(hour, 0, 0)?))
}

/// A local wall-clock time as an instant: the earlier of two in a DST overlap, none in a gap.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(time) => Some(time.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ReminderRules {
        ReminderRules::new("0 0 9 * * Mon-Fri", Period::days(7)).expect("valid cron")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("valid date")
    }

    #[test]
    fn the_first_slot_is_nine_in_the_managers_zone_on_a_working_day() {
        // 2026-04-18 is a Saturday: the first slot is Monday 09:00 in Berlin (07:00 UTC).
        let tz: Tz = "Europe/Berlin".parse().expect("zone");
        assert_eq!(
            rules().first_slot_on(tz, date("2026-04-18")),
            Some(utc("2026-04-20T07:00:00Z"))
        );
        let tz: Tz = "America/New_York".parse().expect("zone");
        assert_eq!(
            rules().first_slot_on(tz, date("2026-04-20")),
            Some(utc("2026-04-20T13:00:00Z"))
        );
    }

    #[test]
    fn no_reminder_before_the_first_slot() {
        let tz = Tz::UTC;
        assert_eq!(
            rules().latest(
                tz,
                date("2026-04-20"),
                date("2026-07-20"),
                utc("2026-04-20T08:59:59Z")
            ),
            None
        );
    }

    #[test]
    fn the_same_reminder_within_a_week_and_the_next_after_seven_days() {
        let tz = Tz::UTC;
        let at = |now: &str| {
            rules()
                .latest(tz, date("2026-04-20"), date("2026-07-20"), utc(now))
                .expect("due")
        };
        assert_eq!(at("2026-04-20T09:00:00Z").index, 0);
        assert_eq!(at("2026-04-24T17:00:00Z").index, 0);
        assert_eq!(at("2026-04-27T08:59:00Z").index, 0);
        let second = at("2026-04-27T09:00:00Z");
        assert_eq!(second.index, 1);
        assert_eq!(second.slot, utc("2026-04-27T09:00:00Z"));
        assert_eq!(at("2026-06-01T09:30:00Z").index, 6);
    }

    #[test]
    fn reminders_say_overdue_from_the_overdue_date() {
        let tz = Tz::UTC;
        let reminder = rules()
            .latest(
                tz,
                date("2026-04-20"),
                date("2026-05-04"),
                utc("2026-05-04T10:00:00Z"),
            )
            .expect("due");
        assert!(reminder.overdue);
    }

    #[test]
    fn slots_keep_local_time_across_daylight_saving() {
        // Berlin switches to summer time on 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 after.
        let tz: Tz = "Europe/Berlin".parse().expect("zone");
        let reminder = rules()
            .latest(
                tz,
                date("2026-03-23"),
                date("2026-09-01"),
                utc("2026-03-30T12:00:00Z"),
            )
            .expect("due");
        assert_eq!(reminder.index, 1);
        assert_eq!(reminder.slot, utc("2026-03-30T07:00:00Z"));
    }

    #[test]
    fn the_latest_digest_slot_is_found_within_the_lookback() {
        let digest = ReminderRules::new("0 0 9 * * Mon", Period::days(7)).expect("cron");
        assert_eq!(
            digest.latest_slot(Tz::UTC, utc("2026-04-22T12:00:00Z"), 8),
            Some(utc("2026-04-20T09:00:00Z"))
        );
    }
}
