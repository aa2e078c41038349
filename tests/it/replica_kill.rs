//! Issue 15, "Tests and budgets": three `serve` processes on one PostgreSQL database with the
//! fake Slack. A thousand reports are due in one slot; one replica is killed with SIGKILL in
//! the middle of delivery and started again. Every reminder is posted exactly once (the fake
//! Slack keeps every message's outbox keys), every outbox row ends `sent`, and every signed
//! slash command sent to a live replica meanwhile is answered.
//!
//! Slack answers each post only some time after it has the message, so a kill lands between
//! Slack accepting a message and the bot marking it; and a replica's batch takes longer than
//! the (short) lease, as a batch of 500 does against a slow Slack with the default lease.
//! Runs only when `CAREER_BOT_TEST_POSTGRES_URL` is set (see `support::databases`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use chrono::Utc;

use career_bot::store::Store;

use crate::support::databases::TestDatabase;
use crate::support::fake_slack::FakeSlack;
use crate::support::{self, binary, harness};

/// Managers, each with [`REPORTS_EACH`] reports due in the same slot: one DM each, listing
/// them all, and one outbox row (one key) per report.
const MANAGERS: usize = 200;
const REPORTS_EACH: usize = 5;
const REPORTS: usize = MANAGERS * REPORTS_EACH;
/// How long Slack takes to answer a post it already has: 100 DMs per replica's batch take
/// about 15 s, longer than the lease below.
const ANSWER_AFTER: Duration = Duration::from_millis(150);
/// The lease the replicas run with (`[delivery] lease`): a killed replica's rows wait this long.
const LEASE: &str = "10s";
/// The longest any one stage may take before the test gives up (a safety net, not a timing
/// assertion: every stage normally ends long before).
const STAGE_LIMIT: Duration = Duration::from_secs(180);
const SIGNING_SECRET: &str = "0123456789abcdef0123456789abcdef";

/// The org: `U_M{m}` manages `U_R{m}_{r}`, everyone on a framework since long enough ago
/// that their conversation is due.
fn org_csv() -> String {
    let start = (Utc::now() - chrono::Duration::days(120)).date_naive();
    let mut csv = String::from("user,name,manager,framework,level,start_date,time_zone\n");
    for m in 1..=MANAGERS {
        csv.push_str(&format!("U_M{m},Manager {m},,,,,\n"));
        for r in 1..=REPORTS_EACH {
            csv.push_str(&format!(
                "U_R{m}_{r},Report {m} {r},U_M{m},buffer-marketing,2,{start},\n"
            ));
        }
    }
    csv
}

/// Every hour a slot, every day a working day (so nothing waits for a weekday), a pass a
/// second, and the short lease.
const CONFIG: &str = "[reminders]\ncron = \"0 0 * * * *\"\ntick_seconds = 1\n[calendar]\nworking_days = \"Mon-Sun\"\n[delivery]\nlease = \"10s\"\n";

/// One `career-bot serve` process, its log read on a thread of its own (so a full pipe never
/// stops it).
struct Replica {
    child: Child,
    address: String,
}

