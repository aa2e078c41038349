//! Logs: every command runs in a span that names the user and the command's kind, never the
//! words of a question or a note, and an internal error is logged once inside it.

use std::sync::Mutex;

use career_bot::bot::Request;
use career_bot::ids::UserId;
use chrono::{DateTime, Utc};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::support::bot;

/// Everything the global subscriber writes while at least one test captures.
static LINES: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// How many tests are capturing.
static CAPTURING: Mutex<usize> = Mutex::new(0);

/// Writes into [`LINES`] while a test captures; otherwise drops the line.
#[derive(Clone, Copy)]
struct GlobalSink;

impl std::io::Write for GlobalSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if *CAPTURING.lock().expect("capture count") > 0 {
            LINES.lock().expect("log lines").extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for GlobalSink {
    type Writer = GlobalSink;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// Capturing goes on until this is dropped.
struct CaptureGuard;

impl CaptureGuard {
    /// The lines captured so far (every test's: pick yours by user or key).
    fn text(&self) -> String {
        String::from_utf8_lossy(&LINES.lock().expect("log lines")).into_owned()
    }
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        let mut capturing = CAPTURING.lock().expect("capture count");
        *capturing = capturing.saturating_sub(1);
    }
}

/// Starts capturing log lines. One global subscriber, installed once,
/// serves every test: a per-thread default races with other tests' threads over tracing's
/// global callsite-interest cache, and routing lines by thread loses a span that closes on
/// another thread. So every line is kept while any test captures, and each test picks its
/// own lines by the unique user or key it uses.
fn capture() -> CaptureGuard {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(GlobalSink)
            .with_span_events(FmtSpan::CLOSE)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in the test binary");
    });
    *CAPTURING.lock().expect("capture count") += 1;
    CaptureGuard
}

/// The captured lines once `done` says they are complete, or after a generous bound (the
/// assertions then say what is missing): spans close when their last handle is dropped,
/// which a task started inside them may do after the command returned.
async fn settled(captured: &CaptureGuard, done: impl Fn(&str) -> bool) -> String {
    // Up to 30 s: on a machine busy with other builds a span has been seen to close after
    // the 5 s this waited before. Waiting ends as soon as the lines are complete.
    for _ in 0..3_000 {
        let logs = captured.text();
        if done(&logs) {
            return logs;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    captured.text()
}

/// The spans named `name` that closed, with their fields (a span that ran a database query
/// may close on sqlx's worker thread: the global sink keeps every thread's lines).
fn closed_spans(logs: &str, name: &str) -> Vec<serde_json::Value> {
    span_events(logs, name, "close")
}

fn span_events(logs: &str, name: &str, event: &str) -> Vec<serde_json::Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["name"] == name && line["fields"]["message"] == event)
        .map(|line| line["span"].clone())
        .collect()
}

fn now() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("time")
}

#[tokio::test]
async fn each_command_runs_in_a_span_with_the_user_and_kind_but_not_its_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    let captured = capture();

    let secret_question = "what does level 3 happiness need for zebra-secret-word";
    for text in [secret_question, "done @ana zebra-private-note", "team"] {
        bot.handle(&Request {
            user: UserId::new("U_LOGGED_MANAGER"),
            text: text.to_owned(),
            now: now(),
        })
        .await;
    }
    // A span closes when its last handle is dropped, and a task a command started (a new
    // database connection, say) may hold one a little longer: wait for the closes, bounded.
    let mine = |logs: &str| -> Vec<serde_json::Value> {
        closed_spans(logs, "command")
            .into_iter()
            .filter(|span| span["user"] == "U_LOGGED_MANAGER")
            .collect()
    };
    let logs = settled(&captured, |logs| mine(logs).len() >= 3).await;
    let spans = mine(&logs);
    // Spans are logged as they close, which need not be the order the commands ran in: a
    // command's span may be held a moment longer by a task it started.
    let mut kinds: Vec<&str> = spans
        .iter()
        .map(|span| span["kind"].as_str().unwrap_or_default())
        .collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["ask", "done", "team"], "{logs}");
    assert!(
        spans.iter().all(|span| span["user"] == "U_LOGGED_MANAGER"),
        "{logs}"
    );
    // The question's span carries the framework, recorded once the handler knew it. (Only
    // this test's spans: other tests running commands meanwhile close theirs in the same
    // capture.)
    let ask = spans
        .iter()
        .find(|span| span["kind"] == "ask")
        .unwrap_or_else(|| panic!("the question's span in {logs}"));
    assert_eq!(ask["framework"], "buffer-happiness", "{logs}");
    assert!(!logs.contains("zebra"), "private words were logged: {logs}");
}

