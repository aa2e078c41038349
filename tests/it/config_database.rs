//! `career-bot config check` and the database: which one is configured (a SQLite file, or a
//! PostgreSQL host, port and database, never the password), whether it is reachable, and
//! whether it is migrated, with the pending migrations listed. It creates and migrates
//! nothing. The PostgreSQL cases run when `CAREER_BOT_TEST_POSTGRES_URL` is set; an
//! unreachable PostgreSQL needs no server.

use std::path::Path;
use std::process::Output;

use career_bot::store::{MIGRATOR, POSTGRES_MIGRATOR, Store};

use crate::support::binary::career_bot;
use crate::support::databases::TestDatabase;

/// `config check` in `dir` with `DATABASE_URL` set and the secrets `serve` needs.
fn config_check(dir: &Path, database: &str) -> Output {
    career_bot(dir)
        .args(["config", "check"])
        .env("DATABASE_URL", database)
        .env("SLACK_BOT_TOKEN", "xoxb-a-b")
        .env("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef")
        .output()
        .expect("runs")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `# database:` line of the output.
fn database_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|line| line.starts_with("# database: "))
        .unwrap_or_else(|| panic!("no database line in {stdout}"))
}

#[tokio::test]
async fn a_sqlite_file_is_named_and_said_migrated_or_not_created_yet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bot.db").display().to_string();

    let output = config_check(dir.path(), &path);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        database_line(&stdout),
        format!(
            "# database: SQLite file {path}: does not exist yet; `serve` creates and migrates it"
        )
    );
    assert!(!Path::new(&path).exists(), "config check created the file");

    Store::open(&path).await.expect("creates").close().await;
    let output = config_check(dir.path(), &path);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        database_line(&stdout),
        format!("# database: SQLite file {path}: reachable and migrated")
    );
}

#[tokio::test]
async fn a_sqlite_database_missing_migrations_lists_them_and_is_not_migrated_by_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bot.db").display().to_string();
    Store::open(&path).await.expect("creates").close().await;
    // Forget the last two migrations, as a database of an older release would.
    let last = MIGRATOR.migrations.len() - 2;
    let forgotten = MIGRATOR.migrations[last].version;
    {
        let store = Store::open(&path).await.expect("opens");
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version >= $1")
            .bind(forgotten)
            .execute(store.pool())
            .await
            .expect("forget");
        store.close().await;
    }
    let output = config_check(dir.path(), &path);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let line = database_line(&stdout);
    assert!(
        line.contains("reachable, not migrated: 2 pending migration(s)"),
        "{line}"
    );
    for migration in &MIGRATOR.migrations[last..] {
        let named = format!("{:04} {}", migration.version, migration.description);
        assert!(line.contains(&named), "{named} not in {line}");
    }
    // Listing is all it did.
    let output = config_check(dir.path(), &path);
    assert!(database_line(&text(&output).0).contains("2 pending migration(s)"));
}

#[tokio::test]
async fn an_unreachable_postgres_is_one_clear_problem_without_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = config_check(
        dir.path(),
        "postgres://bot:hunter2@127.0.0.1:1/career?connect_timeout=2",
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        database_line(&stdout).starts_with(
            "# database: PostgreSQL database postgres://bot@127.0.0.1:1/career: unreachable: "
        ),
        "{stdout}"
    );
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("problem: database"))
        .collect();
    assert_eq!(problems.len(), 1, "{stderr}");
    assert!(
        !stdout.contains("hunter2") && !stderr.contains("hunter2"),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.contains("database = \"postgres://bot@127.0.0.1:1/career\""),
        "{stdout}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn a_postgres_database_is_named_by_host_port_and_name_and_said_migrated() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let url = database.url();
    let dir = tempfile::tempdir().expect("temp dir");

    let output = config_check(dir.path(), &url);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let line = database_line(&stdout).to_owned();
    assert!(
        line.starts_with("# database: PostgreSQL database postgres://"),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "{} pending migration(s)",
            POSTGRES_MIGRATOR.migrations.len()
        )),
        "a fresh database has every migration pending: {line}"
    );

    Store::open(&url).await.expect("migrates").close().await;
    let output = config_check(dir.path(), &url);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        database_line(&stdout).ends_with(": reachable and migrated"),
        "{stdout}"
    );
    database.remove().await;
}

#[tokio::test]
async fn backup_on_postgres_points_to_pg_dump() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let store = Store::open(&database.url()).await.expect("opens");
    let dir = tempfile::tempdir().expect("temp dir");
    let error = store
        .backup_to(&dir.path().join("copy.db"))
        .await
        .expect_err("not for PostgreSQL");
    assert!(error.to_string().contains("pg_dump"), "{error}");
    assert!(!dir.path().join("copy.db").exists());
    store.close().await;
    database.remove().await;
}
