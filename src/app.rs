//! Assembling a running bot from the configuration: frameworks, database, settings. Shared by
//! `serve`, `shell` and the admin subcommands, so they all start the same way.

use crate::ask::Engine;
use crate::bot::{Bot, Settings};
use crate::checkins::fingerprint;
use crate::config::Config;
use crate::frameworks::{self, LoadReport};
use crate::store::{Store, StoreError};

/// Why the bot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The settings are invalid.
    #[error("{0}")]
    Settings(#[from] crate::bot::settings::SettingsError),
}

/// Loads the configured frameworks. Errors are logged (and returned in the report); the valid
/// frameworks are used, so one broken file never stops the bot.
pub fn load_frameworks(config: &Config) -> LoadReport {
    let report = frameworks::load(&config.frameworks);
    for error in &report.errors {
        tracing::error!(%error, "framework file not loaded");
    }
    for notice in &report.notices {
        tracing::debug!(path = %notice.path.display(), message = %notice.message, "framework loader notice");
    }
    report
}

/// Opens the database, loads frameworks and resolves settings. When the cadence settings
/// changed since the last start, every report's due date is recomputed.
pub async fn open(config: &Config, report: LoadReport) -> Result<Bot, StartError> {
    let store = Store::open(&config.database).await?;
    let settings = Settings::from_config(config)?;
    refresh_cadence(&store, &settings).await?;
    Ok(Bot::new(Engine::new(report.library), store, settings))
}

/// Recomputes stored due dates if the cadence configuration differs from the one they were
/// computed with (its [`fingerprint`] is stored under the `cadence` setting).
async fn refresh_cadence(store: &Store, settings: &Settings) -> Result<(), StoreError> {
    let fingerprint = fingerprint(&settings.cadence, &settings.cadence_overrides);
    if store.setting("cadence").await?.as_deref() == Some(fingerprint.as_str()) {
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
