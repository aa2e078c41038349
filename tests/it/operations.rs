//! Running the bot for a company: backups taken while it runs and restored, frameworks
//! reloaded without a restart (a broken edit keeps the last good set), and graceful shutdown
//! that finishes the deliveries in progress.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use career_bot::bot::Bot;
use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::config::Overrides;
use career_bot::frameworks::FrameworkSource;
use career_bot::reload::{self, Outcome};
use career_bot::reply::Reply;
use career_bot::shell::Shell;
use career_bot::store::Store;
use career_bot::store::backup::TABLES;

use crate::support::binary::career_bot;
use crate::support::bot::{self, bot_in};
use crate::support::shell::run;

const FRAMEWORK: &str = "id: acme-ops\nname: Acme Ops\norganisation: Acme\nteam: Operations\nsource: {url: https://example.com, attribution: Acme}\nlevels:\n  - level: 1\n    titles: [Operator]\n    summary: Runs the playbooks.\n  - level: 2\n    titles: [Senior Operator]\n    summary: Writes the playbooks.\n";

/// A bot on a fresh database in `dir` that reads its frameworks from `frameworks` only, with
/// `env` as its environment.
async fn bot_reading(dir: &Path, frameworks: &Path, env: &[(&str, &str)]) -> Bot {
    let overrides = Overrides {
        frameworks: vec![frameworks.to_path_buf()],
        ..bot::database_in(dir)
    };
    bot::open(&bot::config(&overrides, env)).await
}

/// Every row of `table`, as text (each column `quote()`d), in rowid order.
async fn dump(store: &Store, table: &str) -> Vec<String> {
    let columns: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    )))
    .fetch_all(store.pool())
    .await
    .expect("columns");
    assert!(!columns.is_empty(), "{table} exists");
    let row = columns
        .iter()
        .map(|(name,)| format!("quote({name})"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {row} FROM {table} ORDER BY rowid"
    )))
    .fetch_all(store.pool())
    .await
    .unwrap_or_else(|error| panic!("dump {table}: {error}"));
    rows.into_iter().map(|(row,)| row).collect()
}

#[tokio::test]
async fn a_backup_taken_while_running_restores_every_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE")]).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            "add @ben infracloud 3",
            "done @ben notes",
            "snooze @ana 2w",
            ":now 2026-07-20T09:00:00Z",
            ":tick",
            ":as ben",
            "ack",
        ],
    )
    .await;
    for table in TABLES {
        assert!(
            !dump(bot.store(), table).await.is_empty(),
            "{table} has rows to back up"
        );
    }

    // Writes keep coming while the snapshot is taken.
    let writer = {
        let store = bot.store().clone();
        tokio::spawn(async move {
            for i in 0..50 {
                store
                    .set_setting(&format!("k{i}"), "v")
                    .await
                    .expect("write");
            }
        })
    };
    let backup = dir.path().join("backup.db");
    let summary = bot.store().backup_to(&backup).await.expect("backup");
    writer.await.expect("writer");
    assert!(summary.bytes > 0);
    assert!(
        bot.store().backup_to(&backup).await.is_err(),
        "backups never overwrite"
    );

    // Restore: the backup file is the database of a new bot.
    let restored = Store::open(&backup.display().to_string())
        .await
        .expect("restored opens");
    for table in ["people", "checkins", "snoozes", "outbox", "audit_log"] {
        assert_eq!(
            dump(&restored, table).await,
            dump(bot.store(), table).await,
            "{table} restored intact"
        );
    }
    let settings = dump(&restored, "settings").await;
    assert!(
        settings.iter().any(|row| row.contains("cadence")),
        "{settings:?}"
    );
    let counted: Vec<&str> = summary
        .rows
        .iter()
        .map(|(table, _)| table.as_str())
        .collect();
    assert_eq!(counted, TABLES);
    restored.close().await;
}

