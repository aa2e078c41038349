//! `career-bot migrate-db --to postgres://…`: a SQLite database with data in every table,
//! written through the bot's own handlers and store, copied by the real binary into an empty
//! PostgreSQL database; read back the same through the store; new rows get fresh ids; a second
//! run is refused as non-empty and changes nothing; a `--to` that is not PostgreSQL, or a
//! source that is not SQLite, is refused with one sentence. The PostgreSQL cases run when
//! `CAREER_BOT_TEST_POSTGRES_URL` is set and print that they were skipped otherwise.

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Duration, Utc};

use career_bot::ids::UserId;
use career_bot::store::Store;
use career_bot::store::job_claims::{Job, JobSlot, ReplicaId};
use career_bot::store::transfer::{BATCH, TABLES};

use crate::support::binary::career_bot;
use crate::support::databases::TestDatabase;
use crate::support::{bot, harness};

/// `migrate-db --to TO` on the SQLite database `db`, run in `dir`.
fn migrate_db(dir: &Path, db: &str, to: &str) -> Output {
    career_bot(dir)
        .args(["--db", db, "migrate-db", "--to", to])
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Rows of every table, in [`TABLES`]' order.
async fn counts(store: &Store) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let rows: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(store.pool())
                .await
                .expect("count");
        counts.push((*table, rows));
    }
    counts
}

/// The largest `id` of `table`.
async fn max_id(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(format!(
        "SELECT max(id) FROM {table}"
    )))
    .fetch_one(store.pool())
    .await
    .expect("max id")
    .unwrap_or(0)
}

/// Fills every table of the SQLite database in `dir/bot.db` through the handlers and the
/// store, with people whose managers come after them (in rowid order) across batches.
async fn seed(dir: &Path, start: DateTime<Utc>) {
    let seed = bot::bot_in(dir, &[]).await;
    let mut minutes = 0;
    let mut at = || {
        minutes += 2;
        start + Duration::minutes(minutes)
    };
    let mut said = Vec::new();
    for (user, line) in [
        ("U_MGR", "add @U_ANA marketing 2"),
        ("U_MGR", "add @U_BEN marketing 1"),
        // The manager is added after the person they manage.
        ("U_BOSS", "add @U_MGR marketing 3"),
        ("U_MGR", "done @U_ANA Ana wants to lead the spring launch"),
        ("U_ANA", "ack"),
        ("U_MGR", "snooze @U_BEN 2w parental leave"),
        ("U_ANA", "log Ran the spring campaign #ownership"),
        (
            "U_ANA",
            "assess Scope of influence sometimes bigger launches next",
        ),
        ("U_ANA", "assess Ownership consistently every launch"),
        ("U_ANA", "assess done"),
        ("U_OLD", "add @U_CAT marketing 2"),
        ("U_OLD", "remove @U_CAT"),
        ("U_NEW", "add @U_CAT marketing 3"),
    ] {
        let answer = harness::run_as(&seed, user, line, at()).await;
        said.push(format!("{user}: {line}\n{answer}"));
    }
    let store = seed.store();
    let now = at();
    let mut tx = store.write().await.expect("a write");
    career_bot::store::emails::set_email_in(&mut tx, &UserId::new("U_ANA"), "Ana@Example.com", now)
        .await
        .expect("an email");
    tx.commit().await.expect("commit");
    assert!(store.first_delivery("event:Ev1", now).await.expect("noted"));
    assert!(
        store
            .claim_job_slot(
                Job::Digest,
                &JobSlot::at(now),
                &ReplicaId::new("replica-a"),
                now
            )
            .await
            .expect("claimed")
    );
    // Two chains longer than a batch: each person managed by the next one added (whose row
    // comes later), and by the previous one.
    let bulk = BATCH + 500;
    for (prefix, manager) in [("U_LATER", "i + 1"), ("U_EARLIER", "i - 1")] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {bulk})
             INSERT INTO people (user_id, display_name, manager_id, created_at, updated_at)
             SELECT '{prefix}' || i, 'Person ' || i,
                    CASE WHEN {manager} BETWEEN 1 AND {bulk} THEN '{prefix}' || ({manager}) END,
                    '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
             FROM n"
        )))
        .execute(store.pool())
        .await
        .expect("bulk people");
    }
    let empty: Vec<&str> = counts(store)
        .await
        .into_iter()
        .filter(|(_, rows)| *rows == 0)
        .map(|(table, _)| table)
        .collect();
    assert!(
        empty.is_empty(),
        "every table holds data, but {empty:?} do not:\n{}",
        said.join("\n")
    );
    store.close().await;
}

