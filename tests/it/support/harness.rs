//! Starting the real `serve` server in a test: a temp database, the fake Slack for the Web
//! API, port 0 on loopback, and HMAC-signed requests to its routes.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use career_bot::bot::{Bot, Request};
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;
use career_bot::serve::Server;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::bot;

/// The signing secret the test server verifies with (32 hex characters, as Slack's are).
pub const HEX_SECRET: &str = "8f742231b10e8888abcd99aaabbb85a5";
/// The bot token the test server uses.
pub const BOT_TOKEN: &str = "xoxb-test-token";
/// The app token for Socket Mode.
pub const APP_TOKEN: &str = "xapp-test-token";

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub bot: Arc<Bot>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), career_bot::serve::ServeError>>>,
}

impl Running {
    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("the server stops within 10 s")
                .expect("the server task does not panic");
            result.expect("the server stops cleanly");
        }
    }

    /// `http://ADDR/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A configuration for a test server: HTTP mode unless `socket_mode`; the database in
/// `dir/bot.db`; `extra` variables win over the defaults.
pub fn config(dir: &Path, api_url: &str, socket_mode: bool, extra: &[(&str, &str)]) -> Config {
    let mut env = vec![
        ("SLACK_BOT_TOKEN", BOT_TOKEN),
        ("SLACK_SIGNING_SECRET", HEX_SECRET),
        ("SLACK_API_URL", api_url),
        ("CAREER_BOT_ADMINS", "U_ADMIN"),
    ];
    if socket_mode {
        env.push(("SLACK_APP_TOKEN", APP_TOKEN));
    }
    env.extend_from_slice(extra);
    let overrides = Overrides {
        listen: Some("127.0.0.1:0".to_owned()),
        ..bot::database_in(dir)
    };
    bot::config(&overrides, &env)
}

/// Builds and starts the server.
pub async fn start(config: Config) -> Running {
    let server = Server::build(config).await.expect("the server builds");
    let addr = server.local_addr();
    let bot = server.bot();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        bot,
        stop: Some(stop),
        task: Some(task),
    }
}

/// Runs a command as `user` at `now` directly on a bot (to set up data).
pub async fn run_as(
    bot: &Bot,
    user: &str,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    bot.handle(&Request {
        user: UserId::new(user),
        text: text.to_owned(),
        now,
    })
    .await
    .to_plain_text()
}

/// Slack's signature: `v0=` + hex(HMAC-SHA256(secret, "v0:TIMESTAMP:BODY")).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length works");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Seconds since the epoch, now.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// POSTs `body` to `path` signed with `secret` at `timestamp`.
pub async fn post_signed(
    http: &reqwest::Client,
    url: &str,
    content_type: &str,
    body: String,
    secret: &str,
    timestamp: i64,
) -> reqwest::Response {
    http.post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header("x-slack-signature", signature(secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .expect("the server answers")
}

/// A form-encoded body.
pub fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("fields encode")
}

/// An HTTP client for the tests (plain http to loopback).
pub fn http() -> reqwest::Client {
    career_bot::slack::client::install_tls_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

/// Polls `query` until it returns `expected` (the server commits after Slack answers, so a
/// test that saw the request must wait for the commit). Panics after 10 s.
pub async fn eventually_row<T>(bot: &Bot, sql: &'static str, expected: T)
where
    T: PartialEq + std::fmt::Debug + Send + Unpin,
    for<'r> T: sqlx::FromRow<'r, sqlx::any::AnyRow>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let row: Option<T> = sqlx::query_as(sql)
            .fetch_optional(bot.store().pool())
            .await
            .expect("query runs");
        if row.as_ref() == Some(&expected) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{sql} returned {row:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every string in a JSON value, one per line (to search rendered Block Kit).
pub fn all_text(value: &serde_json::Value) -> String {
    fn collect(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::String(text) => {
                out.push_str(text);
                out.push('\n');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    collect(value, &mut out);
    out
}

/// The button with `action_id` in Block Kit `blocks`; panics when there is none.
pub fn button(blocks: &serde_json::Value, action_id: &str) -> serde_json::Value {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .filter(|block| block["type"] == "actions")
        .flat_map(|block| block["elements"].as_array().cloned().unwrap_or_default())
        .find(|element| element["action_id"] == action_id)
        .unwrap_or_else(|| panic!("no {action_id} button in {blocks}"))
}

/// `GET path` on `server`: the status and the body.
pub async fn get(server: &Running, path: &str) -> (u16, String) {
    let response = http()
        .get(server.url(path))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.text().await.expect("text"))
}
