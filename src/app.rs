//! Assembling a running bot from the configuration: frameworks, database, settings. Shared by
//! `serve`, `shell` and the admin subcommands, so they all start the same way.

use crate::ask::Engine;
use crate::bot::{Bot, Settings};
use crate::checkins::fingerprint;
use crate::config::Config;
use crate::frameworks::{self, LoadReport};
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
            frameworks::FrameworkSource::Path(path) => path.display().to_string(),
        })
        .collect();
    Err(NoFrameworks {
        paths: paths.join(", "),
    })
}

/// Where the framework loader reports files it could not load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemReport {
    /// As log events: `serve`, reload, tests.
    Log,
    /// As one `warning:` line per file on standard error: the command line, where a person
    /// reads them.
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
    for error in &loaded.errors {
        match report {
            ProblemReport::Log => tracing::error!(%error, "framework file not loaded"),
            ProblemReport::Terminal => {
                eprintln!("warning: {error} (this framework is not loaded)");
            }
        }
    }
    for notice in &loaded.notices {
        tracing::debug!(path = %notice.path.display(), message = %notice.message, "framework loader notice");
    }
    loaded
}

/// Opens the bot itself (`serve`): the database, created if missing, the frameworks and the
/// settings. When the cadence settings changed since the last start, every report's due date
/// is recomputed. A database that cannot be written is refused ([`StartError::ReadOnly`]).
pub async fn open(config: &Config, report: LoadReport) -> Result<Bot, StartError> {
    let bot = open_with(config, report, OpenMode::CreateIfMissing).await?;
    if bot.store().is_read_only() {
        bot.store().close().await;
        return Err(StartError::ReadOnly {
            location: config.database.clone(),
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
