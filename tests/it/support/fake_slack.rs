//! A fake Slack Web API (and Socket Mode WebSocket) on loopback. See `tests/it/support/mod.rs`
//! for how to use it; the responses are shaped after slack-morphism 2.31's response types,
//! which deserialise strictly.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures_util::future::BoxFuture;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use slack_morphism::prelude::{SlackClient, SlackClientHyperConnector, SlackHyperClient};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;
use tokio_tungstenite::tungstenite::Message;

/// Team id used in every default response.
pub const TEAM_ID: &str = "T0FAKE";
/// The bot's own user id, as `auth.test` reports it.
pub const BOT_USER_ID: &str = "UBOT";
/// The bot id, as `auth.test` reports it.
pub const BOT_ID: &str = "BBOT";
/// The app id, sent in the Socket Mode `hello` and in view responses.
pub const APP_ID: &str = "A0FAKE";

/// Methods the fake answers by default. Anything else is recorded as unexpected
/// (and fails the test on drop) unless the test scripted a response for it.
pub const SERVED_METHODS: &[&str] = &[
    "auth.test",
    "chat.postMessage",
    "chat.getPermalink",
    "chat.update",
    "conversations.open",
    "users.info",
    "views.open",
    "views.publish",
    "apps.connections.open",
    // Away, busy and holidays (issue 14).
    "dnd.info",
    // Issue 14, the org chart from HR: see the `users.lookupByEmail` block at the end.
    "users.lookupByEmail",
    // Files (issue 14, the people team's view): the external upload flow.
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    // Issue 15, no duplicate after a crash: see the `conversations.history` block at the end.
    "conversations.history",
];

/// The method name under which POSTs to a [`FakeSlack::response_url`] are recorded.
pub const RESPONSE_URL_METHOD: &str = "response_url";

/// Form fields whose values are JSON documents. When a request is form-encoded these are
/// parsed into JSON (if they parse as an array or object), so a recorded request looks the
/// same whether the client sent JSON or a form.
const JSON_FORM_FIELDS: &[&str] = &["blocks", "attachments", "view", "metadata"];

/// How long [`FakeSlack::socket_send_envelope`] waits for a Socket Mode client to connect.
const SOCKET_SEND_WAIT: Duration = Duration::from_secs(5);

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The Web API method (`chat.postMessage`), or [`RESPONSE_URL_METHOD`].
    pub method: String,
    /// The bearer token from `Authorization`, else a `token` parameter.
    pub token: Option<String>,
    /// Query parameters and body merged into one JSON object. JSON bodies keep their types;
    /// form and query values are strings, except the JSON-valued form fields (`blocks`,
    /// `attachments`, `view`, `metadata`) which are parsed into JSON.
    pub params: Value,
    /// `GET` or `POST`.
    pub http_method: String,
    /// The request path (`/api/chat.postMessage`, `/response/1`).
    pub path: String,
}

impl Recorded {
    /// A string parameter, if present and a string.
    pub fn str_param(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(Value::as_str)
    }
}

/// A scripted failure for the next call of a method (see [`FakeSlack::fail_next`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 429 with `Retry-After: <secs>` and `{"ok": false, "error": "ratelimited"}`.
    /// slack-morphism turns this into `SlackClientError::RateLimitError` with
    /// `retry_after = Some(Duration::from_secs(secs))` (or retries, with rate control on).
    RateLimited { retry_after_secs: u64 },
    /// HTTP 200 with `{"ok": false, "error": <code>}`, as Slack reports API errors;
    /// slack-morphism returns `SlackClientError::ApiError` with that code.
    SlackError(&'static str),
    /// That HTTP status with a small JSON body; slack-morphism returns
    /// `SlackClientError::HttpError` (or `RateLimitError` for 429).
    Status(u16),
    /// Never answers: the request is recorded when it arrives, and the connection stays open
    /// until the client gives up (or the fake is dropped). Slack did not act on it.
    Hang,
    /// Answers as usual, but only after this long (recorded when it arrives).
    Slow(Duration),
}

/// Decides what the fake does with one call: `None` answers as usual, `Some` fails as given.
/// It runs before the call is answered (and may act meanwhile, say change the database the
/// client's caller reads); see [`FakeSlack::respond_with`].
pub type Responder = Arc<dyn Fn(&Recorded) -> BoxFuture<'static, Option<Failure>> + Send + Sync>;

struct FakeUser {
    name: String,
    tz: String,
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Message>,
}

#[derive(Default)]
struct Inner {
    recorded: Vec<Recorded>,
    unexpected: Vec<String>,
    ignored: HashSet<String>,
    scripted: HashMap<String, VecDeque<Failure>>,
    responders: HashMap<String, Responder>,
    users: HashMap<String, FakeUser>,
    /// `users.lookupByEmail`'s directory: lower-cased email → user id.
    emails: HashMap<String, String>,
    ts_counter: u64,
    view_counter: u64,
    response_url_counter: u64,
    // Socket Mode
    conns: Vec<Conn>,
    conns_total: u64,
    envelope_counter: u64,
    sent_envelopes: HashSet<String>,
    acked: HashSet<String>,
    acks: HashMap<String, Option<Value>>,
    tasks: Vec<AbortHandle>,
    // Away, busy and holidays (issue 14): see the block at the end of this file.
    presence: HashMap<String, FakePresence>,
    // Files (issue 14): the bytes POSTed to each upload URL, by file id, in arrival order.
    uploads: Vec<(String, Vec<u8>)>,
    upload_counter: u64,
    // Issue 15: the messages posted in each channel, oldest first (see the block at the end).
    history: HashMap<String, Vec<Value>>,
    // Issue 15: `chat.postMessage` is kept in history on arrival, before its delayed answer.
    posts_kept_on_arrival: bool,
}

