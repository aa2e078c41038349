//! Secrets and the Slack settings that hold them. A [`Secret`] never prints in full, so the
//! configuration can be logged and shown by `config check` safely.

use std::fmt;
use std::time::Duration;

/// How long one Slack Web API call may take when `SLACK_API_TIMEOUT` is not set.
pub const DEFAULT_SLACK_API_TIMEOUT: Duration = Duration::from_secs(10);

/// A secret value: prints as `xoxb-…abcd (56 chars)`, never in full.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it (the Slack client).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A masked form that is safe to print: the prefix and the length.
    pub fn masked(&self) -> String {
        let prefix: String = self.0.chars().take_while(|c| *c != '-').take(5).collect();
        if self.0.contains('-') {
            format!("{prefix}-… ({} chars)", self.0.chars().count())
        } else {
            format!("… ({} chars)", self.0.chars().count())
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The Slack settings, all from the environment.
#[derive(Debug, Clone)]
pub struct SlackSettings {
    /// `SLACK_BOT_TOKEN` (xoxb-…).
    pub bot_token: Option<Secret>,
    /// `SLACK_APP_TOKEN` (xapp-…): Socket Mode when set.
    pub app_token: Option<Secret>,
    /// `SLACK_SIGNING_SECRET`: verifies HTTP requests.
    pub signing_secret: Option<Secret>,
    /// `SLACK_API_URL`, default `https://slack.com/api`.
    pub api_url: String,
    /// `CAREER_BOT_ALLOW_INSECURE_SLACK_URL=1`: allows an `http://` API URL on a host other
    /// than this machine (the bot token then crosses the network unencrypted).
    pub allow_insecure_api_url: bool,
    /// `SLACK_API_TIMEOUT` (seconds), default 10: how long one Web API call may take before
    /// it is abandoned as a temporary failure.
    pub api_timeout: Duration,
}

impl Default for SlackSettings {
    fn default() -> Self {
        Self {
            bot_token: None,
            app_token: None,
            signing_secret: None,
            api_url: String::new(),
            allow_insecure_api_url: false,
            api_timeout: DEFAULT_SLACK_API_TIMEOUT,
        }
    }
}