#[test]
fn the_backup_command_snapshots_the_database_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("live.db");
    let backup = dir.path().join("copy.db");
    let run = |args: &[&str]| career_bot(dir.path()).args(args).output().expect("runs");
    // `backup` never creates a database; the shell does.
    let created = run(&["--db", db.to_str().expect("utf-8"), "shell"]);
    assert!(created.status.success());
    let output = run(&[
        "--db",
        db.to_str().expect("utf-8"),
        "backup",
        backup.to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Integrity check: ok."));
    let output = run(&[
        "--db",
        db.to_str().expect("utf-8"),
        "backup",
        backup.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
}

/// A test runtime has one thread; a reload that read files on it would stop everything else.
#[cfg(unix)]
#[tokio::test]
async fn a_framework_reload_leaves_the_async_thread_free_while_it_reads_the_files() {
    use std::io::Write;

    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("mkdir");
    std::fs::write(frameworks.join("ops.yaml"), FRAMEWORK).expect("write");
    let bot = bot_reading(dir.path(), &frameworks, &[]).await;
    // A named pipe that looks like a framework file: reading it waits for its writer, and
    // the writer waits for the runtime's thread to answer while the loader is reading.
    let fifo = frameworks.join("slow.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (opened_tx, opened_rx) = tokio::sync::oneshot::channel::<()>();
    let (answer_tx, answer_rx) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        // Opening for writing returns once the loader has opened the pipe to read it.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&fifo)
            .expect("the pipe opens");
        let _ = opened_tx.send(());
        // A generous bound, so the test fails instead of hanging when nobody answers.
        let answered = answer_rx.recv_timeout(Duration::from_secs(60)).is_ok();
        file.write_all(FRAMEWORK.replace("acme-ops", "acme-slow").as_bytes())
            .expect("the pipe takes the text");
        answered
    });

    let sources = [FrameworkSource::Path(frameworks.clone())];
    let answer = async {
        if opened_rx.await.is_ok() {
            let _ = answer_tx.send(());
        }
    };
    let (outcome, ()) = tokio::join!(reload::reload(&bot, &sources), answer);
    let answered = writer.join().expect("the writer does not panic");
    assert!(
        answered,
        "the runtime's thread answered while a framework file was being read"
    );
    assert!(matches!(outcome, Outcome::Reloaded(2)), "{outcome:?}");
}

#[test]
fn backups_and_export_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("live.db");
    let db_text = db.to_str().expect("utf-8");
    let run = |args: &[&str]| career_bot(dir.path()).args(args).output().expect("runs");
    assert!(run(&["--db", db_text, "shell"]).status.success());
    let succeeds = |args: &[&str]| {
        let output = run(args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };

    // A backup holds private notes: a new file, 0600 from the moment it exists.
    let backup = dir.path().join("copy.db");
    succeeds(&["--db", db_text, "backup", backup.to_str().expect("utf-8")]);
    assert_eq!(mode(&backup), 0o600, "the backup");

    // An export to a new file, and over an existing file others could read.
    let export = dir.path().join("export.csv");
    succeeds(&[
        "--db",
        db_text,
        "export",
        "--output",
        export.to_str().expect("utf-8"),
    ]);
    assert_eq!(mode(&export), 0o600, "a new export");
    let existing = dir.path().join("existing.json");
    std::fs::write(&existing, "old").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    succeeds(&[
        "--db",
        db_text,
        "export",
        "--format",
        "json",
        "--output",
        existing.to_str().expect("utf-8"),
    ]);
    assert_eq!(mode(&existing), 0o600, "an export over an existing file");
    let written = std::fs::read_to_string(&existing).expect("read");
    assert!(written.starts_with('{'), "{written}");
}

#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_frameworks_and_reports_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("mkdir");
    let file = frameworks.join("ops.yaml");
    std::fs::write(&file, FRAMEWORK).expect("write");
    let bot = bot_reading(
        dir.path(),
        &frameworks,
        &[("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE")],
    )
    .await;
    let sources = [FrameworkSource::Path(frameworks.clone())];
    assert!(
        bot.engine()
            .ask("operator")
            .reply
            .to_plain_text()
            .contains("Acme Ops · Level 1: Operator")
    );

    std::fs::write(
        &file,
        FRAMEWORK.replace("titles: [Senior Operator]", "titels: [Senior Operator]"),
    )
    .expect("write");
    let Outcome::Rejected(errors) = reload::reload(&bot, &sources).await else {
        panic!("a broken file is rejected");
    };
    assert_eq!(errors[0].path, file);
    assert_eq!(errors[0].line, Some(11));
    assert!(
        bot.engine()
            .ask("senior operator")
            .reply
            .to_plain_text()
            .contains("Level 2: Senior Operator"),
        "the last good set keeps answering"
    );
    let alerts = bot.store().outbox(Some("pending")).await.expect("outbox");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].recipient, "C_PEOPLE");
    assert!(
        alerts[0].payload.contains("ops.yaml:11"),
        "{}",
        alerts[0].payload
    );
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_framework_reloads_total{outcome=\"error\"} 1")
    );

    std::fs::write(&file, FRAMEWORK.replace("Senior Operator", "Lead Operator")).expect("write");
    assert!(matches!(
        reload::reload(&bot, &sources).await,
        Outcome::Reloaded(1)
    ));
    assert!(
        bot.engine()
            .ask("lead operator")
            .reply
            .to_plain_text()
            .contains("Level 2: Lead Operator")
    );
}

