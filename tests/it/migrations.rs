//! The schema and its migrations: a fresh database gets every table, index and trigger; a
//! database created by an older release upgrades without losing a row; later migrations only
//! ever add (a habit borrowed from rust-lang/bors: an older binary must keep working against
//! a newer schema while a deploy rolls out); the audit log refuses edits; and re-opening a
//! database applies nothing twice.

use std::path::Path;

use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use career_bot::ids::UserId;
use career_bot::store::{MIGRATOR, POSTGRES_MIGRATOR, Store};

use crate::support::databases::TestDatabase;

fn db_path(dir: &Path) -> String {
    dir.join("career-bot.db").display().to_string()
}

async fn names(pool: &AnyPool, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .bind(kind)
    .fetch_all(pool)
    .await
    .expect("sqlite_master is readable")
}

async fn columns(pool: &AnyPool, table: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        .bind(table)
        .fetch_all(pool)
        .await
        .expect("pragma_table_info is readable")
}

/// Every row of `table`, each rendered as SQL literals of `cols`, in rowid order: a snapshot
/// that compares exactly across an upgrade.
async fn snapshot(pool: &AnyPool, table: &str, cols: &[String]) -> Vec<String> {
    let rendered = cols
        .iter()
        .map(|col| format!("quote(\"{col}\")"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let sql = format!("SELECT {rendered} FROM \"{table}\" ORDER BY rowid");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .expect("snapshot query")
}

#[tokio::test]
async fn all_migrations_apply_to_an_empty_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&db_path(dir.path()))
        .await
        .expect("an empty database opens and migrates");
    let pool = store.pool();

    let tables = names(pool, "table").await;
    for table in [
        "people",
        "checkins",
        "snoozes",
        "audit_log",
        "settings",
        "outbox",
        "_sqlx_migrations",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "no table {table} in {tables:?}"
        );
    }

    let indexes = names(pool, "index").await;
    for index in [
        "people_by_manager",
        "people_by_due_on",
        "checkins_by_report",
        "snoozes_by_report",
        "outbox_ready",
        "outbox_by_report",
        "outbox_ready_by_recipient",
    ] {
        assert!(
            indexes.iter().any(|i| i == index),
            "no index {index} in {indexes:?}"
        );
    }

    let triggers = names(pool, "trigger").await;
    assert_eq!(
        triggers,
        [
            "audit_log_is_append_only_delete",
            "audit_log_is_append_only_update"
        ]
    );

    // The columns later migrations add, and the uniqueness the outbox and check-ins rely on.
    assert!(
        columns(pool, "people")
            .await
            .contains(&"last_reminder_key".to_owned())
    );
    for (table, column) in [("outbox", "key"), ("checkins", "request_key")] {
        let unique: Vec<String> = sqlx::query_scalar(
            "SELECT ii.name FROM pragma_index_list(?1) AS il, pragma_index_info(il.name) AS ii
             WHERE il.\"unique\" = 1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .expect("pragma_index_list");
        assert!(
            unique.iter().any(|c| c == column),
            "{table}.{column} is not unique: {unique:?}"
        );
    }

    // Foreign keys are on for every connection the store hands out.
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(foreign_keys, 1);
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(journal, "wal");
    store.close().await;
}

/// Opens a pool on `path` without the store's migrations, creating the file.
async fn raw_pool(path: &str) -> AnyPool {
    // Through `Any`, as the store reads it; foreign keys are on by default.
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{path}?mode=rwc"))
        .await
        .expect("the raw pool opens")
}

