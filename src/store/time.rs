//! How times are written to the database: fixed-width UTC text, so that comparing the text
//! compares the times (`2026-03-02T09:00:00.000Z`). Dates are `YYYY-MM-DD`.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::StoreError;

/// A timestamp as stored.
pub fn to_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored timestamp.
pub fn from_text(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("\"{text}\" is not a timestamp")))
}

/// A date as stored.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A stored date (`YYYY-MM-DD`); `None` when the text is not one.
///
/// By hand rather than with a format string: `stats` reads about 400,000 dates a call, and
/// chrono's general parser took several times longer per date.
pub fn date_from_text(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |sum, byte| {
            byte.is_ascii_digit()
                .then(|| sum * 10 + u32::from(byte - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_back_as_written_and_anything_else_is_none() {
        for date in ["2026-03-02", "0001-01-01", "2024-02-29", "9999-12-31"] {
            let read = date_from_text(date).expect("a date");
            assert_eq!(date_text(read), date);
            assert_eq!(Some(read), NaiveDate::parse_from_str(date, "%Y-%m-%d").ok());
        }
        for bad in [
            "",
            "2026-3-02",
            "2026-02-30",
            "2026-13-01",
            "2026/03/02",
            "2026-03-0x",
            "+202-03-02",
            "2026-03-021",
        ] {
            assert_eq!(date_from_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_are_fixed_width_and_round_trip() {
        let time = DateTime::parse_from_rfc3339("2026-03-02T09:00:00+01:00")
            .expect("valid")
            .with_timezone(&Utc);
        let text = to_text(time);
        assert_eq!(text, "2026-03-02T08:00:00.000Z");
        assert_eq!(from_text(&text).expect("parses"), time);
        assert!(from_text("yesterday").is_err());
    }
}