impl Replica {
    fn start(dir: &Path, database: &str, fake: &FakeSlack) -> Replica {
        let mut child = binary::career_bot(dir)
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
            .env("CAREER_BOT_CONFIG", dir.join("replicas.toml"))
            .env("SLACK_BOT_TOKEN", harness::BOT_TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("SLACK_API_URL", fake.api_url())
            // A 10 s lease needs sends that end within its half.
            .env("SLACK_API_TIMEOUT", "4")
            .env("DATABASE_URL", database)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut told = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if told {
                    continue;
                }
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if value["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("career-bot is serving"))
                {
                    let _ = tx.send(value["address"].as_str().unwrap_or_default().to_owned());
                    told = true;
                }
            }
        });
        let address = rx
            .recv_timeout(STAGE_LIMIT)
            .expect("the replica logs the address it serves on");
        Replica { child, address }
    }

    fn kill(&mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown, no grace, marks not committed.
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The slash commands posted while delivery runs: to every live replica in turn, each
/// checked to be answered.
struct Commands {
    live: Mutex<Vec<String>>,
    rounds: AtomicUsize,
    answered: AtomicUsize,
    failures: Mutex<Vec<String>>,
    stop: std::sync::atomic::AtomicBool,
}

impl Commands {
    /// Posts `/career team` (which reads the database) and `/career help` (which does not)
    /// to each live replica, round after round, until stopped.
    async fn run(self: Arc<Self>, fake_response_url: String) {
        let http = harness::http();
        let mut n = 0_usize;
        while !self.stop.load(Ordering::SeqCst) {
            let live = self.live.lock().expect("lock").clone();
            for address in live {
                n += 1;
                let manager = format!("U_M{}", n % MANAGERS + 1);
                let text = if n.is_multiple_of(2) { "team" } else { "help" };
                let body = harness::form(&[
                    ("token", "unused"),
                    ("team_id", support::TEAM_ID),
                    ("team_domain", "fake"),
                    ("channel_id", "C_GENERAL"),
                    ("channel_name", "general"),
                    ("user_id", &manager),
                    ("user_name", &manager),
                    ("command", "/career"),
                    ("text", text),
                    ("api_app_id", support::APP_ID),
                    ("response_url", &fake_response_url),
                    // Each command its own: one trigger repeated reads as Slack's retry.
                    ("trigger_id", &format!("1337.{n}.trigger")),
                ]);
                let timestamp = harness::unix_now();
                let sent = http
                    .post(format!("http://{address}/slack/commands"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-slack-request-timestamp", timestamp.to_string())
                    .header(
                        "x-slack-signature",
                        harness::signature(SIGNING_SECRET, timestamp, &body),
                    )
                    .body(body)
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(response) if response.status() == 200 => {
                        match response.json::<serde_json::Value>().await {
                            Ok(answer) if !harness::all_text(&answer).trim().is_empty() => Ok(()),
                            Ok(answer) => {
                                Err(format!("{text} on {address}: empty answer {answer}"))
                            }
                            Err(error) => Err(format!("{text} on {address}: not JSON: {error}")),
                        }
                    }
                    Ok(response) => Err(format!("{text} on {address}: {}", response.status())),
                    Err(error) => Err(format!("{text} on {address}: {error}")),
                };
                match outcome {
                    Ok(()) => {
                        self.answered.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(failure) => self.failures.lock().expect("lock").push(failure),
                }
            }
            self.rounds.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Takes `address` out of the rotation and returns once no request to it is in flight
    /// (a round that began before has ended).
    async fn retire(&self, address: &str) {
        self.live
            .lock()
            .expect("lock")
            .retain(|live| live != address);
        let round = self.rounds.load(Ordering::SeqCst);
        until("a round without the retired replica", || {
            self.rounds.load(Ordering::SeqCst) >= round + 2
        })
        .await;
    }
}

/// Waits until `done` holds; a stage still waiting after [`STAGE_LIMIT`] is a hang, and fails
/// the test rather than blocking CI.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(STAGE_LIMIT, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    if waited.is_err() {
        panic!("hung waiting for {what}");
    }
}

/// How many outbox rows are `sent`, and how many there are.
async fn sent_of_all(store: &Store) -> (usize, usize) {
    let all = store.outbox(None).await.expect("outbox");
    let sent = all
        .iter()
        .filter(|row| row.status == career_bot::store::outbox::OutboxStatus::Sent)
        .count();
    (sent, all.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_one_killed_mid_delivery_post_every_reminder_once_and_answer_every_command()
{
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let url = database.url();
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(CONFIG.contains(LEASE));
    std::fs::write(dir.path().join("replicas.toml"), CONFIG).expect("config");
    let csv = dir.path().join("org.csv");
    std::fs::write(&csv, org_csv()).expect("org csv");
    let imported = binary::career_bot(dir.path())
        .args(["--db", &url, "import-org"])
        .arg(&csv)
        .output()
        .expect("import-org runs");
    assert!(
        imported.status.success(),
        "import-org: {}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let fake = FakeSlack::start().await;
    for method in [
        "auth.test",
        "users.info",
        "dnd.info",
        "conversations.open",
        "conversations.history",
        "chat.postMessage",
    ] {
        fake.ignore(method);
    }
    fake.accept_posts_then_answer_after(ANSWER_AFTER);

    // The replica to be killed starts first and is posting before the other two start, so it
    // planned the slot and holds the first claimed batch when it is killed. Started together,
    // the other two could win both claims right after its plan (1,000 rows are two batches),
    // leaving it nothing in flight to recover.
    let mut replicas = vec![Replica::start(dir.path(), &url, &fake)];
    until("the first replica's first DM", || {
        !fake.posted_keys().is_empty()
    })
    .await;
    replicas.push(Replica::start(dir.path(), &url, &fake));
    replicas.push(Replica::start(dir.path(), &url, &fake));
    let commands = Arc::new(Commands {
        live: Mutex::new(replicas.iter().map(|r| r.address.clone()).collect()),
        rounds: AtomicUsize::new(0),
        answered: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
        stop: std::sync::atomic::AtomicBool::new(false),
    });
    let poster = tokio::spawn(Arc::clone(&commands).run(fake.response_url()));

    // Mid-delivery: some DMs posted, most not.
    until("the first DMs", || fake.posted_keys().len() >= REPORTS / 5).await;
    let victim = replicas[0].address.clone();
    commands.retire(&victim).await;
    replicas[0].kill();
    let posted_at_kill = fake.posted_keys().len();
    assert!(
        posted_at_kill < REPORTS,
        "killed mid-delivery, after {posted_at_kill} of {REPORTS} reminders"
    );

    // Started again, on a new port, and back in the rotation.
    replicas[0] = Replica::start(dir.path(), &url, &fake);
    commands
        .live
        .lock()
        .expect("lock")
        .push(replicas[0].address.clone());

    let store = Store::open(&url)
        .await
        .expect("the test reads the database");
    let all_sent = tokio::time::timeout(STAGE_LIMIT, async {
        while sent_of_all(&store).await != (REPORTS, REPORTS) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if all_sent.is_err() {
        let (sent, all) = sent_of_all(&store).await;
        panic!(
            "hung with {sent} of {all} outbox rows sent ({} keys posted)",
            fake.posted_keys().len()
        );
    }
    // A few more rounds of commands, then stop.
    let round = commands.rounds.load(Ordering::SeqCst);
    until("commands after delivery", || {
        commands.rounds.load(Ordering::SeqCst) >= round + 2
    })
    .await;
    commands.stop.store(true, Ordering::SeqCst);
    poster.await.expect("the command poster ends");
    for replica in &mut replicas {
        replica.kill();
    }

    let keys = fake.posted_keys();
    let mut unique = keys.clone();
    unique.dedup();
    let twice: Vec<&String> = keys
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(
        twice.is_empty(),
        "posted twice: {} keys, e.g. {:?}",
        twice.len(),
        &twice[..twice.len().min(5)]
    );
    assert_eq!(unique.len(), REPORTS, "every reminder posted");
    assert!(
        unique.iter().all(|key| key.starts_with("reminder:U_R")),
        "{:?}",
        &unique[..5]
    );
    let (sent, all) = sent_of_all(&store).await;
    assert_eq!((sent, all), (REPORTS, REPORTS), "every outbox row sent");
    assert!(
        !fake.take("conversations.history").is_empty(),
        "the killed replica's unmarked rows were looked up before anyone sent them again"
    );

    let failures = commands.failures.lock().expect("lock").clone();
    assert!(failures.is_empty(), "unanswered commands: {failures:#?}");
    let answered = commands.answered.load(Ordering::SeqCst);
    assert!(
        answered >= 3 * 4,
        "commands kept coming throughout: only {answered} answered"
    );
    eprintln!("killed after {posted_at_kill} of {REPORTS} posted; {answered} commands answered");

    store.close().await;
    drop(replicas);
    database.remove().await;
}

/// The store half of the fix, on each database: a pass renews the lease of rows it still
/// holds, and learns which another replica took over once the lease had ended.
#[tokio::test]
async fn a_lease_is_renewed_only_for_rows_no_one_else_took_over() {
    use career_bot::reply::Reply;
    use career_bot::store::leases::HeldRow;
    use career_bot::store::outbox::{NewMessage, kind};

    let at = |text: &str| -> chrono::DateTime<Utc> { text.parse().expect("a time") };
    crate::support::databases::each(async |store: Store| {
        let now = at("2026-04-20T09:00:00Z");
        for user in ["U_A", "U_B"] {
            let message = NewMessage {
                key: format!("notice:{user}"),
                kind: kind::NOTICE,
                recipient: user.to_owned(),
                report_id: None,
                payload: Reply::paragraph("hello"),
                planned_for: now,
            };
            store.plan(&message, now).await.expect("plan");
        }
        let lease = chrono::Duration::seconds(10);
        let until = now + lease;
        let ours = store.claim_ready(now, until, 1).await.expect("claim");
        let theirs = store.claim_ready(now, until, 1).await.expect("claim");
        assert_eq!((ours.len(), theirs.len()), (1, 1));
        let held = |rows: &[career_bot::store::outbox::OutboxRow]| -> Vec<HeldRow> {
            rows.iter()
                .map(|row| HeldRow {
                    id: row.id,
                    attempts: row.attempts,
                })
                .collect()
        };

        // Half the lease spent: renewed, for the row this pass holds.
        let renewed_until = now + chrono::Duration::seconds(5) + lease;
        let renewed = store
            .renew_lease(&held(&ours), until, renewed_until)
            .await
            .expect("renew");
        assert_eq!(renewed.into_iter().collect::<Vec<_>>(), [ours[0].id]);
        // A lease end this pass did not give it: not renewed.
        assert!(
            store
                .renew_lease(&held(&ours), until, renewed_until)
                .await
                .expect("renew")
                .is_empty()
        );

        // The other row's lease ends unrenewed; another replica claims it.
        let later = until + chrono::Duration::seconds(1);
        let taken = store
            .claim_ready(later, later + lease, 10)
            .await
            .expect("claim");
        assert_eq!(
            taken.iter().map(|row| row.id).collect::<Vec<_>>(),
            [theirs[0].id],
            "only the row whose lease ended"
        );
        let renewed = store
            .renew_lease(&held(&theirs), until, later + lease)
            .await
            .expect("renew");
        assert!(renewed.is_empty(), "no longer this pass's: {renewed:?}");
    })
    .await;
}
