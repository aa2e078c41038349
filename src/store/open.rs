//! Opening the database: PostgreSQL when the location is a `postgres://` (or
//! `postgresql://`) URL, otherwise SQLite, read-write with migrations, or read-only when this
//! process cannot write the file.
//!
//! **PostgreSQL.** The database must exist (the bot never creates one); opening applies its
//! pending migrations (`migrations/postgres/`), except with [`OpenMode::ReadOnly`], which only
//! checks the schema and refuses every write, as on SQLite.
//!
//! An operator may point a command at a database it cannot write: a copy made read-only
//! (`chmod 0444`), a directory without write access (WAL needs `-wal` and `-shm` files beside
//! the database), a read-only mount. The store then opens it read-only instead of failing:
//! it does not migrate (that would write) but checks that the schema is already this build's,
//! and every write is [`StoreError::ReadOnly`]. Commands that only read keep working;
//! `serve`, which must write, refuses to start (see `app::open`).
//!
//! **Detecting it.** The file cannot be opened for writing (permission denied, read-only
//! file system), or opening it read-write fails with SQLite's read-only, permission or
//! cannot-open codes (a directory where the `-wal` and `-shm` files cannot be created). The
//! first check comes before SQLite sees the file: SQLite would otherwise open a write-protected
//! file read-only by itself and create a `-shm` beside it with the file's read-only mode, which
//! then breaks the next writer once write access is restored.
//!
//! **Reading it.** With no `-wal` file beside the database, everything committed is in the
//! file, and it is opened `immutable`: SQLite creates no `-wal` or `-shm` and takes no locks
//! (so a read-only directory works and nothing is left behind). The price is that a writer
//! starting while it is open is not noticed. With a `-wal` file, a writer may be running or
//! have left commits in it, so the database is opened read-only without `immutable`, reading
//! through the WAL and its existing `-shm`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Once, OnceLock};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migration};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};

use super::flag::Flag;
use super::{Store, StoreError, migrator};

/// SQLite's primary result codes that mean "this cannot be written here".
const SQLITE_PERM: i32 = 3;
const SQLITE_READONLY: i32 = 8;
const SQLITE_CANTOPEN: i32 = 14;

/// PostgreSQL's SQLSTATE for a write in a read-only transaction.
const PG_READ_ONLY_TRANSACTION: &str = "25006";

/// Which database a store runs on: the few queries that must differ match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// A SQLite file (a path or a `sqlite:` URL): the default.
    Sqlite,
    /// A PostgreSQL database (a `postgres://` or `postgresql://` URL).
    Postgres,
}

impl Backend {
    /// The database `location` names: a `postgres://` or `postgresql://` URL is PostgreSQL,
    /// anything else (a `sqlite:` URL, a path) SQLite.
    pub fn of(location: &str) -> Backend {
        let scheme = location
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("postgres" | "postgresql") => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The database behind `conn`, for functions given a connection rather than the store.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// Its name, for people: "SQLite" or "PostgreSQL".
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// `location` as it may be shown and logged: a PostgreSQL URL without its password (and any
/// other parameter) as `postgres://USER@HOST:PORT/DBNAME`; a SQLite location as it is.
pub fn shown_location(location: &str) -> String {
    if Backend::of(location) == Backend::Sqlite {
        return location.to_owned();
    }
    match PgConnectOptions::from_str(location) {
        Ok(options) => format!(
            "postgres://{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or(options.get_username())
        ),
        Err(_) => "a PostgreSQL URL that cannot be read".to_owned(),
    }
}

/// How a database may be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file when it is missing: the bot itself (`serve`, `shell`) and `import-org`.
    CreateIfMissing,
    /// Refuse a missing file: commands that only read or copy (`export`, `backup`), so a
    /// mistyped path is reported instead of answered from a new, empty database.
    Existing,
    /// An existing database, read-only even when this process could write it: what a database
    /// that cannot be written gets anyway, asked for explicitly.
    ReadOnly,
}

impl Store {
    /// Opens the database at `location` — a file path, a `sqlite:` URL or a `postgres://`
    /// URL — and applies pending migrations. SQLite gets WAL, foreign keys and a busy
    /// timeout, and is created when missing; a file this process cannot write is opened
    /// read-only (see the [module docs](self)).
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        Self::open_with(location, OpenMode::CreateIfMissing).await
    }

