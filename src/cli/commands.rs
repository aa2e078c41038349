//! One small function per subcommand: it loads what it needs, calls into the library and
//! returns a [`CliResult`]; printing errors and choosing the exit code is [`super::error`]'s.

use std::io::IsTerminal;
use std::path::Path;

use super::args::{AskArgs, Command, ShellArgs, ValidateArgs};
use super::error::{CliError, CliResult};
use crate::admin::import::{Directory, ImportOptions};
use crate::admin::{ExportFormat, ImportError};
use crate::app::{ProblemReport, StartError};
use crate::ask::{Answer, Engine, Query};
use crate::bot::Bot;
use crate::config::{Config, Overrides};
use crate::frameworks::{self, FrameworkSource, LoadReport};
use crate::ids::UserId;
use crate::serve::ServeError;
use crate::store::{OpenMode, Store, StoreError};

/// Runs a subcommand that needs the configuration.
pub(super) async fn dispatch(command: Command, config: Config) -> CliResult {
    match command {
        Command::Ask(args) => ask(args, &config).await,
        Command::Shell(args) => shell(args, &config).await,
        Command::Validate(args) => validate(args, &config),
        Command::Serve(_) => serve(config).await,
        Command::Backup { file } => backup(&config, &file).await,
        Command::MigrateDb { to } => migrate_db(&config, &to).await,
        // Handled before the configuration is loaded.
        Command::Config(_) | Command::Healthcheck { .. } => Ok(()),
        Command::ImportOrg {
            file,
            sync,
            dry_run,
        } => import_org(&file, ImportOptions { sync, dry_run }, &config).await,
        Command::Export { format, output } => export(format, output.as_deref(), &config).await,
        Command::Stats { months, png } => stats(months, png.as_deref(), &config).await,
    }
}

/// `stats [--months N] [--png FILE]`: the figures across the organisation, as an admin sees
/// them (whoever can open the database sees every record anyway), and the chart.
async fn stats(months: u32, png: Option<&Path>, config: &Config) -> CliResult {
    let bot = open_bot(config, OpenMode::Existing).await?;
    let today = chrono::Utc::now()
        .with_timezone(&bot.settings().default_time_zone)
        .date_naive();
    let view = crate::bot::handlers::stats::organisation(&bot, today, months, png.is_some()).await;
    bot.store().close().await;
    let view = view.map_err(CliError::failed)?;
    print!("{}", view.reply.to_plain_text());
    if let Some(path) = png {
        let Some(bytes) = view.png else {
            println!("No conversations were recorded in this time, so no chart was written.");
            return Ok(());
        };
        private_file(path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, &bytes))
            .map_err(|error| CliError::Failed(format!("{}: {error}", path.display())))?;
        println!(
            "Chart written to {} ({}×{} PNG).",
            path.display(),
            crate::checkins::chart::WIDTH,
            crate::checkins::chart::HEIGHT
        );
    }
    Ok(())
}

/// The one way the command line opens the bot: the configured frameworks (broken files
/// reported on the terminal) and the database, created only where `mode` allows.
async fn open_bot(config: &Config, mode: OpenMode) -> Result<Bot, CliError> {
    let report = crate::app::load_frameworks_reporting(config, ProblemReport::Terminal);
    crate::app::open_with(config, report, mode)
        .await
        .map_err(|error| match error {
            StartError::NoFrameworks(error) => CliError::Usage(error.to_string()),
            other => CliError::failed(other),
        })
}

/// `ask [--as USER] QUESTION`: without `--as` nobody is known to be asking, so a question
/// about the asker gets the sentence saying where to ask it.
async fn ask(args: AskArgs, config: &Config) -> CliResult {
    let report = crate::app::load_frameworks_reporting(config, ProblemReport::Terminal);
    crate::app::require_frameworks(config, &report)
        .map_err(|error| CliError::Usage(error.to_string()))?;
    let engine = Engine::new(report.library);
    let question = args.question.join(" ");
    let answer = match &args.as_user {
        None => engine.ask(&question),
        Some(user) => ask_as(&engine, user, &question, config).await?,
    };
    let text = if args.json {
        let json = serde_json::to_string(&answer.to_json())
            .map_err(|error| CliError::Failed(format!("cannot write JSON: {error}")))?;
        json + "\n"
    } else {
        answer.reply.to_plain_text()
    };
    write_stdout(&text)
}

/// `ask --as USER`: the question answered as `user` asks it, reading only `user`'s own record
/// from the database, opened read-only (a running bot may be writing it).
async fn ask_as(
    engine: &Engine,
    user: &str,
    question: &str,
    config: &Config,
) -> Result<Answer, CliError> {
    let user = UserId::parse(user.trim().trim_start_matches('@'))
        .map_err(|problem| CliError::Usage(format!("--as: {problem}.")))?;
    // Opened whatever the question, so a wrong --db is reported at once, not only on the
    // first question about oneself.
    let store = Store::open_with(&config.database, OpenMode::ReadOnly)
        .await
        .map_err(|error| match error {
            StoreError::Missing { location } => CliError::Failed(format!(
                "--as {user} needs the bot's database to look {user} up, and there is none at {location}; give its file with --db PATH."
            )),
            other => CliError::Failed(format!("--as {user}: {other}")),
        })?;
    let answer = engine.ask(question);
    let answer = match &answer.query {
        Query::Personal(personal) => {
            let record = crate::bot::handlers::record_of(&store, &user).await;
            match record {
                Ok(record) => Ok(engine.answer_personal(personal, record.as_ref())),
                Err(error) => Err(CliError::failed(error)),
            }
        }
        _ => Ok(answer),
    };
    store.close().await;
    answer
}

