//! Signed slash commands against the real `career-bot serve` process on loopback.
//! Budgets (issue "Slack"): p99 under 5 ms at 200 concurrent requests; 10,000 requests with
//! zero errors; resident memory of the serving process under 50 MB throughout.
//!
//!     cargo bench --bench http
//!
//! The server is the release binary in its own process, so its memory is measured alone. The
//! fake Slack Web API (for `auth.test` at start-up) and the load generator run here, on the
//! same machine: on 2 cores, server and client share the CPU. The client is plain hyper over
//! 200 kept-alive connections, with each distinct body signed once (Slack's signatures stay
//! valid for 5 minutes), so it costs as little CPU as possible.
//!
//! Two ways to hold 200 requests in flight, 10,000 requests each:
//! - **waves**: 200 requests sent at the same instant, all answered, then the next 200;
//! - **closed loop**: 200 connections each sending its next request as soon as the last one
//!   is answered (what `wrk -c200` does), so latency includes queueing behind the others.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use sha2::Sha256;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const REQUESTS: usize = 10_000;
const CONCURRENCY: usize = 200;
const QUESTIONS: &[&str] = &[
    "what does Level 3 Happiness need",
    "how do I get from 2 to 3 in marketing",
    "senior engineer",
    "ownership at marketing level 4",
    "difference between staff and principal at infracloud",
    "Happiness Hero II",
    "compare marketing 3 and 5",
    "what's expected of a senior engineer at InfraCloud",
    "engineer of distinction",
    "hapiness level 2",
    "marketing titles",
    "level 9 marketing",
];

/// A pre-signed request: body and headers.
#[derive(Clone)]
struct Signed {
    body: Bytes,
    timestamp: String,
    signature: String,
}

fn sign(text: &str) -> Signed {
    let body = serde_urlencoded::to_string([
        ("team_id", "T0FAKE"),
        ("channel_id", "C1"),
        ("user_id", "U_BENCH"),
        ("command", "/career"),
        ("text", text),
        ("response_url", "http://127.0.0.1:9/response"),
        ("trigger_id", "1.2.3"),
    ])
    .expect("form");
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    Signed {
        body: Bytes::from(body),
        timestamp,
        signature: format!("v0={}", hex::encode(mac.finalize().into_bytes())),
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn connect(address: &str) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    sender
}

/// Sends one request on `sender`; returns its latency and whether it was a good answer.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    address: &str,
    signed: &Signed,
) -> (Duration, bool) {
    let request = hyper::Request::post("/slack/commands")
        .header("host", address)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", &signed.timestamp)
        .header("x-slack-signature", &signed.signature)
        .body(Full::new(signed.body.clone()))
        .expect("request");
    let started = Instant::now();
    let ok = match sender.send_request(request).await {
        Ok(response) if response.status() == 200 => match response.into_body().collect().await {
            Ok(body) => {
                const EPHEMERAL: &[u8] = b"\"response_type\":\"ephemeral\"";
                body.to_bytes()
                    .windows(EPHEMERAL.len())
                    .any(|w| w == EPHEMERAL)
            }
            Err(_) => false,
        },
        _ => false,
    };
    (started.elapsed(), ok)
}

/// Cumulative `(le, count)` of the server's own handling time of `/slack/commands`.
async fn server_histogram(address: &str) -> Vec<(f64, u64)> {
    let mut sender = connect(address).await;
    let request = hyper::Request::get("/metrics")
        .header("host", address)
        .body(Full::new(Bytes::new()))
        .expect("request");
    let response = sender.send_request(request).await.expect("metrics");
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    text.lines()
        .filter(|line| {
            line.starts_with("career_bot_http_request_duration_seconds_bucket{")
                && line.contains("route=\"/slack/commands\"")
        })
        .filter_map(|line| {
            let le = line.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            let count = line.rsplit(' ').next()?.parse().ok()?;
            Some((le, count))
        })
        .collect()
}

/// The bucket bound under which 99% of the requests between two snapshots were handled.
fn server_p99(before: &[(f64, u64)], after: &[(f64, u64)]) -> f64 {
    let delta: Vec<(f64, u64)> = after
        .iter()
        .map(|(le, count)| {
            let earlier = before.iter().find(|(b, _)| b == le).map_or(0, |(_, c)| *c);
            (*le, count - earlier)
        })
        .collect();
    let total = delta.last().map_or(0, |(_, count)| *count);
    delta
        .iter()
        .find(|(_, count)| *count as f64 >= total as f64 * 0.99)
        .map_or(f64::INFINITY, |(le, _)| *le)
}

struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    max_rss_kib: u64,
}

