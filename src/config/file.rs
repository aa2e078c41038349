//! The config file: its TOML shape ([`FileConfig`] and its tables) and reading it, with the
//! line of any syntax error or unknown key so an admin can find it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{ConfigProblem, DEFAULT_CONFIG_FILE, Environment, Overrides};

/// The config file, as written. Every field is optional; `deny_unknown_fields` turns a typo
/// into an error that names the valid keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// Framework directories (relative paths are relative to the config file): a path, or
    /// `{ path = "…", organisation = "…" }` to name whose Hugo site or Monzo repository it is.
    pub frameworks: Vec<FileFrameworkSource>,
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
    /// Limits on HTTP clients.
    pub http: FileHttp,
    /// Preparing conversations.
    pub prep: FilePrep,
    /// Which Slack statuses mark absence.
    pub away: FileAway,
    /// Working days and public holidays.
    pub calendar: FileCalendar,
    /// The org chart from HR.
    pub org: FileOrg,
    /// How the outbox is delivered.
    pub delivery: FileDelivery,
}

/// `[delivery]` in the config file (see `super::delivery`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileDelivery {
    /// How long a claimed message is reserved for the replica that claimed it (`"5m"`).
    pub lease: Option<String>,
}

/// `[org]` in the config file: the org chart kept in step with an HR export.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileOrg {
    /// An org CSV (as `import-org` reads it) that `serve` imports with `--sync` at start and
    /// whenever it changes; relative to the config file.
    pub file: Option<PathBuf>,
}

/// `[away]`: which Slack statuses mark absence (defaults in `crate::checkins::away`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileAway {
    pub emoji: Option<Vec<String>>,
    pub words: Option<Vec<String>>,
}

/// `[calendar]`: the working week and holiday files by time zone (`default` for the rest).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileCalendar {
    pub working_days: Option<String>,
    pub holidays: BTreeMap<String, PathBuf>,
}

/// `[prep]` in the config file: preparing a conversation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilePrep {
    /// How many days before a conversation is due its report is invited to prepare.
    pub days_before: Option<u32>,
}

/// One entry of `frameworks`: `"vendor/progression-framework"`, or
/// `{ path = "vendor/progression-framework", organisation = "Monzo" }`. The organisation names
/// the frameworks of a Hugo site or Monzo repository at that path (their README title, else
/// their directory name, otherwise); native YAML files name their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFrameworkSource {
    /// The directory or file.
    pub path: PathBuf,
    /// Whose frameworks they are; `None` when not given.
    pub organisation: Option<String>,
}

/// The table form, strict like every other table in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkSourceTable {
    path: PathBuf,
    #[serde(default)]
    organisation: Option<String>,
}

impl<'de> Deserialize<'de> for FileFrameworkSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourceVisitor;
        impl<'de> Visitor<'de> for SourceVisitor {
            type Value = FileFrameworkSource;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a directory path, or a table { path = \"…\", organisation = \"…\" }")
            }

            fn visit_str<E: de::Error>(self, path: &str) -> Result<Self::Value, E> {
                Ok(FileFrameworkSource {
                    path: PathBuf::from(path),
                    organisation: None,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let table =
                    FrameworkSourceTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(FileFrameworkSource {
                    path: table.path,
                    organisation: table
                        .organisation
                        .map(|name| name.trim().to_owned())
                        .filter(|name| !name.is_empty()),
                })
            }
        }
        deserializer.deserialize_any(SourceVisitor)
    }
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

/// `[http]` in the config file: how long HTTP clients may take, and how many may connect.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileHttp {
    /// Seconds a request's headers may take; also how long an idle connection stays open.
    pub header_timeout_seconds: Option<u64>,
    /// Seconds a request's body may take after its headers.
    pub body_timeout_seconds: Option<u64>,
    /// The most connections open at once.
    pub max_connections: Option<usize>,
}

/// Reads the config file named by `--config` or `CAREER_BOT_CONFIG`, else `career-bot.toml`
/// when it exists. A file that cannot be read or parsed adds a problem and yields the
/// defaults, so the other settings are still checked.
pub(super) fn read_file(
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
    match parse_all(&text) {
        Ok(file) => (Some(path), file),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|(line, message)| ConfigProblem {
                source: match line {
                    Some(line) => format!("{}:{line}", path.display()),
                    None => path.display().to_string(),
                },
                message,
            }));
            (Some(path), FileConfig::default())
        }
    }
}

/// At most this many problems are reported from one file.
const MAX_FILE_PROBLEMS: usize = 20;

/// Parses the whole file, or gives every problem in it as (line, sentence). TOML's reader
/// stops at the first problem, so each problem's line is blanked (keeping the line numbers)
/// and the text read again, until it parses, a problem has no line, or blanking a line
/// creates a new problem on that same line (a value spread over several lines).
fn parse_all(text: &str) -> Result<FileConfig, Vec<(Option<usize>, String)>> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let mut problems: Vec<(Option<usize>, String)> = Vec::new();
    loop {
        let current = lines.join("\n");
        let error = match toml::from_str::<FileConfig>(&current) {
            Ok(file) if problems.is_empty() => return Ok(file),
            Ok(_) => return Err(sorted(problems)),
            Err(error) => error,
        };
        let line = error.span().map(|span| {
            current.as_bytes()[..span.start.min(current.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        });
        let repeated = problems.iter().any(|(seen, _)| *seen == line);
        if !repeated {
            problems.push((line, error.message().trim().to_owned()));
        }
        match line {
            Some(line) if !repeated && problems.len() < MAX_FILE_PROBLEMS => lines[line - 1] = "",
            _ => return Err(sorted(problems)),
        }
    }
}

/// Problems in the order of their lines, as a person reads the file.
fn sorted(mut problems: Vec<(Option<usize>, String)>) -> Vec<(Option<usize>, String)> {
    problems.sort_by_key(|(line, _)| *line);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_in_a_file_is_reported_with_its_line() {
        let text = "database = 3\n[cadence]\ndue_after = 90\ntick = 1\n";
        let problems = parse_all(text).expect_err("three problems");
        let lines: Vec<Option<usize>> = problems.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![Some(1), Some(3), Some(4)], "{problems:?}");
        assert!(
            problems[2].1.contains("unknown field `tick`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_framework_source_is_a_path_or_a_table_with_an_organisation() {
        let file = parse_all(
            "frameworks = [\"ours\", { path = \"vendor/ladders\", organisation = \"Monzo\" }]\n",
        )
        .expect("parses");
        assert_eq!(
            file.frameworks,
            [
                FileFrameworkSource {
                    path: PathBuf::from("ours"),
                    organisation: None
                },
                FileFrameworkSource {
                    path: PathBuf::from("vendor/ladders"),
                    organisation: Some("Monzo".to_owned())
                },
            ]
        );
        let problems = parse_all("\nframeworks = [{ path = \"x\", organisaton = \"Monzo\" }]\n")
            .expect_err("a typo");
        assert_eq!(problems[0].0, Some(2), "{problems:?}");
        assert!(
            problems[0].1.contains("unknown field `organisaton`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_good_file_parses() {
        let file = parse_all("database = \"bot.db\"\n").expect("parses");
        assert_eq!(file.database.as_deref(), Some("bot.db"));
    }
}