#[tokio::test]
async fn each_scheduler_pass_and_each_delivery_runs_in_a_span_with_the_outbox_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    // Its own manager: lines are kept while any test captures, and the command test counts
    // the spans of its user.
    bot.handle(&Request {
        user: career_bot::ids::UserId::new("U_LOGGED_SCHEDULER_MANAGER"),
        text: "add @U_LOGGED_REPORT marketing 2".to_owned(),
        now: now(),
    })
    .await;
    let captured = capture();
    let chat = career_bot::shell::ShellChat::default();
    let due: DateTime<Utc> = "2026-06-02T09:00:00Z".parse().expect("time");
    let report = career_bot::scheduler::tick(&bot, &chat, due)
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1, "{report:?}");
    let mine = |logs: &str| -> Vec<serde_json::Value> {
        closed_spans(logs, "delivery")
            .into_iter()
            .filter(|span| {
                span["key"]
                    .as_str()
                    .is_some_and(|key| key.contains("U_LOGGED_REPORT"))
            })
            .collect()
    };
    let logs = settled(&captured, |logs| !mine(logs).is_empty()).await;
    let deliveries = mine(&logs);
    assert_eq!(deliveries.len(), 1, "the key names the report: {logs}");
    assert_eq!(deliveries[0]["kind"], "reminder", "{logs}");
    // The delivery ran inside the pass: its line lists the pass among its parent spans.
    let delivery_line = logs
        .lines()
        .find(|line| line.contains("\"name\":\"delivery\"") && line.contains("U_LOGGED_REPORT"))
        .unwrap_or_default();
    let line: serde_json::Value = serde_json::from_str(delivery_line).expect("json");
    assert_eq!(line["spans"][0]["name"], "scheduler_pass", "{logs}");
}

/// A chat whose token is refused.
struct RefusedTokenChat;

impl career_bot::chat::Chat for RefusedTokenChat {
    async fn send(
        &self,
        _recipient: career_bot::chat::Recipient<'_>,
        _reply: &career_bot::reply::Reply,
        _key: &str,
    ) -> Result<career_bot::chat::Delivered, career_bot::chat::SendError> {
        Err(career_bot::chat::SendError::Unauthorized(
            "Slack refused the bot token: invalid_auth".to_owned(),
        ))
    }
}

#[tokio::test]
async fn a_refused_bot_token_is_logged_once_however_many_messages_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[("CAREER_BOT_ADMIN_CHANNEL", "C_ADMIN")]).await;
    for n in 1..=3 {
        bot.handle(&Request {
            user: UserId::new(format!("U_M{n}")),
            text: format!("add @U_R{n} marketing 2"),
            now: now(),
        })
        .await;
    }
    let captured = capture();
    // An unusual pass time marks this test's lines: other tests log at the same time into
    // the same capture.
    let due: DateTime<Utc> = "2031-07-14T09:17:00Z".parse().expect("time");
    for hours in [0, 1, 2] {
        let at = due + chrono::Duration::hours(hours);
        career_bot::scheduler::tick(&bot, &RefusedTokenChat, at)
            .await
            .expect("a pass");
    }
    let logs: String = captured
        .text()
        .lines()
        .filter(|line| line.contains("2031-07-14"))
        .map(|line| format!("{line}\n"))
        .collect();
    let refusals = logs
        .lines()
        .filter(|line| line.contains("the chat refused the bot token"))
        .count();
    assert_eq!(refusals, 1, "{logs}");
    assert!(
        !logs.contains("giving up on a message"),
        "not one error line per message: {logs}"
    );
}

#[tokio::test]
async fn a_rejected_org_file_is_logged_with_its_lines_never_the_emails_in_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    let file = dir.path().join("quokka-org.csv");
    std::fs::write(
        &file,
        "user,manager,framework,level\nquokka.person@acme.test,,buffer-marketing,9\n",
    )
    .expect("org file");
    let captured = capture();
    let outcome = career_bot::org_sync::sync_file(&bot, &file, None, now()).await;
    assert!(
        matches!(outcome, career_bot::org_sync::SyncOutcome::Rejected(_)),
        "{outcome:?}"
    );
    let logs = settled(&captured, |logs| logs.contains("quokka-org.csv")).await;
    let rejected: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("quokka-org.csv"))
        .collect();
    assert_eq!(rejected.len(), 1, "{logs}");
    assert!(rejected[0].contains("org file rejected"), "{}", rejected[0]);
    assert!(!logs.contains("quokka.person@acme.test"), "{logs}");
}