struct Shared {
    inner: Mutex<Inner>,
    changed: watch::Sender<u64>,
    api_url: String,
    base_url: String,
    ws_url: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn notify(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    fn unexpected(&self, what: String) {
        self.lock().unexpected.push(what);
        self.notify();
    }
}

/// The fake Slack. Dropping it verifies that every recorded request was checked.
pub struct FakeSlack {
    shared: Arc<Shared>,
    tasks: Vec<AbortHandle>,
}

impl FakeSlack {
    /// Binds two loopback ports (HTTP API, Socket Mode WebSocket) and serves in background tasks
    /// on the current Tokio runtime.
    pub async fn start() -> FakeSlack {
        let _ = rustls::crypto::ring::default_provider().install_default();

        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Slack HTTP");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Slack WS");
        let http_addr = http.local_addr().expect("local addr");
        let ws_addr = ws.local_addr().expect("local addr");

        let (changed, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                // Read before each DM (issue 14); tests that care take() them.
                ignored: HashSet::from(["dnd.info".to_owned()]),
                ..Inner::default()
            }),
            changed,
            api_url: format!("http://{http_addr}/api"),
            base_url: format!("http://{http_addr}"),
            ws_url: format!("ws://{ws_addr}/ws"),
        });

        let app = Router::new()
            .route("/api/{method}", any(api_handler))
            .route("/response/{tag}", any(response_url_handler))
            .route("/upload/{file_id}", any(upload_handler))
            .fallback(fallback_handler)
            .with_state(shared.clone());
        let http_task = tokio::spawn(async move {
            let _ = axum::serve(http, app).await;
        });

        let accept_shared = shared.clone();
        let ws_task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = ws.accept().await else {
                    continue;
                };
                let conn_task = tokio::spawn(serve_socket(accept_shared.clone(), stream));
                accept_shared.lock().tasks.push(conn_task.abort_handle());
            }
        });

        FakeSlack {
            shared,
            tasks: vec![http_task.abort_handle(), ws_task.abort_handle()],
        }
    }

    /// `http://127.0.0.1:PORT/api`, without a trailing slash: the value for
    /// `SlackClientHyperConnector::with_slack_api_url`.
    pub fn api_url(&self) -> String {
        self.shared.api_url.clone()
    }

    /// `ws://127.0.0.1:PORT/ws`, as returned by `apps.connections.open` (a second port).
    pub fn ws_url(&self) -> String {
        self.shared.ws_url.clone()
    }

    /// A slack-morphism client pointed at this fake (see [`slack_client`]).
    pub fn slack_client(&self) -> SlackHyperClient {
        slack_client(&self.shared.api_url)
    }

    // ---- Scripting -------------------------------------------------------------------------

    /// Adds or replaces a user for `users.info` (unknown users get `user_not_found`).
    pub fn set_user(&self, id: &str, name: &str, tz: &str) {
        self.shared.lock().users.insert(
            id.to_string(),
            FakeUser {
                name: name.to_string(),
                tz: tz.to_string(),
            },
        );
    }

    /// The next call of `method` fails as scripted (queued: call several times to fail
    /// several calls). The failing call is still recorded.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.push_scripted(method, failure);
    }

    /// Every call of `method` from now on is answered as `responder` decides (before any
    /// [`Self::fail_next`] script for it).
    pub fn respond_with(
        &self,
        method: &str,
        responder: impl Fn(&Recorded) -> BoxFuture<'static, Option<Failure>> + Send + Sync + 'static,
    ) {
        self.shared
            .lock()
            .responders
            .insert(method.to_string(), Arc::new(responder));
    }

    /// Calls of `method` still get recorded (and can be taken) but need not be checked.
    pub fn ignore(&self, method: &str) {
        self.shared.lock().ignored.insert(method.to_string());
    }

    fn push_scripted(&self, method: &str, s: Failure) {
        self.shared
            .lock()
            .scripted
            .entry(method.to_string())
            .or_default()
            .push_back(s);
    }

    // ---- Checking --------------------------------------------------------------------------

    /// Removes and returns the recorded calls of `method`, in arrival order.
    pub fn take(&self, method: &str) -> Vec<Recorded> {
        let mut inner = self.shared.lock();
        let (taken, kept) = std::mem::take(&mut inner.recorded)
            .into_iter()
            .partition(|r| r.method == method);
        inner.recorded = kept;
        taken
    }

    /// The recorded calls of `method` not yet taken, without taking them.
    pub fn peek(&self, method: &str) -> Vec<Recorded> {
        let inner = self.shared.lock();
        inner
            .recorded
            .iter()
            .filter(|r| r.method == method)
            .cloned()
            .collect()
    }

    /// Takes the calls of `method` and asserts there was exactly one.
    #[track_caller]
    pub fn expect_one(&self, method: &str) -> Recorded {
        let mut calls = self.take(method);
        assert_eq!(
            calls.len(),
            1,
            "expected exactly one {method} call, got {}: {calls:#?}",
            calls.len()
        );
        calls.remove(0)
    }

    /// Asserts that no call of `method` is pending.
    #[track_caller]
    pub fn expect_none(&self, method: &str) {
        let calls = self.peek(method);
        assert!(
            calls.is_empty(),
            "expected no {method} call, got {calls:#?}"
        );
    }

    /// Waits until at least `count` calls of `method` are recorded and not yet taken.
    /// Panics after `timeout`, listing what did arrive.
    pub async fn wait_for(&self, method: &str, count: usize, timeout: Duration) {
        let ok = self
            .wait_until(timeout, |inner| {
                inner.recorded.iter().filter(|r| r.method == method).count() >= count
            })
            .await;
        if !ok {
            let inner = self.shared.lock();
            let got: Vec<&str> = inner.recorded.iter().map(|r| r.method.as_str()).collect();
            panic!(
                "timed out after {timeout:?} waiting for {count} {method} call(s); pending calls: {got:?}"
            );
        }
    }

    fn report(&self) -> Option<String> {
        let inner = self.shared.lock();
        let unchecked: Vec<&Recorded> = inner
            .recorded
            .iter()
            .filter(|r| !inner.ignored.contains(&r.method))
            .collect();
        if unchecked.is_empty() && inner.unexpected.is_empty() {
            return None;
        }
        let mut out = String::from("FakeSlack verification failed\n");
        if !inner.unexpected.is_empty() {
            let _ = writeln!(out, "unexpected ({}):", inner.unexpected.len());
            for u in &inner.unexpected {
                let _ = writeln!(out, "  - {u}");
            }
        }
        if !unchecked.is_empty() {
            let _ = writeln!(
                out,
                "requests never checked ({}) — take() them, or ignore() the method:",
                unchecked.len()
            );
            for r in unchecked {
                let _ = writeln!(
                    out,
                    "  - {} {}",
                    r.method,
                    truncate(&r.params.to_string(), 300)
                );
            }
        }
        Some(out)
    }

    async fn wait_until(&self, timeout: Duration, mut cond: impl FnMut(&Inner) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.shared.changed.subscribe();
        loop {
            if cond(&self.shared.lock()) {
                return true;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                // Timed out (or the sender is gone, which cannot happen while `self` lives).
                _ => return cond(&self.shared.lock()),
            }
        }
    }

    // ---- response_url ----------------------------------------------------------------------

    /// A fresh `response_url` on this fake. POSTs to it are recorded under
    /// [`RESPONSE_URL_METHOD`] (the `path` field tells them apart) and answered `{"ok": true}`.
    pub fn response_url(&self) -> String {
        let n = {
            let mut inner = self.shared.lock();
            inner.response_url_counter += 1;
            inner.response_url_counter
        };
        format!("{}/response/{n}", self.shared.base_url)
    }

    /// A valid `slash_commands` envelope payload, with a fresh [`Self::response_url`].
    pub fn slash_command_payload(
        &self,
        command: &str,
        text: &str,
        user_id: &str,
        channel_id: &str,
    ) -> Value {
        json!({
            "token": "verification-token",
            "team_id": TEAM_ID,
            "team_domain": "fake-team",
            "channel_id": channel_id,
            "channel_name": "directmessage",
            "user_id": user_id,
            "user_name": user_id.to_lowercase(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.response_url(),
            "trigger_id": format!("1337.42.trigger-{user_id}"),
        })
    }

    /// A valid `interactive` `block_actions` payload: a button `action_id` with `value` pressed
    /// on the message `message_ts` in `channel_id`, with a fresh [`Self::response_url`].
    pub fn block_actions_payload(
        &self,
        user_id: &str,
        channel_id: &str,
        message_ts: &str,
        action_id: &str,
        value: &str,
    ) -> Value {
        json!({
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "fake-team"},
            "user": {"id": user_id, "username": user_id.to_lowercase(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": false,
            },
            "trigger_id": format!("1337.42.trigger-{user_id}"),
            "channel": {"id": channel_id, "name": "directmessage"},
            "message": {"type": "message", "ts": message_ts, "user": BOT_USER_ID, "bot_id": BOT_ID, "text": ""},
            "response_url": self.response_url(),
            "actions": [{
                "type": "button",
                "action_id": action_id,
                "block_id": "actions",
                "text": {"type": "plain_text", "text": action_id},
                "value": value,
                "action_ts": "1700000000.999999",
            }],
        })
    }

    // ---- Socket Mode -----------------------------------------------------------------------

    /// Waits until a Socket Mode client is connected and has been sent its `hello`.
    pub async fn socket_connected(&self, timeout: Duration) {
        if !self.wait_until(timeout, |i| !i.conns.is_empty()).await {
            panic!("no Socket Mode client connected within {timeout:?}");
        }
    }

    /// How many WebSocket connections were accepted so far (reconnects included).
    pub fn socket_connections_total(&self) -> u64 {
        self.shared.lock().conns_total
    }

    /// Sends an envelope to the newest live connection and returns its `envelope_id`.
    /// `envelope_type` is `slash_commands`, `interactive` or `events_api`.
    /// `accepts_response_payload` is true for slash commands and for `view_submission` /
    /// `block_suggestion` interactions, as Slack does; see [`Self::socket_send_envelope_with`].
    /// Waits up to 5 s for a client to connect.
    pub async fn socket_send_envelope(&self, envelope_type: &str, payload: Value) -> String {
        let accepts = match envelope_type {
            "slash_commands" => true,
            "interactive" => matches!(
                payload.get("type").and_then(Value::as_str),
                Some("view_submission" | "block_suggestion")
            ),
            _ => false,
        };
        self.socket_send_envelope_with(envelope_type, payload, accepts)
            .await
    }

    /// Like [`Self::socket_send_envelope`] with an explicit `accepts_response_payload`.
    pub async fn socket_send_envelope_with(
        &self,
        envelope_type: &str,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        self.socket_connected(SOCKET_SEND_WAIT).await;
        let envelope_id = {
            let mut inner = self.shared.lock();
            inner.envelope_counter += 1;
            let id = format!("fake-envelope-{:04}", inner.envelope_counter);
            inner.sent_envelopes.insert(id.clone());
            id
        };
        let frame = json!({
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0,
            "retry_reason": "",
        });
        self.socket_send_frame(frame);
        envelope_id
    }

    /// Sends any JSON frame to the newest live connection (panics if none).
    pub fn socket_send_frame(&self, frame: Value) {
        let inner = self.shared.lock();
        let conn = inner
            .conns
            .last()
            .expect("no Socket Mode client connected (call socket_connected first)");
        conn.tx
            .send(Message::text(frame.to_string()))
            .expect("Socket Mode connection task is gone");
    }

    /// Waits for the client's ack of `envelope_id` and returns its `payload` (`None` for a
    /// bare ack). Removes the ack. Panics after `timeout`.
    pub async fn socket_wait_ack(&self, envelope_id: &str, timeout: Duration) -> Option<Value> {
        if !self
            .wait_until(timeout, |i| i.acks.contains_key(envelope_id))
            .await
        {
            panic!("no ack for Socket Mode envelope {envelope_id} within {timeout:?}");
        }
        self.shared
            .lock()
            .acks
            .remove(envelope_id)
            .expect("ack present")
    }

    /// Sends Slack's `disconnect` (`refresh_requested`) to every live connection and forgets
    /// them, so a following [`Self::socket_connected`] waits for the reconnection.
    pub fn socket_disconnect(&self) {
        let frame = json!({
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "fake-slack"},
        })
        .to_string();
        let conns = std::mem::take(&mut self.shared.lock().conns);
        for c in conns {
            let _ = c.tx.send(Message::text(frame.clone()));
        }
        self.shared.notify();
    }
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        let report = self.report();
        for t in &self.tasks {
            t.abort();
        }
        for t in self.shared.lock().tasks.drain(..) {
            t.abort();
        }
        if let Some(report) = report
            && !std::thread::panicking()
        {
            panic!("{report}");
        }
    }
}

