//! The load generator's HTTP/1.1 client: pre-built request bytes written on a kept-alive
//! connection, the response read by `Content-Length`. It does the least work a client can,
//! so as much of the CPU as possible is left to the server being measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::harness;

/// A complete, signed `POST /slack/commands` request, ready to write.
pub struct SignedRequest {
    bytes: Vec<u8>,
    body_start: usize,
}

/// Numbers every request this process signs: each has its own `trigger_id`, as Slack's do,
/// so each has its own signature (the server answers a signature it has seen with an empty
/// 200, as a replay).
static SIGNED: AtomicU64 = AtomicU64::new(0);

impl SignedRequest {
    /// Signs a slash command asking `text`, as Slack would (`v0:TIMESTAMP:BODY`). The body
    /// ends with a `trigger_id` no other request has.
    pub fn new(address: &str, secret: &str, text: &str) -> Self {
        Self::from_user(address, secret, "U_BENCH", text)
    }

    /// [`SignedRequest::new`], from `user`.
    pub fn from_user(address: &str, secret: &str, user: &str, text: &str) -> Self {
        let unique = SIGNED.fetch_add(1, Ordering::Relaxed);
        let body = serde_urlencoded::to_string([
            ("team_id", "T0FAKE"),
            ("channel_id", "C1"),
            ("user_id", user),
            ("command", "/career"),
            ("text", text),
            ("response_url", "http://127.0.0.1:9/response"),
            ("trigger_id", &format!("1.2.{unique}")),
        ])
        .expect("form");
        let timestamp = harness::unix_now();
        let signature = harness::signature(secret, timestamp, &body);
        let head = format!(
            "POST /slack/commands HTTP/1.1\r\nhost: {address}\r\n\
             content-type: application/x-www-form-urlencoded\r\n\
             x-slack-request-timestamp: {timestamp}\r\nx-slack-signature: {signature}\r\n\
             content-length: {}\r\n\r\n",
            body.len()
        );
        Self {
            body_start: head.len(),
            bytes: [head.into_bytes(), body.into_bytes()].concat(),
        }
    }

    /// The form body without its last field, the unique `trigger_id`: the same for every
    /// signing of the same question.
    pub fn question(&self) -> &[u8] {
        question_of(&self.bytes[self.body_start..])
    }
}

/// A slash command's form `body` without its last field (the `trigger_id` [`SignedRequest`]
/// puts last).
pub fn question_of(body: &[u8]) -> &[u8] {
    body.iter()
        .rposition(|byte| *byte == b'&')
        .map_or(body, |at| &body[..at])
}

/// One kept-alive connection to the server.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

/// What a good answer to a slash command contains.
const EPHEMERAL: &[u8] = b"\"response_type\":\"ephemeral\"";

impl Connection {
    pub async fn open(address: &str) -> Self {
        let stream = TcpStream::connect(address).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            stream,
            buffer: Vec::with_capacity(8 * 1024),
        }
    }

    /// Sends `request` and reads the whole response: the time since `started` (when the
    /// request was due), and whether it was a `200` carrying an ephemeral answer.
    pub async fn send(&mut self, request: &SignedRequest, started: Instant) -> (Duration, bool) {
        if self.stream.write_all(&request.bytes).await.is_err() {
            return (started.elapsed(), false);
        }
        let ok = self.read_response().await.is_some_and(|(status, body)| {
            status == 200 && body.windows(EPHEMERAL.len()).any(|w| w == EPHEMERAL)
        });
        (started.elapsed(), ok)
    }

    /// Sends `request` and returns the response body.
    pub async fn body(&mut self, request: &SignedRequest) -> Vec<u8> {
        self.stream.write_all(&request.bytes).await.expect("write");
        let (_, body) = self.read_response().await.expect("a response");
        body.to_vec()
    }

    /// Reads one response: its status and body.
    async fn read_response(&mut self) -> Option<(u16, &[u8])> {
        self.buffer.clear();
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head_len) = response.parse(&self.buffer).ok()? {
                let status = response.code?;
                let body_len: usize = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())?;
                while self.buffer.len() < head_len + body_len {
                    self.fill().await?;
                }
                return Some((status, &self.buffer[head_len..head_len + body_len]));
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> Option<()> {
        let mut chunk = [0u8; 8 * 1024];
        match self.stream.read(&mut chunk).await {
            Ok(0) | Err(_) => None,
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Some(())
            }
        }
    }
}

/// `count` kept-alive connections to `address`.
pub async fn connections(address: &str, count: usize) -> Vec<Connection> {
    let mut opened = Vec::with_capacity(count);
    for _ in 0..count {
        opened.push(Connection::open(address).await);
    }
    opened
}

/// Sends every request once over `open`, each connection sending its next request when its
/// last one is answered (what `wrk` does): as many in flight as connections, at the highest
/// rate the machine sustains. The latency of each request, and how many failed.
pub async fn closed_loop(
    open: Vec<Connection>,
    requests: Arc<Vec<SignedRequest>>,
) -> (Vec<Duration>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = open
        .into_iter()
        .map(|mut connection| {
            let next = Arc::clone(&next);
            let requests = Arc::clone(&requests);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while let Some(request) = requests.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (latency, ok) = connection.send(request, Instant::now()).await;
                    latencies.push(latency);
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests.len());
    let mut errors = 0;
    for worker in workers {
        let (mine, my_errors) = worker.await.expect("worker");
        latencies.extend(mine);
        errors += my_errors;
    }
    (latencies, errors)
}