#[tokio::test]
async fn frameworks_reload_when_their_files_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("mkdir");
    std::fs::write(frameworks.join("ops.yaml"), FRAMEWORK).expect("write");
    let bot = Arc::new(bot_reading(dir.path(), &frameworks, &[]).await);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = tokio::spawn(reload::watch(
        Arc::clone(&bot),
        vec![FrameworkSource::Path(frameworks.clone())],
        async move {
            let _ = stopped.await;
        },
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(
        frameworks.join("ops.yaml"),
        FRAMEWORK.replace("Senior Operator", "Chief Operator"),
    )
    .expect("write");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !bot
        .engine()
        .ask("chief operator")
        .reply
        .to_plain_text()
        .contains("Chief Operator")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change was not picked up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(());
    watcher.await.expect("the watcher stops");
}

/// A chat whose sends take a while, to catch a shutdown in the middle of a pass.
#[derive(Default)]
struct SlowChat {
    sent: Mutex<Vec<String>>,
}

impl Chat for SlowChat {
    async fn send(
        &self,
        _to: Recipient<'_>,
        _reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.sent.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

#[tokio::test]
async fn shutdown_finishes_the_deliveries_in_progress_then_stops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = Arc::new(bot_in(dir.path(), &[]).await);
    {
        let mut shell =
            Shell::new(&bot, Some("boss".into()), Some("2026-01-01T10:00:00Z")).expect("shell");
        run(
            &mut shell,
            // Four managers, so the pass has four messages to send (one manager's reminders
            // for a slot would be one message).
            &[
                "add @a marketing 1",
                ":as boss2",
                "add @b marketing 2",
                ":as boss3",
                "add @c marketing 3",
                ":as boss4",
                "add @d marketing 4",
            ],
        )
        .await;
    }
    let chat = Arc::new(SlowChat::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn(career_bot::scheduler::run(
        Arc::clone(&bot),
        ArcChat(Arc::clone(&chat)),
        Duration::from_secs(3600),
        bot.wake().clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    // The first pass starts at once; ask to stop while it is delivering.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), scheduler)
        .await
        .expect("stops")
        .expect("no panic");
    assert_eq!(
        chat.sent.lock().expect("lock").len(),
        4,
        "the pass in progress was finished"
    );
    let pending = bot.store().outbox(Some("sending")).await.expect("outbox");
    assert!(
        pending.is_empty(),
        "nothing left half-delivered: {pending:?}"
    );
    assert_eq!(
        bot.store()
            .outbox(Some("sent"))
            .await
            .expect("outbox")
            .len(),
        4
    );
}

struct ArcChat(Arc<SlowChat>);

impl Chat for ArcChat {
    async fn send(
        &self,
        to: Recipient<'_>,
        reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        self.0.send(to, reply, key).await
    }
}

#[tokio::test]
async fn cached_answers_follow_a_framework_reload() {
    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("mkdir");
    let file = frameworks.join("ops.yaml");
    std::fs::write(&file, FRAMEWORK).expect("write");
    let bot = bot_reading(dir.path(), &frameworks, &[]).await;
    let cache = career_bot::slack::answers::AnswerCache::default();
    let body = |bytes: axum::body::Bytes| String::from_utf8(bytes.to_vec()).expect("utf-8");
    let first = body(cache.answer(&bot, "acme ops level 2").expect("a question"));
    assert!(first.contains("Senior Operator"), "{first}");
    assert_eq!(
        body(cache.answer(&bot, "acme ops level 2").expect("cached")),
        first
    );
    assert!(
        cache.answer(&bot, "team").is_none(),
        "commands are never cached"
    );

    std::fs::write(&file, FRAMEWORK.replace("Senior Operator", "Lead Operator")).expect("write");
    assert!(matches!(
        reload::reload(&bot, &[FrameworkSource::Path(frameworks)]).await,
        Outcome::Reloaded(1)
    ));
    let after = body(cache.answer(&bot, "acme ops level 2").expect("a question"));
    assert!(
        after.contains("Lead Operator") && !after.contains("Senior Operator"),
        "{after}"
    );
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_questions_total{intent=\"level\"} 3")
    );
}