/// A slack-morphism client whose Web API base URL is `api_url` (`http://…/api`, no trailing
/// slash). Same type as production's `SlackHyperClient`; the connector allows plain http.
/// TLS roots are left empty: the fake only speaks http.
pub fn slack_client(api_url: &str) -> SlackHyperClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    SlackClient::new(
        SlackClientHyperConnector::with_connector(connector).with_slack_api_url(api_url),
    )
}

// ---- HTTP handlers -----------------------------------------------------------------------------

async fn api_handler(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    http_method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = parse_params(&headers, query.as_deref(), &body);
    let token = bearer_token(&headers).or_else(|| {
        params
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let rec = Recorded {
        method: method.clone(),
        token,
        params,
        http_method: http_method.to_string(),
        path: format!("/api/{method}"),
    };

    let responder = shared.lock().responders.get(&method).cloned();
    let decided = match responder {
        Some(responder) => responder(&rec).await,
        None => None,
    };
    let scripted = match decided {
        Some(decided) => Some(decided),
        None => shared
            .lock()
            .scripted
            .get_mut(&method)
            .and_then(VecDeque::pop_front),
    };
    match scripted {
        Some(Failure::Hang) => {
            shared.lock().recorded.push(rec);
            shared.notify();
            return std::future::pending().await;
        }
        Some(Failure::Slow(delay)) => {
            shared.lock().recorded.push(rec.clone());
            shared.notify();
            tokio::time::sleep(delay).await;
            let body = {
                let mut inner = shared.lock();
                default_response(&mut inner, &shared, &method, &rec.params)
            };
            return axum::Json(body).into_response();
        }
        _ => {}
    }
    let response = {
        let mut inner = shared.lock();
        let served = scripted.is_some() || SERVED_METHODS.contains(&method.as_str());
        if !served {
            inner.unexpected.push(format!(
                "call of unserved method {method}: {}",
                truncate(&rec.params.to_string(), 300)
            ));
            drop(inner);
            shared.notify();
            return (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"ok": false, "error": "unknown_method"})),
            )
                .into_response();
        }
        let response = match scripted {
            Some(f) => failure_response(&f),
            None => axum::Json(default_response(&mut inner, &shared, &method, &rec.params))
                .into_response(),
        };
        inner.recorded.push(rec);
        response
    };
    shared.notify();
    response
}