/// Writes to standard output; a reader that went away (`| head`) ends the command quietly.
fn write_stdout(text: &str) -> CliResult {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Failed(format!("standard output: {error}")))
        }
        _ => Ok(()),
    }
}

async fn shell(args: ShellArgs, config: &Config) -> CliResult {
    // The per-user limit protects people from floods through Slack; in the local shell the
    // one typing is the operator, and scripts replay many changes at one `--now`.
    let bot = open_bot(config, OpenMode::CreateIfMissing)
        .await?
        .with_rate_limit(crate::bot::rate_limit::Limit::unlimited());
    if bot.store().is_read_only() {
        eprintln!(
            "note: the database {} is read-only: questions, help, team, me and history work; nothing can be recorded.",
            crate::store::open::shown_location(&config.database)
        );
    }
    let outcome = async {
        if !bot.store().is_read_only() {
            crate::scheduler::recover(&bot, chrono::Utc::now()).await?;
        }
        let options = crate::shell::ShellOptions {
            user: args.as_user,
            now: args.now,
            interactive: std::io::stdin().is_terminal(),
            echo: args.echo,
        };
        crate::shell::run(&bot, options)
            .await
            .map_err(|error| match error {
                crate::shell::ShellError::Option(message) => CliError::Usage(message),
                other => CliError::failed(other),
            })
    }
    .await;
    bot.store().close().await;
    outcome
}

/// `import-org [--sync] [--dry-run] FILE`: problems go to stderr as `FILE:LINE: sentence`,
/// exit 1, nothing written; a dry run prints each change and writes nothing.
async fn import_org(file: &Path, options: ImportOptions, config: &Config) -> CliResult {
    let directory = slack_directory(config)?;
    let bot = open_bot(config, OpenMode::CreateIfMissing).await?;
    // A dry run writes nothing, so it works on a database this user may only read.
    if bot.store().is_read_only() && !options.dry_run {
        bot.store().close().await;
        return Err(CliError::Failed(format!(
            "the database {} is read-only, so nothing was imported; import-org needs write access to the file and its directory",
            crate::store::open::shown_location(&config.database)
        )));
    }
    let outcome = crate::admin::import::import_file_with(
        &bot,
        file,
        chrono::Utc::now(),
        options,
        directory
            .as_ref()
            .map(|directory| directory as &dyn Directory),
    )
    .await;
    bot.store().close().await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(ImportError::Invalid(errors)) => {
            for error in &errors {
                eprintln!("{}:{}: {}", file.display(), error.line, error.message);
            }
            eprintln!(
                "{}: {} problem(s) found; nothing was imported.",
                file.display(),
                errors.len()
            );
            return Err(CliError::Reported);
        }
        Err(error) => return Err(error.into()),
    };
    if outcome.dry_run {
        for change in &outcome.changes {
            println!("{change}");
        }
        println!(
            "Dry run: {} in {}; nothing was written.",
            counted(outcome.changes.len(), "change", "changes"),
            file.display()
        );
        return Ok(());
    }
    let summary = outcome.summary;
    println!(
        "Imported {} ({}, {}) from {}.",
        counted(summary.people, "person", "people"),
        counted(summary.reports, "report", "reports"),
        counted(summary.managers_only, "manager only", "managers only"),
        file.display()
    );
    if summary.changed < summary.people {
        println!(
            "{} of them were already up to date.",
            summary.people - summary.changed
        );
    }
    if outcome.removed > 0 {
        println!(
            "Removed {} the file does not list (history kept).",
            counted(outcome.removed, "person", "people")
        );
    }
    let history = summary.history;
    if history != Default::default() {
        println!(
            "Restored {}, {}, {}, {} and {}.",
            counted(history.conversations, "conversation", "conversations"),
            counted(history.answers, "answer", "answers"),
            counted(history.events, "timeline event", "timeline events"),
            counted(history.evidence, "piece of evidence", "pieces of evidence"),
            counted(history.assessments, "assessment", "assessments"),
        );
    }
    Ok(())
}