/// `url` with a password the server never asks for (the test cluster trusts local
/// connections), to check that it is never shown.
fn with_password(url: &str) -> String {
    url.replacen("postgres://postgres@", "postgres://postgres:pa55word-x@", 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_moves_to_an_empty_postgres_database_with_its_ids() {
    let Some(database) = TestDatabase::postgres().await else {
        eprintln!("skipped: migrate-db needs a PostgreSQL server");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Utc::now() - Duration::days(30);
    seed(dir.path(), start).await;
    let sqlite_path = dir.path().join("bot.db").display().to_string();
    let url = with_password(&database.url());

    let output = migrate_db(dir.path(), &sqlite_path, &url);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        !stdout.contains("pa55word") && !stderr.contains("pa55word"),
        "{stdout}{stderr}"
    );
    assert!(stdout.starts_with("Copied "), "{stdout}");
    assert!(stdout.contains(" in one transaction"), "{stdout}");

    let sqlite = Store::open(&sqlite_path).await.expect("SQLite opens");
    let postgres = Store::open(&url).await.expect("PostgreSQL opens");
    let source_counts = counts(&sqlite).await;
    assert_eq!(counts(&postgres).await, source_counts);
    for (table, rows) in &source_counts {
        assert!(
            stdout
                .lines()
                .any(|line| line.split_whitespace().collect::<Vec<_>>()
                    == [*table, rows.to_string().as_str()]),
            "{table} {rows} in {stdout}"
        );
    }

    let ana = UserId::new("U_ANA");
    assert_eq!(
        postgres.people(true).await.expect("people"),
        sqlite.people(true).await.expect("people")
    );
    let mgr = postgres
        .person(&UserId::new("U_MGR"))
        .await
        .expect("read")
        .expect("U_MGR");
    assert_eq!(mgr.manager_id, Some(UserId::new("U_BOSS")));
    let history = postgres.history(&ana).await.expect("history");
    assert_eq!(history, sqlite.history(&ana).await.expect("history"));
    assert_eq!(
        history[0].private_note.as_deref(),
        Some("Ana wants to lead the spring launch")
    );
    assert_eq!(
        postgres.answers_of(&ana).await.expect("answers"),
        sqlite.answers_of(&ana).await.expect("answers")
    );
    assert_eq!(
        postgres.all_evidence().await.expect("evidence"),
        sqlite.all_evidence().await.expect("evidence")
    );
    let assessments = postgres.all_assessments().await.expect("assessments");
    assert_eq!(
        assessments,
        sqlite.all_assessments().await.expect("assessments")
    );
    // Answers keep the order they were given in (`seq` is SQLite's rowid), not the names'.
    let dimensions: Vec<&str> = assessments[0]
        .1
        .iter()
        .map(|answer| answer.dimension.as_str())
        .collect();
    assert_eq!(dimensions, ["Scope of influence", "Ownership"]);
    assert_eq!(
        postgres.outbox(None).await.expect("outbox"),
        sqlite.outbox(None).await.expect("outbox")
    );
    assert_eq!(
        postgres.audit_log(None).await.expect("audit"),
        sqlite.audit_log(None).await.expect("audit")
    );
    assert_eq!(
        postgres.events(Some(&ana)).await.expect("timeline"),
        sqlite.events(Some(&ana)).await.expect("timeline")
    );
    let cat = UserId::new("U_CAT");
    let requester = UserId::new("U_NEW");
    let request = postgres
        .latest_add_request(&cat, &requester)
        .await
        .expect("request");
    assert!(request.is_some());
    assert_eq!(
        request,
        sqlite
            .latest_add_request(&cat, &requester)
            .await
            .expect("request")
    );
    assert_eq!(
        postgres.emails_by_user().await.expect("emails"),
        sqlite.emails_by_user().await.expect("emails")
    );
    assert_eq!(
        postgres.setting("cadence").await.expect("setting"),
        sqlite.setting("cadence").await.expect("setting")
    );
    assert!(
        !postgres
            .first_delivery("event:Ev1", Utc::now())
            .await
            .expect("noted"),
        "the delivery noted on SQLite is known on PostgreSQL"
    );
    let before = (
        max_id(&postgres, "evidence").await,
        max_id(&postgres, "audit_log").await,
    );
    sqlite.close().await;

    // New rows get ids past the copied ones: the sequences were moved.
    let overrides = career_bot::config::Overrides {
        database: Some(url.clone()),
        ..Default::default()
    };
    let on_postgres = bot::open(&bot::config(&overrides, &[])).await;
    let logged = harness::run_as(
        &on_postgres,
        "U_ANA",
        "log Wrote the launch retro",
        Utc::now(),
    )
    .await;
    assert!(logged.contains("Logged"), "{logged}");
    assert_eq!(max_id(&postgres, "evidence").await, before.0 + 1);
    assert!(max_id(&postgres, "audit_log").await > before.1);
    on_postgres.store().close().await;

    // A second run is refused: the target is not empty, and nothing changes.
    let after_first = counts(&postgres).await;
    let output = migrate_db(dir.path(), &sqlite_path, &url);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    assert!(
        stderr.contains("is not empty") && stderr.contains("nothing was copied"),
        "{stderr}"
    );
    assert!(!stderr.contains("pa55word"), "{stderr}");
    assert_eq!(counts(&postgres).await, after_first);
    postgres.close().await;
    database.remove().await;
}

#[tokio::test]
async fn a_target_that_is_not_postgres_is_refused_with_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_path = dir.path().join("bot.db").display().to_string();
    Store::open(&sqlite_path)
        .await
        .expect("creates")
        .close()
        .await;
    let other = dir.path().join("other.db").display().to_string();
    for to in [other.as_str(), "mysql://root:pa55word-x@db/career"] {
        let output = migrate_db(dir.path(), &sqlite_path, to);
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(
            stderr.trim_end(),
            "error: --to must be a PostgreSQL URL such as postgres://USER:PASSWORD@HOST:5432/DBNAME; migrate-db copies a SQLite database into PostgreSQL only"
        );
    }
    assert!(!Path::new(&other).exists(), "nothing was created");
}

#[tokio::test]
async fn a_source_that_is_not_sqlite_is_refused_with_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = migrate_db(
        dir.path(),
        "postgres://bot:pa55word-x@127.0.0.1:1/old",
        "postgres://bot:pa55word-x@127.0.0.1:1/new",
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: the configured database postgres://bot@127.0.0.1:1/old is PostgreSQL, and migrate-db copies from SQLite; give the SQLite file to copy with --db PATH (or DATABASE_URL)"
    );
}

