//! The date a conversation was held, as people write it after `done @person`: `2026-06-01`,
//! `today`, `yesterday`, `monday`, `3 days ago`, `3d ago`, `June 1`, `1 jun`.
//!
//! Reading happens in two stages, so the command parser needs no clock: [`parse_leading`]
//! reads the words into a [`DateWords`], and [`DateWords::resolve`] turns them into a date
//! relative to the caller's today, refusing the future and anything more than a year back.
//! A word that looks like a date in another form (`2026/06/01`, `01.06.2026`, `6-1`) is
//! refused rather than taken as the start of the private note.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// The forms `done` accepts, for help and error sentences.
pub const ACCEPTED_FORMS: &str = "YYYY-MM-DD, today, yesterday, a weekday (monday), \
     N days ago (or Nd ago), or a month and day (June 1, 1 Jun)";

/// A date as written, before the caller's today is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateWords {
    /// `2026-06-01`.
    Exact(NaiveDate),
    /// `today`.
    Today,
    /// `yesterday`.
    Yesterday,
    /// `monday`: the most recent one, today included.
    Weekday(Weekday),
    /// `3 days ago`, `3d ago`.
    DaysAgo(u32),
    /// `June 1`, `1 June`: the most recent such date, today included.
    MonthDay {
        /// 1–12.
        month: u32,
        /// 1–31.
        day: u32,
    },
}

/// Why the words are not a usable date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Looks like a date, but not in an accepted form.
    #[error("\"{0}\" is not a date I can read; write {ACCEPTED_FORMS}.")]
    Unreadable(String),
    /// A day that does not exist (`2026-02-30`, `April 31`).
    #[error("\"{0}\" is not a date: there is no such day; write {ACCEPTED_FORMS}.")]
    NoSuchDay(String),
    /// After today.
    #[error("{0} is in the future; record a conversation once it has happened.")]
    Future(NaiveDate),
    /// More than a year before today.
    #[error(
        "{0} is more than a year ago; check the date (older history comes in through `career-bot import-org`)."
    )]
    TooOld(NaiveDate),
}

/// Reads a date at the start of `text`. `Ok(None)` when the text does not start with a date
/// (it is then a note); `Err` when it starts with something that looks like a date but is
/// not one this accepts. On success, gives the date and the rest of the text.
pub fn parse_leading(text: &str) -> Result<Option<(DateWords, &str)>, DateError> {
    // The longest form is three words; the fourth word starts the note.
    let words: Vec<(usize, &str)> = word_offsets(text).take(4).collect();
    let Some(&(_, first)) = words.first() else {
        return Ok(None);
    };
    let rest_after = |count: usize| -> &str {
        match words.get(count) {
            Some(&(offset, _)) => &text[offset..],
            None => "",
        }
    };
    let lower = first.to_lowercase();
    let second = words.get(1).map(|(_, word)| word.to_lowercase());
    let third = words.get(2).map(|(_, word)| word.to_lowercase());

    if let Some(date) = exact(first)? {
        return Ok(Some((DateWords::Exact(date), rest_after(1))));
    }
    match lower.as_str() {
        "today" => return Ok(Some((DateWords::Today, rest_after(1)))),
        "yesterday" => return Ok(Some((DateWords::Yesterday, rest_after(1)))),
        _ => {}
    }
    if let Some(weekday) = weekday(&lower) {
        return Ok(Some((DateWords::Weekday(weekday), rest_after(1))));
    }
    // `3d ago`
    if let Some(days) = lower.strip_suffix('d').and_then(|n| n.parse::<u32>().ok())
        && second.as_deref() == Some("ago")
    {
        return Ok(Some((DateWords::DaysAgo(days), rest_after(2))));
    }
    // `3 days ago`, `1 day ago`
    if let Ok(days) = lower.parse::<u32>()
        && matches!(second.as_deref(), Some("days" | "day"))
        && third.as_deref() == Some("ago")
    {
        return Ok(Some((DateWords::DaysAgo(days), rest_after(3))));
    }
    // `June 1`
    if let Some(month) = month(&lower)
        && let Some(day) = second.as_deref().and_then(day_of_month)
    {
        return month_day(month, day, first, words.get(1).map(|(_, w)| *w))
            .map(|words| Some((words, rest_after(2))));
    }
    // `1 June`
    if let Some(day) = day_of_month(&lower)
        && let Some(month) = second.as_deref().and_then(month)
    {
        return month_day(month, day, first, words.get(1).map(|(_, w)| *w))
            .map(|words| Some((words, rest_after(2))));
    }
    if looks_like_a_date(first) {
        return Err(DateError::Unreadable(first.to_owned()));
    }
    Ok(None)
}