#[tokio::test]
async fn a_database_with_data_upgrades_without_losing_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(dir.path());

    // A database as the first release left it: only migration 0001 applied, with data.
    let first_release = Migrator::with_migrations(MIGRATOR.migrations[..1].to_vec());
    assert!(MIGRATOR.migrations.len() > 1, "nothing to upgrade through");
    let pool = raw_pool(&path).await;
    first_release
        .run(&pool)
        .await
        .expect("migration 0001 applies");
    assert!(
        !columns(&pool, "people")
            .await
            .contains(&"last_reminder_key".to_owned())
    );
    for statement in [
        "INSERT INTO people (user_id, display_name, time_zone, created_at, updated_at)
         VALUES ('UBOSS', 'Bea Boss', 'Europe/Berlin', '2025-09-01T08:00:00.000Z', '2025-09-01T08:00:00.000Z')",
        "INSERT INTO people (user_id, display_name, framework_id, level, manager_id, start_date,
                             anchor_on, due_on, created_at, updated_at)
         VALUES ('UANA', 'Ana', 'buffer-marketing', 2, 'UBOSS', '2025-09-01', '2026-01-20',
                 '2026-04-20', '2025-09-01T08:00:00.000Z', '2026-01-20T10:00:00.000Z')",
        "INSERT INTO people (user_id, display_name, framework_id, level, manager_id, start_date,
                             anchor_on, snoozed_until, snooze_reason, due_on, created_at, updated_at)
         VALUES ('UBEN', '', 'buffer-engineering', 4, 'UBOSS', '2025-10-06', '2025-10-06',
                 '2026-02-15', 'parental leave', '2026-02-15',
                 '2025-10-06T08:00:00.000Z', '2025-12-01T09:30:00.000Z')",
        "INSERT INTO people (user_id, display_name, framework_id, level, manager_id, start_date,
                             active, anchor_on, created_at, updated_at)
         VALUES ('UGONE', 'Gone', 'buffer-engineering', 3, 'UBOSS', '2025-05-01', 0, '2025-05-01',
                 '2025-05-01T08:00:00.000Z', '2025-11-01T08:00:00.000Z')",
        "INSERT INTO checkins (report_id, manager_id, held_on, framework_id, level_discussed,
                               private_note, recorded_by, recorded_at, ack_status, ack_at)
         VALUES ('UANA', 'UBOSS', '2026-01-20', 'buffer-marketing', 2, 'wants to mentor',
                 'UBOSS', '2026-01-20T10:00:00.000Z', 'acknowledged', '2026-01-20T11:02:03.456Z')",
        "INSERT INTO checkins (report_id, manager_id, held_on, recorded_by, recorded_at,
                               ack_status, ack_reason, ack_at, request_key)
         VALUES ('UBEN', 'UBOSS', '2025-08-01', 'UBOSS', '2025-10-06T08:00:00.000Z',
                 'disputed', 'we only talked about the release', '2025-10-07T08:00:00.000Z',
                 'view:V123:submit')",
        "INSERT INTO snoozes (report_id, until_date, reason, created_by, created_at)
         VALUES ('UBEN', '2026-02-15', 'parental leave', 'UBOSS', '2025-12-01T09:30:00.000Z')",
        "INSERT INTO audit_log (at, actor, action, subject, details)
         VALUES ('2025-09-01T08:00:00.000Z', 'UBOSS', 'person.added', 'UANA',
                 '{\"framework\":\"buffer-marketing\",\"level\":2}')",
        "INSERT INTO audit_log (at, actor, action, subject)
         VALUES ('2025-12-01T09:30:00.000Z', 'UBOSS', 'reminders.snoozed', 'UBEN')",
        "INSERT INTO settings (key, value) VALUES ('cadence', 'some fingerprint')",
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .unwrap_or_else(|error| panic!("{error}: {statement}"));
    }
    let tables = ["people", "checkins", "snoozes", "audit_log", "settings"];
    let mut before = Vec::new();
    for table in tables {
        let cols = columns(&pool, table).await;
        let rows = snapshot(&pool, table, &cols).await;
        assert!(!rows.is_empty(), "{table} has test data");
        before.push((table, cols, rows));
    }
    pool.close().await;

    // The current release opens it and applies the rest.
    let store = Store::open(&path).await.expect("the old database upgrades");
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(store.pool())
            .await
            .expect("migrations table");
    let all: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    assert_eq!(applied, all);
    for (table, cols, rows) in &before {
        assert_eq!(
            &snapshot(store.pool(), table, cols).await,
            rows,
            "{table} changed in the upgrade"
        );
    }
    // New columns exist and are empty for old rows; new tables exist and are empty.
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT last_reminder_key FROM people ORDER BY rowid")
            .fetch_all(store.pool())
            .await
            .expect("the new column exists");
    assert_eq!(keys, vec![None; 4]);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(store.pool())
        .await
        .expect("the outbox exists");
    assert_eq!(outbox, 0);

    // And the store reads the old rows through its own queries.
    let ben = store
        .person(&UserId::new("UBEN"))
        .await
        .expect("query")
        .expect("kept");
    assert_eq!(ben.snooze_reason.as_deref(), Some("parental leave"));
    assert_eq!(ben.name(), "UBEN");
    let reports = store
        .reports_of(&UserId::new("UBOSS"))
        .await
        .expect("query");
    let ids: Vec<&str> = reports.iter().map(|r| r.person.user_id.as_str()).collect();
    assert_eq!(ids, ["UANA", "UBEN"]);
    assert_eq!(reports[0].last_ack_status.as_deref(), Some("acknowledged"));
    assert_eq!(
        store
            .history(&UserId::new("UBEN"))
            .await
            .expect("query")
            .len(),
        1
    );
    assert_eq!(store.audit_log(None).await.expect("query").len(), 2);
    store.close().await;
}

