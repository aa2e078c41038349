//! The one place that reads configuration: a TOML file, environment variables and command-line
//! flags, in increasing order of precedence, resolved into one [`Config`].
//!
//! Every key is documented, with its default, in `deploy/career-bot.example.toml`. Problems
//! are collected rather than returned one at a time, so `career-bot config check` can list
//! them all. Secrets (Slack tokens) come only from the environment and never print in full.
//!
//! This file resolves the layers into a [`Config`]; the file's TOML shape is in `file.rs`,
//! environment access in `env.rs`, secrets in `secret.rs`, the log format in `log_format.rs`
//! and the checks on resolved values in `checks.rs`.

mod calendar;
mod checks;
mod delivery;
mod env;
mod file;
mod log_format;
mod secret;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

pub use delivery::{DEFAULT_LEASE, MAX_LEASE, MIN_LEASE, parse_lease};
pub use env::{Environment, ProcessEnvironment};
pub use file::{
    FileCadence, FileCadenceOverride, FileConfig, FileFrameworkSource, FileHttp, FileReminders,
};
pub use log_format::LogFormat;
pub use secret::{DEFAULT_SLACK_API_TIMEOUT, Secret, SlackSettings};

use crate::checkins::{Cadence, Period};
use crate::frameworks::FrameworkSource;
use crate::http_server::Limits;
pub use checks::ALLOW_INSECURE_SLACK_URL;
use checks::{check_cadence, check_cron, check_slack, parse_or_report, parse_switch};
use file::read_file;

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

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Whether that file was read and parsed. When it was not, every value here is a
    /// default or comes from the environment, and `config check` must not present them as
    /// the file's configuration.
    pub config_file_parsed: bool,
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
    /// Days before a conversation is due that its report is invited to prepare (`[prep]
    /// days_before`, default 14).
    pub prep_days_before: u32,
    /// Which statuses mark absence (`[away]`).
    pub away: crate::checkins::away::AwayRules,
    /// Working days and holidays (`[calendar]`), holiday files already read.
    pub calendar: crate::checkins::calendar::Calendar,
    /// Limits on HTTP clients (`serve`).
    pub http: Limits,
    /// Slack settings.
    pub slack: SlackSettings,
    /// `[org] file`: the HR export `serve` keeps the org chart in step with.
    pub org_file: Option<PathBuf>,
    /// `[delivery] lease`: how long a claimed message is reserved for its replica (default
    /// five minutes).
    pub delivery_lease: std::time::Duration,
}

/// Reads `SLACK_API_TIMEOUT`: seconds, fractions allowed, more than 0 and at most 300.
fn parse_api_timeout(text: &str) -> Result<std::time::Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| *seconds > 0.0 && *seconds <= 300.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| {
            format!("\"{text}\" is not a number of seconds from 0.1 to 300; the default is 10")
        })
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
        let config_file_parsed = problems.is_empty();
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

        // Only the file can name a source's organisation; a flag or the environment gives
        // paths, whose repositories then name themselves (README title, directory).
        let frameworks: Vec<FrameworkSource> = if !overrides.frameworks.is_empty() {
            overrides
                .frameworks
                .iter()
                .cloned()
                .map(FrameworkSource::Path)
                .collect()
        } else if let Some(list) = env.var("CAREER_BOT_FRAMEWORKS") {
            std::env::split_paths(&list)
                .map(FrameworkSource::Path)
                .collect()
        } else {
            file.frameworks
                .iter()
                .map(|source| {
                    let path = base_dir.join(&source.path);
                    match &source.organisation {
                        Some(organisation) => FrameworkSource::Repository {
                            path,
                            organisation: organisation.clone(),
                        },
                        None => FrameworkSource::Path(path),
                    }
                })
                .collect()
        };
        let frameworks = if frameworks.is_empty() {
            vec![FrameworkSource::Bundled]
        } else {
            frameworks
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

        let prep_days_before = file.prep.days_before.unwrap_or(14);
        if prep_days_before == 0 || prep_days_before > 90 {
            problems.push(ConfigProblem {
                source: key("prep.days_before"),
                message: format!(
                    "{prep_days_before} is out of range; use 1 to 90 days (default 14)"
                ),
            });
        }

        let http = http_limits(&file.http, &key, &mut problems);
        let away = calendar::away_rules(&file.away, &key, &mut problems);
        let calendar = calendar::calendar(&file.calendar, &base_dir, &key, &mut problems);

        let slack = SlackSettings {
            bot_token: env.var("SLACK_BOT_TOKEN").map(Secret::new),
            app_token: env.var("SLACK_APP_TOKEN").map(Secret::new),
            signing_secret: env.var("SLACK_SIGNING_SECRET").map(Secret::new),
            api_url: env
                .var("SLACK_API_URL")
                .unwrap_or_else(|| "https://slack.com/api".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            allow_insecure_api_url: parse_or_report(
                env.var(ALLOW_INSECURE_SLACK_URL)
                    .map(|v| (ALLOW_INSECURE_SLACK_URL.to_owned(), v)),
                false,
                parse_switch,
                &mut problems,
            ),
            api_timeout: parse_or_report(
                env.var("SLACK_API_TIMEOUT")
                    .map(|v| ("SLACK_API_TIMEOUT".to_owned(), v)),
                DEFAULT_SLACK_API_TIMEOUT,
                parse_api_timeout,
                &mut problems,
            ),
        };
        check_slack(&slack, &mut problems);
        let delivery_lease = parse_or_report(
            file.delivery
                .lease
                .clone()
                .map(|v| (key("delivery.lease"), v)),
            DEFAULT_LEASE,
            parse_lease,
            &mut problems,
        );
        if let Some(message) = delivery::lease_too_short(delivery_lease, slack.api_timeout) {
            problems.push(ConfigProblem {
                source: key("delivery.lease"),
                message,
            });
        }

        let org_file = file.org.file.as_ref().map(|path| base_dir.join(path));

        let config = Config {
            config_file,
            config_file_parsed,
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
            prep_days_before,
            away,
            calendar,
            http,
            slack,
            org_file,
            delivery_lease,
        };
        (config, problems)
    }
}

/// The `[http]` limits, defaults for unset or invalid values (each invalid one a problem).
fn http_limits(
    file: &file::FileHttp,
    key: &dyn Fn(&str) -> String,
    problems: &mut Vec<ConfigProblem>,
) -> Limits {
    let defaults = Limits::default();
    let mut seconds = |value: Option<u64>, name: &str, default: std::time::Duration| match value {
        None => default,
        Some(seconds @ 1..=300) => std::time::Duration::from_secs(seconds),
        Some(seconds) => {
            problems.push(ConfigProblem {
                source: key(name),
                message: format!(
                    "{seconds} is out of range; use 1 to 300 seconds (default {})",
                    default.as_secs()
                ),
            });
            default
        }
    };
    let header_timeout = seconds(
        file.header_timeout_seconds,
        "http.header_timeout_seconds",
        defaults.header_timeout,
    );
    let body_timeout = seconds(
        file.body_timeout_seconds,
        "http.body_timeout_seconds",
        defaults.body_timeout,
    );
    let max_connections = match file.max_connections {
        None => defaults.max_connections,
        Some(count @ 4..=1_000_000) => count,
        Some(count) => {
            problems.push(ConfigProblem {
                source: key("http.max_connections"),
                message: format!(
                    "{count} is out of range; use 4 to 1000000 (default {})",
                    defaults.max_connections
                ),
            });
            defaults.max_connections
        }
    };
    Limits {
        header_timeout,
        body_timeout,
        max_connections,
    }
}
