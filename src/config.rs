//! The one place that reads configuration: a TOML file, environment variables and command-line
//! flags, in increasing order of precedence, resolved into one [`Config`].
//!
//! Every key is documented, with its default, in `deploy/career-bot.example.toml`. Problems
//! are collected rather than returned one at a time, so `career-bot config check` can list
//! them all. Secrets (Slack tokens) come only from the environment and never print in full.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono_tz::Tz;
use serde::Deserialize;

use crate::checkins::{Cadence, Period};
use crate::frameworks::FrameworkSource;

/// The default reminder slots: 09:00 on working days, in each manager's time zone.
pub const DEFAULT_REMINDER_CRON: &str = "0 0 9 * * Mon-Fri";
/// The default slot for the weekly digest of overdue check-ins.
pub const DEFAULT_DIGEST_CRON: &str = "0 0 9 * * Mon";
/// The default database file, in the working directory.
pub const DEFAULT_DATABASE: &str = "career-bot.db";
/// The default HTTP listen address for `serve`.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:3000";
/// The default config file, read when present in the working directory.
pub const DEFAULT_CONFIG_FILE: &str = "career-bot.toml";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "\"{other}\" is not a log format; use \"text\" or \"json\""
            )),
        }
    }
}

/// The config file, as written. Every field is optional; `deny_unknown_fields` turns a typo
/// into an error that names the valid keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// Framework directories (relative paths are relative to the config file).
    pub frameworks: Vec<PathBuf>,
    /// SQLite database path or `sqlite:` URL.
    pub database: Option<String>,
    /// Slack user ids of admins.
    pub admins: Vec<String>,
    /// Slack channel id for admin reports and the overdue digest.
    pub admin_channel: Option<String>,
    /// HTTP listen address.
    pub listen: Option<String>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Time zone for people whose zone is unknown.
    pub default_time_zone: Option<String>,
    /// Check-in cadence.
    pub cadence: FileCadence,
    /// Reminder schedule.
    pub reminders: FileReminders,
}

/// `[cadence]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileCadence {
    /// Period after the last conversation when the next one is due.
    pub due_after: Option<String>,
    /// Period after the last conversation when it is overdue.
    pub overdue_after: Option<String>,
    /// Per-framework overrides, keyed by framework id.
    pub frameworks: BTreeMap<String, FileCadenceOverride>,
}

/// `[cadence.frameworks.<id>]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileCadenceOverride {
    /// Overrides `cadence.due_after` for this framework.
    pub due_after: Option<String>,
    /// Overrides `cadence.overdue_after` for this framework.
    pub overdue_after: Option<String>,
}

/// `[reminders]` in the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileReminders {
    /// Cron expression (with seconds) for reminder slots.
    pub cron: Option<String>,
    /// How often a reminder repeats while the check-in stays open.
    pub repeat_every: Option<String>,
    /// Cron expression for the weekly overdue digest.
    pub digest_cron: Option<String>,
    /// Seconds between scheduler passes in `serve`.
    pub tick_seconds: Option<u64>,
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config FILE`.
    pub config_file: Option<PathBuf>,
    /// `--frameworks DIR`, repeatable.
    pub frameworks: Vec<PathBuf>,
    /// `--db PATH`.
    pub database: Option<String>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `--listen ADDR`.
    pub listen: Option<String>,
}

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
#[derive(Debug, Clone, Default)]
pub struct SlackSettings {
    /// `SLACK_BOT_TOKEN` (xoxb-…).
    pub bot_token: Option<Secret>,
    /// `SLACK_APP_TOKEN` (xapp-…): Socket Mode when set.
    pub app_token: Option<Secret>,
    /// `SLACK_SIGNING_SECRET`: verifies HTTP requests.
    pub signing_secret: Option<Secret>,
    /// `SLACK_API_URL`, default `https://slack.com/api`.
    pub api_url: String,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Where frameworks come from; `[Bundled]` by default.
    pub frameworks: Vec<FrameworkSource>,
    /// The SQLite database (path or URL).
    pub database: String,
    /// Admin user ids.
    pub admins: Vec<String>,
    /// Channel for admin reports and the digest.
    pub admin_channel: Option<String>,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// Log format.
    pub log_format: LogFormat,
    /// Time zone for people whose zone is unknown.
    pub default_time_zone: Tz,
    /// Global cadence.
    pub cadence: Cadence,
    /// Per-framework cadence overrides.
    pub cadence_overrides: BTreeMap<String, Cadence>,
    /// Reminder slot schedule (cron with seconds).
    pub reminder_cron: String,
    /// Reminders repeat this often while open.
    pub reminder_repeat: Period,
    /// Overdue digest schedule.
    pub digest_cron: String,
    /// Seconds between scheduler passes.
    pub tick_seconds: u64,
    /// Slack settings.
    pub slack: SlackSettings,
}

