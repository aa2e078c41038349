//! `[delivery]`: how the scheduler delivers the outbox. Today one key, `lease`: how long a
//! claimed message is reserved for the replica that claimed it. When that replica dies
//! mid-delivery, another one takes the message over only once the lease has ended, so the
//! lease is also how long a crash can delay a message. It must outlast one send (the Slack
//! client's time limit, `SLACK_API_TIMEOUT`, at most 300 s, with room for the mark's commit),
//! hence its floor.

use std::time::Duration;

/// The lease when `[delivery] lease` is not set.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);
/// The shortest lease accepted.
pub const MIN_LEASE: Duration = Duration::from_secs(10);
/// The longest lease accepted: a longer one would only delay recovery after a crash.
pub const MAX_LEASE: Duration = Duration::from_secs(60 * 60);

/// Reads a lease: a whole number and a unit, `s`, `m` or `h` (also spelled out: `90 seconds`,
/// `5 minutes`, `1 hour`), from [`MIN_LEASE`] to [`MAX_LEASE`].
pub fn parse_lease(text: &str) -> Result<Duration, String> {
    let problem = || {
        format!(
            "\"{text}\" is not a lease from 10s to 1h; write e.g. \"5m\" or \"90s\" (default 5m)"
        )
    };
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let number: u64 = number.parse().map_err(|_| problem())?;
    let unit_seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "second" | "seconds" => 1,
        "m" | "min" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 60 * 60,
        _ => return Err(problem()),
    };
    number
        .checked_mul(unit_seconds)
        .map(Duration::from_secs)
        .filter(|lease| (MIN_LEASE..=MAX_LEASE).contains(lease))
        .ok_or_else(problem)
}

/// Why `lease` is too short for sends that may take `api_timeout` (`SLACK_API_TIMEOUT`), if
/// it is: a pass renews its lease once half of it is spent, right before a send, so one send
/// must end within the other half.
pub fn lease_too_short(lease: Duration, api_timeout: Duration) -> Option<String> {
    let needed = api_timeout.saturating_mul(2);
    (lease < needed).then(|| {
        format!(
            "a lease of {}s is shorter than twice SLACK_API_TIMEOUT ({}s), so a send could outlast it; use \"{}s\" or more, or a shorter SLACK_API_TIMEOUT",
            lease.as_secs(),
            api_timeout.as_secs_f64(),
            needed.as_secs_f64().ceil()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_must_outlast_two_sends() {
        let secs = Duration::from_secs;
        assert_eq!(lease_too_short(DEFAULT_LEASE, secs(10)), None);
        assert_eq!(lease_too_short(secs(20), secs(10)), None);
        assert_eq!(lease_too_short(secs(10), Duration::from_millis(2500)), None);
        let message = lease_too_short(secs(10), secs(10)).expect("too short");
        assert_eq!(
            message,
            "a lease of 10s is shorter than twice SLACK_API_TIMEOUT (10s), so a send could outlast it; use \"20s\" or more, or a shorter SLACK_API_TIMEOUT"
        );
    }

    #[test]
    fn a_lease_is_a_number_and_a_unit() {
        assert_eq!(parse_lease("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_lease(" 90s "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_lease("90 seconds"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_lease("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_lease("2 Minutes"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_lease("10s"), Ok(MIN_LEASE));
    }

    #[test]
    fn a_lease_out_of_range_or_unreadable_is_one_sentence_saying_what_works() {
        for text in [
            "9s",
            "2h",
            "61m",
            "0m",
            "5",
            "m",
            "five minutes",
            "5d",
            "-5m",
            "1.5m",
            "",
        ] {
            let message = parse_lease(text).expect_err(text);
            assert!(
                message.starts_with(&format!("\"{text}\" is not a lease from 10s to 1h")),
                "{message}"
            );
            assert!(message.contains("\"5m\""), "{message}");
        }
        assert!(parse_lease("99999999999999999999h").is_err());
        assert!(parse_lease("18446744073709551615h").is_err());
    }
}
