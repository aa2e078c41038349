//! Assembling a running bot from the configuration: frameworks, database, settings. Shared by
//! `serve`, `shell` and the admin subcommands, so they all start the same way.

use crate::ask::Engine;
use crate::bot::{Bot, Settings};
use crate::checkins::fingerprint;
use crate::config::Config;
use crate::frameworks::{self, FrameworkError, LoadReport, Notice, NoticeKind};
use crate::store::{OpenMode, Store, StoreError};

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The configured framework paths hold no framework that loads.
    #[error("{0}")]
    NoFrameworks(#[from] NoFrameworks),
    /// The settings are invalid.
    #[error("{0}")]
    Settings(#[from] crate::bot::settings::SettingsError),
    /// The bot itself must write (records, the outbox), and the database cannot be written.
    #[error(
        "the database {location} is read-only, and serving needs to write to it (records, reminders); give this user write access to the file and its directory (read-only commands such as shell and export work as it is)"
    )]
    ReadOnly {
        /// The path or URL.
        location: String,
    },
}

/// The configured framework paths gave no framework: a path that does not exist, or holds
/// no framework file that loads. The bot refuses to start rather than answer every question
/// with "I know no frameworks".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no framework could be loaded from {paths}; give --frameworks a directory of framework files (or leave it out for the bundled ones)"
)]
pub struct NoFrameworks {
    /// The configured paths, comma-separated.
    pub paths: String,
}

/// Refuses a load that gave no framework at all.
pub fn require_frameworks(config: &Config, report: &LoadReport) -> Result<(), NoFrameworks> {
    if !report.library.is_empty() {
        return Ok(());
    }
    let paths: Vec<String> = config
        .frameworks
        .iter()
        .map(|source| match source {
            frameworks::FrameworkSource::Bundled => "the bundled frameworks".to_owned(),
            frameworks::FrameworkSource::Path(path)
            | frameworks::FrameworkSource::Repository { path, .. } => path.display().to_string(),
        })
        .collect();
    Err(NoFrameworks {
        paths: paths.join(", "),
    })
}

/// Where the framework loader reports files it could not load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemReport {
    /// As log events: `serve`, reload, tests. Notices are logged too (see [`log_notices`]).
    Log,
    /// As one `warning:` line per file on standard error: the command line (`ask`, `shell`…),
    /// where a person reads them before the answer. Notices are not printed there: a foreign
    /// file read as it is answers questions, and what does not add up in it is for whoever
    /// maintains the files, whom `validate` tells, not for every question asked.
    Terminal,
}

/// Loads the configured frameworks, reporting broken files as log events.
pub fn load_frameworks(config: &Config) -> LoadReport {
    load_frameworks_reporting(config, ProblemReport::Log)
}

/// The one framework loader: loads the configured frameworks and reports each broken file
/// once, to `report`. The valid frameworks are used, so one broken file never stops the bot.
pub fn load_frameworks_reporting(config: &Config, report: ProblemReport) -> LoadReport {
    let loaded = frameworks::load(&config.frameworks);
    match report {
        ProblemReport::Log => {
            for error in &loaded.errors {
                tracing::error!(%error, "framework file not loaded");
            }
        }
        ProblemReport::Terminal => {
            for line in warning_lines(&loaded.errors) {
                eprintln!("{line}");
            }
        }
    }
    log_notices(&loaded.notices);
    loaded
}

/// Logs the loader's notices, once per load: a foreign file read despite inconsistencies at
/// `info` (someone may want to fix it), a file skipped on purpose (a README) at `debug`.
pub fn log_notices(notices: &[Notice]) {
    for notice in notices {
        let path = notice.path.display();
        match notice.kind {
            NoticeKind::Inconsistent => {
                tracing::info!(%path, note = %notice.message, "framework file read as it is");
            }
            NoticeKind::Skipped => {
                tracing::debug!(%path, note = %notice.message, "framework loader notice");
            }
        }
    }
}

/// One `warning:` line per file that was not loaded: its first error, and how many more
/// there are (`career-bot validate` lists them all).
pub fn warning_lines(errors: &[FrameworkError]) -> Vec<String> {
    let mut lines: Vec<(&std::path::Path, String, usize)> = Vec::new();
    for error in errors {
        match lines.iter_mut().find(|(path, _, _)| *path == error.path) {
            Some((_, _, more)) => *more += 1,
            None => lines.push((&error.path, error.to_string(), 0)),
        }
    }
    lines
        .into_iter()
        .map(|(_, first, more)| match more {
            0 => format!("warning: {first} (this framework is not loaded)"),
            more => format!(
                "warning: {first} (and {more} more problem{} in this file, which `career-bot validate` lists; this framework is not loaded)",
                if more == 1 { "" } else { "s" }
            ),
        })
        .collect()
}

/// Opens the bot itself (`serve`): the database, created if missing, the frameworks and the
/// settings. When the cadence settings changed since the last start, every report's due date
/// is recomputed. A database that cannot be written is refused ([`StartError::ReadOnly`]).
pub async fn open(config: &Config, report: LoadReport) -> Result<Bot, StartError> {
    let bot = open_with(config, report, OpenMode::CreateIfMissing).await?;
    if bot.store().is_read_only() {
        bot.store().close().await;
        return Err(StartError::ReadOnly {
            location: crate::store::open::shown_location(&config.database),
        });
    }
    Ok(bot)
}

/// Opens the database (created only if `mode` allows; read-only if it cannot be written, see
/// [`Store::is_read_only`]), loads frameworks and resolves settings.
pub async fn open_with(
    config: &Config,
    report: LoadReport,
    mode: OpenMode,
) -> Result<Bot, StartError> {
    require_frameworks(config, &report)?;
    let store = Store::open_with(&config.database, mode).await?;
    let settings = Settings::from_config(config)?;
    refresh_cadence(&store, &settings).await?;
    Ok(Bot::new(Engine::new(report.library), store, settings))
}

/// Recomputes stored due dates if the cadence configuration differs from the one they were
/// computed with (its [`fingerprint`] is stored under the `cadence` setting). A read-only
/// database keeps its due dates, with a warning.
async fn refresh_cadence(store: &Store, settings: &Settings) -> Result<(), StoreError> {
    let fingerprint = fingerprint(&settings.cadence, &settings.cadence_overrides);
    if store.setting("cadence").await?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(());
    }
    if store.is_read_only() {
        tracing::warn!(
            "the cadence settings differ from those the stored due dates were computed with; the database is read-only, so the stored due dates are shown"
        );
        return Ok(());
    }
    let changed = store
        .recompute_due_dates(&|framework| settings.cadence_for(framework))
        .await?;
    store.set_setting("cadence", &fingerprint).await?;
    if changed > 0 {
        tracing::info!(changed, "cadence settings changed; due dates recomputed");
    }
    Ok(())
}