/// One problem found while reading configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Where: a file (and line), an environment variable or a flag.
    pub source: String,
    /// What is wrong and what would work.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// Reads environment variables; tests pass a map instead of the process environment.
pub trait Environment {
    /// The variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name)
            .cloned()
            .filter(|value| !value.trim().is_empty())
    }
}

impl Config {
    /// Resolves the configuration from the process environment and the given flags.
    pub fn load(overrides: &Overrides) -> Result<Config, Vec<ConfigProblem>> {
        Self::resolve(overrides, &ProcessEnvironment)
    }

    /// Resolves file < environment < flags. Returns every problem found.
    pub fn resolve(
        overrides: &Overrides,
        env: &dyn Environment,
    ) -> Result<Config, Vec<ConfigProblem>> {
        let (config, problems) = Self::resolve_all(overrides, env);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Like [`Config::resolve`], but always returns the effective configuration (defaults in
    /// place of invalid values) together with every problem, for `config check`.
    pub fn resolve_all(
        overrides: &Overrides,
        env: &dyn Environment,
    ) -> (Config, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let (config_file, file) = read_file(overrides, env, &mut problems);
        let base_dir = config_file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let file_source = config_file
            .as_ref()
            .map(|path| path.display().to_string())
            .unwrap_or_else(|| "config".to_owned());
        let key = |name: &str| format!("{file_source} ({name})");

        let frameworks = if !overrides.frameworks.is_empty() {
            overrides.frameworks.clone()
        } else if let Some(list) = env.var("CAREER_BOT_FRAMEWORKS") {
            std::env::split_paths(&list).collect()
        } else {
            file.frameworks
                .iter()
                .map(|path| base_dir.join(path))
                .collect()
        };
        let frameworks = if frameworks.is_empty() {
            vec![FrameworkSource::Bundled]
        } else {
            frameworks.into_iter().map(FrameworkSource::Path).collect()
        };

        let database = overrides
            .database
            .clone()
            .or_else(|| env.var("DATABASE_URL"))
            .or(file.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());

        let admins = match env.var("CAREER_BOT_ADMINS") {
            Some(list) => list
                .split(',')
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .collect(),
            None => file.admins.clone(),
        };
        let admin_channel = env
            .var("CAREER_BOT_ADMIN_CHANNEL")
            .or(file.admin_channel.clone());

        let listen_text = overrides
            .listen
            .clone()
            .map(|v| ("--listen".to_owned(), v))
            .or_else(|| {
                env.var("CAREER_BOT_LISTEN")
                    .map(|v| ("CAREER_BOT_LISTEN".to_owned(), v))
            })
            .or_else(|| file.listen.clone().map(|v| (key("listen"), v)))
            .unwrap_or_else(|| ("default".to_owned(), DEFAULT_LISTEN.to_owned()));
        let listen = match listen_text.1.parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                problems.push(ConfigProblem {
                    source: listen_text.0,
                    message: format!(
                        "\"{}\" is not a listen address; write host:port, e.g. \"0.0.0.0:3000\"",
                        listen_text.1
                    ),
                });
                DEFAULT_LISTEN
                    .parse()
                    .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 3000)))
            }
        };

        let log_format = overrides.log_format.unwrap_or_else(|| {
            parse_or_report(
                env.var("CAREER_BOT_LOG_FORMAT")
                    .map(|v| ("CAREER_BOT_LOG_FORMAT".to_owned(), v))
                    .or_else(|| file.log_format.clone().map(|v| (key("log_format"), v))),
                LogFormat::Text,
                |text| text.parse::<LogFormat>(),
                &mut problems,
            )
        });

        let default_time_zone = parse_or_report(
            env.var("CAREER_BOT_TIME_ZONE")
                .map(|v| ("CAREER_BOT_TIME_ZONE".to_owned(), v))
                .or_else(|| {
                    file.default_time_zone
                        .clone()
                        .map(|v| (key("default_time_zone"), v))
                }),
            Tz::UTC,
            |text| {
                text.parse::<Tz>().map_err(|_| {
                    format!("\"{text}\" is not an IANA time zone; write e.g. \"Europe/London\" or \"UTC\"")
                })
            },
            &mut problems,
        );

        let period = |env_name: &str,
                      file_value: &Option<String>,
                      file_key: &str,
                      default: Period,
                      problems: &mut Vec<ConfigProblem>| {
            parse_or_report(
                env.var(env_name)
                    .map(|v| (env_name.to_owned(), v))
                    .or_else(|| file_value.clone().map(|v| (key(file_key), v))),
                default,
                |text| text.parse::<Period>().map_err(|e| e.to_string()),
                problems,
            )
        };
        let cadence = Cadence {
            due_after: period(
                "CAREER_BOT_DUE_AFTER",
                &file.cadence.due_after,
                "cadence.due_after",
                Period::months(3),
                &mut problems,
            ),
            overdue_after: period(
                "CAREER_BOT_OVERDUE_AFTER",
                &file.cadence.overdue_after,
                "cadence.overdue_after",
                Period::months(6),
                &mut problems,
            ),
        };
        check_cadence(&cadence, &key("cadence"), &mut problems);
        let mut cadence_overrides = BTreeMap::new();
        for (id, entry) in &file.cadence.frameworks {
            let name = format!("cadence.frameworks.{id}");
            let periods = Cadence {
                due_after: period(
                    "",
                    &entry.due_after,
                    &format!("{name}.due_after"),
                    cadence.due_after,
                    &mut problems,
                ),
                overdue_after: period(
                    "",
                    &entry.overdue_after,
                    &format!("{name}.overdue_after"),
                    cadence.overdue_after,
                    &mut problems,
                ),
            };
            check_cadence(&periods, &key(&name), &mut problems);
            cadence_overrides.insert(id.clone(), periods);
        }

        let reminder_cron = env
            .var("CAREER_BOT_REMINDER_CRON")
            .map(|v| ("CAREER_BOT_REMINDER_CRON".to_owned(), v))
            .or_else(|| {
                file.reminders
                    .cron
                    .clone()
                    .map(|v| (key("reminders.cron"), v))
            })
            .unwrap_or_else(|| ("default".to_owned(), DEFAULT_REMINDER_CRON.to_owned()));
        check_cron(&reminder_cron, &mut problems);
        let digest_cron = env
            .var("CAREER_BOT_DIGEST_CRON")
            .map(|v| ("CAREER_BOT_DIGEST_CRON".to_owned(), v))
            .or_else(|| {
                file.reminders
                    .digest_cron
                    .clone()
                    .map(|v| (key("reminders.digest_cron"), v))
            })
            .unwrap_or_else(|| ("default".to_owned(), DEFAULT_DIGEST_CRON.to_owned()));
        check_cron(&digest_cron, &mut problems);
        let reminder_repeat = period(
            "CAREER_BOT_REMINDER_REPEAT",
            &file.reminders.repeat_every,
            "reminders.repeat_every",
            Period::days(7),
            &mut problems,
        );
        if reminder_repeat.is_zero() {
            problems.push(ConfigProblem {
                source: key("reminders.repeat_every"),
                message: "must be longer than zero, e.g. \"7 days\"".to_owned(),
            });
        }
        let tick_seconds = file.reminders.tick_seconds.unwrap_or(60);
        if tick_seconds == 0 || tick_seconds > 3600 {
            problems.push(ConfigProblem {
                source: key("reminders.tick_seconds"),
                message: format!(
                    "{tick_seconds} is out of range; use 1 to 3600 seconds (default 60)"
                ),
            });
        }

        let slack = SlackSettings {
            bot_token: env.var("SLACK_BOT_TOKEN").map(Secret::new),
            app_token: env.var("SLACK_APP_TOKEN").map(Secret::new),
            signing_secret: env.var("SLACK_SIGNING_SECRET").map(Secret::new),
            api_url: env
                .var("SLACK_API_URL")
                .unwrap_or_else(|| "https://slack.com/api".to_owned())
                .trim_end_matches('/')
                .to_owned(),
        };
        check_slack(&slack, &mut problems);

        let config = Config {
            config_file,
            frameworks,
            database,
            admins,
            admin_channel,
            listen,
            log_format,
            default_time_zone,
            cadence,
            cadence_overrides,
            reminder_cron: reminder_cron.1,
            reminder_repeat,
            digest_cron: digest_cron.1,
            tick_seconds,
            slack,
        };
        (config, problems)
    }

    /// The cadence for people on `framework`.
    pub fn cadence_for(&self, framework: &str) -> Cadence {
        self.cadence_overrides
            .get(framework)
            .copied()
            .unwrap_or(self.cadence)
    }

    /// Whether `user` is an admin.
    pub fn is_admin(&self, user: &str) -> bool {
        self.admins.iter().any(|admin| admin == user)
    }
}

