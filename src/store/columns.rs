//! Reading dates and levels from columns, the same on both databases.
//!
//! sqlx's `Any` driver decodes text, integers, floats, booleans and bytes, nothing else; the
//! store keeps dates as `YYYY-MM-DD` text (see [`super::time`]) and levels as integers. These
//! wrappers read them into `NaiveDate` and `u32`, as a `FromRow` field's
//! `#[sqlx(try_from = "Day")]` (or `MaybeDay`, `MaybeLevel` for a nullable column; a
//! non-null level is `try_from = "i64"`).

use chrono::NaiveDate;
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

/// A stored date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub NaiveDate);

/// A stored date or NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MaybeDay(pub Option<NaiveDate>);

/// A stored level (a non-negative integer) or NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaybeLevel(pub Option<u32>);

/// The date written as `text`; anything else is an error naming it.
fn parse_day(text: &str) -> Result<NaiveDate, BoxDynError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date (YYYY-MM-DD)").into())
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> NaiveDate {
        day.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(day: MaybeDay) -> Option<NaiveDate> {
        day.0
    }
}

impl From<MaybeLevel> for Option<u32> {
    fn from(level: MaybeLevel) -> Option<u32> {
        level.0
    }
}

impl Type<Any> for Day {
    fn type_info() -> AnyTypeInfo {
        <str as Type<Any>>::type_info()
    }
}

impl<'r> Decode<'r, Any> for Day {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        parse_day(<&str as Decode<'r, Any>>::decode(value)?).map(Day)
    }
}

impl Type<Any> for MaybeDay {
    fn type_info() -> AnyTypeInfo {
        <str as Type<Any>>::type_info()
    }
}

impl<'r> Decode<'r, Any> for MaybeDay {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <Option<&str> as Decode<'r, Any>>::decode(value)? {
            Some(text) => parse_day(text).map(|day| MaybeDay(Some(day))),
            None => Ok(MaybeDay(None)),
        }
    }
}

impl Type<Any> for MaybeLevel {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for MaybeLevel {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <Option<i64> as Decode<'r, Any>>::decode(value)? {
            Some(level) => Ok(MaybeLevel(Some(u32::try_from(level)?))),
            None => Ok(MaybeLevel(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_anything_else_is_named() {
        assert_eq!(
            parse_day("2026-03-02").expect("a date"),
            NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid")
        );
        let error = parse_day("soon").expect_err("not a date").to_string();
        assert!(error.contains("\"soon\""), "{error}");
    }
}