async fn response_url_handler(
    State(shared): State<Arc<Shared>>,
    Path(tag): Path<String>,
    http_method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = parse_params(&headers, query.as_deref(), &body);
    let rec = Recorded {
        method: RESPONSE_URL_METHOD.to_string(),
        token: bearer_token(&headers),
        params,
        http_method: http_method.to_string(),
        path: format!("/response/{tag}"),
    };
    let scripted = {
        let mut inner = shared.lock();
        inner.recorded.push(rec);
        inner
            .scripted
            .get_mut(RESPONSE_URL_METHOD)
            .and_then(VecDeque::pop_front)
    };
    shared.notify();
    match scripted {
        Some(f) => failure_response(&f),
        None => axum::Json(json!({"ok": true})).into_response(),
    }
}

async fn fallback_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    shared.unexpected(format!("request to unknown path {method} {uri}"));
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"ok": false, "error": "unknown_method"})),
    )
        .into_response()
}

fn failure_response(f: &Failure) -> Response {
    match f {
        // Handled where the request arrives; never answered here.
        Failure::Hang | Failure::Slow(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Failure::RateLimited { retry_after_secs } => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&retry_after_secs.to_string()).expect("header value"),
            );
            r
        }
        Failure::SlackError(code) => {
            axum::Json(json!({"ok": false, "error": code})).into_response()
        }
        Failure::Status(code) => {
            let status = StatusCode::from_u16(*code).expect("valid HTTP status");
            (
                status,
                axum::Json(json!({"ok": false, "error": format!("fake_http_{code}")})),
            )
                .into_response()
        }
    }
}

