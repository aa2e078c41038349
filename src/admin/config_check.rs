//! `career-bot config check`: the effective configuration, secrets masked, and every problem
//! found: invalid values, framework files with errors, secrets `serve` will need, a database
//! directory that does not exist; and which database is configured (a SQLite file or a
//! PostgreSQL database, its password never shown), whether it is reachable and migrated.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::{Config, ConfigProblem, Environment, LogFormat, Overrides, Secret};
use crate::frameworks::{self, FrameworkSource};
use crate::store::Backend;
use crate::store::inspect::DatabaseState;
use crate::store::open::shown_location;

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The effective configuration, as TOML with comments.
    pub effective: String,
    /// Every problem; empty when all is well.
    pub problems: Vec<ConfigProblem>,
    /// The configured database location (`--db`, `DATABASE_URL` or `database`), for
    /// [`check_database`]; may hold a password, so it is never printed as it is.
    pub database: String,
}

/// Looks at the configured database (read-only: nothing is created or migrated) and adds a
/// problem when it cannot be reached or its schema is refused. Returns the line saying which
/// database it is and how it stands.
pub async fn check_database(report: &mut CheckReport) -> String {
    let status = crate::store::inspect::inspect(&report.database).await;
    if let DatabaseState::Unreachable(_) | DatabaseState::Refused(_) = status.state {
        problems_push(&mut report.problems, status.summary());
    }
    status.summary()
}

fn problems_push(problems: &mut Vec<ConfigProblem>, message: String) {
    problems.push(ConfigProblem {
        source: "database".to_owned(),
        message,
    });
}

