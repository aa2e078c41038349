//! Calendar periods such as "3 months", "2 weeks", "1w", "3d": cadence settings and snoozes.
//!
//! Months are calendar months (3 months after 30 November is 28 or 29 February), because
//! "every three months" means that to people, not "every 90 days".

use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};

/// A length of calendar time: whole months plus whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Period {
    /// Calendar months (a year is 12).
    pub months: u32,
    /// Days (a week is 7).
    pub days: u32,
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{input}\" is not a period; write e.g. \"3 months\", \"2 weeks\", \"1w\" or \"10d\"")]
pub struct PeriodError {
    /// What was given.
    pub input: String,
}

impl Period {
    /// `n` months.
    pub const fn months(months: u32) -> Self {
        Self { months, days: 0 }
    }

    /// `n` days.
    pub const fn days(days: u32) -> Self {
        Self { months: 0, days }
    }

    /// Whether the period is zero.
    pub fn is_zero(&self) -> bool {
        self.months == 0 && self.days == 0
    }

    /// The date this period after `date` (months first, then days), saturating at the end of
    /// the calendar instead of failing.
    pub fn after(&self, date: NaiveDate) -> NaiveDate {
        date.checked_add_months(Months::new(self.months))
            .and_then(|d| d.checked_add_days(Days::new(u64::from(self.days))))
            .unwrap_or(NaiveDate::MAX)
    }

    /// A rough length in days, for ordering and sanity checks (a month counts as 30 days).
    pub fn approx_days(&self) -> u64 {
        u64::from(self.months) * 30 + u64::from(self.days)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = || PeriodError {
            input: input.to_owned(),
        };
        let text = input.trim().to_lowercase();
        let mut period = Period::default();
        let mut rest = text.as_str();
        let mut parts = 0;
        while !rest.trim_start().is_empty() {
            rest = rest.trim_start();
            let digits_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let number: u32 = rest[..digits_end].parse().map_err(|_| error())?;
            rest = rest[digits_end..].trim_start();
            let unit_end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_end];
            rest = rest[unit_end..].trim_start_matches([',', ' ']);
            rest = rest.strip_prefix("and ").unwrap_or(rest);
            let overflow = || error();
            match unit {
                "d" | "day" | "days" => {
                    period.days = period.days.checked_add(number).ok_or_else(overflow)?
                }
                "w" | "wk" | "wks" | "week" | "weeks" => {
                    let days = number.checked_mul(7).ok_or_else(overflow)?;
                    period.days = period.days.checked_add(days).ok_or_else(overflow)?
                }
                "mo" | "mos" | "mon" | "month" | "months" => {
                    period.months = period.months.checked_add(number).ok_or_else(overflow)?
                }
                "y" | "yr" | "yrs" | "year" | "years" => {
                    let months = number.checked_mul(12).ok_or_else(overflow)?;
                    period.months = period.months.checked_add(months).ok_or_else(overflow)?
                }
                _ => return Err(error()),
            }
            parts += 1;
        }
        if parts == 0 {
            return Err(error());
        }
        Ok(period)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        if self.months > 0 {
            parts.push(if self.months.is_multiple_of(12) {
                plural(self.months / 12, "year")
            } else {
                plural(self.months, "month")
            });
        }
        if self.days > 0 {
            parts.push(if self.days.is_multiple_of(7) {
                plural(self.days / 7, "week")
            } else {
                plural(self.days, "day")
            });
        }
        if parts.is_empty() {
            return f.write_str("0 days");
        }
        f.write_str(&parts.join(" "))
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ways_people_write_periods() {
        assert_eq!("1w".parse(), Ok(Period::days(7)));
        assert_eq!("2 weeks".parse(), Ok(Period::days(14)));
        assert_eq!("3d".parse(), Ok(Period::days(3)));
        assert_eq!("3 months".parse(), Ok(Period::months(3)));
        assert_eq!("1 year".parse(), Ok(Period::months(12)));
        assert_eq!(
            "1 month and 2 weeks".parse(),
            Ok(Period {
                months: 1,
                days: 14
            })
        );
    }

    #[test]
    fn rejects_what_is_not_a_period() {
        for bad in ["", "soon", "3", "3 fortnights", "w", "99999999999 days"] {
            assert!(bad.parse::<Period>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn months_are_calendar_months() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date");
        assert_eq!(
            Period::months(3).after(date),
            NaiveDate::from_ymd_opt(2027, 2, 28).expect("valid date")
        );
    }

    #[test]
    fn displays_in_words() {
        assert_eq!(Period::months(3).to_string(), "3 months");
        assert_eq!(Period::days(7).to_string(), "1 week");
        assert_eq!(Period::months(12).to_string(), "1 year");
    }
}
