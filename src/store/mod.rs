//! Storage through sqlx, on SQLite (the default: one file) or PostgreSQL (several replicas on
//! one database): people, check-ins, snoozes, the outbox and the audit log.
//!
//! Queries go through sqlx's `Any` driver and are written once, in SQL both databases read
//! (numbered `$1` parameters, `ON CONFLICT`, `COALESCE`, integers as 64-bit); where the two
//! must differ (JSON batches, SQLite's `VACUUM INTO`), the query's function matches on
//! [`Backend`]. Each database has its own migrations with the same versions and names:
//! `migrations/` for SQLite and `migrations/postgres/` for PostgreSQL (see [`migrator`]).
//!
//! Every write that changes what people see runs in one transaction together with its audit
//! entry, and is committed before the bot says it is done. Queries are checked at runtime
//! (`query_as` with `FromRow`), so building needs no database; every query has a test.
//!
//! Files: [`people`] (the org chart and cadence dates), [`checkins`] (conversations and
//! acknowledgements), [`snoozes`], [`outbox`] (every DM and channel post), [`reminders`]
//! (reminders planned about reports: outbox rows and each report's last key), [`requests`]
//! (asking someone before adding them to a team), [`evidence`] (what people did, tagged
//! with a dimension), [`assessments`] (each side's ratings before a conversation),
//! [`audit`], [`emails`] (work emails from HR exports), [`health`] (whether the database
//! answers), [`events`] (the timeline's changes, read from the audit log), [`restore`]
//! (history coming back from an export) and [`restore_growth`] (evidence and assessments
//! coming back), [`settings`], [`stats`] (what the people team's figures read), [`backup`]
//! (online snapshots), [`time`] (how times are written), [`time_zones`] (many people's
//! zones at once), [`values`] (the words stored in status and kind columns), [`ids`] (the
//! typed ids as text columns), [`open`] (opening: read-write with migrations, or read-only
//! when the file cannot be written), [`transfer`] (copying a SQLite database into an empty
//! PostgreSQL one, for `migrate-db`).

pub mod assessments;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod checkins;
mod claimed;
pub mod columns;
pub mod corrections;
pub mod dialect;
pub mod emails;
pub mod events;
pub mod evidence;
pub mod flag;
pub mod health;
pub mod ids;
pub mod inspect;
pub mod job_claims;
pub mod leases;
pub mod open;
pub mod outbox;
pub mod packed;
pub mod people;
pub mod planning;
pub mod reminders;
pub mod requests;
pub mod restore;
pub mod restore_growth;
pub mod retries;
pub mod settings;
pub mod snoozes;
pub mod stale_check;
pub mod stats;
pub mod time;
pub mod time_zones;
pub mod transfer;
pub mod values;

use std::sync::{Arc, OnceLock};

use sqlx::AnyPool;
use sqlx::migrate::Migrator;

pub use open::{Backend, OpenMode};

/// The SQLite schema, embedded from `migrations/` at build time (`sqlx::migrate!` reads only
/// the files of that directory, not `migrations/postgres/`). Its files never change: their
/// checksums are recorded in every database they built.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The PostgreSQL schema, embedded from `migrations/postgres/`: the same versions and names
/// as [`MIGRATOR`]'s, each a translation of the SQLite file.
pub static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The migrations of `backend`'s schema.
pub fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &MIGRATOR,
        Backend::Postgres => &POSTGRES_MIGRATOR,
    }
}

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
    /// The change would make someone their own manager, directly or through others: the chain
    /// from the new manager up to the person being placed under them. Checked inside the
    /// write transaction, so two changes at once cannot close a loop between them.
    #[error("that would make a management loop: {}", chain_text(.0))]
    Loop(Vec<crate::ids::UserId>),
    /// A background database task stopped unexpectedly.
    #[error("a database task failed: {0}")]
    Task(String),
    /// A write on a database that is open read-only (see [`Store::is_read_only`]): refused
    /// before it starts, or by SQLite ("attempt to write a readonly database").
    #[error("the database is read-only, so nothing was recorded")]
    ReadOnly,
    /// The database cannot be written and its schema is older than this build's: it is not
    /// migrated (that would write), so it is not opened.
    #[error(
        "the database {location} is read-only and needs migration {version} ({description}); open it once with write access (for example with `career-bot shell`) so it is migrated"
    )]
    NeedsMigration {
        /// The path or URL.
        location: String,
        /// The first migration it lacks.
        version: i64,
        /// That migration's description.
        description: String,
    },
}

/// "U1 → U2 → U3", for the log line of a [`StoreError::Loop`].
fn chain_text(chain: &[crate::ids::UserId]) -> String {
    chain
        .iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

impl From<sqlx::Error> for StoreError {
    /// A column holding a word outside its set (see [`values`]) is [`StoreError::Corrupt`];
    /// SQLite refusing to write a read-only database is [`StoreError::ReadOnly`]; any other
    /// failure is [`StoreError::Query`].
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::ColumnDecode { source, .. } = &error
            && let Some(unknown) = source.downcast_ref::<values::UnknownValue>()
        {
            return unknown.clone().into();
        }
        if open::is_readonly_refusal(&error) {
            return StoreError::ReadOnly;
        }
        StoreError::Query(error)
    }
}

/// The database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    read_only: bool,
    /// PostgreSQL, read-write: where the change watch comes from (see [`changes`]).
    changes: Option<Arc<WatchSlot>>,
}

/// The change watch of a PostgreSQL store, started when the first stale check needs it.
struct WatchSlot {
    /// The database URL (it may hold a password: never shown).
    url: String,
    watch: OnceLock<Arc<changes::ChangeWatch>>,
}

impl std::fmt::Debug for WatchSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchSlot")
            .field("started", &self.watch.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The key of the PostgreSQL advisory lock every write transaction takes (an arbitrary
/// constant: "cbot" in ASCII), so writers run one at a time as they do on SQLite.
const WRITE_LOCK: i64 = 0x6362_6f74;

impl Store {
    /// Starts a write transaction. Writers run one at a time, on both databases, so a check
    /// made inside a transaction (a management loop, a request already answered) still holds
    /// when it commits.
    ///
    /// On SQLite, `BEGIN IMMEDIATE` takes the write lock at once, so a writer waits (up to the
    /// busy timeout) for another writer instead of failing with "database is locked" when its
    /// first statement is a read, as a plain `BEGIN` would in WAL mode. On PostgreSQL, the
    /// transaction takes an advisory lock ([`WRITE_LOCK`]) held until it ends: the same
    /// one-writer-at-a-time, across every replica, without the serialisation failures that
    /// `SERIALIZABLE` would leave callers to retry.
    ///
    /// On a read-only database it fails at once with [`StoreError::ReadOnly`].
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database was opened read-only because this process cannot write it (see
    /// [`open`]): reads work, every write is [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The connection pool, for this module's files and for tests and benchmarks that look
    /// at the schema directly. Adapters call the typed functions instead (public only because
    /// integration tests and benchmarks are separate crates).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection (on SQLite, checkpointing the WAL into the main file).
    pub async fn close(&self) {
        if let Some(watch) = self.changes.as_ref().and_then(|slot| slot.watch.get()) {
            watch.stop();
        }
        self.pool.close().await;
    }

    /// The change watch (PostgreSQL, read-write), started on first use.
    fn change_watch(&self) -> Option<Arc<changes::ChangeWatch>> {
        let slot = self.changes.as_ref()?;
        Some(Arc::clone(slot.watch.get_or_init(|| {
            Arc::new(changes::ChangeWatch::start(&slot.url))
        })))
    }
}