/// What a migration after the first must not do. Returns one line per offence.
///
/// One exception: SQLite cannot change a `CHECK` in place, so a table may be rebuilt when
/// the same migration creates `T_rebuilt` with every column, copies the rows, drops `T`
/// and renames `T_rebuilt` to `T` (the previous release sees the same columns).
fn offences(name: &str, sql: &str) -> Vec<String> {
    let upper = sql.to_uppercase();
    let rebuilt = |table: &str| {
        upper.contains(&format!("CREATE TABLE {table}_REBUILT"))
            && upper.contains(&format!("INSERT INTO {table}_REBUILT"))
            && upper.contains(&format!("ALTER TABLE {table}_REBUILT RENAME TO {table}"))
    };
    let without_comments: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let mut found = Vec::new();
    for statement in without_comments.split(';') {
        let words: Vec<String> = statement
            .split_whitespace()
            .map(str::to_uppercase)
            .collect();
        let text = words.join(" ");
        if text.is_empty() {
            continue;
        }
        for forbidden in ["DROP TABLE", "DROP COLUMN"] {
            let rebuild = forbidden == "DROP TABLE"
                && text
                    .strip_prefix("DROP TABLE ")
                    .is_some_and(|table| rebuilt(table.trim()));
            if text.contains(forbidden) && !rebuild {
                found.push(format!("{name}: {forbidden} in `{text}`"));
            }
        }
        if text.starts_with("ALTER TABLE")
            && text.contains(" ADD ")
            && text.contains("NOT NULL")
            && !text.contains(" DEFAULT ")
        {
            found.push(format!(
                "{name}: a required column without a default in `{text}`"
            ));
        }
    }
    found
}

#[test]
fn migrations_are_additive_and_never_add_a_required_column_without_default() {
    // The checker itself catches what it is meant to.
    assert_eq!(
        offences(
            "example",
            "ALTER TABLE people ADD COLUMN x TEXT NOT NULL; -- no default\nDROP TABLE snoozes;\n\
             alter table people drop column level;"
        )
        .len(),
        3
    );
    assert!(
        offences(
            "rebuild",
            "CREATE TABLE outbox_rebuilt (id INTEGER);\nINSERT INTO outbox_rebuilt SELECT id FROM outbox;\n\
             DROP TABLE outbox;\nALTER TABLE outbox_rebuilt RENAME TO outbox;"
        )
        .is_empty(),
        "a rebuild that keeps the table is allowed"
    );
    assert!(
        offences(
            "example",
            "ALTER TABLE people ADD COLUMN x TEXT NOT NULL DEFAULT '';\n\
             ALTER TABLE people ADD COLUMN y TEXT; -- DROP TABLE in a comment is fine\n\
             CREATE TABLE t (a TEXT NOT NULL);"
        )
        .is_empty()
    );

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations/ is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        MIGRATOR.migrations.len(),
        "every .sql file is an embedded migration"
    );
    let mut found = Vec::new();
    for path in files.iter().skip(1) {
        let sql = std::fs::read_to_string(path).expect("migration is readable");
        let name = path.file_name().expect("file name").to_string_lossy();
        found.extend(offences(&name, &sql));
    }
    assert!(
        found.is_empty(),
        "migrations after the first must only add (nullable or defaulted columns, new tables \
         and indexes), so the previous release keeps working during a deploy:\n{}",
        found.join("\n")
    );
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&db_path(dir.path())).await.expect("opens");
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject) VALUES
         ('2026-03-02T09:00:00.000Z', 'UBOSS', 'person.added', 'UANA')",
    )
    .execute(store.pool())
    .await
    .expect("appending is allowed");

    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET details = '{}' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ] {
        let error = sqlx::query(statement)
            .execute(store.pool())
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("audit_log is append-only"),
            "{statement}: {error}"
        );
    }
    let row = sqlx::query("SELECT actor, action FROM audit_log")
        .fetch_all(store.pool())
        .await
        .expect("readable");
    assert_eq!(row.len(), 1);
    assert_eq!(row[0].get::<String, _>("actor"), "UBOSS");
    store.close().await;
}

