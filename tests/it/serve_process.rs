//! `career-bot serve` as an operator runs it: a real process with JSON logs, answering
//! /healthz and /readyz, reloading frameworks on file changes and SIGHUP (a broken edit is
//! reported with file and line and the bot keeps serving), and stopping cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::FakeSlack;
use crate::support::binary;

const FRAMEWORK: &str = "id: acme-ops\nname: Acme Ops\norganisation: Acme\nteam: Operations\nsource: {url: https://example.com, attribution: Acme}\nlevels:\n  - level: 1\n    titles: [Operator]\n    summary: Runs the playbooks.\n";

struct Process {
    child: Child,
    lines: mpsc::Receiver<serde_json::Value>,
    seen: Vec<serde_json::Value>,
}

impl Process {
    /// Waits for a log line whose message contains `text`; returns it.
    fn wait_for_log(&mut self, text: &str) -> serde_json::Value {
        if let Some(line) = self
            .seen
            .iter()
            .find(|l| l["message"].as_str().is_some_and(|m| m.contains(text)))
        {
            return line.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no log line containing {text:?}; saw {:#?}", self.seen)
            });
            self.seen.push(line.clone());
            if line["message"].as_str().is_some_and(|m| m.contains(text)) {
                return line;
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reloads_on_change_and_sighup_and_stops_cleanly_on_sigterm() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).expect("mkdir");
    let file = frameworks.join("ops.yaml");
    std::fs::write(&file, FRAMEWORK).expect("write");

    let mut child = binary::career_bot(dir.path())
        .args(["--log-format", "json", "--frameworks"])
        .arg(&frameworks)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SLACK_BOT_TOKEN", "xoxb-process-test")
        .env("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef")
        .env("SLACK_API_URL", fake.api_url())
        .env(
            "DATABASE_URL",
            dir.path().join("bot.db").display().to_string(),
        )
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stderr = child.stderr.take().expect("piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let value = serde_json::from_str::<serde_json::Value>(&line)
                .unwrap_or_else(|_| panic!("--log-format json writes JSON lines, got {line:?}"));
            if tx.send(value).is_err() {
                break;
            }
        }
    });
    let mut process = Process {
        child,
        lines,
        seen: Vec::new(),
    };

    let serving = process.wait_for_log("career-bot is serving");
    let address = serving["address"]
        .as_str()
        .expect("the log names the address")
        .to_owned();
    assert_eq!(serving["mode"], "http");
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("http://{address}/healthz"))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );
    assert_eq!(
        http.get(format!("http://{address}/readyz"))
            .send()
            .await
            .expect("ready")
            .status(),
        200
    );
    let logs: String = process.seen.iter().map(ToString::to_string).collect();
    assert!(
        !logs.contains("xoxb-process-test"),
        "the token never appears in logs"
    );
    assert!(
        !logs.contains("0123456789abcdef0123456789abcdef"),
        "the secret never appears in logs"
    );

    // A broken edit: reported with file and line, and the bot keeps serving.
    std::fs::write(
        &file,
        FRAMEWORK.replace("titles: [Operator]", "titles: [Operator"),
    )
    .expect("write");
    let rejected = process.wait_for_log("framework reload rejected");
    assert!(
        rejected["error"]
            .as_str()
            .expect("error field")
            .contains("ops.yaml:"),
        "{rejected}"
    );
    assert_eq!(
        http.get(format!("http://{address}/healthz"))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );

    // Fixed, then reloaded on SIGHUP as well.
    std::fs::write(&file, FRAMEWORK).expect("write");
    process.wait_for_log("frameworks reloaded");
    process.signal("HUP");
    process.wait_for_log("SIGHUP received");

    process.signal("TERM");
    process.wait_for_log("stopped");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = process.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    assert!(
        !dir.path().join("bot.db-wal").exists()
            || std::fs::metadata(dir.path().join("bot.db-wal"))
                .map(|m| m.len())
                .unwrap_or(0)
                == 0,
        "the database was closed cleanly"
    );
}