    /// Opens the database at `location`, creating a SQLite file only if `mode` allows,
    /// read-only if `mode` asks or it cannot be written.
    pub async fn open_with(location: &str, mode: OpenMode) -> Result<Store, StoreError> {
        install_drivers();
        if Backend::of(location) == Backend::Postgres {
            return open_postgres(location, mode).await;
        }
        let create = mode == OpenMode::CreateIfMissing;
        if !create && !location.starts_with("sqlite:") && !Path::new(location).exists() {
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
        })?;
        let file = options.get_filename().to_owned();
        let exists = file.exists();
        if mode == OpenMode::ReadOnly || (exists && !can_write(&file)) {
            return open_read_only(location, options).await;
        }
        match open_read_write(location, options.clone(), create).await {
            Err(error) if exists && cannot_write(&error) => {
                tracing::debug!(%error, "the database cannot be opened read-write; opening it read-only");
                open_read_only(location, options).await
            }
            other => other,
        }
    }
}

/// Registers sqlx's SQLite and PostgreSQL drivers with `Any`, once per process.
pub(super) fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

/// Opens a PostgreSQL database: migrated, or with [`OpenMode::ReadOnly`] checked and
/// read-only.
async fn open_postgres(location: &str, mode: OpenMode) -> Result<Store, StoreError> {
    let shown = shown_location(location);
    let options = AnyConnectOptions::from_str(location).map_err(|source| StoreError::Open {
        location: shown.clone(),
        source,
    })?;
    let read_only = mode == OpenMode::ReadOnly;
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if read_only {
                    // PostgreSQL itself refuses a write, whatever the code path.
                    conn.execute("SET default_transaction_read_only = on")
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            location: shown.clone(),
            source,
        })?;
    let store = Store {
        pool,
        backend: Backend::Postgres,
        read_only,
        // A read-only store delivers nothing, so it needs no watch.
        changes: (!read_only).then(|| {
            Arc::new(super::WatchSlot {
                url: location.to_owned(),
                watch: OnceLock::new(),
            })
        }),
    };
    let checked = if read_only {
        check_schema(&store, &shown).await
    } else {
        migrator(Backend::Postgres)
            .run(store.pool())
            .await
            .map_err(StoreError::from)
    };
    if let Err(error) = checked {
        store.close().await;
        return Err(error);
    }
    Ok(store)
}

/// Opens the SQLite database read-write and applies pending migrations.
async fn open_read_write(
    location: &str,
    options: SqliteConnectOptions,
    create: bool,
) -> Result<Store, StoreError> {
    let options = options.create_if_missing(create);
    let store = connect(location, options, true).await?;
    if let Err(error) = migrator(Backend::Sqlite).run(store.pool()).await {
        store.close().await;
        return Err(error.into());
    }
    Ok(store)
}

/// Opens the SQLite database read-only (immutable when no `-wal` is beside it) and checks
/// that its schema is this build's.
async fn open_read_only(
    location: &str,
    options: SqliteConnectOptions,
) -> Result<Store, StoreError> {
    let store = connect_sqlite_read_only(location, options).await?;
    if let Err(error) = check_schema(&store, location).await {
        store.close().await;
        return Err(error);
    }
    tracing::debug!("the database is open read-only");
    Ok(store)
}

/// Connects to the SQLite file read-only (immutable when no `-wal` is beside it), without
/// looking at its schema.
pub(super) async fn connect_sqlite_read_only(
    location: &str,
    options: SqliteConnectOptions,
) -> Result<Store, StoreError> {
    let immutable = !wal_file(options.get_filename()).exists();
    let options = options.read_only(true).immutable(immutable);
    let mut store = connect(location, options, false).await?;
    store.read_only = true;
    Ok(store)
}

impl Store {
    /// A store over an open pool, for the inspection of `config check`.
    pub(super) fn from_parts(pool: sqlx::AnyPool, backend: Backend, read_only: bool) -> Store {
        Store {
            pool,
            backend,
            read_only,
            changes: None,
        }
    }
}