/// Slack's `users.lookupByEmail` for emails in the file, when a bot token is configured
/// (checked as `serve` checks it before the token is sent anywhere).
fn slack_directory(
    config: &Config,
) -> Result<Option<crate::slack::directory::SlackDirectory>, CliError> {
    let Some(token) = &config.slack.bot_token else {
        return Ok(None);
    };
    if let Some(problem) = config.slack.api_url_problem() {
        return Err(CliError::failed(problem));
    }
    let client = crate::slack::client::build(&config.slack.api_url)?;
    let token = slack_morphism::prelude::SlackApiToken::new(token.expose().to_owned().into());
    Ok(Some(
        crate::slack::directory::SlackDirectory::new(client, token)
            .with_api_timeout(config.slack.api_timeout),
    ))
}

/// "1 report", "2 reports".
fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// `export`: to stdout, or to `--output FILE` with a one-line summary.
async fn export(format: ExportFormat, output: Option<&Path>, config: &Config) -> CliResult {
    let bot = open_bot(config, OpenMode::Existing).await?;
    let collected = crate::admin::export::collect(&bot, chrono::Utc::now()).await;
    bot.store().close().await;
    let export = collected?;
    let written = match output {
        Some(path) => private_file(path)
            .map_err(crate::admin::ExportError::from)
            .and_then(|file| {
                crate::admin::export::write(&export, format, std::io::BufWriter::new(file))
            }),
        None => crate::admin::export::write(&export, format, std::io::stdout().lock()),
    };
    let target = output.map_or("standard output".to_owned(), |p| p.display().to_string());
    written.map_err(|error| CliError::Failed(format!("{target}: {error}")))?;
    if output.is_some() {
        println!(
            "Exported {} and {} to {target}.",
            counted(export.people.len(), "person", "people"),
            counted(export.checkins.len(), "check-in", "check-ins"),
        );
    }
    Ok(())
}

/// Opens `path` to write an export readable only by its owner: a new file is created with
/// mode 0600 (no moment when others could open it); an existing regular file is truncated and
/// set to 0600 through the open handle before anything is written. (A process that already had
/// that existing file open keeps its access; a new file name avoids even that.) Devices and
/// pipes (`/dev/stdout`) are written as they are.
pub(crate) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// `config check`: the effective configuration, then every problem; exit 1 on any.
pub(super) fn config_check(overrides: &Overrides) -> CliResult {
    let mut report =
        crate::admin::config_check::check(overrides, &crate::config::ProcessEnvironment);
    print!("{}", report.effective);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let database = runtime.block_on(crate::admin::config_check::check_database(&mut report));
    println!("# database: {database}");
    if report.problems.is_empty() {
        println!("\nNo problems found.");
        return Ok(());
    }
    eprintln!();
    for problem in &report.problems {
        eprintln!("problem: {problem}");
    }
    eprintln!("{} problem(s) found.", report.problems.len());
    Err(CliError::Reported)
}

/// `healthcheck`: exit 0 when the running bot answers its health URL.
pub(super) fn healthcheck(url: &str) -> CliResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    crate::slack::client::install_tls_provider();
    let outcome = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3))
            .build()?;
        client.get(url).send().await?.error_for_status()
    });
    outcome.map(drop).map_err(|error| {
        eprintln!("unhealthy: {error}");
        CliError::Reported
    })
}

async fn backup(config: &Config, file: &Path) -> CliResult {
    let store = Store::open_with(&config.database, OpenMode::Existing).await?;
    let result = store.backup_to(file).await;
    store.close().await;
    let summary = result?;
    let rows: Vec<String> = summary
        .rows
        .iter()
        .map(|(table, count)| format!("{table} {count}"))
        .collect();
    println!(
        "Backed up {} to {} ({} bytes; rows: {}). Integrity check: ok.",
        crate::store::open::shown_location(&config.database),
        file.display(),
        summary.bytes,
        rows.join(", ")
    );
    Ok(())
}

/// `migrate-db --to URL`: the configured SQLite database copied into an empty PostgreSQL one;
/// a `--to` that is not a PostgreSQL URL is a usage error.
async fn migrate_db(config: &Config, to: &str) -> CliResult {
    use crate::admin::migrate_db::MigrateDbError;
    match crate::admin::migrate_db::migrate_db(&config.database, to).await {
        Ok(report) => write_stdout(&report.to_text()),
        Err(error @ MigrateDbError::TargetNotPostgres) => Err(CliError::Usage(error.to_string())),
        Err(error) => Err(CliError::failed(error)),
    }
}

async fn serve(config: Config) -> CliResult {
    let server = crate::serve::Server::build(config)
        .await
        .map_err(|error| match error {
            ServeError::Start(StartError::NoFrameworks(error)) => {
                CliError::Usage(error.to_string())
            }
            other => CliError::failed(other),
        })?;
    Ok(server.run(crate::serve::shutdown_signal()).await?)
}

/// `validate`: every note and error of the configured (or given) framework files.
fn validate(args: ValidateArgs, config: &Config) -> CliResult {
    let sources: Vec<FrameworkSource> = if args.dirs.is_empty() {
        config.frameworks.clone()
    } else {
        args.dirs.into_iter().map(FrameworkSource::Path).collect()
    };
    let report = frameworks::load(&sources);
    print_validation(&report);
    if report.is_clean() {
        Ok(())
    } else {
        Err(CliError::Reported)
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
