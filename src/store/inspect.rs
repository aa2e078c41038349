//! What `config check` says about the database: which one it is, whether it can be reached,
//! and whether it is migrated, without creating, migrating or writing anything.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};

use super::open::{install_drivers, shown_location};
use super::{Backend, OpenMode, Store, StoreError};

/// How long `config check` waits for PostgreSQL before calling it unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// The database a location names, and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseStatus {
    /// SQLite or PostgreSQL.
    pub backend: Backend,
    /// The location, as it may be shown (a PostgreSQL URL without its password).
    pub shown: String,
    /// How it stands.
    pub state: DatabaseState,
}

/// How a database stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseState {
    /// A SQLite file that does not exist yet (`serve` creates it).
    NotCreated,
    /// It could not be reached or opened: why, in one sentence.
    Unreachable(String),
    /// Every migration of this build is applied.
    Migrated,
    /// Reached, with migrations not applied yet, oldest first, as (version, description):
    /// `serve` applies them when it starts.
    Pending(Vec<(i64, String)>),
    /// Its schema is one this build refuses (a failed, unknown or edited migration).
    Refused(String),
}

impl DatabaseStatus {
    /// One line for people: which database, and how it stands.
    pub fn summary(&self) -> String {
        let which = match self.backend {
            Backend::Sqlite => format!("SQLite file {}", self.shown),
            Backend::Postgres => format!("PostgreSQL database {}", self.shown),
        };
        match &self.state {
            DatabaseState::NotCreated => {
                format!("{which}: does not exist yet; `serve` creates and migrates it")
            }
            DatabaseState::Unreachable(why) => format!("{which}: unreachable: {why}"),
            DatabaseState::Migrated => format!("{which}: reachable and migrated"),
            DatabaseState::Pending(pending) => {
                let list = pending
                    .iter()
                    .map(|(version, description)| format!("{version:04} {description}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "{which}: reachable, not migrated: {} pending migration(s) ({list}); `serve` applies them when it starts",
                    pending.len()
                )
            }
            DatabaseState::Refused(why) => format!("{which}: reachable, but {why}"),
        }
    }
}

/// Looks at the database `location` names, read-only.
pub async fn inspect(location: &str) -> DatabaseStatus {
    let backend = Backend::of(location);
    let shown = shown_location(location);
    let state = match connect_read_only(location, backend).await {
        Ok(None) => DatabaseState::NotCreated,
        Ok(Some(store)) => {
            let state = match store.pending_migrations().await {
                Ok(pending) if pending.is_empty() => DatabaseState::Migrated,
                Ok(pending) => DatabaseState::Pending(pending),
                Err(StoreError::Migrate(error)) => DatabaseState::Refused(error.to_string()),
                Err(error) => DatabaseState::Unreachable(error.to_string()),
            };
            store.close().await;
            state
        }
        Err(error) => DatabaseState::Unreachable(reason(&error)),
    };
    DatabaseStatus {
        backend,
        shown,
        state,
    }
}

/// Why opening failed, without the location (the summary names it, password hidden).
fn reason(error: &StoreError) -> String {
    match error {
        StoreError::Open { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// Opens the database read-only without looking at its schema; `None` for a SQLite file that
/// does not exist.
async fn connect_read_only(location: &str, backend: Backend) -> Result<Option<Store>, StoreError> {
    install_drivers();
    let open_error = |source| StoreError::Open {
        location: shown_location(location),
        source,
    };
    match backend {
        Backend::Sqlite => {
            let options = if location.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(location).map_err(open_error)?
            } else {
                SqliteConnectOptions::new().filename(location)
            };
            if !Path::new(options.get_filename()).exists() {
                return Ok(None);
            }
            match Store::open_with(location, OpenMode::ReadOnly).await {
                Ok(store) => Ok(Some(store)),
                // Read-only opening refuses an old schema; the inspection lists what it lacks.
                Err(StoreError::NeedsMigration { .. } | StoreError::Migrate(_)) => {
                    super::open::connect_sqlite_read_only(location, options)
                        .await
                        .map(Some)
                }
                Err(error) => Err(error),
            }
        }
        Backend::Postgres => {
            let options = AnyConnectOptions::from_str(location).map_err(open_error)?;
            // One connection first, so the reason it fails (refused, unknown host, a wrong
            // password, no such database) is what the check says, not the pool's timeout.
            match tokio::time::timeout(REACH_TIMEOUT, options.connect()).await {
                Ok(Ok(first)) => {
                    let _ = sqlx::Connection::close(first).await;
                }
                Ok(Err(error)) => return Err(open_error(error)),
                Err(_) => {
                    return Err(open_error(sqlx::Error::PoolTimedOut));
                }
            }
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(REACH_TIMEOUT)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("SET default_transaction_read_only = on")
                            .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await
                .map_err(open_error)?;
            Ok(Some(Store::from_parts(pool, Backend::Postgres, true)))
        }
    }
}
