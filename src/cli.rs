//! The command line: `career-bot [--frameworks DIR]… [--config FILE] [--db PATH] <command>`.
//!
//! Parsing is clap's; each subcommand is a small function that loads what it needs and calls
//! into the library. Exit codes: 0 success, 1 a problem was found (validation errors, bad
//! input), 2 wrong usage (clap's own).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::ask::Engine;
use crate::config::{Config, LogFormat, Overrides};
use crate::frameworks::{self, FrameworkSource, LoadReport};

/// career-bot: career frameworks and career conversations, in Slack or a local shell.
#[derive(Debug, Parser)]
#[command(name = "career-bot", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
struct GlobalArgs {
    /// Load frameworks from DIR instead of the bundled ones (repeatable). Also
    /// CAREER_BOT_FRAMEWORKS (paths separated by ':') or `frameworks` in the config file.
    #[arg(long = "frameworks", value_name = "DIR", global = true)]
    frameworks: Vec<PathBuf>,
    /// Read configuration from FILE (default: ./career-bot.toml when present; also CAREER_BOT_CONFIG).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// SQLite database file or URL (default: ./career-bot.db; also DATABASE_URL).
    #[arg(long = "db", value_name = "PATH", global = true)]
    db: Option<String>,
    /// Log format: text or json (also CAREER_BOT_LOG_FORMAT).
    #[arg(long, value_name = "FORMAT", global = true)]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer one question about the frameworks and exit.
    Ask(AskArgs),
    /// Chat with the bot locally, one line at a time, as `/career LINE` works in Slack.
    Shell(ShellArgs),
    /// Check framework files and report every error with file and line.
    Validate(ValidateArgs),
    /// Import people from an org-chart CSV (columns: user, name, manager, framework, level,
    /// start_date, time_zone; see docs/org-csv.md). Every bad row is reported as FILE:LINE and
    /// then nothing is written; a good file is written in one transaction.
    ImportOrg {
        /// The CSV file, with a header row. An `export --format csv` file works as is.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
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
    /// Exit 0 when the running bot answers GET /healthz (for container health checks).
    Healthcheck {
        /// The health URL.
        #[arg(
            long,
            default_value = "http://127.0.0.1:3000/healthz",
            value_name = "URL"
        )]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (secrets masked) and every problem; exit 1 on any.
    Check,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address for HTTP (Slack's routes in HTTP mode; /healthz, /readyz and /metrics always).
    /// Default 0.0.0.0:3000; also CAREER_BOT_LISTEN or `listen` in the config file.
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
}

#[derive(Debug, Args)]
struct AskArgs {
    /// Print one JSON object (intent, framework, level, from_level, to_level, dimension,
    /// text, suggestions) instead of text.
    #[arg(long)]
    json: bool,
    /// The question, e.g. "what does level 3 happiness need".
    #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
    question: Vec<String>,
}

#[derive(Debug, Args)]
struct ShellArgs {
    /// Act as this chat user (same as the `:as USER` directive).
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    /// Set the shell's clock (RFC 3339 or a date; same as `:now`).
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Directories or files to check (default: the configured frameworks).
    #[arg(value_name = "DIR")]
    dirs: Vec<PathBuf>,
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

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve(args) => args.listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        config_file: cli.global.config.clone(),
        frameworks: cli.global.frameworks.clone(),
        database: cli.global.db.clone(),
        log_format: cli.global.log_format,
        listen,
    };
    if let Command::Config(ConfigCommand::Check) = cli.command {
        return config_check(&overrides);
    }
    if let Command::Healthcheck { url } = &cli.command {
        return healthcheck(url);
    }
    let config = match Config::load(&overrides) {
        Ok(config) => config,
        Err(problems) => {
            for problem in problems {
                eprintln!("error: {problem}");
            }
            return ExitCode::FAILURE;
        }
    };
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    crate::logging::init(config.log_format, default_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(dispatch(cli.command, config))
}

async fn dispatch(command: Command, config: Config) -> ExitCode {
    match command {
        Command::Ask(args) => ask(args, &config),
        Command::Shell(args) => shell(args, &config).await,
        Command::Validate(args) => validate(args, &config),
        Command::Serve(_) => serve(config).await,
        Command::Backup { file } => backup(&config, &file).await,
        // Handled before the configuration is loaded.
        Command::Config(_) | Command::Healthcheck { .. } => ExitCode::SUCCESS,
        Command::ImportOrg { file } => import_org(&file, &config).await,
        Command::Export { format, output } => export(format, output.as_deref(), &config).await,
    }
}

/// Loads frameworks, printing each problem once on stderr; the valid ones are still used.
fn load_frameworks(config: &Config) -> LoadReport {
    let report = frameworks::load(&config.frameworks);
    for error in &report.errors {
        eprintln!("warning: {error} (this framework is not loaded)");
    }
    report
}

fn ask(args: AskArgs, config: &Config) -> ExitCode {
    let engine = Engine::new(load_frameworks(config).library);
    let answer = engine.ask(&args.question.join(" "));
    if args.json {
        match serde_json::to_string(&answer.to_json()) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: cannot write JSON: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", answer.reply.to_plain_text());
    }
    ExitCode::SUCCESS
}

async fn shell(args: ShellArgs, config: &Config) -> ExitCode {
    let bot = match crate::app::open(config, load_frameworks(config)).await {
        Ok(bot) => bot,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = crate::scheduler::recover(&bot, chrono::Utc::now()).await {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    let options = crate::shell::ShellOptions {
        user: args.as_user,
        now: args.now,
        interactive: std::io::stdin().is_terminal(),
    };
    let outcome = crate::shell::run(&bot, options).await;
    bot.store().close().await;
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `import-org FILE`: problems go to stderr as `FILE:LINE: sentence`, exit 1, nothing written.
async fn import_org(file: &std::path::Path, config: &Config) -> ExitCode {
    let bot = match crate::app::open(config, load_frameworks(config)).await {
        Ok(bot) => bot,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = crate::admin::import::import_file(&bot, file, chrono::Utc::now()).await;
    bot.store().close().await;
    match outcome {
        Ok(summary) => {
            println!(
                "Imported {} people ({} reports, {} managers only) from {}.",
                summary.people,
                summary.reports,
                summary.managers_only,
                file.display()
            );
            if summary.changed < summary.people {
                println!(
                    "{} of them were already up to date.",
                    summary.people - summary.changed
                );
            }
            if summary.skipped_rows > 0 {
                println!(
                    "Skipped {} row(s) whose record is not \"person\" (exported check-ins are not imported).",
                    summary.skipped_rows
                );
            }
            ExitCode::SUCCESS
        }
        Err(crate::admin::ImportError::Invalid(errors)) => {
            for error in &errors {
                eprintln!("{}:{}: {}", file.display(), error.line, error.message);
            }
            eprintln!(
                "{}: {} problem(s) found; nothing was imported.",
                file.display(),
                errors.len()
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `export`: to stdout, or to `--output FILE` with a one-line summary.
async fn export(
    format: crate::admin::ExportFormat,
    output: Option<&std::path::Path>,
    config: &Config,
) -> ExitCode {
    let bot = match crate::app::open(config, crate::app::load_frameworks(config)).await {
        Ok(bot) => bot,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let collected = crate::admin::export::collect(&bot, chrono::Utc::now()).await;
    bot.store().close().await;
    let export = match collected {
        Ok(export) => export,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let written = match output {
        Some(path) => std::fs::File::create(path)
            .map_err(crate::admin::ExportError::from)
            .and_then(|file| {
                crate::admin::export::write(&export, format, std::io::BufWriter::new(file))
            }),
        None => crate::admin::export::write(&export, format, std::io::stdout().lock()),
    };
    match (written, output) {
        (Ok(()), Some(path)) => {
            println!(
                "Exported {} people and {} check-ins to {}.",
                export.people.len(),
                export.checkins.len(),
                path.display()
            );
            ExitCode::SUCCESS
        }
        (Ok(()), None) => ExitCode::SUCCESS,
        (Err(error), path) => {
            let target = path.map_or("standard output".to_owned(), |p| p.display().to_string());
            eprintln!("error: {target}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn config_check(overrides: &Overrides) -> ExitCode {
    let report = crate::admin::config_check::check(overrides, &crate::config::ProcessEnvironment);
    print!("{}", report.effective);
    if report.problems.is_empty() {
        println!("\nNo problems found.");
        return ExitCode::SUCCESS;
    }
    eprintln!();
    for problem in &report.problems {
        eprintln!("problem: {problem}");
    }
    eprintln!("{} problem(s) found.", report.problems.len());
    ExitCode::FAILURE
}

fn healthcheck(url: &str) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    crate::slack::client::install_tls_provider();
    let outcome = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3))
            .build()?;
        client.get(url).send().await?.error_for_status()
    });
    match outcome {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("unhealthy: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn backup(config: &Config, file: &std::path::Path) -> ExitCode {
    let store = match crate::store::Store::open(&config.database).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = store.backup_to(file).await;
    store.close().await;
    match result {
        Ok(summary) => {
            let rows: Vec<String> = summary
                .rows
                .iter()
                .map(|(table, count)| format!("{table} {count}"))
                .collect();
            println!(
                "Backed up {} to {} ({} bytes; rows: {}). Integrity check: ok.",
                config.database,
                file.display(),
                summary.bytes,
                rows.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> ExitCode {
    let server = match crate::serve::Server::build(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match server.run(crate::serve::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn validate(args: ValidateArgs, config: &Config) -> ExitCode {
    let sources: Vec<FrameworkSource> = if args.dirs.is_empty() {
        config.frameworks.clone()
    } else {
        args.dirs.into_iter().map(FrameworkSource::Path).collect()
    };
    let report = frameworks::load(&sources);
    print_validation(&report);
    if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_validation(report: &LoadReport) {
    for notice in &report.notices {
        println!("note: {}: {}", notice.path.display(), notice.message);
    }
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    let ids: Vec<&str> = report.library.ids().collect();
    println!(
        "{} file(s) read; {} framework(s) valid{}{}; {} error(s)",
        report.files_read,
        ids.len(),
        if ids.is_empty() { "" } else { ": " },
        ids.join(", "),
        report.errors.len()
    );
}
