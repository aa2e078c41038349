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

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

fn now() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().expect("time")
}

#[tokio::test]
async fn each_command_runs_in_a_span_with_the_user_and_kind_but_not_its_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(captured.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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
    let spans: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["name"] == "command")
        .map(|line| line["span"].clone())
        .collect();
    let kinds: Vec<&str> = spans
        .iter()
        .map(|span| span["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["ask", "done", "team"], "{logs}");
    assert!(
        spans.iter().all(|span| span["user"] == "U_MANAGER"),
        "{logs}"
    );
    assert_eq!(spans[0]["framework"], "buffer-happiness", "{logs}");
    assert!(!logs.contains("zebra"), "private words were logged: {logs}");
}
