//! Checks on resolved values that their types alone do not guarantee (cadence order, cron
//! syntax, the shape of Slack tokens), each adding a [`ConfigProblem`] instead of failing, so
//! every problem is reported at once.

use std::net::IpAddr;
use std::str::FromStr;

use super::{ConfigProblem, DEFAULT_REMINDER_CRON, Secret, SlackSettings};
use crate::checkins::Cadence;

/// Parses a value given as `(source, text)`, or reports why it is invalid and returns
/// `default`; no value at all also gives `default`.
pub(super) fn parse_or_report<T>(
    value: Option<(String, String)>,
    default: T,
    parse: impl Fn(&str) -> Result<T, String>,
    problems: &mut Vec<ConfigProblem>,
) -> T {
    let Some((source, text)) = value else {
        return default;
    };
    match parse(&text) {
        Ok(value) => value,
        Err(message) => {
            problems.push(ConfigProblem { source, message });
            default
        }
    }
}

/// A cadence needs `due_after` longer than zero and `overdue_after` longer than `due_after`;
/// otherwise a check-in would be overdue as soon as (or before) it is due.
pub(super) fn check_cadence(periods: &Cadence, source: &str, problems: &mut Vec<ConfigProblem>) {
    if periods.due_after.is_zero() {
        problems.push(ConfigProblem {
            source: source.to_owned(),
            message: "due_after must be longer than zero, e.g. \"3 months\"".to_owned(),
        });
    }
    if periods.overdue_after.approx_days() <= periods.due_after.approx_days() {
        problems.push(ConfigProblem {
            source: source.to_owned(),
            message: format!(
                "overdue_after ({}) must be longer than due_after ({})",
                periods.overdue_after, periods.due_after
            ),
        });
    }
}

/// Reports a `(source, expression)` schedule that is not a cron expression with seconds, so
/// a bad schedule is found at startup rather than when the scheduler first needs it.
pub(super) fn check_cron(
    (source, expression): &(String, String),
    problems: &mut Vec<ConfigProblem>,
) {
    if let Err(error) = cron::Schedule::from_str(expression) {
        problems.push(ConfigProblem {
            source: source.clone(),
            message: format!(
                "\"{expression}\" is not a cron expression ({error}); it needs 6 fields with seconds first, e.g. \"{DEFAULT_REMINDER_CRON}\""
            ),
        });
    }
}

/// Checks the shape of the Slack tokens, signing secret and API URL, so a token pasted into
/// the wrong variable is caught before the bot tries to connect with it.
pub(super) fn check_slack(slack: &SlackSettings, problems: &mut Vec<ConfigProblem>) {
    let mut check = |name: &str, secret: &Option<Secret>, prefix: &str| {
        if let Some(secret) = secret
            && !secret.expose().starts_with(prefix)
        {
            problems.push(ConfigProblem {
                source: name.to_owned(),
                message: format!(
                    "does not look like a Slack token (it should start with \"{prefix}\")"
                ),
            });
        }
    };
    check("SLACK_BOT_TOKEN", &slack.bot_token, "xoxb-");
    check("SLACK_APP_TOKEN", &slack.app_token, "xapp-");
    if let Some(secret) = &slack.signing_secret {
        let text = secret.expose();
        if text.len() < 16 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
            problems.push(ConfigProblem {
                source: "SLACK_SIGNING_SECRET".to_owned(),
                message: "does not look like a signing secret (32 hexadecimal characters, from Basic Information → App Credentials)".to_owned(),
            });
        }
    }
    problems.extend(slack.api_url_problem());
}

/// The environment variable that allows plain `http://` to a Slack API URL off this machine.
pub const ALLOW_INSECURE_SLACK_URL: &str = "CAREER_BOT_ALLOW_INSECURE_SLACK_URL";

impl SlackSettings {
    /// What is wrong with `SLACK_API_URL`, if anything: it must be an http(s) URL, and plain
    /// `http://` only to this machine (loopback: `localhost`, `127.0.0.0/8`, `::1`), since every
    /// call carries the bot token; [`ALLOW_INSECURE_SLACK_URL`] allows it elsewhere. The one
    /// rule for `config check`, every command that loads the configuration, and `serve`.
    pub fn api_url_problem(&self) -> Option<ConfigProblem> {
        let problem = |message: String| {
            Some(ConfigProblem {
                source: "SLACK_API_URL".to_owned(),
                message,
            })
        };
        let url = &self.api_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return problem(format!(
                "\"{url}\" is not an http(s) URL; the default is https://slack.com/api"
            ));
        }
        let parsed = match reqwest::Url::parse(url) {
            Ok(parsed) if parsed.host_str().is_some_and(|host| !host.is_empty()) => parsed,
            _ => {
                return problem(format!(
                    "\"{url}\" is not a URL with a host; the default is https://slack.com/api"
                ));
            }
        };
        if parsed.scheme() == "http" && !is_loopback(&parsed) && !self.allow_insecure_api_url {
            return problem(format!(
                "\"{url}\" would send the bot token unencrypted to {}, which is not this machine; use https://, or set {ALLOW_INSECURE_SLACK_URL}=1 if the network in between is trusted",
                parsed.host_str().unwrap_or_default()
            ));
        }
        None
    }
}

/// Whether `url`'s host is this machine: `localhost` or a loopback address (an IPv4 one
/// written inside IPv6 too).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Reads a yes/no switch from the environment: `1`, `true`, `yes` or `0`, `false`, `no`
/// (any case; empty is no).
pub(super) fn parse_switch(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Ok(true),
        "" | "0" | "false" | "no" => Ok(false),
        _ => Err(format!(
            "\"{text}\" is not a switch; write 1 to turn it on, or leave it unset"
        )),
    }
}
