//! SQLite storage through sqlx: people, check-ins, snoozes, the outbox and the audit log.
//!
//! Every write that changes what people see runs in one transaction together with its audit
//! entry, and is committed before the bot says it is done. Queries are checked at runtime
//! (`query_as` with `FromRow`), so building needs no database; every query has a test.
//!
//! Files: [`people`] (the org chart and cadence dates), [`checkins`] (conversations and
//! acknowledgements), [`snoozes`], [`outbox`] (every DM and channel post), [`reminders`]
//! (reminders planned about reports: outbox rows and each report's last key), [`audit`],
//! [`events`] (the timeline's changes, read from the audit log),
//! [`restore`] (history coming back from an export), [`settings`], [`backup`] (online snapshots), [`time`] (how times are written), [`values`]
//! (the words stored in status and kind columns), [`ids`] (the typed ids as text columns).

pub mod audit;
pub mod backup;
pub mod checkins;
pub mod corrections;
pub mod events;
pub mod ids;
pub mod outbox;
pub mod people;
pub mod reminders;
pub mod restore;
pub mod settings;
pub mod snoozes;
pub mod time;
pub mod values;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The schema, embedded from `migrations/` at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A storage failure. These are internal errors: the user sees "something went wrong, nothing
/// was recorded", and the details go to the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened.
    #[error("cannot open the database {location}: {source}")]
    Open {
        /// The path or URL.
        location: String,
        /// Why.
        source: sqlx::Error,
    },
    /// Applying migrations failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(sqlx::Error),
    /// Stored data that does not parse (edited by hand?): a sentence naming the table, the
    /// column and the value. Never read as a default.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database does not exist, and this command does not create one.
    #[error(
        "there is no database at {location}; check --db or DATABASE_URL (only serve, shell and import-org create a database)"
    )]
    Missing {
        /// The path or URL.
        location: String,
    },
    /// A background database task stopped unexpectedly.
    #[error("a database task failed: {0}")]
    Task(String),
}

/// Whether opening a database may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file when it is missing: the bot itself (`serve`, `shell`) and `import-org`.
    CreateIfMissing,
    /// Refuse a missing file: commands that only read or copy (`export`, `backup`), so a
    /// mistyped path is reported instead of answered from a new, empty database.
    Existing,
}

impl From<sqlx::Error> for StoreError {
    /// A column holding a word outside its set (see [`values`]) is [`StoreError::Corrupt`];
    /// any other failure is [`StoreError::Query`].
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::ColumnDecode { source, .. } = &error
            && let Some(unknown) = source.downcast_ref::<values::UnknownValue>()
        {
            return unknown.clone().into();
        }
        StoreError::Query(error)
    }
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `location` — a file path or a `sqlite:` URL —
    /// with WAL, foreign keys and a busy timeout, and applies pending migrations.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        Self::open_with(location, OpenMode::CreateIfMissing).await
    }

    /// Opens the database at `location`, creating it only if `mode` allows.
    pub async fn open_with(location: &str, mode: OpenMode) -> Result<Store, StoreError> {
        let create = mode == OpenMode::CreateIfMissing;
        if !create && !location.starts_with("sqlite:") && !std::path::Path::new(location).exists() {
            return Err(StoreError::Missing {
                location: location.to_owned(),
            });
        }
        let options = if location.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(location)
        } else {
            Ok(SqliteConnectOptions::new().filename(location))
        }
        .map_err(|source| StoreError::Open {
            location: location.to_owned(),
            source,
        })?
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        // With WAL, NORMAL is durable across application crashes; only an OS crash or power
        // loss can lose the last commits, and then never corrupts the file.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A local file does not drop connections; pinging before every statement only
            // adds a round trip to the connection's worker thread.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                location: location.to_owned(),
                source,
            })?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock at once, so a
    /// writer waits (up to the busy timeout) for another writer instead of failing with
    /// "database is locked" when its first statement is a read, as a plain `BEGIN` would in
    /// WAL mode.
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The connection pool, for this module's files and for tests and benchmarks that look
    /// at the schema directly. Adapters call the typed functions instead (public only because
    /// integration tests and benchmarks are separate crates).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection, checkpointing the WAL into the main file.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