#[tokio::test]
async fn a_source_missing_migrations_is_named_and_not_copied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_path = dir.path().join("bot.db").display().to_string();
    let store = Store::open(&sqlite_path).await.expect("creates");
    let last = career_bot::store::MIGRATOR
        .migrations
        .last()
        .expect("migrations")
        .version;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(last)
        .execute(store.pool())
        .await
        .expect("forget the last migration");
    store.close().await;
    // Refused before the target is opened: no server needed.
    let output = migrate_db(
        dir.path(),
        &sqlite_path,
        "postgres://bot@127.0.0.1:1/career",
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("is not fully migrated") && stderr.contains(&format!("migration {last}")),
        "{stderr}"
    );
    // Only read: the migration is still missing.
    let store = Store::open_with(&sqlite_path, career_bot::store::OpenMode::ReadOnly).await;
    assert!(store.is_err(), "still not migrated");
}

#[tokio::test]
async fn a_value_that_does_not_fit_fails_the_copy_and_leaves_the_target_empty() {
    let Some(database) = TestDatabase::postgres().await else {
        eprintln!("skipped: migrate-db needs a PostgreSQL server");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_path = dir.path().join("bot.db").display().to_string();
    let store = Store::open(&sqlite_path).await.expect("creates");
    // Good rows first (a whole batch of them, committed on their own they would stay), then
    // a level SQLite keeps as text, which PostgreSQL's BIGINT refuses.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})
         INSERT INTO people (user_id, level, created_at, updated_at)
         SELECT 'U' || i, CASE WHEN i = {} THEN 'three' ELSE 3 END,
                '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
         FROM n",
        BATCH + 1,
        BATCH + 1
    )))
    .execute(store.pool())
    .await
    .expect("people");
    store.close().await;

    let output = migrate_db(dir.path(), &sqlite_path, &database.url());
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("failed, so nothing was committed"),
        "{stderr}"
    );
    let postgres = Store::open(&database.url()).await.expect("opens");
    assert!(
        counts(&postgres).await.iter().all(|(_, rows)| *rows == 0),
        "the target stays empty"
    );
    postgres.close().await;
    database.remove().await;
}
