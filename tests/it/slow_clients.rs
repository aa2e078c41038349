//! Slow HTTP clients against the real server: sixty connections that trickle their headers or
//! their bodies a byte at a time are closed by the server, and `/healthz` keeps answering
//! while they try, also when the process may open only 64 files.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use career_bot::http_server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{FakeSlack, harness};

/// How many slow connections are opened.
const SLOW: usize = 60;
/// A generous bound on anything that should happen within a second or two.
const BOUND: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
enum Slow {
    /// Sends a request line, then one byte of a header every 100 ms, never ending it.
    Headers,
    /// Sends complete headers announcing a 100 KB body, then one byte of it every 100 ms.
    Body,
}

/// A slow client's first bytes, and the byte it then sends every 100 ms.
fn pieces(slow: Slow) -> (&'static [u8], &'static [u8]) {
    match slow {
        Slow::Headers => (b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ", b"a"),
        Slow::Body => (
            b"POST /slack/commands HTTP/1.1\r\nHost: test\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\n\
              Content-Length: 100000\r\n\r\ntext=",
            b"a",
        ),
    }
}

/// Trickles on a connection that has sent its first bytes; returns the bytes the server sent
/// before closing it.
async fn trickle(stream: TcpStream, slow: Slow) -> Vec<u8> {
    let (mut read, mut write) = stream.into_split();
    let reader = tokio::spawn(async move {
        let mut received = Vec::new();
        let mut buffer = [0u8; 1024];
        // EOF or a reset: the server closed the connection.
        while let Ok(count @ 1..) = read.read(&mut buffer).await {
            received.extend_from_slice(&buffer[..count]);
        }
        received
    });
    let (_, piece) = pieces(slow);
    while !reader.is_finished() {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if write.write_all(piece).await.is_err() {
            break;
        }
    }
    reader.await.expect("the reader does not panic")
}

/// `GET /healthz` on a fresh connection; its status line.
async fn healthz(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .expect("the request is sent");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    response
}

/// Connects `SLOW` slow clients, alternating headers and bodies, each having sent its first
/// bytes, and leaves them trickling.
async fn start_slow_clients(addr: SocketAddr) -> Vec<(Slow, tokio::task::JoinHandle<Vec<u8>>)> {
    let mut clients = Vec::with_capacity(SLOW);
    for index in 0..SLOW {
        let slow = if index % 2 == 0 {
            Slow::Headers
        } else {
            Slow::Body
        };
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        stream
            .write_all(pieces(slow).0)
            .await
            .expect("the first bytes are sent");
        clients.push((slow, tokio::spawn(trickle(stream, slow))));
    }
    clients
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_closed_by_the_server_while_healthz_keeps_answering() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    // Short timeouts, so the test takes seconds, and a cap below the number of slow clients.
    config.http = Limits {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        max_connections: 16,
    };
    let server = harness::start(config).await;

    let clients = start_slow_clients(server.addr).await;
    let health = tokio::time::timeout(BOUND, healthz(server.addr))
        .await
        .expect("/healthz answers while slow clients trickle");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.ends_with("ok\n"), "{health}");

    for (slow, client) in clients {
        let received = tokio::time::timeout(BOUND, client)
            .await
            .unwrap_or_else(|_| panic!("the server left a slow client ({slow:?}) open"))
            .expect("the client does not panic");
        let received = String::from_utf8_lossy(&received);
        // A body that does not arrive is answered 408 before the connection closes, unless
        // the connection was closed first to make room; a slow header gets no answer.
        assert!(
            received.is_empty() || received.starts_with("HTTP/1.1 408"),
            "{slow:?}: {received}"
        );
    }
    let metrics = harness::http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let closed: u64 = metrics
        .lines()
        .filter(|line| line.starts_with("career_bot_http_connections_closed_total{"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert!(closed >= SLOW as u64, "{metrics}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_sixty_slow_clients_when_the_process_may_open_only_64_files() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    let dir = tempfile::tempdir().expect("temp dir");
    // The binary, run by a shell that lowers the limit on open files first.
    let mut child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_career-bot"))
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SLACK_BOT_TOKEN", "xoxb-slow-clients")
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
    let (address_tx, address_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if value["message"] == "career-bot is serving"
                && let Some(address) = value["address"].as_str()
            {
                let _ = address_tx.send(address.to_owned());
            }
        }
    });
    let address = address_rx.recv_timeout(BOUND).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("serve did not start with 64 files")
    });
    let addr: SocketAddr = address.parse().expect("an address");

    let clients = start_slow_clients(addr).await;
    let health = tokio::time::timeout(BOUND, healthz(addr)).await;
    let _ = child.kill();
    let _ = child.wait();
    for (_, client) in clients {
        client.abort();
    }
    let health = health.expect("/healthz answers while sixty slow clients hold connections");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
}