fn slack_error(code: &str) -> Value {
    json!({"ok": false, "error": code})
}

fn default_response(inner: &mut Inner, shared: &Shared, method: &str, p: &Value) -> Value {
    let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
    match method {
        "auth.test" => json!({
            "ok": true,
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": "career-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": false,
        }),
        "chat.postMessage" => {
            let Some(channel) = s("channel") else {
                return slack_error("channel_not_found");
            };
            let ts = next_ts(inner);
            let mut message = json!({
                "type": "message",
                "ts": ts,
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "app_id": APP_ID,
                "team": TEAM_ID,
            });
            copy_content(
                p,
                &mut message,
                &["text", "blocks", "thread_ts", "metadata"],
            );
            if !inner.posts_kept_on_arrival {
                keep_posted(inner, &channel, &message);
            }
            json!({"ok": true, "channel": channel, "ts": ts, "message": message})
        }
        "chat.getPermalink" => {
            let (Some(channel), Some(ts)) = (s("channel"), s("message_ts")) else {
                return slack_error("message_not_found");
            };
            json!({
                "ok": true,
                "channel": channel,
                "permalink": format!(
                    "https://fake-team.slack.com/archives/{channel}/p{}",
                    ts.replace('.', "")
                ),
            })
        }
        "chat.update" => {
            let (Some(channel), Some(ts)) = (s("channel"), s("ts")) else {
                return slack_error("message_not_found");
            };
            let mut message = json!({"user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID});
            copy_content(p, &mut message, &["text", "blocks"]);
            let mut body = json!({"ok": true, "channel": channel, "ts": ts, "message": message});
            copy_content(p, &mut body, &["text"]);
            body
        }
        "conversations.open" => {
            let users: Vec<String> = match p.get("users") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::String(v)) => v
                    .split(',')
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .collect(),
                _ => vec![],
            };
            let id = match (s("channel"), users.as_slice()) {
                (Some(c), _) => c,
                (None, []) => return slack_error("users_list_not_supplied"),
                (None, [one]) => format!("D{one}"),
                (None, many) => format!("G{}", many.join("")),
            };
            let full = matches!(p.get("return_im"), Some(Value::Bool(true)))
                || matches!(s("return_im").as_deref(), Some("true" | "1"));
            let channel = if full {
                let mut c = json!({
                    "id": id,
                    "created": 1_700_000_000,
                    "is_im": users.len() == 1,
                    "is_mpim": users.len() > 1,
                    "is_org_shared": false,
                    "is_open": true,
                    "last_read": "0000000000.000000",
                    "unread_count": 0,
                    "unread_count_display": 0,
                    "priority": 0,
                });
                if let [one] = users.as_slice() {
                    c["user"] = json!(one);
                }
                c
            } else {
                json!({"id": id})
            };
            json!({"ok": true, "channel": channel})
        }
        "users.lookupByEmail" => lookup_by_email(inner, p),
        "conversations.history" => conversations_history(inner, p),
        "users.info" => {
            let Some(id) = s("user") else {
                return slack_error("user_not_found");
            };
            let Some(user) = inner.users.get(&id) else {
                return slack_error("user_not_found");
            };
            let mut u = json!({
                "id": id,
                "team_id": TEAM_ID,
                "name": user.name,
                "real_name": user.name,
                "deleted": false,
                "is_bot": false,
                "is_admin": false,
                "tz": user.tz,
                "tz_label": user.tz,
                "profile": {
                    "display_name": user.name,
                    "real_name": user.name,
                    "team": TEAM_ID,
                },
            });
            if let Some(offset) = tz_offset_secs(&user.tz) {
                u["tz_offset"] = json!(offset);
            }
            let wants_locale = matches!(p.get("include_locale"), Some(Value::Bool(true)))
                || matches!(s("include_locale").as_deref(), Some("true" | "1"));
            if wants_locale {
                u["locale"] = json!("en-US");
            }
            add_status(inner, &id, &mut u);
            json!({"ok": true, "user": u})
        }
        "dnd.info" => dnd_info(inner, s("user").as_deref()),
        "views.open" | "views.publish" => {
            let view = match p.get("view") {
                Some(Value::Object(o)) => o.clone(),
                Some(Value::String(v)) => match serde_json::from_str::<Value>(v) {
                    Ok(Value::Object(o)) => o,
                    _ => return slack_error("invalid_arguments"),
                },
                _ => return slack_error("invalid_arguments"),
            };
            inner.view_counter += 1;
            let id = format!("V0FAKE{:04}", inner.view_counter);
            let mut view = Value::Object(view);
            view["id"] = json!(id);
            view["team_id"] = json!(TEAM_ID);
            view["hash"] = json!(format!("1700000000.fakehash{:04}", inner.view_counter));
            view["root_view_id"] = json!(id);
            view["app_id"] = json!(APP_ID);
            view["bot_id"] = json!(BOT_ID);
            view["state"] = json!({"values": {}});
            json!({"ok": true, "view": view})
        }
        "apps.connections.open" => json!({"ok": true, "url": shared.ws_url}),
        "files.getUploadURLExternal" | "files.completeUploadExternal" => {
            files_response(inner, shared, method, p)
        }
        _ => slack_error("unknown_method"),
    }
}