/// Checks the configuration resolved from `overrides` and `env`.
pub fn check(overrides: &Overrides, env: &dyn Environment) -> CheckReport {
    let (config, mut problems) = Config::resolve_all(overrides, env);
    let report = frameworks::load(&config.frameworks);
    problems.extend(report.errors.iter().map(|error| ConfigProblem {
        source: "frameworks".to_owned(),
        message: error.to_string(),
    }));
    if report.library.is_empty() && report.errors.is_empty() {
        problems.push(ConfigProblem {
            source: "frameworks".to_owned(),
            message: "no framework files were found; point `frameworks` at a directory of framework files, or remove it to use the bundled ones".to_owned(),
        });
    }
    let loaded: Vec<&str> = report.library.ids().collect();
    for id in config.cadence_overrides.keys() {
        if !loaded.contains(&id.as_str()) {
            let hint = crate::text::closest(id, loaded.iter().copied())
                .map(|best| format!("; did you mean \"{best}\"?"))
                .unwrap_or_else(|| format!("; known frameworks: {}", loaded.join(", ")));
            problems.push(ConfigProblem {
                source: format!("cadence.frameworks.{id}"),
                message: format!(
                    "no loaded framework has the id \"{id}\", so this cadence applies to nobody{hint}"
                ),
            });
        }
    }
    if config.slack.bot_token.is_none() {
        problems.push(ConfigProblem {
            source: "SLACK_BOT_TOKEN".to_owned(),
            message: "is not set; `serve` needs the bot token (xoxb-…)".to_owned(),
        });
    }
    if config.slack.app_token.is_none() && config.slack.signing_secret.is_none() {
        problems.push(ConfigProblem {
            source: "SLACK_SIGNING_SECRET".to_owned(),
            message: "is not set, and neither is SLACK_APP_TOKEN: `serve` needs one of them (Socket Mode with the app token, or HTTP with the signing secret)".to_owned(),
        });
    }
    if Backend::of(&config.database) == Backend::Sqlite
        && !config.database.starts_with("sqlite:")
        && let Some(parent) = Path::new(&config.database).parent()
        && !parent.as_os_str().is_empty()
        && !parent.is_dir()
    {
        problems.push(ConfigProblem {
            source: "database".to_owned(),
            message: format!(
                "the directory {} does not exist; create it or choose another path",
                parent.display()
            ),
        });
    }
    let effective = if config.config_file_parsed {
        render(&config, loaded)
    } else {
        // Defaults are not what the file says: show nothing rather than a guess.
        "# the configuration file could not be read; fix the problems below, then check again\n"
            .to_owned()
    };
    CheckReport {
        effective,
        problems,
        database: config.database.clone(),
    }
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

fn secret(value: &Option<Secret>) -> String {
    value
        .as_ref()
        .map(|secret| quoted(&secret.masked()))
        .unwrap_or_else(|| "(not set)".to_owned())
}

fn render(config: &Config, loaded: Vec<&str>) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "# effective configuration (config file: {})",
        config
            .config_file
            .as_ref()
            .map(|path| path.display().to_string())
            .unwrap_or_else(|| "none".to_owned())
    );
    let sources: Vec<String> = config
        .frameworks
        .iter()
        .map(|source| match source {
            FrameworkSource::Bundled => quoted("(bundled)"),
            FrameworkSource::Path(path) => quoted(&path.display().to_string()),
            FrameworkSource::Repository { path, organisation } => format!(
                "{{ path = {}, organisation = {} }}",
                quoted(&path.display().to_string()),
                quoted(organisation)
            ),
        })
        .collect();
    let _ = writeln!(
        out,
        "frameworks = [{}]  # loaded: {}",
        sources.join(", "),
        loaded.join(", ")
    );
    // A PostgreSQL URL is shown without its password.
    let _ = writeln!(
        out,
        "database = {}",
        quoted(&shown_location(&config.database))
    );
    let admins: Vec<String> = config.admins.iter().map(|a| quoted(a)).collect();
    let _ = writeln!(out, "admins = [{}]", admins.join(", "));
    match &config.admin_channel {
        Some(channel) => {
            let _ = writeln!(out, "admin_channel = {}", quoted(channel));
        }
        None => {
            let _ = writeln!(
                out,
                "# admin_channel: not set (no digest, no alerts to Slack)"
            );
        }
    }
    let _ = writeln!(out, "listen = {}", quoted(&config.listen.to_string()));
    let format = match config.log_format {
        LogFormat::Text => "text",
        LogFormat::Json => "json",
    };
    let _ = writeln!(out, "log_format = {}", quoted(format));
    let _ = writeln!(
        out,
        "default_time_zone = {}",
        quoted(config.default_time_zone.name())
    );
    let _ = writeln!(out, "\n[cadence]");
    let _ = writeln!(
        out,
        "due_after = {}",
        quoted(&config.cadence.due_after.to_string())
    );
    let _ = writeln!(
        out,
        "overdue_after = {}",
        quoted(&config.cadence.overdue_after.to_string())
    );
    for (id, cadence) in &config.cadence_overrides {
        let _ = writeln!(out, "\n[cadence.frameworks.{id}]");
        let _ = writeln!(
            out,
            "due_after = {}",
            quoted(&cadence.due_after.to_string())
        );
        let _ = writeln!(
            out,
            "overdue_after = {}",
            quoted(&cadence.overdue_after.to_string())
        );
    }
    let _ = writeln!(out, "\n[reminders]");
    let _ = writeln!(out, "cron = {}", quoted(&config.reminder_cron));
    let _ = writeln!(
        out,
        "repeat_every = {}",
        quoted(&config.reminder_repeat.to_string())
    );
    let _ = writeln!(out, "digest_cron = {}", quoted(&config.digest_cron));
    let _ = writeln!(out, "tick_seconds = {}", config.tick_seconds);
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|item| quoted(item)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let _ = writeln!(out, "\n[away]");
    let _ = writeln!(out, "emoji = {}", list(config.away.emoji()));
    let _ = writeln!(out, "words = {}", list(config.away.words()));
    let _ = writeln!(out, "\n[calendar]");
    let _ = writeln!(
        out,
        "working_days = {}",
        quoted(&config.calendar.working_days.to_string())
    );
    let mut zones: Vec<(&str, usize)> = config
        .calendar
        .by_zone
        .iter()
        .map(|(zone, days)| (zone.name(), days.len()))
        .collect();
    zones.sort_unstable();
    for (zone, days) in zones {
        let _ = writeln!(out, "# holidays for {zone}: {days} days");
    }
    let _ = writeln!(
        out,
        "# holidays for everyone else: {} days",
        config.calendar.default.len()
    );
    let _ = writeln!(out, "\n[org]");
    match &config.org_file {
        Some(path) => {
            let _ = writeln!(out, "file = {}", quoted(&path.display().to_string()));
        }
        None => {
            let _ = writeln!(
                out,
                "# file: none (the org chart changes only through commands and import-org)"
            );
        }
    }
    let _ = writeln!(out, "\n[http]");
    let http = &config.http;
    let _ = writeln!(
        out,
        "header_timeout_seconds = {}",
        http.header_timeout.as_secs()
    );
    let _ = writeln!(
        out,
        "body_timeout_seconds = {}",
        http.body_timeout.as_secs()
    );
    let _ = writeln!(out, "max_connections = {}", http.max_connections);
    let _ = writeln!(out, "\n[delivery]");
    let _ = writeln!(
        out,
        "lease = {}",
        quoted(&format!("{}s", config.delivery_lease.as_secs()))
    );
    let _ = writeln!(out, "\n# Slack (environment only)");
    let _ = writeln!(
        out,
        "# SLACK_BOT_TOKEN = {}",
        secret(&config.slack.bot_token)
    );
    let _ = writeln!(
        out,
        "# SLACK_APP_TOKEN = {}",
        secret(&config.slack.app_token)
    );
    let _ = writeln!(
        out,
        "# SLACK_SIGNING_SECRET = {}",
        secret(&config.slack.signing_secret)
    );
    let _ = writeln!(out, "# SLACK_API_URL = {}", quoted(&config.slack.api_url));
    if config.slack.allow_insecure_api_url {
        let _ = writeln!(
            out,
            "# {} = 1 (plain http:// allowed off this machine)",
            crate::config::ALLOW_INSECURE_SLACK_URL
        );
    }
    let _ = writeln!(
        out,
        "# SLACK_API_TIMEOUT = {}",
        config.slack.api_timeout.as_secs_f64()
    );
    let mode = if config.slack.app_token.is_some() {
        "Socket Mode"
    } else {
        "HTTP"
    };
    let _ = writeln!(out, "# serve would use: {mode}");
    out
}
