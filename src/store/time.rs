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

#[cfg(test)]
mod tests {
    use super::*;

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
