//! Reading a time zone as people type it: `Europe/Berlin`, `europe/berlin`, `UTC`. One rule
//! for the `timezone` command, the org-chart import and the configuration.

use chrono_tz::{TZ_VARIANTS, Tz};

/// A time zone name that is not an IANA zone, with the closest one if there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{given}\" is not a time zone; write an IANA name such as Europe/Berlin, America/New_York or UTC.{hint}"
)]
pub struct UnknownTimeZone {
    /// What was given.
    pub given: String,
    /// " Did you mean X?" or empty.
    pub hint: String,
}

impl UnknownTimeZone {
    /// The closest known zone, if one is close enough to suggest.
    pub fn suggestion(&self) -> Option<&str> {
        self.hint
            .strip_prefix(" Did you mean ")
            .and_then(|rest| rest.strip_suffix('?'))
    }
}

/// The IANA zone named `text`, ignoring letter case and surrounding spaces.
pub fn parse_time_zone(text: &str) -> Result<Tz, UnknownTimeZone> {
    let text = text.trim();
    if let Ok(zone) = text.parse::<Tz>() {
        return Ok(zone);
    }
    if let Some(zone) = TZ_VARIANTS
        .iter()
        .find(|zone| zone.name().eq_ignore_ascii_case(text))
    {
        return Ok(*zone);
    }
    let hint = crate::text::closest(text, TZ_VARIANTS.iter().map(|zone| zone.name()))
        .map(|best| format!(" Did you mean {best}?"))
        .unwrap_or_default();
    Err(UnknownTimeZone {
        given: text.to_owned(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_matched_ignoring_case() {
        assert_eq!(parse_time_zone("Europe/Berlin"), Ok(Tz::Europe__Berlin));
        assert_eq!(parse_time_zone("europe/berlin"), Ok(Tz::Europe__Berlin));
        assert_eq!(parse_time_zone(" utc "), Ok(Tz::UTC));
        assert_eq!(
            parse_time_zone("AMERICA/NEW_YORK"),
            Ok(Tz::America__New_York)
        );
    }

    #[test]
    fn a_typo_gets_a_did_you_mean() {
        let error = parse_time_zone("Europe/Berln").expect_err("a typo");
        assert_eq!(error.suggestion(), Some("Europe/Berlin"));
        assert!(
            error.to_string().contains("Did you mean Europe/Berlin?"),
            "{error}"
        );
        let error = parse_time_zone("Mars/Olympus").expect_err("no zone");
        assert_eq!(error.suggestion(), None);
        assert!(
            error
                .to_string()
                .starts_with("\"Mars/Olympus\" is not a time zone; write an IANA name"),
            "{error}"
        );
    }
}
