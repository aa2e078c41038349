//! The databases a store test runs on: always a fresh SQLite file in a temp directory, and,
//! when `CAREER_BOT_TEST_POSTGRES_URL` is set (a superuser URL such as
//! `postgres://postgres@127.0.0.1:55432/postgres`), a fresh PostgreSQL database created for
//! the one test and dropped after it. Without the variable the PostgreSQL half prints a line
//! saying it was skipped, and the test still runs (and passes) on SQLite.
//!
//! ```ignore
//! #[tokio::test]
//! async fn something_is_stored() {
//!     databases::each(async |store: Store| {
//!         // ... the same assertions, once per database ...
//!     })
//!     .await;
//! }
//! ```

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use career_bot::store::Store;

/// The variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_URL_VARIABLE: &str = "CAREER_BOT_TEST_POSTGRES_URL";

/// One database for one test.
pub enum TestDatabase {
    /// A SQLite file in its own temp directory (removed when dropped).
    Sqlite(tempfile::TempDir),
    /// A PostgreSQL database created for the test.
    Postgres {
        /// The superuser URL it was created through.
        admin_url: String,
        /// Its name.
        name: String,
    },
}

impl TestDatabase {
    /// A fresh SQLite file.
    pub fn sqlite() -> TestDatabase {
        TestDatabase::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh, empty PostgreSQL database, or `None` (and a line saying the PostgreSQL half
    /// was skipped) when `CAREER_BOT_TEST_POSTGRES_URL` is not set.
    pub async fn postgres() -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VARIABLE) else {
            eprintln!("skipped on PostgreSQL: {POSTGRES_URL_VARIABLE} is not set");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!(
            "career_bot_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("{POSTGRES_URL_VARIABLE} is not reachable: {error}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        let _ = admin.close().await;
        Some(TestDatabase::Postgres { admin_url, name })
    }

    /// Every database a test runs on: SQLite, then PostgreSQL when configured.
    pub async fn all() -> Vec<TestDatabase> {
        let mut databases = vec![TestDatabase::sqlite()];
        databases.extend(TestDatabase::postgres().await);
        databases
    }

    /// What `--db` or `DATABASE_URL` would be for it.
    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(dir) => dir.path().join("store.db").display().to_string(),
            TestDatabase::Postgres { admin_url, name } => with_database(admin_url, name),
        }
    }

    /// "SQLite" or "PostgreSQL", for failure messages.
    pub fn label(&self) -> &'static str {
        match self {
            TestDatabase::Sqlite(_) => "SQLite",
            TestDatabase::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Removes the database (a PostgreSQL one is dropped; a SQLite directory goes with it).
    pub async fn remove(self) {
        if let TestDatabase::Postgres { admin_url, name } = self
            && let Ok(mut admin) = PgConnection::connect(&admin_url).await
        {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(drop))
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
        }
    }
}

/// `url` (a PostgreSQL URL) naming the database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

/// Runs `test` on a freshly opened (and migrated) store of each database, one after the other.
pub async fn each<F>(test: F)
where
    F: AsyncFn(Store),
{
    for database in TestDatabase::all().await {
        let url = database.url();
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|error| panic!("a fresh {} store opens: {error}", database.label()));
        eprintln!("on {}", database.label());
        test(store.clone()).await;
        store.close().await;
        database.remove().await;
    }
}

#[test]
fn a_postgres_url_names_another_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:55432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:55432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@db:5432?sslmode=disable", "t1"),
        "postgres://u:p@db:5432/t1?sslmode=disable"
    );
}

/// Runs `test` with a bot (configured by `env`, as [`super::bot::bot_in`] does) on a fresh
/// store of each database, and a temp directory for any other file the test writes.
pub async fn each_bot<F>(env: &[(&str, &str)], test: F)
where
    F: AsyncFn(&tempfile::TempDir, career_bot::bot::Bot),
{
    for database in TestDatabase::all().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let overrides = career_bot::config::Overrides {
            database: Some(database.url()),
            ..Default::default()
        };
        let bot = super::bot::open(&super::bot::config(&overrides, env)).await;
        eprintln!("on {}", database.label());
        let store = bot.store().clone();
        test(&dir, bot).await;
        store.close().await;
        database.remove().await;
    }
}