fn copy_content(from: &Value, to: &mut Value, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k) {
            to[*k] = v.clone();
        }
    }
}

/// "1700000000.000100", "1700000000.000200", …: strictly increasing, Slack-shaped.
fn next_ts(inner: &mut Inner) -> String {
    inner.ts_counter += 1;
    let n = inner.ts_counter;
    format!("{}.{:06}", 1_700_000_000 + n / 10_000, (n % 10_000) * 100)
}

fn tz_offset_secs(tz: &str) -> Option<i32> {
    use chrono::{Offset, TimeZone};
    let zone: chrono_tz::Tz = tz.parse().ok()?;
    let now = chrono::Utc::now().naive_utc();
    Some(zone.offset_from_utc_datetime(&now).fix().local_minus_utc())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(str::to_string)
}

fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Value {
    let mut map = Map::new();
    if let Some(q) = query {
        insert_form(&mut map, q);
    }
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let is_form = content_type.starts_with("application/x-www-form-urlencoded");
        let json_body = if is_form {
            None
        } else {
            serde_json::from_slice::<Value>(body).ok()
        };
        match json_body {
            Some(Value::Object(o)) => map.extend(o),
            Some(other) => {
                map.insert("_body".to_string(), other);
            }
            None => insert_form(&mut map, &String::from_utf8_lossy(body)),
        }
    }
    Value::Object(map)
}

fn insert_form(map: &mut Map<String, Value>, form: &str) {
    for pair in form.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k), percent_decode(v));
        let value = if JSON_FORM_FIELDS.contains(&k.as_str()) {
            match serde_json::from_str::<Value>(&v) {
                Ok(j @ (Value::Array(_) | Value::Object(_))) => j,
                _ => Value::String(v),
            }
        } else {
            Value::String(v)
        };
        map.insert(k, value);
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

// ---- Socket Mode -------------------------------------------------------------------------------

async fn serve_socket(shared: Arc<Shared>, stream: TcpStream) {
    let ws = match tokio_tungstenite::accept_async(stream).await {
        Ok(ws) => ws,
        Err(e) => {
            shared.unexpected(format!("Socket Mode handshake failed: {e}"));
            return;
        }
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();

    let id = {
        let mut inner = shared.lock();
        inner.conns_total += 1;
        inner.conns_total
    };
    let hello = json!({
        "type": "hello",
        "num_connections": 1,
        "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
        "connection_info": {"app_id": APP_ID},
    });
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    shared.lock().conns.push(Conn { id, tx });
    shared.notify();

    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(msg) => {
                    if sink.send(msg).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => on_client_frame(&shared, text.as_str()),
                Some(Ok(Message::Binary(b))) => {
                    shared.unexpected(format!("binary Socket Mode frame from the client ({} bytes)", b.len()));
                }
                // Pings are answered by tungstenite itself.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
        }
    }

    shared.lock().conns.retain(|c| c.id != id);
    shared.notify();
}

