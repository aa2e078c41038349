//! Delivery when things go wrong (issue 11, "Hardening", items 8–14): another writer holding
//! the database, a Slack that never answers, an absurd `Retry-After`, a proxy's 4xx, a
//! refused token, a record changed while a slow Slack is busy, a scheduler task that ends,
//! and all of it at once against a faulty Slack with a seeded RNG.
//!
//! Waits are bounded generously and assert behaviour, never durations (the shutdown test
//! prints how long it took, for `BENCHMARKS.md`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use career_bot::bot::Bot;
use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::reply::Reply;
use career_bot::scheduler;
use career_bot::slack::chat::SlackChat;
use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackApiToken;

use crate::support::databases::TestDatabase;
use crate::support::fake_slack::Recorded;
use crate::support::harness::{self, all_text, run_as};
use crate::support::{Failure, FakeSlack, bot};

const WAIT: Duration = Duration::from_secs(15);

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

/// When the reports added on 2026-01-20 fall due: Monday 2026-04-20, 09:00 UTC.
fn due() -> DateTime<Utc> {
    at("2026-04-20T09:00:00Z")
}

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

/// `count` managers `U_M1`… with one report each (`U_R1`…), added on 2026-01-20, so one
/// reminder each is due at [`due`].
async fn managers_with_one_report(bot: &Bot, count: usize) {
    for n in 1..=count {
        let out = run_as(
            bot,
            &format!("U_M{n}"),
            &format!("add @U_R{n} marketing 2"),
            at("2026-01-20T10:00:00Z"),
        )
        .await;
        assert!(out.contains("Added"), "{out}");
    }
}

async fn scalar(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("query")
}

/// A Slack chat over the fake, with `timeout` on each call.
fn slack_chat(fake: &FakeSlack, bot: &Bot, timeout: Duration) -> SlackChat {
    let client = career_bot::slack::client::build(&fake.api_url()).expect("client");
    SlackChat::new(
        client,
        SlackApiToken::new(harness::BOT_TOKEN.to_owned().into()),
        bot.metrics(),
    )
    .with_api_timeout(timeout)
}

/// How many times each key was handed to the chat, for the keys handed more than once.
fn repeated(keys: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key.clone()).or_insert(0) += 1;
    }
    counts.retain(|_, count| *count > 1);
    counts
}

/// A chat whose first send has another writer take the database's write lock and hold it
/// for `hold` (far longer than the store waits for it) before answering, as an `import-org`
/// does beside delivery. Every send is recorded by key.
struct LockingChat {
    database: PathBuf,
    hold: Duration,
    locked: AtomicBool,
    sent: Mutex<Vec<String>>,
}