impl DateWords {
    /// The date these words mean for someone whose today is `today`: never in the future and
    /// at most a year back.
    pub fn resolve(self, today: NaiveDate) -> Result<NaiveDate, DateError> {
        let date = match self {
            Self::Exact(date) => date,
            Self::Today => today,
            Self::Yesterday => today.pred_opt().unwrap_or(today),
            Self::Weekday(weekday) => {
                let back = (7 + today.weekday().num_days_from_monday()
                    - weekday.num_days_from_monday())
                    % 7;
                today - Days::new(u64::from(back))
            }
            Self::DaysAgo(days) => today
                .checked_sub_days(Days::new(u64::from(days)))
                .ok_or(DateError::TooOld(NaiveDate::MIN))?,
            Self::MonthDay { month, day } => most_recent(month, day, today)?,
        };
        if date > today {
            return Err(DateError::Future(date));
        }
        let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
        if date < year_ago {
            return Err(DateError::TooOld(date));
        }
        Ok(date)
    }
}

/// Why a date in a file (an org-chart import) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileDateError {
    /// Not `YYYY-MM-DD` with a four-digit year, or not a day of the calendar.
    #[error("\"{0}\" is not a date; write YYYY-MM-DD with a four-digit year, e.g. 2026-03-02")]
    NotIso(String),
    /// Before 2000 or more than a year after today: a typo, not a date of this company.
    #[error("{0} is out of range; dates run from 2000-01-01 to a year from today")]
    OutOfRange(NaiveDate),
}

/// A date as files write it: strict `YYYY-MM-DD` (four-digit year), from 2000 to a year after
/// `today`. `26-01-01`, `0001-01-01` and `9999-12-31` are refused.
pub fn file_date(text: &str, today: NaiveDate) -> Result<NaiveDate, FileDateError> {
    let date = exact(text.trim())
        .ok()
        .flatten()
        .ok_or_else(|| FileDateError::NotIso(text.to_owned()))?;
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    let latest = today.checked_add_months(Months::new(12)).unwrap_or(today);
    if date < earliest || date > latest {
        return Err(FileDateError::OutOfRange(date));
    }
    Ok(date)
}

/// The latest `month`/`day` not after `today`, within the last two years (a 29 February
/// may be up to four years back, which `resolve` then refuses as too old).
fn most_recent(month: u32, day: u32, today: NaiveDate) -> Result<NaiveDate, DateError> {
    (0..=4)
        .filter_map(|back| NaiveDate::from_ymd_opt(today.year() - back, month, day))
        .find(|date| *date <= today)
        .ok_or_else(|| DateError::NoSuchDay(format!("{month}-{day}")))
}

fn month_day(
    month: u32,
    day: u32,
    first: &str,
    second: Option<&str>,
) -> Result<DateWords, DateError> {
    // 2024 is a leap year, so this accepts 29 February and refuses 31 April.
    if NaiveDate::from_ymd_opt(2024, month, day).is_none() {
        let written = match second {
            Some(second) => format!("{first} {second}"),
            None => first.to_owned(),
        };
        return Err(DateError::NoSuchDay(written));
    }
    Ok(DateWords::MonthDay { month, day })
}

/// `YYYY-MM-DD` exactly (four-digit year). A well-formed string for a day that does not exist
/// is an error, not a note.
fn exact(word: &str) -> Result<Option<NaiveDate>, DateError> {
    let bytes = word.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Ok(None);
    }
    NaiveDate::parse_from_str(word, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| DateError::NoSuchDay(word.to_owned()))
}

/// Digits joined by `/`, `.` or `-` (`2026/06/01`, `01.06.2026`, `6-1`, `26-01-01`).
fn looks_like_a_date(word: &str) -> bool {
    let has_separator = word.contains(['/', '.', '-']);
    let digits = word.chars().filter(char::is_ascii_digit).count();
    has_separator
        && digits >= 2
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | '.' | '-'))
        && word.starts_with(|c: char| c.is_ascii_digit())
}

fn weekday(word: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    DAYS.iter()
        .find(|(name, _)| *name == word)
        .map(|(_, day)| *day)
}

/// English month names and their three-letter abbreviations (`sept` too).
fn month(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|name| *name == word || (word.len() == 3 && name.starts_with(word)))
        .or_else(|| (word == "sept").then_some(8))
        .map(|index| index as u32 + 1)
}

