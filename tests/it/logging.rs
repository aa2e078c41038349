//! Logs: every command runs in a span that names the user and the command's kind, never the
//! words of a question or a note, and an internal error is logged once inside it.

use std::sync::{Arc, Mutex};

use career_bot::bot::Request;
use career_bot::ids::UserId;
use chrono::{DateTime, Utc};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::support::bot;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

thread_local! {
    /// Where this thread's log lines go while a test captures them.
    static SINK: std::cell::RefCell<Option<Captured>> = const { std::cell::RefCell::new(None) };
}

/// Writes to the capturing test's buffer, if the current thread has one; other tests' lines
/// (on their own threads) are dropped.
#[derive(Clone, Copy)]
struct ThreadSink;

impl std::io::Write for ThreadSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        SINK.with(|sink| match sink.borrow_mut().as_mut() {
            Some(captured) => captured.write(bytes),
            None => Ok(bytes.len()),
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for ThreadSink {
    type Writer = ThreadSink;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

/// Stops capturing when dropped.
struct CaptureGuard;

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        SINK.with(|sink| sink.borrow_mut().take());
    }
}

/// Sends this thread's log lines to `captured`. One global subscriber, installed once, serves
/// every test: a per-thread default would race with other tests' threads over tracing's
/// global callsite-interest cache (a callsite first hit elsewhere could be cached as "never"
/// and its span lost here, which made a full run fail now and then).
fn capture(captured: &Captured) -> CaptureGuard {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(ThreadSink)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in the test binary");
    });
    SINK.with(|sink| *sink.borrow_mut() = Some(captured.clone()));
    CaptureGuard
}

/// The spans named `name` that closed, with their fields. A span that ran a database query
/// may close on sqlx's worker thread instead (the worker holds a clone of the current span
/// while it runs a statement, and can drop it last), where this thread's capture does not
/// see it: look for such spans with [`opened_spans`].
fn closed_spans(logs: &str, name: &str) -> Vec<serde_json::Value> {
    span_events(logs, name, "close")
}

/// The spans named `name` that were created, with the fields they had then (always on the
/// thread that created them).
fn opened_spans(logs: &str, name: &str) -> Vec<serde_json::Value> {
    span_events(logs, name, "new")
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
    let captured = Captured::default();
    let _guard = capture(&captured);

    let secret_question = "what does level 3 happiness need for zebra-secret-word";
    for text in [secret_question, "done @ana zebra-private-note", "team"] {
        bot.handle(&Request {
            user: UserId::new("U_MANAGER"),
            text: text.to_owned(),
            now: now(),
        })
        .await;
    }
    let logs = captured.text();
    let spans = opened_spans(&logs, "command");
    let kinds: Vec<&str> = spans
        .iter()
        .map(|span| span["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["ask", "done", "team"], "{logs}");
    assert!(
        spans.iter().all(|span| span["user"] == "U_MANAGER"),
        "{logs}"
    );
    // The question touches no database, so its span closes here, with the framework
    // recorded once the handler knew it.
    let asked = closed_spans(&logs, "command");
    assert_eq!(asked[0]["kind"], "ask", "{logs}");
    assert_eq!(asked[0]["framework"], "buffer-happiness", "{logs}");
    assert!(!logs.contains("zebra"), "private words were logged: {logs}");
}

#[tokio::test]
async fn each_scheduler_pass_and_each_delivery_runs_in_a_span_with_the_outbox_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    bot.handle(&Request {
        user: career_bot::ids::UserId::new("U_MANAGER"),
        text: "add @U_ANA marketing 2".to_owned(),
        now: now(),
    })
    .await;
    let captured = Captured::default();
    let _guard = capture(&captured);
    let chat = career_bot::shell::ShellChat::default();
    let due: DateTime<Utc> = "2026-06-02T09:00:00Z".parse().expect("time");
    let report = career_bot::scheduler::tick(&bot, &chat, due)
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1, "{report:?}");
    let logs = captured.text();
    let deliveries = closed_spans(&logs, "delivery");
    assert_eq!(deliveries.len(), 1, "{logs}");
    let key = deliveries[0]["key"].as_str().unwrap_or_default();
    assert!(key.contains("U_ANA"), "the key names the report: {key}");
    assert_eq!(deliveries[0]["kind"], "reminder", "{logs}");
    // The delivery ran inside the pass: its line lists the pass among its parent spans.
    let delivery_line = logs
        .lines()
        .find(|line| line.contains("\"name\":\"delivery\""))
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
    let captured = Captured::default();
    let _guard = capture(&captured);
    let due: DateTime<Utc> = "2026-06-02T09:00:00Z".parse().expect("time");
    for hours in [0, 1, 2] {
        let at = due + chrono::Duration::hours(hours);
        career_bot::scheduler::tick(&bot, &RefusedTokenChat, at)
            .await
            .expect("a pass");
    }
    let logs = captured.text();
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
