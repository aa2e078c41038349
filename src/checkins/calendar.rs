//! Working days and public holidays: which days a reminder slot may fall on.
//!
//! `[calendar] working_days = "Mon-Fri"` names the working week; `[calendar] holidays` maps
//! time zones to iCalendar files of public holidays (with a `default` for every other zone).
//! Each person's days are those of their own time zone. The files are read by the
//! configuration; parsing their text is here, so it is tested without files.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;

/// The days of the working week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays([bool; 7]);

impl Default for WorkingDays {
    /// Monday to Friday.
    fn default() -> Self {
        Self([true, true, true, true, true, false, false])
    }
}

/// A `working_days` value that does not name days.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a list of working days; write a range or a list of day names, e.g. \"Mon-Fri\", \"Sun-Thu\" or \"Mon,Tue,Thu\""
)]
pub struct BadWorkingDays(pub String);

impl WorkingDays {
    /// Reads "Mon-Fri", "Sun-Thu", "Mon,Wed,Fri" or "Mon-Wed,Fri" (any case; full names too).
    pub fn parse(text: &str) -> Result<Self, BadWorkingDays> {
        let bad = || BadWorkingDays(text.to_owned());
        let mut days = [false; 7];
        for part in text.split(',') {
            let part = part.trim();
            let (first, last) = match part.split_once('-') {
                Some((first, last)) => (first.trim(), last.trim()),
                None => (part, part),
            };
            let first: Weekday = first.parse().map_err(|_| bad())?;
            let last: Weekday = last.parse().map_err(|_| bad())?;
            let mut day = first;
            loop {
                days[day.num_days_from_monday() as usize] = true;
                if day == last {
                    break;
                }
                day = day.succ();
            }
        }
        if days.iter().all(|working| !working) {
            return Err(bad());
        }
        Ok(Self(days))
    }

    /// Whether `day` is a working day.
    pub fn contains(&self, day: Weekday) -> bool {
        self.0[day.num_days_from_monday() as usize]
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = (0..7)
            .filter(|index| self.0[*index])
            .filter_map(|index| Weekday::try_from(index as u8).ok())
            .map(|day| day.to_string())
            .collect();
        f.write_str(&names.join(","))
    }
}

/// The public holidays of one calendar file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeSet<NaiveDate>);

/// A holiday file that cannot be read as one, with the line at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct BadHolidays {
    /// The line (1-based, in the file as written).
    pub line: usize,
    /// What is wrong there and what would work.
    pub message: String,
}

impl Holidays {
    /// Holidays from the text of an iCalendar file: every `VEVENT`'s days, from `DTSTART` to
    /// the day before `DTEND` (one day when there is no `DTEND`). Events are taken as
    /// written; repeat rules (`RRULE`) are not expanded, as published holiday calendars list
    /// each year's dates.
    pub fn parse_ics(text: &str) -> Result<Self, BadHolidays> {
        let unfolded = icalendar::parser::unfold(text);
        let components = icalendar::parser::read_calendar_simple(&unfolded).map_err(|error| {
            let offset = unfolded.len().saturating_sub(error.input.len());
            let unfolded_line = line_of_offset(&unfolded, offset);
            BadHolidays {
                line: original_line(text, &unfolded, unfolded_line),
                message: "this is not iCalendar; each line is NAME:VALUE between BEGIN:VCALENDAR and END:VCALENDAR, as calendar programs export".to_owned(),
            }
        })?;
        if !components.iter().any(|c| c.name.as_str() == "VCALENDAR") {
            return Err(BadHolidays {
                line: 1,
                message: "the file does not start with BEGIN:VCALENDAR; export the holiday calendar as an .ics file".to_owned(),
            });
        }
        let mut days = BTreeSet::new();
        let events = components
            .iter()
            .flat_map(|calendar| calendar.components.iter())
            .filter(|component| component.name.as_str() == "VEVENT");
        for event in events {
            let date_of = |name: &str| -> Result<Option<NaiveDate>, BadHolidays> {
                let Some(property) = event.find_prop(name) else {
                    return Ok(None);
                };
                let value = property.val.as_str();
                parse_ics_date(value).map(Some).ok_or_else(|| BadHolidays {
                    line: line_of_property(text, name, value),
                    message: format!(
                        "{name} \"{value}\" is not a date; write YYYYMMDD (e.g. {name};VALUE=DATE:20261225)"
                    ),
                })
            };
            let Some(start) = date_of("DTSTART")? else {
                continue;
            };
            let end = date_of("DTEND")?.filter(|end| *end > start);
            let mut day = start;
            loop {
                days.insert(day);
                match (day.succ_opt(), end) {
                    (Some(next), Some(end)) if next < end && days.len() < 100_000 => day = next,
                    _ => break,
                }
            }
        }
        Ok(Self(days))
    }

    /// Holidays from dates (for tests and tools).
    pub fn from_dates(dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self(dates.into_iter().collect())
    }

    /// Whether `date` is a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.0.contains(&date)
    }

    /// How many days it lists.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// "20261225", "20261225T000000" or "20261225T000000Z": the date part.
fn parse_ics_date(value: &str) -> Option<NaiveDate> {
    let date = value.trim().get(..8)?;
    NaiveDate::parse_from_str(date, "%Y%m%d").ok()
}