/// Connects to a SQLite file through `Any`. `Any` takes SQLite's options as a URL, which
/// carries the file, the mode (read-only, create) and `immutable`; foreign keys and the busy
/// timeout (5 s) are sqlx's defaults for a URL. A read-write store switches the file to WAL
/// once, on a first connection of its own (the journal mode is kept in the file): a failure
/// there is an error of opening, so a file that cannot be written is then opened read-only.
/// Each pooled connection then sets `synchronous = NORMAL`.
async fn connect(
    location: &str,
    options: SqliteConnectOptions,
    read_write: bool,
) -> Result<Store, StoreError> {
    install_drivers();
    let open_error = |source| StoreError::Open {
        location: location.to_owned(),
        source,
    };
    // A relative path would be read as the URL's host, whose `..` segments a URL drops.
    let file = std::path::absolute(options.get_filename())
        .map_err(|error| open_error(sqlx::Error::Io(error)))?;
    let url = options.filename(file).to_url_lossy();
    let options = AnyConnectOptions::from_url(&url).map_err(open_error)?;
    if read_write {
        // One connection first: where the file (or the `-shm` beside it) cannot be written,
        // this fails at once, rather than every pooled connection failing until the pool
        // times out.
        let mut first = options.connect().await.map_err(open_error)?;
        let wal = first.execute("PRAGMA journal_mode = WAL").await;
        let _ = sqlx::Connection::close(first).await;
        wal.map_err(open_error)?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        // A local file does not drop connections; pinging before every statement only
        // adds a round trip to the connection's worker thread.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if read_write {
                    // With WAL, NORMAL is durable across application crashes; only an OS
                    // crash or power loss can lose the last commits, and then never corrupts
                    // the file.
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(open_error)?;
    Ok(Store {
        pool,
        backend: Backend::Sqlite,
        read_only: false,
        changes: None,
    })
}

/// The WAL file SQLite keeps beside `file`.
fn wal_file(file: &Path) -> PathBuf {
    let mut name = OsString::from(file.as_os_str());
    name.push("-wal");
    PathBuf::from(name)
}

/// Whether this process may write `file`: opening it for writing (which changes nothing) is
/// not refused. Other failures are left for SQLite to report.
fn can_write(file: &Path) -> bool {
    match std::fs::OpenOptions::new().write(true).open(file) {
        Ok(_) => true,
        Err(error) => !denies_writing(&error),
    }
}

/// Whether an I/O error says writing is not allowed here.
fn denies_writing(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

/// SQLite's primary result code of `error`, if it is a SQLite error.
fn primary_code(error: &sqlx::Error) -> Option<i32> {
    let sqlx::Error::Database(error) = error else {
        return None;
    };
    let error = error.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    let code: i32 = sqlx::error::DatabaseError::code(error)?.parse().ok()?;
    Some(code & 0xff)
}

/// Whether `error` is the database refusing to write: SQLite's read-only database
/// (`SQLITE_READONLY` and its extended codes), PostgreSQL's read-only transaction.
pub(super) fn is_readonly_refusal(error: &sqlx::Error) -> bool {
    if let sqlx::Error::Database(database) = error
        && let Some(postgres) = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
    {
        return postgres.code() == PG_READ_ONLY_TRANSACTION;
    }
    primary_code(error) == Some(SQLITE_READONLY)
}

/// Whether opening read-write failed because the database (or its directory) cannot be
/// written here, so opening it read-only may work.
fn cannot_write(error: &StoreError) -> bool {
    let source = match error {
        StoreError::ReadOnly => return true,
        StoreError::Open { source, .. }
        | StoreError::Query(source)
        | StoreError::Migrate(
            MigrateError::Execute(source) | MigrateError::ExecuteMigration(source, _),
        ) => source,
        _ => return false,
    };
    match source {
        sqlx::Error::Io(error) => denies_writing(error),
        other => matches!(
            primary_code(other),
            Some(SQLITE_READONLY | SQLITE_PERM | SQLITE_CANTOPEN)
        ),
    }
}

/// One row of `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Applied {
    version: i64,
    checksum: Vec<u8>,
    #[sqlx(try_from = "Flag")]
    success: bool,
}

/// The migrations applied to the database, by version; none when it has never been migrated.
async fn applied_migrations(store: &Store) -> Result<Vec<Applied>, StoreError> {
    let tracked: i64 = sqlx::query_scalar(match store.backend {
        Backend::Sqlite => {
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT count(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    })
    .fetch_one(store.pool())
    .await?;
    if tracked == 0 {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT version, checksum, CASE WHEN success THEN 1 ELSE 0 END AS success
             FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(store.pool())
    .await?)
}

/// Refuses a schema that is not exactly this build's, without writing anything: what
/// migrating would refuse, it refuses with the same error; what it would apply is
/// [`StoreError::NeedsMigration`].
async fn check_schema(store: &Store, location: &str) -> Result<(), StoreError> {
    let applied = applied_migrations(store).await?;
    match compare_schema(&applied, &migrator(store.backend).migrations) {
        Ok(()) => Ok(()),
        Err(SchemaGap::Refused(error)) => Err(error.into()),
        Err(SchemaGap::Lacks(migration)) => Err(StoreError::NeedsMigration {
            location: location.to_owned(),
            version: migration.version,
            description: migration.description.to_string(),
        }),
    }
}

impl Store {
    /// The migrations of this build not applied to the database yet, oldest first, as
    /// (version, description), without applying them: what `config check` lists. A schema
    /// migrating would refuse (a failed, unknown or edited migration) is an error.
    pub async fn pending_migrations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let applied = applied_migrations(self).await?;
        let known = &migrator(self.backend).migrations;
        if let Err(SchemaGap::Refused(error)) = compare_schema(&applied, known) {
            return Err(error.into());
        }
        Ok(known
            .iter()
            .filter(|migration| !migration.migration_type.is_down_migration())
            .filter(|migration| !applied.iter().any(|row| row.version == migration.version))
            .map(|migration| (migration.version, migration.description.to_string()))
            .collect())
    }
}

/// Why a schema is not the one `known` describes.
#[derive(Debug)]
enum SchemaGap<'m> {
    /// Something migrating would refuse too (a failed, unknown or edited migration).
    Refused(MigrateError),
    /// The first migration not applied yet.
    Lacks(&'m Migration),
}

/// Compares the applied migrations with the `known` ones, in the order `MIGRATOR.run` checks.
fn compare_schema<'m>(applied: &[Applied], known: &'m [Migration]) -> Result<(), SchemaGap<'m>> {
    if let Some(dirty) = applied.iter().find(|row| !row.success) {
        return Err(SchemaGap::Refused(MigrateError::Dirty(dirty.version)));
    }
    let up = || {
        known
            .iter()
            .filter(|migration| !migration.migration_type.is_down_migration())
    };
    if let Some(unknown) = applied
        .iter()
        .find(|row| !up().any(|migration| migration.version == row.version))
    {
        return Err(SchemaGap::Refused(MigrateError::VersionMissing(
            unknown.version,
        )));
    }
    for migration in up() {
        match applied.iter().find(|row| row.version == migration.version) {
            Some(row) if row.checksum != *migration.checksum => {
                return Err(SchemaGap::Refused(MigrateError::VersionMismatch(
                    migration.version,
                )));
            }
            Some(_) => {}
            None => return Err(SchemaGap::Lacks(migration)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MIGRATOR;

    fn applied_all() -> Vec<Applied> {
        MIGRATOR
            .iter()
            .map(|migration| Applied {
                version: migration.version,
                checksum: migration.checksum.to_vec(),
                success: true,
            })
            .collect()
    }

    #[test]
    fn a_schema_with_every_migration_applied_is_current() {
        assert!(compare_schema(&applied_all(), &MIGRATOR.migrations).is_ok());
    }

    #[test]
    fn the_first_missing_migration_is_named() {
        assert!(MIGRATOR.migrations.len() > 1);
        let first_only = &applied_all()[..1];
        match compare_schema(first_only, &MIGRATOR.migrations) {
            Err(SchemaGap::Lacks(migration)) => {
                assert_eq!(migration.version, MIGRATOR.migrations[1].version);
            }
            other => panic!("expected a missing migration, got {other:?}"),
        }
        match compare_schema(&[], &MIGRATOR.migrations) {
            Err(SchemaGap::Lacks(migration)) => {
                assert_eq!(migration.version, MIGRATOR.migrations[0].version);
            }
            other => panic!("expected a missing migration, got {other:?}"),
        }
    }

    #[test]
    fn failed_unknown_and_edited_migrations_are_refused_as_migrating_would() {
        let mut dirty = applied_all();
        dirty[1].success = false;
        assert!(matches!(
            compare_schema(&dirty, &MIGRATOR.migrations),
            Err(SchemaGap::Refused(MigrateError::Dirty(v))) if v == dirty[1].version
        ));
        let mut newer = applied_all();
        newer.push(Applied {
            version: 9999,
            checksum: Vec::new(),
            success: true,
        });
        assert!(matches!(
            compare_schema(&newer, &MIGRATOR.migrations),
            Err(SchemaGap::Refused(MigrateError::VersionMissing(9999)))
        ));
        let mut edited = applied_all();
        edited[0].checksum = vec![0; 4];
        assert!(matches!(
            compare_schema(&edited, &MIGRATOR.migrations),
            Err(SchemaGap::Refused(MigrateError::VersionMismatch(v))) if v == edited[0].version
        ));
    }

    #[test]
    fn permission_and_read_only_file_system_errors_deny_writing() {
        use std::io::{Error, ErrorKind};
        assert!(denies_writing(&Error::from(ErrorKind::PermissionDenied)));
        assert!(denies_writing(&Error::from(ErrorKind::ReadOnlyFilesystem)));
        assert!(!denies_writing(&Error::from(ErrorKind::NotFound)));
        let io = |kind| StoreError::Open {
            location: "bot.db".into(),
            source: sqlx::Error::Io(Error::from(kind)),
        };
        assert!(cannot_write(&io(ErrorKind::PermissionDenied)));
        assert!(!cannot_write(&io(ErrorKind::NotFound)));
        assert!(cannot_write(&StoreError::ReadOnly));
        assert!(!cannot_write(&StoreError::Corrupt("people.level".into())));
    }

    #[test]
    fn postgres_urls_select_postgres_and_anything_else_sqlite() {
        assert_eq!(Backend::of("postgres://bot@db/career"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://bot@db/career"), Backend::Postgres);
        assert_eq!(Backend::of("PostgreSQL://bot@db/career"), Backend::Postgres);
        assert_eq!(Backend::of("sqlite:bot.db"), Backend::Sqlite);
        assert_eq!(Backend::of("/var/lib/career-bot/bot.db"), Backend::Sqlite);
        assert_eq!(Backend::of("postgres.db"), Backend::Sqlite);
    }

    #[test]
    fn a_shown_postgres_url_has_no_password() {
        let shown =
            shown_location("postgres://bot:hunter2@db.internal:6543/career?sslmode=require");
        assert_eq!(shown, "postgres://bot@db.internal:6543/career");
        assert_eq!(shown_location("data/bot.db"), "data/bot.db");
    }

    #[test]
    fn the_wal_file_is_beside_the_database() {
        assert_eq!(
            wal_file(Path::new("/data/bot.db")),
            PathBuf::from("/data/bot.db-wal")
        );
    }

    /// A real SQLite refusal, from a database opened read-only, is recognised; as root, file
    /// permissions would not produce one, so the read-only flag does.
    #[tokio::test]
    async fn sqlites_refusal_to_write_is_recognised_and_becomes_read_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bot.db").display().to_string();
        Store::open(&path).await.expect("creates").close().await;
        let options = SqliteConnectOptions::new().filename(&path).read_only(true);
        let store = connect(&path, options, false)
            .await
            .expect("opens read-only");
        let error = sqlx::query("INSERT INTO settings (key, value) VALUES ('k', 'v')")
            .execute(store.pool())
            .await
            .expect_err("a read-only connection refuses to write");
        assert!(is_readonly_refusal(&error), "{error}");
        assert!(matches!(StoreError::from(error), StoreError::ReadOnly));
        store.close().await;
    }
}