/// Samples the server's RSS every 10 ms while `work` runs.
async fn sampled<F: std::future::Future<Output = (Vec<Duration>, usize)>>(
    pid: u32,
    work: F,
) -> Run {
    let running = Arc::new(AtomicBool::new(true));
    let max_rss = Arc::new(AtomicU64::new(rss_kib(pid).unwrap_or(0)));
    let sampler = {
        let running = Arc::clone(&running);
        let max_rss = Arc::clone(&max_rss);
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                if let Some(rss) = rss_kib(pid) {
                    max_rss.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let (mut latencies, errors) = work.await;
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    sampler.await.expect("sampler");
    latencies.sort();
    Run {
        latencies,
        errors,
        elapsed,
        max_rss_kib: max_rss.load(Ordering::Relaxed),
    }
}

async fn waves(address: &str, requests: &Arc<Vec<Signed>>) -> (Vec<Duration>, usize) {
    let mut senders = Vec::with_capacity(CONCURRENCY);
    for _ in 0..CONCURRENCY {
        senders.push(connect(address).await);
    }
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut errors = 0;
    for wave in 0..REQUESTS / CONCURRENCY {
        let tasks: Vec<_> = senders
            .drain(..)
            .enumerate()
            .map(|(i, mut sender)| {
                let address = address.to_owned();
                let requests = Arc::clone(requests);
                tokio::spawn(async move {
                    let signed = &requests[(wave * CONCURRENCY + i) % requests.len()];
                    let result = send(&mut sender, &address, signed).await;
                    (sender, result)
                })
            })
            .collect();
        for task in tasks {
            let (sender, (latency, ok)) = task.await.expect("request task");
            senders.push(sender);
            latencies.push(latency);
            errors += usize::from(!ok);
        }
    }
    (latencies, errors)
}

async fn closed_loop(address: &str, requests: &Arc<Vec<Signed>>) -> (Vec<Duration>, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(CONCURRENCY);
    for _ in 0..CONCURRENCY {
        let mut sender = connect(address).await;
        let next = Arc::clone(&next);
        let requests = Arc::clone(requests);
        let address = address.to_owned();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= REQUESTS {
                    return (latencies, errors);
                }
                let (latency, ok) =
                    send(&mut sender, &address, &requests[i % requests.len()]).await;
                latencies.push(latency);
                errors += usize::from(!ok);
            }
        }));
    }
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut errors = 0;
    for worker in workers {
        let (mine, my_errors) = worker.await.expect("worker");
        latencies.extend(mine);
        errors += my_errors;
    }
    (latencies, errors)
}

fn report(name: &str, run: &Run, server_p99: f64) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {} requests, {} errors, {:.0} requests/s; client-observed latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; server handling p99 <= {:.3} ms; server RSS max {:.1} MB",
        run.latencies.len(),
        run.errors,
        run.latencies.len() as f64 / run.elapsed.as_secs_f64(),
        ms(percentile(&run.latencies, 0.50)),
        ms(percentile(&run.latencies, 0.90)),
        ms(percentile(&run.latencies, 0.99)),
        ms(*run.latencies.last().expect("latencies")),
        server_p99 * 1000.0,
        run.max_rss_kib as f64 / 1024.0
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let fake = support::FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("conversations.open");
    fake.ignore("chat.postMessage");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_career-bot"))
        .current_dir(dir.path())
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_API_URL", fake.api_url())
        .env(
            "DATABASE_URL",
            dir.path().join("bench.db").display().to_string(),
        )
        .env("RUST_LOG", "warn,career_bot::serve=info")
        .env_remove("SLACK_APP_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let pid = child.id();
    let stderr = child.stderr.take().expect("stderr");
    // Read the log on its own thread: this runtime has one thread, which the fake Slack needs
    // to answer the server's auth.test.
    let (found, address) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| {
                eprintln!("server: {line}");
                serde_json::Value::Null
            });
            if let Some(address) = value["address"].as_str()
                && let Some(found) = found.take()
            {
                let _ = found.send(address.to_owned());
            }
        }
    });
    let address = tokio::time::timeout(Duration::from_secs(30), address)
        .await
        .expect("serve starts within 30 s")
        .expect("serve logs its address");
    let requests = Arc::new(QUESTIONS.iter().map(|q| sign(q)).collect::<Vec<_>>());
    println!(
        "server RSS after start: {:.1} MB",
        rss_kib(pid).unwrap_or(0) as f64 / 1024.0
    );

    // Warm-up: connections, caches, allocator.
    let warm = sampled(pid, waves(&address, &requests)).await;
    assert_eq!(warm.errors, 0);
    for round in 1..=3 {
        let before = server_histogram(&address).await;
        let run = sampled(pid, waves(&address, &requests)).await;
        let after = server_histogram(&address).await;
        report(
            &format!("waves of {CONCURRENCY}, run {round}"),
            &run,
            server_p99(&before, &after),
        );
    }
    for round in 1..=3 {
        let before = server_histogram(&address).await;
        let run = sampled(pid, closed_loop(&address, &requests)).await;
        let after = server_histogram(&address).await;
        report(
            &format!("closed loop of {CONCURRENCY}, run {round}"),
            &run,
            server_p99(&before, &after),
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