/// The 1-based line of byte `offset` in `text`.
fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|byte| **byte == b'\n')
        .count()
        + 1
}

/// The line of the original text where line `unfolded_line` of the unfolded text begins:
/// folded lines (continuations start with a space or tab) are counted back in.
fn original_line(original: &str, unfolded: &str, unfolded_line: usize) -> usize {
    let _ = unfolded;
    let mut logical = 0;
    for (index, line) in original.lines().enumerate() {
        if !line.starts_with([' ', '\t']) {
            logical += 1;
        }
        if logical == unfolded_line {
            return index + 1;
        }
    }
    original.lines().count().max(1)
}

/// The line of the first property `name` with `value` in `text` (1 if it cannot be found).
fn line_of_property(text: &str, name: &str, value: &str) -> usize {
    text.lines()
        .position(|line| {
            line.to_ascii_uppercase().starts_with(name) && line.trim_end().ends_with(value)
        })
        .map_or(1, |index| index + 1)
}

/// Working days and holidays for everyone: holidays by time zone, with a default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// The working week.
    pub working_days: WorkingDays,
    /// Holidays of people in each zone.
    pub by_zone: HashMap<Tz, Holidays>,
    /// Holidays of people in every other zone.
    pub default: Holidays,
}

/// Why a day is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOff {
    /// Outside the working week.
    Weekend,
    /// A public holiday.
    Holiday,
}

impl Calendar {
    /// The holidays that apply to someone in `tz`.
    pub fn holidays_for(&self, tz: Tz) -> &Holidays {
        self.by_zone.get(&tz).unwrap_or(&self.default)
    }

    /// Why `date` is not a working day for someone in `tz`; `None` when it is one.
    pub fn day_off(&self, tz: Tz, date: NaiveDate) -> Option<DayOff> {
        use chrono::Datelike;
        if !self.working_days.contains(date.weekday()) {
            Some(DayOff::Weekend)
        } else if self.holidays_for(tz).contains(date) {
            Some(DayOff::Holiday)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn working_days_read_ranges_and_lists() {
        let week = WorkingDays::parse("Mon-Fri").expect("valid");
        assert_eq!(week, WorkingDays::default());
        assert!(!week.contains(Weekday::Sat));
        let week = WorkingDays::parse("sun-thu").expect("valid");
        assert!(week.contains(Weekday::Sun) && !week.contains(Weekday::Fri));
        let week = WorkingDays::parse("Mon, Wed,Friday").expect("valid");
        assert_eq!(week.to_string(), "Mon,Wed,Fri");
        let error = WorkingDays::parse("Mon-Fry").expect_err("a typo");
        assert!(error.to_string().contains("e.g. \"Mon-Fri\""), "{error}");
        assert!(WorkingDays::parse("").is_err());
    }

    const BERLIN: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:Tag der Arbeit\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Weihnachten\r\n  (three days)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn holidays_are_read_from_icalendar_with_multi_day_events() {
        let holidays = Holidays::parse_ics(BERLIN).expect("valid");
        assert!(holidays.contains(date("2026-05-01")));
        assert!(holidays.contains(date("2026-12-24")));
        assert!(holidays.contains(date("2026-12-26")));
        assert!(!holidays.contains(date("2026-12-27")), "DTEND is exclusive");
        assert_eq!(holidays.len(), 4);
    }

    #[test]
    fn a_bad_date_is_reported_with_its_line() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:2026-13-45\nEND:VEVENT\nEND:VCALENDAR\n";
        let error = Holidays::parse_ics(text).expect_err("bad date");
        assert_eq!(error.line, 5, "{error}");
        assert!(error.to_string().starts_with("line 5: DTSTART"), "{error}");
    }

    #[test]
    fn a_file_that_is_not_icalendar_is_reported_with_a_line() {
        let error = Holidays::parse_ics("2026-05-01 Labour day\n").expect_err("not ics");
        assert_eq!(error.line, 1, "{error}");
        assert!(error.message.contains("iCalendar") || error.message.contains("VCALENDAR"));
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nthis line is broken\nEND:VCALENDAR\n";
        let error = Holidays::parse_ics(text).expect_err("a broken line");
        assert_eq!(error.line, 3, "{error}");
    }

    #[test]
    fn each_zone_has_its_holidays_and_others_the_default() {
        let calendar = Calendar {
            working_days: WorkingDays::default(),
            by_zone: HashMap::from([(
                Tz::Europe__Berlin,
                Holidays::from_dates([date("2026-10-05")]),
            )]),
            default: Holidays::from_dates([date("2026-10-12")]),
        };
        assert_eq!(
            calendar.day_off(Tz::Europe__Berlin, date("2026-10-05")),
            Some(DayOff::Holiday)
        );
        assert_eq!(
            calendar.day_off(Tz::Europe__Berlin, date("2026-10-12")),
            None
        );
        assert_eq!(
            calendar.day_off(Tz::America__New_York, date("2026-10-12")),
            Some(DayOff::Holiday)
        );
        assert_eq!(
            calendar.day_off(Tz::UTC, date("2026-10-10")),
            Some(DayOff::Weekend)
        );
    }
}
