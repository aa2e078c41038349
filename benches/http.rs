//! Signed slash commands against the real `career-bot serve` process on loopback.
//! Budgets (issue "Slack"): p99 under 5 ms at 200 concurrent requests; 10,000 requests with
//! zero errors; resident memory of the serving process under 50 MB throughout.
//!
//!     cargo bench --bench http
//!
//! The server is the release binary in its own process (so its memory is measured alone);
//! the fake Slack Web API (for `auth.test` at start-up) and the load generator run here.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
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
];

fn signature(timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
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

#[tokio::main(flavor = "multi_thread")]
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
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("serve logs").expect("utf-8");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if let Some(address) = value["address"].as_str() {
            break address.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let url = format!("http://{address}/slack/commands");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");

    let send = {
        let http = http.clone();
        let url = url.clone();
        move |i: usize| {
            let http = http.clone();
            let url = url.clone();
            async move {
                let body = serde_urlencoded::to_string([
                    ("team_id", "T0FAKE"),
                    ("channel_id", "C1"),
                    ("user_id", "U_BENCH"),
                    ("command", "/career"),
                    ("text", QUESTIONS[i % QUESTIONS.len()]),
                    ("response_url", "http://127.0.0.1:9/response"),
                    ("trigger_id", "1.2.3"),
                ])
                .expect("form");
                let timestamp = chrono::Utc::now().timestamp();
                let started = Instant::now();
                let response = http
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-slack-request-timestamp", timestamp.to_string())
                    .header("x-slack-signature", signature(timestamp, &body))
                    .body(body)
                    .send()
                    .await;
                let ok = match response {
                    Ok(response) if response.status().is_success() => {
                        response.bytes().await.is_ok_and(|body| {
                            body.starts_with(b"{\"response_type\":\"ephemeral\"")
                                || body.windows(9).any(|w| w == b"ephemeral")
                        })
                    }
                    _ => false,
                };
                (started.elapsed(), ok)
            }
        }
    };

    // Warm up connections and caches.
    for i in 0..500 {
        send(i).await;
    }

    let rss_baseline = rss_kib(pid).unwrap_or(0);
    let running = Arc::new(AtomicBool::new(true));
    let max_rss = Arc::new(AtomicU64::new(rss_baseline));
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

    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let next = Arc::clone(&next);
            let errors = Arc::clone(&errors);
            let send = send.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= REQUESTS {
                        break;
                    }
                    let (latency, ok) = send(i).await;
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    latencies.push(latency);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(REQUESTS);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    sampler.await.expect("sampler");
    latencies.sort();

    // A burst: 200 requests at the same instant, from idle.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let burst: Vec<_> = (0..CONCURRENCY).map(|i| tokio::spawn(send(i))).collect();
    let mut burst_latencies = Vec::new();
    let mut burst_errors = 0;
    for request in burst {
        let (latency, ok) = request.await.expect("request");
        burst_errors += usize::from(!ok);
        burst_latencies.push(latency);
    }
    burst_latencies.sort();

    let _ = child.kill();
    let _ = child.wait();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("signed slash commands, {CONCURRENCY} concurrent, {REQUESTS} requests:");
    println!("  errors: {}", errors.load(Ordering::Relaxed));
    println!(
        "  throughput: {:.0} requests/s ({:.2} s)",
        REQUESTS as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "  latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().expect("latencies"))
    );
    println!(
        "  burst of {CONCURRENCY} at once: errors {burst_errors}, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&burst_latencies, 0.50)),
        ms(percentile(&burst_latencies, 0.99)),
        ms(*burst_latencies.last().expect("latencies"))
    );
    println!(
        "  serving process RSS: {:.1} MB after warm-up, {:.1} MB max during the run",
        rss_baseline as f64 / 1024.0,
        max_rss.load(Ordering::Relaxed) as f64 / 1024.0
    );
}
