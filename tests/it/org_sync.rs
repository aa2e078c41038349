//! Issue 14, "The org chart from HR": `import-org` with emails resolved through Slack's
//! `users.lookupByEmail` (the fake on loopback), `--sync` and `--dry-run` end to end through
//! the binary, and the org file `serve` keeps in step (`[org] file`), one pass at a time with
//! the time passed in.
//!
//! "Nothing written" is checked on the whole database: every row of every table, before and
//! after.

use std::path::Path;
use std::process::Output;

use career_bot::admin::ImportError;
use career_bot::admin::import::{self, ImportOptions, ImportOutcome};
use career_bot::bot::Bot;
use career_bot::ids::{FrameworkId, UserId};
use career_bot::org_sync::{SyncOutcome, sync_file};
use career_bot::slack::directory::SlackDirectory;
use career_bot::store::checkins::NewCheckin;
use career_bot::store::events::EventKind;
use chrono::{DateTime, NaiveDate, Utc};
use slack_morphism::prelude::SlackApiToken;
use tempfile::TempDir;

use crate::support::bot::bot_in;
use crate::support::{Failure, FakeSlack, binary};

const LOOKUP: &str = "users.lookupByEmail";
const ADMIN_CHANNEL: &str = "C_ADMIN";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

/// A directory asking the fake, paced only by its 429s (the fake has no limit to respect).
fn directory(fake: &FakeSlack) -> SlackDirectory {
    let client = career_bot::slack::client::build(&fake.api_url()).expect("a client");
    SlackDirectory::new(client, SlackApiToken::new("xoxb-test".into()))
        .with_pace(career_bot::slack::directory::Pace::BY_RATE_LIMITS_ONLY)
}

async fn bot(dir: &Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMIN_CHANNEL", ADMIN_CHANNEL)]).await
}

async fn import(
    bot: &Bot,
    csv: &str,
    options: ImportOptions,
    directory: Option<&SlackDirectory>,
    now: &str,
) -> Result<ImportOutcome, ImportError> {
    let directory = directory.map(|d| d as &dyn import::Directory);
    import::import_with(bot, csv.as_bytes(), "org.csv", at(now), options, directory).await
}

/// Every row of every table, as text, table by table: equal dumps mean nothing was written.
async fn dump(db: &Path) -> Vec<String> {
    let url = format!("sqlite://{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open the db");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut rows = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&pool)
        .await
        .expect("columns");
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
        let sql = format!(
            "SELECT '{table}: ' || {} FROM \"{table}\" ORDER BY rowid",
            quoted.join(" || ',' || ")
        );
        let mut table_rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&pool)
            .await
            .expect("rows");
        rows.append(&mut table_rows);
    }
    pool.close().await;
    assert!(!rows.is_empty(), "the dump sees the database");
    rows
}

/// Runs the binary on a blocking thread, so the fake Slack on this runtime keeps answering.
async fn career_bot(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = binary::career_bot(dir);
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the binary finished")
}

