//! A database opened read-only, asked for explicitly with `OpenMode::ReadOnly`: what a
//! database the process cannot write gets (the binary tests in `cli` make real read-only files
//! and directories). Reads answer as usual, every write is refused with one sentence, the file
//! is left byte for byte, and an older schema is refused instead of migrated.

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use career_bot::bot::error::READ_ONLY_REPLY;
use career_bot::shell::Shell;
use career_bot::store::{MIGRATOR, OpenMode, Store, StoreError};

use crate::support;

/// The database's bytes and the names of the files beside it.
fn snapshot(dir: &Path) -> (Vec<u8>, Vec<String>) {
    let bytes = std::fs::read(dir.join("bot.db")).expect("read the database");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    (bytes, names)
}

/// `boss` manages `ana`, with one conversation recorded; the bot is closed afterwards.
async fn populated(dir: &Path) {
    let bot = support::bot::bot_in(dir, &[]).await;
    let mut shell = Shell::new(&bot, Some("boss".into()), Some("2026-02-01")).expect("shell");
    let out = support::shell::run(
        &mut shell,
        &["add @ana marketing 2", "done @ana 2026-01-10 a good talk"],
    )
    .await;
    assert!(out.contains("Recorded:"), "{out}");
    bot.store().close().await;
}

#[tokio::test]
async fn handlers_on_a_read_only_database_answer_reads_and_refuse_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    populated(dir.path()).await;
    let before = snapshot(dir.path());

    let config = support::bot::config(&support::bot::database_in(dir.path()), &[]);
    let report = career_bot::app::load_frameworks(&config);
    let bot = career_bot::app::open_with(&config, report, OpenMode::ReadOnly)
        .await
        .expect("a read-only database opens");
    assert!(bot.store().is_read_only());
    let mut shell = Shell::new(&bot, Some("boss".into()), Some("2026-02-01")).expect("shell");
    let reads = support::shell::run(
        &mut shell,
        &["team", "history @ana", "timezone", "marketing titles"],
    )
    .await;
    for expected in [
        "@ana: Buffer Marketing, Level 2: Strategist",
        "Your private note: a good talk",
        "Your time zone: not set",
        "Buffer Marketing: levels and titles",
    ] {
        assert!(reads.contains(expected), "{expected:?} in {reads}");
    }
    let writes = support::shell::run(
        &mut shell,
        &[
            "done @ana",
            "add @bob marketing 1",
            "snooze @ana 2w",
            "timezone Europe/Berlin",
        ],
    )
    .await;
    assert_eq!(writes, format!("{READ_ONLY_REPLY}\n").repeat(4));
    let tick = support::shell::run(&mut shell, &[":tick"]).await;
    assert_eq!(
        tick,
        "No reminder pass was run and nothing was sent: this database is read-only.\n"
    );
    let mut shell = Shell::new(&bot, Some("ana".into()), Some("2026-02-01")).expect("shell");
    let me = support::shell::run(&mut shell, &["me", "ack"]).await;
    assert!(me.contains("Manager: @boss"), "{me}");
    assert!(me.ends_with(&format!("{READ_ONLY_REPLY}\n")), "{me}");
    bot.store().close().await;

    assert!(snapshot(dir.path()) == before, "the database changed");
}

#[tokio::test]
async fn every_write_to_a_read_only_store_is_refused_as_read_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    populated(dir.path()).await;
    let before = snapshot(dir.path());
    let path = dir.path().join("bot.db").display().to_string();

    let store = Store::open_with(&path, OpenMode::ReadOnly)
        .await
        .expect("opens read-only");
    assert!(store.is_read_only());
    assert!(store.setting("cadence").await.expect("reads").is_some());
    // A transaction is refused before it starts ...
    assert!(matches!(store.write().await, Err(StoreError::ReadOnly)));
    // ... and a single statement by SQLite, which is read as the same refusal.
    let refused = store.set_setting("cadence", "changed").await;
    assert!(matches!(refused, Err(StoreError::ReadOnly)), "{refused:?}");
    assert_eq!(
        StoreError::ReadOnly.to_string(),
        "the database is read-only, so nothing was recorded"
    );
    store.close().await;

    assert!(snapshot(dir.path()) == before, "the database changed");
}

#[tokio::test]
async fn a_read_only_database_with_an_older_schema_names_the_migration_it_needs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bot.db").display().to_string();
    let first_release = Migrator::with_migrations(MIGRATOR.migrations[..1].to_vec());
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("the raw pool opens");
    first_release.run(&pool).await.expect("migration 1 applies");
    pool.close().await;
    let before = snapshot(dir.path());

    let error = Store::open_with(&path, OpenMode::ReadOnly)
        .await
        .expect_err("an old schema is not opened read-only");
    let next = &MIGRATOR.migrations[1];
    assert!(
        matches!(error, StoreError::NeedsMigration { version, .. } if version == next.version),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "the database {path} is read-only and needs migration {} ({}); open it once with write access (for example with `career-bot shell`) so it is migrated",
            next.version, next.description
        )
    );
    assert!(snapshot(dir.path()) == before, "the database changed");
}

#[tokio::test]
async fn a_missing_database_is_not_created_read_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.db").display().to_string();
    let error = Store::open_with(&path, OpenMode::ReadOnly)
        .await
        .expect_err("nothing to open");
    assert!(matches!(error, StoreError::Missing { .. }), "{error:?}");
    assert!(!dir.path().join("missing.db").exists());
}