#[tokio::test]
async fn every_migration_is_applied_once_and_checksums_match() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(dir.path());
    for _ in 0..3 {
        let store = Store::open(&path).await.expect("opens again");
        store.close().await;
    }
    let store = Store::open(&path).await.expect("opens again");
    let rows: Vec<(i64, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, CASE WHEN success THEN 1 ELSE 0 END, checksum
         FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(store.pool())
    .await
    .expect("migrations table");
    assert_eq!(rows.len(), MIGRATOR.migrations.len());
    for (row, migration) in rows.iter().zip(MIGRATOR.iter()) {
        assert_eq!(row.0, migration.version);
        assert_eq!(row.1, migration.description);
        assert_eq!(row.2, 1, "migration {} did not succeed", row.0);
        assert_eq!(
            row.3.as_slice(),
            &*migration.checksum,
            "migration {} was edited after it was applied",
            row.0
        );
    }
    // Versions are consecutive from 1, so a missing or misnumbered file shows up.
    let versions: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    let expected: Vec<i64> = (1..=versions.len() as i64).collect();
    assert_eq!(versions, expected);
    store.close().await;
}

/// The PostgreSQL schema (`migrations/postgres/`) has exactly the SQLite schema's versions and
/// names, so a version means the same change on both.
#[test]
fn the_postgres_migrations_mirror_the_sqlite_ones_version_for_version() {
    let versions = |migrator: &Migrator| {
        migrator
            .iter()
            .map(|migration| (migration.version, migration.description.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(versions(&POSTGRES_MIGRATOR), versions(&MIGRATOR));
}

/// On PostgreSQL (when `CAREER_BOT_TEST_POSTGRES_URL` is set): every migration applies to an
/// empty database once, re-opening applies nothing, the tables and indexes are there, and
/// the audit log refuses edits as on SQLite.
#[tokio::test]
async fn postgres_migrations_apply_once_and_keep_the_audit_log_append_only() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let url = database.url();
    for _ in 0..3 {
        Store::open(&url)
            .await
            .expect("opens and migrates")
            .close()
            .await;
    }
    let store = Store::open(&url).await.expect("opens again");
    let applied: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations
         ORDER BY version",
    )
    .fetch_all(store.pool())
    .await
    .expect("migrations table");
    let all: Vec<(i64, i64)> = POSTGRES_MIGRATOR.iter().map(|m| (m.version, 1)).collect();
    assert_eq!(applied, all);
    assert!(
        store
            .pending_migrations()
            .await
            .expect("compares")
            .is_empty()
    );

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
         WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(store.pool())
    .await
    .expect("tables");
    for table in [
        "people",
        "checkins",
        "checkin_answers",
        "snoozes",
        "audit_log",
        "settings",
        "outbox",
        "add_requests",
        "evidence",
        "assessments",
        "assessment_answers",
    ] {
        assert!(tables.iter().any(|t| t == table), "no table {table}");
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(indexname AS TEXT) FROM pg_indexes WHERE schemaname = current_schema()",
    )
    .fetch_all(store.pool())
    .await
    .expect("indexes");
    for index in [
        "people_by_manager",
        "people_by_due_on",
        "outbox_ready_by_recipient",
        "audit_log_by_subject",
        "add_requests_one_pending",
        "people_email",
    ] {
        assert!(indexes.iter().any(|i| i == index), "no index {index}");
    }

    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject) VALUES
         ('2026-03-02T09:00:00.000Z', 'UBOSS', 'person.added', 'UANA')",
    )
    .execute(store.pool())
    .await
    .expect("appending is allowed");
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let error = sqlx::query(statement)
            .execute(store.pool())
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("audit_log is append-only"),
            "{statement}: {error}"
        );
    }
    // The 'superseded' status of migration 4 is allowed; anything else is refused.
    sqlx::query(
        "INSERT INTO outbox (key, kind, recipient, payload, planned_for, next_attempt_at,
                             created_at, status)
         VALUES ('k', 'alert', 'C1', '{}', 'x', 'x', 'x', 'superseded')",
    )
    .execute(store.pool())
    .await
    .expect("superseded is a status");
    sqlx::query("UPDATE outbox SET status = 'lost'")
        .execute(store.pool())
        .await
        .expect_err("not a status");
    store.close().await;
    database.remove().await;
}