fn on_client_frame(shared: &Shared, text: &str) {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let envelope_id = parsed
        .as_ref()
        .and_then(|v| v.get("envelope_id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(envelope_id) = envelope_id else {
        shared.unexpected(format!(
            "Socket Mode frame from the client that is not an ack: {}",
            truncate(text, 300)
        ));
        return;
    };
    {
        let mut inner = shared.lock();
        if !inner.sent_envelopes.contains(&envelope_id) {
            inner.unexpected.push(format!(
                "ack for an envelope never sent: {}",
                truncate(text, 300)
            ));
        } else if !inner.acked.insert(envelope_id.clone()) {
            inner.unexpected.push(format!(
                "second ack for envelope {envelope_id}: {}",
                truncate(text, 300)
            ));
        } else {
            let payload = parsed.as_ref().and_then(|v| v.get("payload")).cloned();
            inner.acks.insert(envelope_id, payload);
        }
    }
    shared.notify();
}

// ---- Away, busy and holidays (issue 14) -------------------------------------------------
// `users.info` answers with the status a test set, and `dnd.info` with its do-not-disturb
// window, so the scheduler's presence checks run against Slack's own shapes.

/// A user's status and do-not-disturb, as a test scripted them.
#[derive(Debug, Clone, Default)]
struct FakePresence {
    status_text: String,
    status_emoji: String,
    /// Unix seconds; 0 when the status does not expire (as Slack writes it).
    status_expiration: i64,
    /// Unix seconds of a scheduled do-not-disturb window.
    dnd: Option<(i64, i64)>,
}

impl FakeSlack {
    /// Sets `id`'s Slack status (`users.info` `profile.status_*`); `expires` in Unix seconds,
    /// 0 for never. The user must have been added with [`Self::set_user`].
    pub fn set_status(&self, id: &str, text: &str, emoji: &str, expires: i64) {
        let mut inner = self.shared.lock();
        let presence = inner.presence.entry(id.to_owned()).or_default();
        presence.status_text = text.to_owned();
        presence.status_emoji = emoji.to_owned();
        presence.status_expiration = expires;
    }

    /// Sets `id`'s do-not-disturb window for `dnd.info`, in Unix seconds.
    pub fn set_dnd(&self, id: &str, start: i64, end: i64) {
        self.shared
            .lock()
            .presence
            .entry(id.to_owned())
            .or_default()
            .dnd = Some((start, end));
    }
}

fn add_status(inner: &Inner, id: &str, user: &mut Value) {
    let Some(presence) = inner.presence.get(id) else {
        return;
    };
    user["profile"]["status_text"] = json!(presence.status_text);
    user["profile"]["status_emoji"] = json!(presence.status_emoji);
    user["profile"]["status_expiration"] = json!(presence.status_expiration);
}

fn dnd_info(inner: &Inner, user: Option<&str>) -> Value {
    let window = user
        .and_then(|user| inner.presence.get(user))
        .and_then(|presence| presence.dnd);
    match window {
        Some((start, end)) => json!({
            "ok": true,
            "dnd_enabled": true,
            "next_dnd_start_ts": start,
            "next_dnd_end_ts": end,
            "snooze_enabled": false,
        }),
        None => json!({"ok": true, "dnd_enabled": false, "snooze_enabled": false}),
    }
}

// ---- users.lookupByEmail (issue 14, "The org chart from HR") --------------------------------
// Kept apart from the rest of the fake to ease merging: the directory of emails, scripted with
// `set_email`, and its answer. Unknown emails get Slack's `users_not_found`.

impl FakeSlack {
    /// `users.lookupByEmail` answers `email` (any case) with `id`.
    pub fn set_email(&self, email: &str, id: &str) {
        self.shared
            .lock()
            .emails
            .insert(email.to_lowercase(), id.to_string());
    }
}

/// The answer to `users.lookupByEmail`: the user, as Slack gives it, or `users_not_found`.
fn lookup_by_email(inner: &Inner, p: &Value) -> Value {
    let Some(email) = p.get("email").and_then(Value::as_str) else {
        return slack_error("invalid_arguments");
    };
    let Some(id) = inner.emails.get(&email.to_lowercase()) else {
        return slack_error("users_not_found");
    };
    json!({
        "ok": true,
        "user": {
            "id": id,
            "team_id": TEAM_ID,
            "name": id.to_lowercase(),
            "deleted": false,
            "is_bot": false,
            "profile": {"email": email, "team": TEAM_ID},
        },
    })
}

// ---- Files (issue 14, the people team's view) --------------------------------------------------
//
// Slack's external upload flow: `files.getUploadURLExternal` hands out an upload URL (here on
// the fake's own port) and a file id; the client POSTs the bytes there, which the fake keeps
// (see [`FakeSlack::uploads`]) and records under [`UPLOAD_METHOD`]; then
// `files.completeUploadExternal` shares the file in a channel.

/// The method name under which POSTs to an upload URL are recorded.
pub const UPLOAD_METHOD: &str = "upload";

impl FakeSlack {
    /// The bytes uploaded so far, `(file id, bytes)`, in arrival order.
    pub fn uploads(&self) -> Vec<(String, Vec<u8>)> {
        self.shared.lock().uploads.clone()
    }
}

fn files_response(inner: &mut Inner, shared: &Shared, method: &str, p: &Value) -> Value {
    match method {
        "files.getUploadURLExternal" => {
            let length = p.get("length").and_then(|v| match v {
                Value::String(s) => s.parse::<u64>().ok(),
                other => other.as_u64(),
            });
            if p.get("filename").and_then(Value::as_str).is_none() || length.is_none() {
                return slack_error("invalid_arguments");
            }
            inner.upload_counter += 1;
            let file_id = format!("F{:06}", inner.upload_counter);
            json!({
                "ok": true,
                "upload_url": format!("{}/upload/{file_id}", shared.base_url),
                "file_id": file_id,
            })
        }
        _ => {
            let Some(files) = p.get("files").and_then(Value::as_array) else {
                return slack_error("invalid_arguments");
            };
            let known: Vec<Value> = files
                .iter()
                .filter_map(|file| {
                    let id = file.get("id").and_then(Value::as_str)?;
                    inner.uploads.iter().any(|(uploaded, _)| uploaded == id).then(|| {
                        json!({"id": id, "title": file.get("title").cloned().unwrap_or(Value::Null)})
                    })
                })
                .collect();
            if known.len() != files.len() {
                return slack_error("file_not_found");
            }
            json!({"ok": true, "files": known})
        }
    }
}

async fn upload_handler(
    State(shared): State<Arc<Shared>>,
    Path(file_id): Path<String>,
    http_method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    {
        let mut inner = shared.lock();
        inner.recorded.push(Recorded {
            method: UPLOAD_METHOD.to_string(),
            token: bearer_token(&headers),
            params: json!({"file_id": file_id, "length": body.len(), "content_type": content_type}),
            http_method: http_method.to_string(),
            path: format!("/upload/{file_id}"),
        });
        inner.uploads.push((file_id.clone(), body.to_vec()));
    }
    shared.notify();
    // Slack's upload URL answers in plain text.
    (StatusCode::OK, format!("OK - {file_id}")).into_response()
}

// ---- conversations.history (issue 15, "No duplicate after a crash") ----------------------------
// Kept apart from the rest of the fake to ease merging. Every `chat.postMessage` the fake
// answers is kept with its channel; `conversations.history` returns that channel's messages,
// newest first as Slack does, with their metadata only when `include_all_metadata` is asked
// for. `oldest` is recorded but not applied: the fake's timestamps (1700000000.…) are not the
// test's clock. `seed_posted` puts a message in a channel as if the bot had posted it (a
// crash after Slack accepted it) without recording a call.

impl FakeSlack {
    /// Adds a message from the bot to `channel`'s history carrying the outbox `key` in its
    /// metadata, as `chat.postMessage` would have; returns its ts.
    pub fn seed_posted(&self, channel: &str, key: &str, text: &str) -> String {
        let mut inner = self.shared.lock();
        let ts = next_ts(&mut inner);
        let message = json!({
            "type": "message",
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": text,
            "metadata": {"event_type": "career_bot_outbox", "event_payload": {"key": key}},
        });
        keep_posted(&mut inner, channel, &message);
        ts
    }

    /// From now on, Slack accepts each `chat.postMessage` (its message is in history at
    /// once) and answers only `delay` later: a client killed meanwhile never learns that it
    /// was posted.
    pub fn accept_posts_then_answer_after(&self, delay: Duration) {
        self.shared.lock().posts_kept_on_arrival = true;
        let shared = Arc::clone(&self.shared);
        self.respond_with("chat.postMessage", move |call| {
            let shared = Arc::clone(&shared);
            let params = call.params.clone();
            Box::pin(async move {
                let channel = params.get("channel").and_then(Value::as_str).unwrap_or("?");
                let mut inner = shared.lock();
                let ts = next_ts(&mut inner);
                let mut message = json!({"type": "message", "ts": ts, "user": BOT_USER_ID});
                copy_content(&params, &mut message, &["text", "metadata"]);
                keep_posted(&mut inner, channel, &message);
                Some(Failure::Slow(delay))
            })
        });
    }

    /// The outbox keys (metadata `key` and `keys`) of every message kept in any channel's
    /// history, one entry per message and key: a key twice is a message posted twice.
    pub fn posted_keys(&self) -> Vec<String> {
        let inner = self.shared.lock();
        let mut keys = Vec::new();
        for message in inner.history.values().flatten() {
            let payload = &message["metadata"]["event_payload"];
            match payload["keys"].as_str() {
                Some(all) => keys.extend(all.split(' ').map(str::to_owned)),
                None => keys.extend(payload["key"].as_str().map(str::to_owned)),
            }
        }
        keys.sort();
        keys
    }

    /// How many messages `channel`'s history holds (posted or seeded).
    pub fn history_len(&self, channel: &str) -> usize {
        self.shared.lock().history.get(channel).map_or(0, Vec::len)
    }
}

fn keep_posted(inner: &mut Inner, channel: &str, message: &Value) {
    inner
        .history
        .entry(channel.to_owned())
        .or_default()
        .push(message.clone());
}

fn conversations_history(inner: &Inner, p: &Value) -> Value {
    let Some(channel) = p.get("channel").and_then(Value::as_str) else {
        return slack_error("channel_not_found");
    };
    let with_metadata = matches!(p.get("include_all_metadata"), Some(Value::Bool(true)))
        || matches!(
            p.get("include_all_metadata").and_then(Value::as_str),
            Some("true" | "1")
        );
    let limit = p
        .get("limit")
        .and_then(|v| match v {
            Value::String(s) => s.parse::<usize>().ok(),
            other => other.as_u64().and_then(|n| usize::try_from(n).ok()),
        })
        .unwrap_or(100);
    let messages: Vec<Value> = inner
        .history
        .get(channel)
        .into_iter()
        .flatten()
        .rev()
        .take(limit)
        .map(|message| {
            let mut message = message.clone();
            if !with_metadata && let Some(object) = message.as_object_mut() {
                object.remove("metadata");
            }
            message
        })
        .collect();
    json!({"ok": true, "messages": messages, "has_more": false})
}