/// `1`, `01`, `1st`, `2nd`, `23rd`, `4th`, and a trailing comma (`June 1,`).
fn day_of_month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches(',');
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|day| (1..=31).contains(day))
}

/// Each whitespace-separated word with its byte offset.
fn word_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    /// Monday 30 November 2026.
    fn today() -> NaiveDate {
        date(2026, 11, 30)
    }

    fn read(text: &str) -> Result<NaiveDate, DateError> {
        let (words, _) = parse_leading(text)?.expect("a date");
        words.resolve(today())
    }

    #[test]
    fn every_accepted_form_resolves_against_today() {
        let cases = [
            ("2026-06-01", date(2026, 6, 1)),
            ("today", today()),
            ("Today", today()),
            ("yesterday", date(2026, 11, 29)),
            ("monday", today()),
            ("sunday", date(2026, 11, 29)),
            ("Tuesday", date(2026, 11, 24)),
            ("3 days ago", date(2026, 11, 27)),
            ("1 day ago", date(2026, 11, 29)),
            ("3d ago", date(2026, 11, 27)),
            ("June 1", date(2026, 6, 1)),
            ("jun 1", date(2026, 6, 1)),
            ("1 June", date(2026, 6, 1)),
            ("1st jun", date(2026, 6, 1)),
            ("December 25", date(2025, 12, 25)),
            ("30 nov", today()),
            ("Sept 3", date(2026, 9, 3)),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn the_rest_of_the_line_is_the_note() {
        let (_, rest) = parse_leading("3 days ago talked about scope")
            .expect("ok")
            .expect("a date");
        assert_eq!(rest, "talked about scope");
        let (_, rest) = parse_leading("June 1   growth")
            .expect("ok")
            .expect("a date");
        assert_eq!(rest, "growth");
        let (_, rest) = parse_leading("yesterday").expect("ok").expect("a date");
        assert_eq!(rest, "");
    }

    #[test]
    fn words_that_are_not_dates_are_a_note() {
        for text in ["talked about scope", "may be promoted", "3 things", "june"] {
            assert_eq!(parse_leading(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn dates_in_other_forms_are_refused_listing_the_accepted_ones() {
        for text in ["2026/06/01", "01.06.2026", "6-1", "26-01-01", "1.6."] {
            let error = parse_leading(text).expect_err(text);
            assert!(matches!(error, DateError::Unreadable(_)), "{text}");
            assert!(error.to_string().contains("YYYY-MM-DD, today"), "{error}");
        }
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        for text in ["2026-02-30", "April 31", "31 apr"] {
            let error = parse_leading(text).expect_err(text);
            assert!(matches!(error, DateError::NoSuchDay(_)), "{text}: {error}");
        }
    }

    #[test]
    fn the_future_and_more_than_a_year_back_are_refused() {
        assert_eq!(
            read("2026-12-01"),
            Err(DateError::Future(date(2026, 12, 1)))
        );
        assert_eq!(
            read("2025-11-29"),
            Err(DateError::TooOld(date(2025, 11, 29)))
        );
        assert_eq!(read("2025-11-30"), Ok(date(2025, 11, 30)));
        assert!(matches!(read("400 days ago"), Err(DateError::TooOld(_))));
        assert!(matches!(
            read("4294967295 days ago"),
            Err(DateError::TooOld(_))
        ));
    }

    #[test]
    fn file_dates_are_strict_iso_in_a_sane_range() {
        assert_eq!(file_date("2026-03-02", today()), Ok(date(2026, 3, 2)));
        assert_eq!(file_date("2027-11-30", today()), Ok(date(2027, 11, 30)));
        for text in [
            "26-01-01",
            "2026/03/02",
            "2026-3-2",
            "2026-02-30",
            "",
            "soon",
        ] {
            assert!(
                matches!(file_date(text, today()), Err(FileDateError::NotIso(_))),
                "{text}"
            );
        }
        for text in ["0001-01-01", "9999-12-31", "1999-12-31", "2027-12-01"] {
            assert!(
                matches!(file_date(text, today()), Err(FileDateError::OutOfRange(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn a_leap_day_is_the_most_recent_one_and_then_too_old() {
        // The last 29 February before 30 November 2026 is in 2024.
        assert!(matches!(read("feb 29"), Err(DateError::TooOld(_))));
        let leap_today = date(2028, 3, 1);
        let (words, _) = parse_leading("29 feb").expect("ok").expect("a date");
        assert_eq!(words.resolve(leap_today), Ok(date(2028, 2, 29)));
    }
}