fn slack_env(fake: &FakeSlack) -> Vec<(&'static str, String)> {
    vec![
        ("SLACK_BOT_TOKEN", "xoxb-test".to_owned()),
        ("SLACK_API_URL", fake.api_url()),
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn person(bot: &Bot, user: &str) -> career_bot::store::people::Person {
    bot.store()
        .person(&UserId::new(user))
        .await
        .expect("the store answers")
        .unwrap_or_else(|| panic!("{user} is stored"))
}

const BY_EMAIL: &str = "user,name,manager,framework,level,start_date
boss@acme.test,Bea Boss,,,,
Ana@Acme.test,Ana,boss@acme.test,buffer-marketing,2,2026-01-05
bob@acme.test,Bob,boss@acme.test,buffer-marketing,3,2026-01-05
";

fn fake_directory(fake: &FakeSlack) {
    fake.set_email("boss@acme.test", "U_BOSS");
    fake.set_email("ana@acme.test", "U_ANA");
    fake.set_email("bob@acme.test", "U_BOB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_resolved_through_slack_once_then_stored_exported_and_reimported() {
    let fake = FakeSlack::start().await;
    fake_directory(&fake);
    let dir = TempDir::new().expect("temp dir");
    let bot = bot(dir.path()).await;

    let first = import(
        &bot,
        BY_EMAIL,
        ImportOptions::default(),
        Some(&directory(&fake)),
        "2026-03-02T10:00:00Z",
    )
    .await
    .expect("the file imports");
    assert_eq!(first.summary.people, 3);
    assert_eq!(first.looked_up, 3, "boss is named twice but asked once");
    let asked: Vec<String> = fake
        .take(LOOKUP)
        .iter()
        .map(|call| call.str_param("email").expect("an email").to_owned())
        .collect();
    assert_eq!(asked, ["boss@acme.test", "ana@acme.test", "bob@acme.test"]);
    let ana = person(&bot, "U_ANA").await;
    assert_eq!(ana.manager_id, Some(UserId::new("U_BOSS")));
    assert_eq!(ana.level, Some(2));

    // The nightly export again, with a directory that has cached nothing: every email is
    // stored, so Slack is not asked at all.
    let again = import(
        &bot,
        BY_EMAIL,
        ImportOptions::default(),
        Some(&directory(&fake)),
        "2026-03-03T02:00:00Z",
    )
    .await
    .expect("the same file imports again");
    assert_eq!(again.looked_up, 0);
    assert_eq!(again.summary.changed, 0, "nothing changed");
    fake.expect_none(LOOKUP);

    // Exported, and back into a fresh database without Slack: the emails come along.
    let export = career_bot::admin::export::collect(&bot, at("2026-03-03T03:00:00Z"))
        .await
        .expect("the export");
    let mut csv = Vec::new();
    career_bot::admin::export::write(&export, career_bot::admin::ExportFormat::Csv, &mut csv)
        .expect("the CSV");
    let csv = text(&csv);
    assert!(csv.lines().next().expect("a header").ends_with(",email"));
    assert!(csv.contains("ana@acme.test"), "{csv}");
    let mut json = Vec::new();
    career_bot::admin::export::write(&export, career_bot::admin::ExportFormat::Json, &mut json)
        .expect("the JSON");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let bob = json["people"]
        .as_array()
        .expect("people")
        .iter()
        .find(|person| person["user"] == "U_BOB")
        .expect("Bob is exported");
    assert_eq!(bob["email"], "bob@acme.test");

    let fresh_dir = TempDir::new().expect("temp dir");
    let fresh = bot_in(fresh_dir.path(), &[]).await;
    import(
        &fresh,
        &csv,
        ImportOptions::default(),
        None,
        "2026-03-03T04:00:00Z",
    )
    .await
    .expect("the export imports");
    let emails = fresh.store().user_ids_by_email().await.expect("emails");
    assert_eq!(emails.get("ana@acme.test"), Some(&UserId::new("U_ANA")));
    assert_eq!(emails.len(), 3);
    // And the fresh database knows the emails of the HR file without Slack.
    let by_email = import(
        &fresh,
        BY_EMAIL,
        ImportOptions::default(),
        None,
        "2026-03-04T02:00:00Z",
    )
    .await
    .expect("stored emails need no Slack");
    assert_eq!(by_email.summary.people, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_lookup_waits_for_retry_after_and_is_asked_again() {
    let fake = FakeSlack::start().await;
    fake_directory(&fake);
    fake.fail_next(
        LOOKUP,
        Failure::RateLimited {
            retry_after_secs: 0,
        },
    );
    let dir = TempDir::new().expect("temp dir");
    let bot = bot(dir.path()).await;
    let outcome = import(
        &bot,
        BY_EMAIL,
        ImportOptions::default(),
        Some(&directory(&fake)),
        "2026-03-02T10:00:00Z",
    )
    .await
    .expect("the import goes on after the 429");
    assert_eq!(outcome.summary.people, 3);
    let calls = fake.take(LOOKUP);
    assert_eq!(calls.len(), 4, "the rate-limited email is asked twice");
    assert_eq!(calls[0].str_param("email"), calls[1].str_param("email"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_stops_the_import_with_what_to_fix_and_writes_nothing() {
    let fake = FakeSlack::start().await;
    fake.fail_next(LOOKUP, Failure::SlackError("missing_scope"));
    let dir = TempDir::new().expect("temp dir");
    let bot = bot(dir.path()).await;
    let error = import(
        &bot,
        BY_EMAIL,
        ImportOptions::default(),
        Some(&directory(&fake)),
        "2026-03-02T10:00:00Z",
    )
    .await
    .expect_err("Slack refused");
    assert!(error.to_string().contains("users:read.email"), "{error}");
    fake.take(LOOKUP);
    assert!(bot.store().people(true).await.expect("people").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_unknown_email_writes_nothing_and_names_its_line() {
    let fake = FakeSlack::start().await;
    fake_directory(&fake);
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("bot.db");
    {
        let bot = bot(dir.path()).await;
        import(
            &bot,
            "user,manager,framework,level\nU_OLD,U_BOSS,buffer-marketing,1\nU_BOSS,,,\n",
            ImportOptions::default(),
            None,
            "2026-03-01T10:00:00Z",
        )
        .await
        .expect("a first org");
        bot.store().close().await;
    }
    let before = dump(&db).await;
    let file = dir.path().join("org.csv");
    let csv = format!("{BY_EMAIL}ghost@acme.test,Ghost,boss@acme.test,buffer-marketing,1,\n");
    std::fs::write(&file, csv).expect("write the file");
    let db_arg = db.display().to_string();
    let output = career_bot(
        dir.path(),
        &["--db", &db_arg, "import-org", "org.csv"],
        &slack_env(&fake),
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("org.csv:5: Slack knows nobody with the email ghost@acme.test"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|line| line.contains("org.csv:"))
            .count(),
        2,
        "one problem and the summary: {stderr}"
    );
    assert_eq!(fake.take(LOOKUP).len(), 4);
    assert_eq!(dump(&db).await, before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_slack_an_email_not_stored_says_slack_is_needed() {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("org.csv"), BY_EMAIL).expect("write the file");
    let output = career_bot(
        dir.path(),
        &["--db", "bot.db", "import-org", "org.csv"],
        &[],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("org.csv:2: boss@acme.test (user) is not stored yet, and turning an email into a user id needs Slack"),
        "{stderr}"
    );
}

/// An org of five reports under U_BOSS, and a conversation with U_DAN.
const SEED: &str = "user,name,manager,framework,level,start_date
U_BOSS,Bea Boss,,,,
U_MGR2,Mo Two,U_BOSS,,,
U_ANA,Ana,U_BOSS,buffer-marketing,2,2026-01-05
U_BOB,Bob,U_BOSS,buffer-marketing,2,2026-01-05
U_CARA,Cara,U_BOSS,buffer-marketing,2,2026-01-05
U_DAN,Dan,U_BOSS,buffer-marketing,2,2026-01-05
";

/// The HR export a month later: Ana moved, Bob promoted, Cara on another framework, Eve new,
/// Dan gone.
const NEXT_MONTH: &str = "user,name,manager,framework,level,start_date
U_BOSS,Bea Boss,,,,
U_MGR2,Mo Two,U_BOSS,,,
U_ANA,Ana,U_MGR2,buffer-marketing,2,2026-01-05
U_BOB,Bob,U_BOSS,buffer-marketing,3,2026-01-05
U_CARA,Cara,U_BOSS,buffer-happiness,1,2026-01-05
U_EVE,Eve,U_BOSS,buffer-marketing,1,2026-03-01
";

async fn seeded(dir: &Path) {
    let bot = bot(dir).await;
    import(
        &bot,
        SEED,
        ImportOptions::default(),
        None,
        "2026-01-05T10:00:00Z",
    )
    .await
    .expect("the seed imports");
    bot.store()
        .record_checkin(
            NewCheckin {
                report_id: UserId::new("U_DAN"),
                manager_id: UserId::new("U_BOSS"),
                held_on: NaiveDate::from_ymd_opt(2026, 2, 2).expect("a date"),
                framework_id: Some(FrameworkId::new("buffer-marketing")),
                level_discussed: Some(2),
                private_note: None,
                focus: vec![],
                next_steps: None,
                recorded_by: UserId::new("U_BOSS"),
                request_key: None,
                opened_for: None,
                cadence: bot.settings().cadence_for("buffer-marketing"),
                acknowledgement_request: None,
            },
            at("2026-02-02T15:00:00Z"),
        )
        .await
        .expect("a conversation with Dan");
    bot.store().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_each_change_and_writes_nothing() {
    let dir = TempDir::new().expect("temp dir");
    seeded(dir.path()).await;
    let db = dir.path().join("bot.db");
    let before = dump(&db).await;
    std::fs::write(dir.path().join("hr.csv"), NEXT_MONTH).expect("write the file");
    let db_arg = db.display().to_string();
    let output = career_bot(
        dir.path(),
        &[
            "--db",
            &db_arg,
            "import-org",
            "--sync",
            "--dry-run",
            "hr.csv",
        ],
        &[],
    )
    .await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "moved U_ANA: manager U_BOSS → U_MGR2",
            "level changed U_BOB: 2 → 3",
            "framework changed U_CARA: buffer-marketing → buffer-happiness level 1",
            "added U_EVE: buffer-marketing level 1, manager U_BOSS",
            "removed U_DAN: not in the file (history kept)",
            "Dry run: 5 changes in hr.csv; nothing was written.",
        ]
    );
    assert_eq!(dump(&db).await, before, "a dry run writes nothing");

    // Without --sync, Dan stays: only the rows' changes are listed.
    let output = career_bot(
        dir.path(),
        &["--db", &db_arg, "import-org", "--dry-run", "hr.csv"],
        &[],
    )
    .await;
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("U_DAN"), "{stdout}");
    assert!(stdout.contains("Dry run: 4 changes"), "{stdout}");
    assert_eq!(dump(&db).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_removes_people_absent_from_the_file_and_keeps_their_history() {
    let dir = TempDir::new().expect("temp dir");
    seeded(dir.path()).await;
    std::fs::write(dir.path().join("hr.csv"), NEXT_MONTH).expect("write the file");
    let output = career_bot(
        dir.path(),
        &["--db", "bot.db", "import-org", "--sync", "hr.csv"],
        &[],
    )
    .await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains("Removed 1 person the file does not list (history kept)."),
        "{stdout}"
    );

    let bot = bot(dir.path()).await;
    let dan = person(&bot, "U_DAN").await;
    assert!(!dan.active, "Dan is no longer tracked");
    assert_eq!(dan.due_on, None, "and gets no reminders");
    assert_eq!(
        dan.manager_id,
        Some(UserId::new("U_BOSS")),
        "his record stays"
    );
    let history = bot
        .store()
        .history(&UserId::new("U_DAN"))
        .await
        .expect("history");
    assert_eq!(history.len(), 1, "his conversation is kept");
    let events = bot
        .store()
        .events(Some(&UserId::new("U_DAN")))
        .await
        .expect("events");
    let removed = events.last().expect("an event");
    assert_eq!(removed.kind, EventKind::Removed);
    assert_eq!(removed.actor, UserId::new("import"));
    assert_eq!(removed.details["sync"], true);
    assert_eq!(removed.details["file"], "hr.csv");
    // Managers only are never "tracked", so they stay; the others changed as listed.
    assert!(person(&bot, "U_BOSS").await.active);
    assert_eq!(
        person(&bot, "U_ANA").await.manager_id,
        Some(UserId::new("U_MGR2"))
    );
    assert_eq!(person(&bot, "U_BOB").await.level, Some(3));
    assert!(person(&bot, "U_EVE").await.active);
    bot.store().close().await;

    // The same file again removes nobody more.
    let output = career_bot(
        dir.path(),
        &["--db", "bot.db", "import-org", "--sync", "hr.csv"],
        &[],
    )
    .await;
    assert!(output.status.success());
    assert!(!text(&output.stdout).contains("Removed"));
}

#[tokio::test]
async fn the_served_org_file_is_kept_in_step_and_a_broken_one_changes_nothing() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot(dir.path()).await;
    let file = dir.path().join("hr.csv");

    std::fs::write(&file, SEED).expect("write the file");
    match sync_file(&bot, &file, None, at("2026-01-05T10:00:00Z")).await {
        SyncOutcome::Imported(outcome) => assert_eq!(outcome.summary.people, 6),
        SyncOutcome::Rejected(problems) => panic!("{problems:?}"),
    }

    // The file changes: Dan is gone from it, so he is removed.
    std::fs::write(&file, NEXT_MONTH).expect("change the file");
    match sync_file(&bot, &file, None, at("2026-03-02T02:00:00Z")).await {
        SyncOutcome::Imported(outcome) => assert_eq!(outcome.removed, 1),
        SyncOutcome::Rejected(problems) => panic!("{problems:?}"),
    }
    assert!(!person(&bot, "U_DAN").await.active);
    assert_eq!(person(&bot, "U_BOB").await.level, Some(3));

    // A broken export: nothing changes, and the admins are told, with the line.
    let people_before = bot.store().people(true).await.expect("people");
    let events_before = bot.store().events(None).await.expect("events");
    std::fs::write(
        &file,
        "user,manager,framework,level\nU_BOSS,,,\nU_ANA,U_BOSS,buffer-marketing,9\n",
    )
    .expect("break the file");
    let problems = match sync_file(&bot, &file, None, at("2026-03-03T02:00:00Z")).await {
        SyncOutcome::Rejected(problems) => problems,
        SyncOutcome::Imported(outcome) => panic!("a broken file was imported: {outcome:?}"),
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("hr.csv:3:"), "{problems:?}");
    assert!(problems[0].contains("no level 9"), "{problems:?}");
    assert_eq!(
        bot.store().people(true).await.expect("people"),
        people_before
    );
    assert_eq!(
        bot.store().events(None).await.expect("events"),
        events_before
    );
    assert!(
        person(&bot, "U_CARA").await.active,
        "a broken file removes nobody"
    );
    let alerts = bot.store().outbox(None).await.expect("the outbox");
    let alert = alerts
        .iter()
        .find(|row| row.recipient == ADMIN_CHANNEL)
        .expect("an alert for the admin channel");
    assert!(
        alert.payload.contains("The org file has problems"),
        "{}",
        alert.payload
    );
    assert!(alert.payload.contains("hr.csv:3:"), "{}", alert.payload);
    assert_eq!(alerts.len(), 1, "one alert, nothing else queued");
}

/// Waits (up to 20 s) until `check` holds on the bot's database; the waiting is not the test,
/// `check` is.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_imports_the_org_file_at_start_follows_its_changes_and_refuses_a_broken_one() {
    use crate::support::harness;

    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore(LOOKUP);
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    // The scheduler asks each recipient's status before a DM (away, busy and holidays).
    fake.ignore("users.info");
    fake_directory(&fake);
    fake.set_email("dan@acme.test", "U_DAN");
    let dir = TempDir::new().expect("temp dir");
    let hr = dir.path().join("hr");
    std::fs::create_dir(&hr).expect("a directory for the export");
    let file = hr.join("org.csv");
    std::fs::write(
        &file,
        format!("{BY_EMAIL}dan@acme.test,Dan,boss@acme.test,buffer-marketing,2,2026-01-05\n"),
    )
    .expect("write the file");
    let mut config = harness::config(
        dir.path(),
        &fake.api_url(),
        false,
        &[("CAREER_BOT_ADMIN_CHANNEL", ADMIN_CHANNEL)],
    );
    config.org_file = Some(file.clone());
    let running = harness::start(config).await;
    let bot = std::sync::Arc::clone(&running.bot);

    let tracked = |user: &'static str| {
        let bot = std::sync::Arc::clone(&bot);
        move || {
            let bot = std::sync::Arc::clone(&bot);
            async move {
                bot.store()
                    .person(&UserId::new(user))
                    .await
                    .expect("the store answers")
                    .is_some_and(|person| person.active)
            }
        }
    };
    eventually("the org file is imported at start", tracked("U_DAN")).await;
    assert!(tracked("U_ANA")().await);

    // HR's next export, written as a new file renamed over the old one: Dan has left.
    let next = hr.join("org.csv.tmp");
    std::fs::write(&next, BY_EMAIL).expect("write the next export");
    std::fs::rename(&next, &file).expect("rename it over the old one");
    let dan_left = tracked("U_DAN");
    eventually("Dan is removed after the file changed", || {
        let still = dan_left();
        async move { !still.await }
    })
    .await;
    assert!(tracked("U_BOB")().await, "the others stay");

    // A broken export changes nothing and is reported in the admin channel.
    let people_before = bot.store().people(true).await.expect("people");
    std::fs::write(
        &file,
        "user,manager,framework,level\nU_BOSS,,,\nU_ANA,U_BOSS,buffer-marketing,9\n",
    )
    .expect("break the file");
    // The scheduler runs too, on the real clock: its reminders about the imported reports,
    // and on a Monday the weekly digest in the admin channel, are not this test's.
    let admin_alert = || {
        fake.peek("chat.postMessage").into_iter().find(|post| {
            post.str_param("channel") == Some(ADMIN_CHANNEL)
                && post.params.to_string().contains("org file")
        })
    };
    eventually("the admin channel is told", || {
        let found = admin_alert().is_some();
        async move { found }
    })
    .await;
    let alert = admin_alert().expect("the alert");
    let text = alert.params.to_string();
    assert!(text.contains("The org file has problems"), "{text}");
    assert!(text.contains("org.csv:3:"), "{text}");
    assert_eq!(
        bot.store().people(true).await.expect("people"),
        people_before
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_keeps_who_slack_knows_and_asks_again_about_who_it_did_not() {
    use career_bot::admin::import::Directory;

    let fake = FakeSlack::start().await;
    fake.set_email("ana@acme.test", "U_ANA");
    let directory = directory(&fake);
    for _ in 0..2 {
        assert_eq!(
            directory.lookup("ana@acme.test").await.expect("an answer"),
            Some(UserId::new("U_ANA"))
        );
        assert_eq!(
            directory.lookup("new@acme.test").await.expect("an answer"),
            None
        );
    }
    let asked: Vec<String> = fake
        .take(LOOKUP)
        .iter()
        .map(|call| call.str_param("email").expect("an email").to_owned())
        .collect();
    assert_eq!(asked, ["ana@acme.test", "new@acme.test", "new@acme.test"]);

    // Someone who joined Slack meanwhile is found on the next sync.
    fake.set_email("new@acme.test", "U_NEW");
    assert_eq!(
        directory.lookup("new@acme.test").await.expect("an answer"),
        Some(UserId::new("U_NEW"))
    );
    fake.expect_one(LOOKUP);
}
