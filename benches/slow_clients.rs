//! Slow HTTP clients (issue 11, "Hardening"): connections that trickle their headers or their
//! bodies a byte every 100 ms, against the bot's operational router (`/healthz`, `/readyz`,
//! `/metrics`) served two ways in the same run:
//!
//! - `axum::serve`, as `serve` did before (the baseline);
//! - `http_server::serve` with the default limits (5 s for headers, 5 s for a body).
//!
//! For each, it prints how long the server kept the slow connections open (a client gives up
//! after 20 s), and `/healthz` latency on a fresh connection per request, at rest and while
//! the slow clients trickle. A last run sends 400 slow clients against a cap of 64
//! connections, so most are closed to make room.
//!
//!     cargo bench --bench slow_clients

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use career_bot::http_server::{self, Limits};
use career_bot::metrics::Metrics;
use career_bot::slack::http::{HttpState, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A slow client gives up after this long.
const GIVE_UP: Duration = Duration::from_secs(20);
/// `/healthz` requests per measurement.
const PROBES: usize = 100;

#[derive(Clone, Copy)]
enum Serve {
    /// `axum::serve`, without limits.
    Axum,
    /// `http_server::serve` with these limits.
    Limited(Limits),
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        println!(
            "| server | slow clients | closed by the server | open for: min / median / max | /healthz at rest: median / p99 / max | /healthz under slow clients: median / p99 / max |"
        );
        println!("|---|---|---|---|---|---|");
        run("axum::serve (before)", Serve::Axum, 60).await;
        run(
            "http_server::serve, defaults",
            Serve::Limited(Limits::default()),
            60,
        )
        .await;
        let capped = Limits {
            max_connections: 64,
            ..Limits::default()
        };
        run("http_server::serve, cap 64", Serve::Limited(capped), 400).await;
    });
}

async fn run(name: &str, serve: Serve, slow: usize) {
    // Both servers get serve's listener (a queue of 1,024), so only the serving differs.
    let listener = http_server::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("binds");
    let addr = listener.local_addr().expect("an address");
    let metrics = Arc::new(Metrics::new());
    let app = router(HttpState::operational(
        Arc::clone(&metrics),
        Arc::new(AtomicBool::new(true)),
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    let server = tokio::spawn(async move {
        match serve {
            Serve::Axum => {
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await;
            }
            Serve::Limited(limits) => {
                http_server::serve(listener, app, limits, metrics, stopped).await;
            }
        }
    });

    let at_rest = probe(addr, Duration::ZERO).await;
    let mut clients = Vec::with_capacity(slow);
    for index in 0..slow {
        clients.push(tokio::spawn(slow_client(addr, index % 2 == 0)));
    }
    let under_load = probe(addr, Duration::from_millis(40)).await;
    let mut open = Vec::with_capacity(slow);
    let mut closed = 0;
    for client in clients {
        let (duration, by_server) = client.await.expect("the client does not panic");
        open.push(duration);
        closed += usize::from(by_server);
    }
    let _ = stop.send(());
    let _ = server.await;
    println!(
        "| {name} | {slow} | {closed} | {} | {} | {} |",
        summary(&mut open, [0.0, 0.5, 1.0], secs),
        summary(&mut at_rest.clone(), [0.5, 0.99, 1.0], millis),
        summary(&mut under_load.clone(), [0.5, 0.99, 1.0], millis),
    );
}

/// `/healthz` `PROBES` times, each on a new connection, `pause` apart; the latencies.
async fn probe(addr: SocketAddr, pause: Duration) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(PROBES);
    for _ in 0..PROBES {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).await.expect("connects");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            .await
            .expect("sends");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response).await;
        assert!(response.starts_with(b"HTTP/1.1 200"), "/healthz answers");
        latencies.push(started.elapsed());
        tokio::time::sleep(pause).await;
    }
    latencies
}

/// A client trickling its headers (or, if not `headers`, its body) a byte every 100 ms until
/// the server closes the connection or `GIVE_UP` passes: how long it was open, and whether
/// the server closed it.
async fn slow_client(addr: SocketAddr, headers: bool) -> (Duration, bool) {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut read, mut write) = stream.into_split();
    let reader = tokio::spawn(async move {
        let mut buffer = [0u8; 1024];
        while let Ok(1..) = read.read(&mut buffer).await {}
        started.elapsed()
    });
    let start: &[u8] = if headers {
        b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Slow: "
    } else {
        b"POST /slack/commands HTTP/1.1\r\nHost: bench\r\nContent-Length: 100000\r\n\r\ntext="
    };
    let _ = write.write_all(start).await;
    while !reader.is_finished() && started.elapsed() < GIVE_UP {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if write.write_all(b"a").await.is_err() {
            break;
        }
    }
    if reader.is_finished() {
        (reader.await.expect("the reader does not panic"), true)
    } else {
        reader.abort();
        (started.elapsed(), false)
    }
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// The `quantiles` of `samples`, shown with `show` and separated by slashes.
fn summary(samples: &mut [Duration], quantiles: [f64; 3], show: fn(Duration) -> String) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    quantiles.map(|q| show(at(q))).join(" / ")
}