impl Chat for LockingChat {
    async fn send(
        &self,
        _recipient: Recipient<'_>,
        _reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        self.sent.lock().expect("lock").push(key.to_owned());
        if !self.locked.swap(true, Ordering::SeqCst) {
            let (locked, is_locked) = tokio::sync::oneshot::channel();
            let database = self.database.clone();
            let hold = self.hold;
            tokio::spawn(async move {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", database.display()))
                    .await
                    .expect("another writer connects");
                let mut conn = pool.acquire().await.expect("connection");
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *conn)
                    .await
                    .expect("the other writer takes the lock");
                let _ = locked.send(());
                tokio::time::sleep(hold).await;
                sqlx::query("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .expect("the other writer commits");
            });
            is_locked.await.expect("the lock is taken");
        }
        Ok(Delivered::default())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sent_mark_blocked_by_another_writer_is_retried_until_it_commits_so_nothing_is_sent_twice()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    managers_with_one_report(&bot, 6).await;
    // The store waits 100 ms for a lock here instead of 5 s; the other writer holds it 1 s.
    bot::shorten_busy_timeout(bot.store(), Duration::from_millis(100)).await;
    let chat = LockingChat {
        database: dir.path().join("bot.db"),
        hold: Duration::from_secs(1),
        locked: AtomicBool::new(false),
        sent: Mutex::new(Vec::new()),
    };
    // The first pass meets the other writer; later ones come after every lease has ended
    // (five minutes), when a row left `sending` would be sent again.
    let mut now = due();
    for _ in 0..4 {
        let _ = scheduler::tick(&bot, &chat, now).await;
        now += minutes(6);
    }
    let sent = chat.sent.lock().expect("lock").clone();
    assert_eq!(repeated(&sent), BTreeMap::new(), "sent twice: {sent:?}");
    assert_eq!(sent.len(), 6, "every reminder went out: {sent:?}");
    assert_eq!(
        scalar(&bot, "SELECT count(*) FROM outbox WHERE status = 'sent'").await,
        6
    );
    let metrics = bot.metrics().encode();
    let failures = metrics
        .lines()
        .find_map(|line| line.strip_prefix("career_bot_sent_mark_failures_total "))
        .and_then(|count| count.trim().parse::<u64>().ok())
        .unwrap_or_default();
    assert!(failures >= 1, "the mark did meet the lock: {metrics}");
}

/// A chat that takes `delay` per message and records each key.
struct SlowChat {
    delay: Duration,
    sent: Mutex<Vec<String>>,
}

impl Chat for SlowChat {
    async fn send(
        &self,
        _recipient: Recipient<'_>,
        _reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        tokio::time::sleep(self.delay).await;
        self.sent.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_beside_delivery_delays_reminders_but_sends_none_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    managers_with_one_report(&bot, 40).await;
    assert_eq!(
        scheduler::plan(&bot, due()).await.expect("planned"),
        40,
        "one reminder per manager"
    );
    bot::shorten_busy_timeout(bot.store(), Duration::from_millis(100)).await;
    // `import-org` is another process: its own pool on the same file, waiting the usual 5 s.
    let importer = bot::bot_in(dir.path(), &[]).await;
    let mut csv = String::from("user,name,manager,framework,level,start_date,time_zone\n");
    csv.push_str("U_IMPORT_BOSS,Boss,,,,,\n");
    for n in 0..1500 {
        csv.push_str(&format!(
            "U_NEW{n},New {n},U_IMPORT_BOSS,buffer-marketing,2,2026-04-01,\n"
        ));
    }
    let mut import = tokio::spawn(async move {
        let summary =
            career_bot::admin::import::import_bytes(&importer, csv.as_bytes(), "org.csv", due())
                .await
                .expect("the import succeeds");
        importer.store().close().await;
        summary.people
    });
    let chat = SlowChat {
        delay: Duration::from_millis(40),
        sent: Mutex::new(Vec::new()),
    };
    let mut now = due();
    let mut imported = None;
    for _ in 0..200 {
        let _ = scheduler::deliver(&bot, &chat, now).await;
        if imported.is_none() && import.is_finished() {
            imported = Some((&mut import).await.expect("the import task"));
        }
        let open = scalar(
            &bot,
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')",
        )
        .await;
        if open == 0 && imported.is_some() {
            break;
        }
        now += minutes(6);
    }
    assert_eq!(imported, Some(1501), "the whole file was imported");
    let sent = chat.sent.lock().expect("lock").clone();
    assert_eq!(repeated(&sent), BTreeMap::new(), "sent twice: {sent:?}");
    assert_eq!(sent.len(), 40, "every reminder went out once");
}

/// A test server's configuration with `timeout` on Slack calls.
fn server_config(dir: &Path, fake: &FakeSlack, timeout: Duration) -> career_bot::config::Config {
    let mut config = harness::config(dir, &fake.api_url(), false, &[]);
    config.slack.api_timeout = timeout;
    config
}

/// Managers `U_M1`… with one report each, added four months ago, so a reminder each is due
/// now (for the real server, which runs on the real clock).
async fn seed_due_reports(config: &career_bot::config::Config, count: usize) {
    let seed = bot::open(config).await;
    for n in 1..=count {
        run_as(
            &seed,
            &format!("U_M{n}"),
            &format!("add @U_R{n} marketing 2"),
            Utc::now() - chrono::Duration::days(120),
        )
        .await;
    }
    seed.store().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slack_call_that_never_answers_times_out_and_the_other_messages_still_go_out() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    fake.fail_next("chat.postMessage", Failure::Hang);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = server_config(dir.path(), &fake, Duration::from_millis(300));
    seed_due_reports(&config, 2).await;
    let server = harness::start(config).await;

    fake.wait_for("chat.postMessage", 2, WAIT).await;
    assert_eq!(
        fake.take("chat.postMessage").len(),
        2,
        "one hung, one delivered"
    );
    harness::eventually_row(
        &server.bot,
        "SELECT
             (SELECT count(*) FROM outbox WHERE status = 'sent'),
             (SELECT count(*) FROM outbox WHERE status = 'sending'
                  AND last_error = 'Slack did not answer chat.postMessage within 300ms')",
        (1_i64, 1_i64),
    )
    .await;
    assert_eq!(harness::get(&server, "/readyz").await.0, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_within_ten_seconds_while_slack_holds_a_message_unanswered() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    fake.fail_next("chat.postMessage", Failure::Hang);
    let dir = tempfile::tempdir().expect("temp dir");
    // A limit far beyond systemd's 30 s: shutdown must not wait for it.
    let config = server_config(dir.path(), &fake, Duration::from_secs(120));
    seed_due_reports(&config, 1).await;
    let server = harness::start(config.clone()).await;
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("chat.postMessage");

    let started = Instant::now();
    // `stop` fails the test unless the server stops within 10 s.
    server.stop().await;
    eprintln!(
        "shutdown with chat.postMessage unanswered took {:?}",
        started.elapsed()
    );
    let bot = bot::open(&config).await;
    let row: (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE kind = 'reminder'")
            .fetch_one(bot.store().pool())
            .await
            .expect("the reminder");
    assert_eq!(
        row.0, "sending",
        "left to be looked up in its DM at the next start: {row:?}"
    );
    assert!(
        row.2
            .as_deref()
            .unwrap_or_default()
            .contains("may have been delivered"),
        "{row:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_retry_after_pauses_delivery_at_most_fifteen_minutes_and_the_scheduler_keeps_running()
 {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    // About 31 million years: adding it to a date overflows chrono.
    fake.fail_next(
        "chat.postMessage",
        Failure::RateLimited {
            retry_after_secs: 1_000_000_000_000_000,
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let config = server_config(dir.path(), &fake, Duration::from_secs(5));
    seed_due_reports(&config, 1).await;
    let server = harness::start(config).await;
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("chat.postMessage");
    harness::eventually_row(
        &server.bot,
        "SELECT status, attempts FROM outbox WHERE kind = 'reminder'",
        ("pending".to_owned(), 1_i64),
    )
    .await;
    let next: String =
        sqlx::query_scalar("SELECT next_attempt_at FROM outbox WHERE kind = 'reminder'")
            .fetch_one(server.bot.store().pool())
            .await
            .expect("next attempt");
    let next = career_bot::store::time::from_text(&next).expect("a time");
    assert!(
        next <= Utc::now() + chrono::Duration::minutes(15),
        "paused until {next}"
    );
    let (status, _) = harness::get(&server, "/readyz").await;
    assert_eq!(status, 200);
    let (_, metrics) = harness::get(&server, "/metrics").await;
    assert!(
        metrics.contains("career_bot_scheduler_running 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("career_bot_scheduler_restarts_total 0"),
        "{metrics}"
    );
    server.stop().await;
}

/// A chat that panics on its first send (a bug), then delivers and records each key.
#[derive(Clone, Default)]
struct PanicsOnceChat {
    calls: Arc<AtomicUsize>,
    sent: Arc<Mutex<Vec<String>>>,
}

impl Chat for PanicsOnceChat {
    async fn send(
        &self,
        _recipient: Recipient<'_>,
        _reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("a bug while sending {key}");
        }
        self.sent.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduler_task_that_ends_is_started_again_and_is_reported_not_running_meanwhile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = Arc::new(bot::bot_in(dir.path(), &[]).await);
    run_as(
        &bot,
        "U_M1",
        "add @U_R1 marketing 2",
        Utc::now() - chrono::Duration::days(120),
    )
    .await;
    let chat = PanicsOnceChat::default();
    let wake = career_bot::wake::Wake::new();
    let (running_tx, mut running) = tokio::sync::watch::channel(true);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let supervisor = tokio::spawn(scheduler::supervise(
        Arc::clone(&bot),
        chat.clone(),
        Duration::from_secs(3600),
        wake.clone(),
        async move {
            let _ = stopped.await;
        },
        running_tx,
    ));
    tokio::time::timeout(WAIT, running.wait_for(|running| !*running))
        .await
        .expect("the ended task is reported")
        .expect("the supervisor runs");
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_scheduler_restarts_total 1")
    );
    tokio::time::timeout(WAIT, running.wait_for(|running| *running))
        .await
        .expect("it is started again")
        .expect("the supervisor runs");
    // The restarted scheduler delivers what is queued next.
    bot.store()
        .plan(
            &career_bot::store::outbox::NewMessage {
                key: "alert:after-restart".into(),
                kind: career_bot::store::outbox::kind::ALERT,
                recipient: "C_ADMIN".into(),
                report_id: None,
                payload: Reply::paragraph("after the restart"),
                planned_for: Utc::now(),
            },
            Utc::now(),
        )
        .await
        .expect("planned");
    wake.ring();
    let deadline = Instant::now() + WAIT;
    while !chat
        .sent
        .lock()
        .expect("lock")
        .contains(&"alert:after-restart".to_owned())
    {
        assert!(
            Instant::now() < deadline,
            "nothing delivered after the restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    tokio::time::timeout(WAIT, supervisor)
        .await
        .expect("the supervisor stops")
        .expect("no panic escapes it");
    assert!(!*running.borrow(), "not running after shutdown");
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_scheduler_running 0")
    );
}

/// The channel a recorded `chat.postMessage` went to.
fn channel(call: &Recorded) -> String {
    call.str_param("channel").unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_408_409_425_or_5xx_is_retried_and_only_slacks_own_final_errors_give_up() {
    let fake = FakeSlack::start().await;
    // The scheduler reads each recipient's status before a DM (issue 14).
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    let first_answers: HashMap<&str, Failure> = HashMap::from([
        ("DU_M1", Failure::Status(408)),
        ("DU_M2", Failure::Status(409)),
        ("DU_M3", Failure::Status(425)),
        ("DU_M4", Failure::Status(503)),
        ("DU_M5", Failure::SlackError("channel_not_found")),
    ]);
    let tried = Arc::new(Mutex::new(Vec::<String>::new()));
    fake.respond_with("chat.postMessage", {
        let tried = Arc::clone(&tried);
        move |call| {
            let channel = channel(call);
            let mut tried = tried.lock().expect("lock");
            let first = !tried.contains(&channel);
            tried.push(channel.clone());
            let answer = first
                .then(|| first_answers.get(channel.as_str()).cloned())
                .flatten();
            Box::pin(async move { answer })
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    managers_with_one_report(&bot, 5).await;
    let chat = slack_chat(&fake, &bot, Duration::from_secs(5));

    let first = scheduler::tick(&bot, &chat, due()).await.expect("a pass");
    assert_eq!(
        (first.sent, first.retried, first.failed),
        (0, 4, 1),
        "{first:?}"
    );
    let failed: String =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE status = 'failed'")
            .fetch_one(bot.store().pool())
            .await
            .expect("the failed one");
    assert_eq!(failed, "Slack refused it: channel_not_found");
    let later = scheduler::tick(&bot, &chat, due() + minutes(60))
        .await
        .expect("a pass");
    assert_eq!((later.sent, later.failed), (4, 0), "{later:?}");
    assert_eq!(fake.take("chat.postMessage").len(), 9);
    // A status without Slack's own answer may have been posted (a proxy may have passed the
    // request on): each DM was read before its message was sent again.
    assert_eq!(fake.take("conversations.history").len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_bot_token_gives_every_message_up_at_once_and_alerts_the_admin_channel_once() {
    let fake = FakeSlack::start().await;
    // The scheduler reads each recipient's status before a DM (issue 14).
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    let token_works = Arc::new(AtomicBool::new(false));
    fake.respond_with("chat.postMessage", {
        let token_works = Arc::clone(&token_works);
        move |_call| {
            let answer = (!token_works.load(Ordering::SeqCst))
                .then_some(Failure::SlackError("invalid_auth"));
            Box::pin(async move { answer })
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[("CAREER_BOT_ADMIN_CHANNEL", "C_ADMIN")]).await;
    managers_with_one_report(&bot, 3).await;
    let chat = slack_chat(&fake, &bot, Duration::from_secs(5));

    let first = scheduler::tick(&bot, &chat, due()).await.expect("a pass");
    // The three reminders are given up; the one alert about the token waits for it.
    assert_eq!((first.failed, first.retried), (3, 1), "{first:?}");
    let second = scheduler::tick(&bot, &chat, due() + minutes(60))
        .await
        .expect("a pass");
    assert_eq!((second.failed, second.retried), (0, 1), "{second:?}");
    let alerts: Vec<String> =
        sqlx::query_scalar("SELECT key FROM outbox WHERE kind = 'alert' ORDER BY id")
            .fetch_all(bot.store().pool())
            .await
            .expect("alerts");
    assert_eq!(
        alerts,
        ["alert:token:2026-04-20"],
        "one alert, not one per message"
    );
    fake.take("chat.postMessage");

    // The token is replaced: the alert goes out.
    token_works.store(true, Ordering::SeqCst);
    let fixed = scheduler::tick(&bot, &chat, due() + minutes(180))
        .await
        .expect("a pass");
    assert_eq!(fixed.sent, 1, "{fixed:?}");
    let alert = fake.expect_one("chat.postMessage");
    assert_eq!(alert.str_param("channel"), Some("C_ADMIN"));
    assert!(
        all_text(&alert.params).contains("Slack refused the bot token"),
        "{}",
        alert.params
    );
}

/// The reports a reminder DM lists ("Time for a career conversation with <@U_R1>…").
fn reports_in(call: &Recorded) -> Vec<String> {
    let text = all_text(&call.params["blocks"]);
    text.split("Time for a career conversation with <@")
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(id, _)| id.to_owned()))
        .collect()
}

/// On each database: on PostgreSQL the editor is a second replica, and the check before the
/// later messages is answered from the change notices its writes send (`store::changes`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_message_is_checked_right_before_its_send_so_done_move_remove_or_snooze_meanwhile_cancels_it()
 {
    for database in TestDatabase::all().await {
        eprintln!("on {}", database.label());
        checked_right_before_each_send(&database.url()).await;
        database.remove().await;
    }
}

async fn checked_right_before_each_send(url: &str) {
    let fake = FakeSlack::start().await;
    // The scheduler reads each recipient's status before a DM (issue 14).
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    let overrides = career_bot::config::Overrides {
        database: Some(url.to_owned()),
        ..Default::default()
    };
    let env = [("CAREER_BOT_ADMINS", "admin")];
    let bot = bot::open(&bot::config(&overrides, &env)).await;
    managers_with_one_report(&bot, 5).await;
    // Someone else changes the record while Slack is slow with the first message: the four
    // other reports are recorded, moved, removed and snoozed, one each.
    let editor = Arc::new(bot::open(&bot::config(&overrides, &env)).await);
    let changed = Arc::new(AtomicBool::new(false));
    fake.respond_with("chat.postMessage", {
        let (editor, changed) = (Arc::clone(&editor), Arc::clone(&changed));
        move |call| {
            let listed = reports_in(call);
            let (editor, changed) = (Arc::clone(&editor), Arc::clone(&changed));
            Box::pin(async move {
                if changed.swap(true, Ordering::SeqCst) {
                    return None;
                }
                let others: Vec<String> = (1..=5)
                    .map(|n| format!("U_R{n}"))
                    .filter(|report| !listed.contains(report))
                    .collect();
                let commands = [
                    format!("done @{}", others[0]),
                    format!("move @{} @U_M9", others[1]),
                    format!("remove @{}", others[2]),
                    format!("snooze @{} 2w", others[3]),
                ];
                for command in commands {
                    // An hour later, so the acknowledgement request it queues is not ready
                    // in this pass.
                    let out = run_as(&editor, "admin", &command, due() + minutes(60)).await;
                    assert!(!out.contains("went wrong"), "{command}: {out}");
                }
                Some(Failure::Slow(Duration::from_millis(200)))
            })
        }
    });
    let chat = slack_chat(&fake, &bot, Duration::from_secs(5));
    let report = scheduler::tick(&bot, &chat, due()).await.expect("a pass");
    assert_eq!((report.sent, report.superseded), (1, 4), "{report:?}");
    fake.expect_one("chat.postMessage");
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT last_error FROM outbox WHERE status = 'superseded' ORDER BY last_error",
    )
    .fetch_all(bot.store().pool())
    .await
    .expect("reasons");
    assert_eq!(
        reasons,
        [
            "the conversation was recorded or snoozed",
            "the conversation was recorded or snoozed",
            "the report has another manager",
            "the report was removed",
        ]
    );
    editor.store().close().await;
    bot.store().close().await;
}

/// A small deterministic RNG (xorshift64*), so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// What the faulty Slack of [`every_message_is_delivered_exactly_once_and_none_stale_against_a_faulty_slack_and_a_busy_database`]
/// saw and did.
#[derive(Default)]
struct Ledger {
    /// Per report, where a message about it may still go: its manager's DM, a new
    /// manager's after a move, nowhere after done, snooze or remove.
    allowed: HashMap<String, Option<String>>,
    /// Per report, the manager whose reports' DMs it is in.
    manager: HashMap<String, String>,
    /// Reports whose record was changed (never changed twice).
    changed: Vec<String>,
    /// Reports recorded as done: each gets one confirmation request.
    recorded: Vec<String>,
    /// Every delivery Slack accepted: "CHANNEL REPORT" for a reminder, "CHANNEL ack".
    delivered: Vec<String>,
    /// Deliveries of a message whose purpose was gone when it was sent.
    stale: Vec<String>,
    /// How each call was answered.
    outcomes: BTreeMap<&'static str, usize>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_is_delivered_exactly_once_and_none_stale_against_a_faulty_slack_and_a_busy_database()
 {
    let mut seen = BTreeMap::new();
    for seed in [0x5EED_2026_0420, 0x5EED_0001, 0x5EED_0002] {
        for (outcome, count) in faulty_run(seed).await {
            *seen.entry(outcome).or_insert(0) += count;
        }
    }
    let faults: Vec<&str> = seen.keys().copied().collect();
    assert_eq!(
        faults,
        ["408", "429", "503", "hang", "ok", "slow"],
        "the seeds exercise every fault: {seen:?}"
    );
}

/// Managers per faulty run, with two reports each.
const MANAGERS: usize = 12;

/// One run of the faulty Slack with `seed`, asserting exactly-once and no stale message;
/// returns how the calls were answered.
async fn faulty_run(seed: u64) -> BTreeMap<&'static str, usize> {
    let started = Instant::now();
    let fake = FakeSlack::start().await;
    // The scheduler reads each recipient's status before a DM (issue 14).
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    fake.ignore("chat.postMessage");
    // Rows a busy database kept from being put back stay `sending` until their lease ends;
    // the pass after looks them up in their DM first (issue 15).
    fake.ignore("conversations.history");
    let dir = tempfile::tempdir().expect("temp dir");
    let admins = [("CAREER_BOT_ADMINS", "admin")];
    let bot = bot::bot_in(dir.path(), &admins).await;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    for m in 1..=MANAGERS {
        for r in 1..=2 {
            let report = format!("U_R{m}_{r}");
            let out = run_as(
                &bot,
                &format!("U_M{m}"),
                &format!("add @{report} marketing 2"),
                at("2026-01-20T10:00:00Z"),
            )
            .await;
            assert!(out.contains("Added"), "{out}");
            let mut ledger = ledger.lock().expect("lock");
            ledger
                .allowed
                .insert(report.clone(), Some(format!("DU_M{m}")));
            ledger.manager.insert(report, format!("U_M{m}"));
        }
    }
    // Delivery waits only 50 ms for another writer's lock (the writer below holds it up to
    // 150 ms), so commits, claims and marks fail now and then and must be retried.
    bot::shorten_busy_timeout(bot.store(), Duration::from_millis(50)).await;
    // Another process that writes constantly.
    let writer = tokio::spawn({
        let database = dir.path().join("bot.db");
        async move {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", database.display()))
                .await
                .expect("the writer connects");
            let mut rng = Rng(seed ^ 0xABCD);
            loop {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("lock");
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ('test.writer', '1')
                     ON CONFLICT (key) DO UPDATE SET value = value + 1",
                )
                .execute(&mut *tx)
                .await
                .expect("write");
                tokio::time::sleep(Duration::from_millis(rng.below(150))).await;
                tx.commit().await.expect("commit");
                tokio::time::sleep(Duration::from_millis(rng.below(100))).await;
            }
        }
    });
    // Someone changing the record (another process too), only while Slack holds a message,
    // so what counts as stale is exact: a message sent after its report changed.
    let editor = Arc::new(bot::bot_in(dir.path(), &admins).await);
    let clock = Arc::new(Mutex::new(due()));
    let rng = Arc::new(Mutex::new(Rng(seed)));
    fake.respond_with("chat.postMessage", {
        let (ledger, rng, editor, clock) = (
            Arc::clone(&ledger),
            Arc::clone(&rng),
            Arc::clone(&editor),
            Arc::clone(&clock),
        );
        move |call| {
            let channel = channel(call);
            let listed = reports_in(call);
            let is_ack = all_text(&call.params).contains("Did you have a career conversation?");
            let (ledger, rng, editor, clock) = (
                Arc::clone(&ledger),
                Arc::clone(&rng),
                Arc::clone(&editor),
                Arc::clone(&clock),
            );
            Box::pin(async move {
                let (change, fault, pick, target) = {
                    let mut rng = rng.lock().expect("lock");
                    (
                        rng.below(100),
                        rng.below(100),
                        rng.below(1000),
                        rng.below(MANAGERS as u64),
                    )
                };
                // One report not in this message, not changed yet and not yet reminded, has
                // its record changed now: done, move, remove or snooze.
                if change < 20 {
                    let candidate = {
                        let ledger = ledger.lock().expect("lock");
                        let mut open: Vec<String> = ledger
                            .allowed
                            .iter()
                            .filter(|(report, allowed)| {
                                allowed.as_ref().is_some_and(|channel| {
                                    !ledger.delivered.contains(&format!("{channel} {report}"))
                                }) && !ledger.changed.contains(report)
                                    && !listed.contains(report)
                            })
                            .map(|(report, _)| report.clone())
                            .collect();
                        open.sort();
                        (!open.is_empty()).then(|| open[pick as usize % open.len()].clone())
                    };
                    if let Some(report) = candidate {
                        let manager = ledger.lock().expect("lock").manager[&report].clone();
                        let mut new_manager = format!("U_M{}", target + 1);
                        if new_manager == manager {
                            new_manager = format!("U_M{}", (target + 1) % MANAGERS as u64 + 1);
                        }
                        let (command, allowed) = match pick % 4 {
                            0 => (format!("done @{report}"), None),
                            1 => (
                                format!("move @{report} @{new_manager}"),
                                Some(format!("D{new_manager}")),
                            ),
                            2 => (format!("remove @{report}"), None),
                            _ => (format!("snooze @{report} 2w"), None),
                        };
                        let now = *clock.lock().expect("lock");
                        let out = run_as(&editor, "admin", &command, now).await;
                        assert!(!out.contains("went wrong"), "{command}: {out}");
                        let mut ledger = ledger.lock().expect("lock");
                        ledger.allowed.insert(report.clone(), allowed);
                        ledger.changed.push(report.clone());
                        if pick % 4 == 0 {
                            ledger.recorded.push(report);
                        }
                    }
                }
                let (outcome, answer) = match fault {
                    0..12 => ("503", Some(Failure::Status(503))),
                    12..20 => ("408", Some(Failure::Status(408))),
                    20..28 => (
                        "429",
                        Some(Failure::RateLimited {
                            retry_after_secs: 1,
                        }),
                    ),
                    28..31 => ("hang", Some(Failure::Hang)),
                    31..45 => ("slow", Some(Failure::Slow(Duration::from_millis(40)))),
                    _ => ("ok", None),
                };
                let mut ledger = ledger.lock().expect("lock");
                *ledger.outcomes.entry(outcome).or_insert(0) += 1;
                if matches!(outcome, "ok" | "slow") {
                    if is_ack {
                        ledger.delivered.push(format!("{channel} ack"));
                    }
                    for report in &listed {
                        let entry = format!("{channel} {report}");
                        if ledger.allowed.get(report) != Some(&Some(channel.clone())) {
                            ledger.stale.push(entry.clone());
                        }
                        ledger.delivered.push(entry);
                    }
                }
                answer
            })
        }
    });
    let chat = slack_chat(&fake, &bot, Duration::from_secs(1));
    let mut now = due();
    let mut passes = 0;
    loop {
        *clock.lock().expect("lock") = now;
        let pass = scheduler::tick(&bot, &chat, now).await;
        passes += 1;
        let open = scalar(
            &bot,
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')",
        )
        .await;
        // Done when a whole pass found nothing to plan or send (a moved report's reminder
        // is planned by the pass after the move) and nothing is left.
        if open == 0 && pass.is_ok_and(|pass| pass == scheduler::TickReport::default()) {
            break;
        }
        assert!(
            passes < 200,
            "still {open} messages open after {passes} passes"
        );
        // Past every lease, backoff and Retry-After of the pass before.
        now += minutes(6);
    }
    writer.abort();
    let failed = scalar(&bot, "SELECT count(*) FROM outbox WHERE status = 'failed'").await;
    assert_eq!(failed, 0, "nothing given up");
    let ledger = ledger.lock().expect("lock");
    let mut expected: Vec<String> = ledger
        .allowed
        .iter()
        .filter_map(|(report, allowed)| {
            allowed
                .as_ref()
                .map(|channel| format!("{channel} {report}"))
        })
        .chain(
            ledger
                .recorded
                .iter()
                .map(|report| format!("D{report} ack")),
        )
        .collect();
    expected.sort();
    let mut delivered = ledger.delivered.clone();
    delivered.sort();
    let metrics = bot.metrics().encode();
    let mark_failures = metrics
        .lines()
        .find_map(|line| line.strip_prefix("career_bot_sent_mark_failures_total "))
        .unwrap_or("0")
        .trim()
        .to_owned();
    eprintln!(
        "faulty Slack, seed {seed:#x}: {passes} passes, {} deliveries, outcomes {:?}, {} records changed, {mark_failures} failed mark commits retried, duplicates {:?}, stale {:?}, {:?}",
        delivered.len(),
        ledger.outcomes,
        ledger.changed.len(),
        repeated(&delivered),
        ledger.stale,
        started.elapsed()
    );
    assert_eq!(
        ledger.stale,
        Vec::<String>::new(),
        "sent after its purpose was gone"
    );
    assert_eq!(repeated(&delivered), BTreeMap::new(), "delivered twice");
    assert_eq!(delivered, expected, "every message delivered exactly once");
    ledger.outcomes.clone()
}
