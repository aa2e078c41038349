//! The command line's words, as clap reads them. What each subcommand does is in
//! [`super::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{LogFormat, Overrides};

/// career-bot: career frameworks and career conversations, in Slack or a local shell.
#[derive(Debug, Parser)]
#[command(name = "career-bot", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub(super) global: GlobalArgs,
    #[command(subcommand)]
    pub(super) command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
pub(super) struct GlobalArgs {
    /// Load frameworks from DIR instead of the bundled ones (repeatable). Also
    /// CAREER_BOT_FRAMEWORKS (paths separated by ':') or `frameworks` in the config file.
    #[arg(long = "frameworks", value_name = "DIR", global = true)]
    pub(super) frameworks: Vec<PathBuf>,
    /// Read configuration from FILE (default: ./career-bot.toml when present; also CAREER_BOT_CONFIG).
    #[arg(long, value_name = "FILE", global = true)]
    pub(super) config: Option<PathBuf>,
    /// SQLite database file or URL (default: ./career-bot.db; also DATABASE_URL).
    #[arg(long = "db", value_name = "PATH", global = true)]
    pub(super) db: Option<String>,
    /// Log format: text or json (also CAREER_BOT_LOG_FORMAT).
    #[arg(long, value_name = "FORMAT", global = true)]
    pub(super) log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Answer one question about the frameworks and exit.
    Ask(AskArgs),
    /// Chat with the bot locally, one line at a time, as `/career LINE` works in Slack.
    Shell(ShellArgs),
    /// Check framework files and report every error with file and line.
    Validate(ValidateArgs),
    /// Import people from an org-chart CSV (columns: user, name, manager, framework, level,
    /// start_date, time_zone; see docs/org-csv.md). Every bad row is reported as FILE:LINE and
    /// then nothing is written; a good file is written in one transaction.
    ///
    /// `user` and `manager` may be work emails: stored ones are known, others are looked up
    /// in Slack (users.lookupByEmail, with SLACK_BOT_TOKEN set).
    ImportOrg {
        /// The CSV file, with a header row. An `export --format csv` file works as is.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// Also remove the tracked people the file does not list (history kept), so a nightly
        /// HR export keeps the bot in step.
        #[arg(long)]
        sync: bool,
        /// Print each change the import would make (added, moved, level or framework
        /// changed, removed) and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export every person and the full check-in history. Private notes are never exported.
    Export {
        /// csv (one file, re-importable with import-org) or json (one object).
        #[arg(long, value_enum, default_value_t = crate::admin::ExportFormat::Csv)]
        format: crate::admin::ExportFormat,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// How career conversations are going across the organisation, per manager and overall
    /// (what an admin sees with `stats`); --png writes the on-time chart.
    Stats {
        /// The window, in months (1 to 120).
        #[arg(long, default_value_t = crate::checkins::stats::DEFAULT_MONTHS,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::checkins::stats::MAX_MONTHS)))]
        months: u32,
        /// Write the chart of the on-time share per month to FILE (PNG, readable only by you).
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Run the bot in Slack: Socket Mode when SLACK_APP_TOKEN is set, else HTTP.
    Serve(ServeArgs),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a consistent snapshot of the database to FILE while the bot runs.
    Backup {
        /// The new backup file (never overwritten).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Copy the configured SQLite database (--db or DATABASE_URL) into an empty PostgreSQL
    /// database, in one transaction: every table, ids kept, each table's row count checked
    /// before committing. Stop the bot first, so nothing writes the SQLite file meanwhile.
    MigrateDb {
        /// The PostgreSQL database to fill: postgres://USER:PASSWORD@HOST:5432/DBNAME. It must
        /// exist; it is migrated first and must hold no rows.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Exit 0 when the running bot answers GET /healthz (for container health checks).
    Healthcheck {
        /// The health URL (default: /healthz on the configured listen address, from
        /// CAREER_BOT_LISTEN or `listen` in the config file, else 127.0.0.1:3000).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum ConfigCommand {
    /// Print the effective configuration (secrets masked) and every problem; exit 1 on any.
    Check,
}

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Address for HTTP (Slack's routes in HTTP mode; /healthz, /readyz and /metrics always).
    /// Default 0.0.0.0:3000; also CAREER_BOT_LISTEN or `listen` in the config file.
    #[arg(long, value_name = "ADDR")]
    pub(super) listen: Option<String>,
}

#[derive(Debug, Args)]
pub(super) struct AskArgs {
    /// Print one JSON object (intent, framework, level, from_level, to_level, dimension,
    /// text, suggestions) instead of text.
    #[arg(long)]
    pub(super) json: bool,
    /// Ask as this chat user (a Slack id such as U012AB3CD, or a shell name such as ana):
    /// questions about yourself ("what level am I", "how do I get promoted") are answered from
    /// their record in the bot's database (--db PATH), which is opened read-only.
    #[arg(long = "as", value_name = "USER")]
    pub(super) as_user: Option<String>,
    /// The question, e.g. "what does level 3 happiness need".
    #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
    pub(super) question: Vec<String>,
}

#[derive(Debug, Args)]
pub(super) struct ShellArgs {
    /// Act as this chat user (same as the `:as USER` directive).
    #[arg(long = "as", value_name = "USER")]
    pub(super) as_user: Option<String>,
    /// Set the shell's clock (RFC 3339 or a date; same as `:now`).
    #[arg(long, value_name = "DATETIME")]
    pub(super) now: Option<String>,
    /// Print each input line (as `> LINE`) before its answer, for readable transcripts.
    #[arg(long)]
    pub(super) echo: bool,
}

#[derive(Debug, Args)]
pub(super) struct ValidateArgs {
    /// Directories or files to check (default: the configured frameworks).
    #[arg(value_name = "DIR")]
    pub(super) dirs: Vec<PathBuf>,
}

impl clap::ValueEnum for LogFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[LogFormat::Text, LogFormat::Json]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }))
    }
}

impl Cli {
    /// The configuration overrides the command line gives.
    pub(super) fn overrides(&self) -> Overrides {
        let listen = match &self.command {
            Command::Serve(args) => args.listen.clone(),
            _ => None,
        };
        Overrides {
            config_file: self.global.config.clone(),
            frameworks: self.global.frameworks.clone(),
            database: self.global.db.clone(),
            log_format: self.global.log_format,
            listen,
        }
    }
}