fn read_file(
    overrides: &Overrides,
    env: &dyn Environment,
    problems: &mut Vec<ConfigProblem>,
) -> (Option<PathBuf>, FileConfig) {
    let explicit = overrides
        .config_file
        .clone()
        .or_else(|| env.var("CAREER_BOT_CONFIG").map(PathBuf::from));
    let path = match explicit {
        Some(path) => path,
        None if Path::new(DEFAULT_CONFIG_FILE).is_file() => PathBuf::from(DEFAULT_CONFIG_FILE),
        None => return (None, FileConfig::default()),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(ConfigProblem {
                source: path.display().to_string(),
                message: format!("cannot read the config file: {error}"),
            });
            return (Some(path), FileConfig::default());
        }
    };
    match toml::from_str::<FileConfig>(&text) {
        Ok(file) => (Some(path), file),
        Err(error) => {
            let line = error.span().map(|span| {
                text.as_bytes()[..span.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            });
            let source = match line {
                Some(line) => format!("{}:{line}", path.display()),
                None => path.display().to_string(),
            };
            problems.push(ConfigProblem {
                source,
                message: error.message().trim().to_owned(),
            });
            (Some(path), FileConfig::default())
        }
    }
}

fn parse_or_report<T>(
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

fn check_cadence(periods: &Cadence, source: &str, problems: &mut Vec<ConfigProblem>) {
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

fn check_cron((source, expression): &(String, String), problems: &mut Vec<ConfigProblem>) {
    if let Err(error) = cron::Schedule::from_str(expression) {
        problems.push(ConfigProblem {
            source: source.clone(),
            message: format!(
                "\"{expression}\" is not a cron expression ({error}); it needs 6 fields with seconds first, e.g. \"{DEFAULT_REMINDER_CRON}\""
            ),
        });
    }
}

fn check_slack(slack: &SlackSettings, problems: &mut Vec<ConfigProblem>) {
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
    if !(slack.api_url.starts_with("http://") || slack.api_url.starts_with("https://")) {
        problems.push(ConfigProblem {
            source: "SLACK_API_URL".to_owned(),
            message: format!(
                "\"{}\" is not an http(s) URL; the default is https://slack.com/api",
                slack.api_url
            ),
        });
    }
}
