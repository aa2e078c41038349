//! Signed slash commands against the real `career-bot serve` process on loopback.
//! Budgets (issue "Slack"): p99 under 5 ms at 200 concurrent requests; 10,000 requests with
//! zero errors; resident memory of the serving process under 50 MB throughout.
//!
//!     cargo bench --bench http
//!
//! The server is the release binary in its own process, so its memory is measured alone. The
//! fake Slack Web API (for `auth.test` at start-up) and the load generator run here, on the
//! same machine. The load generator writes pre-signed request bytes on 200 kept-alive
//! connections and reads each response by its length (`client.rs`), so it takes as little
//! CPU from the server as it can. Every request is signed once, before a run, with its own
//! `trigger_id` as Slack's are: the server acts on a signature once and answers a replay with
//! an empty 200, which would count as an error here.
//!
//! Two ways to hold 200 requests in flight, each run 100,000 requests (so one slow spell of
//! the machine cannot decide a p99 alone):
//! - **waves**: 200 requests due at the same instant, all answered, then the next 200. A
//!   request's latency counts from the instant the wave was due, so the time the load
//!   generator takes to write the 200 counts against the server, not for it;
//! - **closed loop**: 200 connections each sending its next request as soon as the last one
//!   is answered (what `wrk -c200` does), so latency includes queueing behind the others at
//!   the highest rate the machine sustains.
//!
//! Each runs with both processes free to use every CPU, and, where there are two or more,
//! with the server and the load generator on separate CPUs (`cpu.rs`). A baseline server
//! (`server.rs`: the smallest axum server, answering each question with the bytes career-bot
//! gave for it, verifying and parsing nothing) takes turns with career-bot under the same
//! load, so the figures can be read against what this machine's loopback TCP and HTTP stack
//! cost on their own. Each pattern ends with a summary: the median, best and worst p99 over
//! the rounds.

mod client;
mod cpu;
mod server;
// The integration tests' support tree, for its Slack signer and fake Slack; the bench uses
// only those parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/it/support/mod.rs"]
mod support;

use support::harness;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use client::{Connection, SignedRequest};
use cpu::Placement;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const REQUESTS: usize = 100_000;
const CONCURRENCY: usize = 200;
const ROUNDS: usize = 5;
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

struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    max_rss_kib: Option<u64>,
}

/// Runs `work`, sampling the RSS of `pid` (if any) every 10 ms meanwhile.
async fn sampled<F: std::future::Future<Output = (Vec<Duration>, usize)>>(
    pid: Option<u32>,
    work: F,
) -> Run {
    let running = Arc::new(AtomicBool::new(true));
    let max_rss = Arc::new(AtomicU64::new(pid.and_then(rss_kib).unwrap_or(0)));
    let sampler = pid.map(|pid| {
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
    });
    let started = Instant::now();
    let (mut latencies, errors) = work.await;
    let elapsed = started.elapsed();
    running.store(false, Ordering::Relaxed);
    if let Some(sampler) = sampler {
        sampler.await.expect("sampler");
    }
    latencies.sort();
    Run {
        latencies,
        errors,
        elapsed,
        max_rss_kib: pid.map(|_| max_rss.load(Ordering::Relaxed)),
    }
}

async fn connections(address: &str) -> Vec<Connection> {
    let mut opened = Vec::with_capacity(CONCURRENCY);
    for _ in 0..CONCURRENCY {
        opened.push(Connection::open(address).await);
    }
    opened
}

/// 200 requests at once, all answered, then the next 200.
async fn waves(
    mut open: Vec<Connection>,
    requests: Arc<Vec<SignedRequest>>,
) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut errors = 0;
    for wave in 0..REQUESTS / CONCURRENCY {
        // Every request of a wave is due now: time spent waiting for the load generator to
        // write it counts too.
        let due = Instant::now();
        let sends = open.iter_mut().enumerate().map(|(i, connection)| {
            connection.send(&requests[(wave * CONCURRENCY + i) % requests.len()], due)
        });
        for (latency, ok) in futures_util::future::join_all(sends).await {
            latencies.push(latency);
            errors += usize::from(!ok);
        }
    }
    (latencies, errors)
}

/// 200 connections, each sending its next request when its last one is answered.
async fn closed_loop(
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
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= REQUESTS {
                        return (latencies, errors);
                    }
                    let (latency, ok) = connection
                        .send(&requests[i % requests.len()], Instant::now())
                        .await;
                    latencies.push(latency);
                    errors += usize::from(!ok);
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut errors = 0;
    for worker in workers {
        let (mine, my_errors) = worker.await.expect("worker");
        latencies.extend(mine);
        errors += my_errors;
    }
    (latencies, errors)
}

#[derive(Clone, Copy)]
enum Pattern {
    Waves,
    ClosedLoop,
}

impl Pattern {
    fn name(self) -> &'static str {
        match self {
            Pattern::Waves => "waves",
            Pattern::ClosedLoop => "closed loop",
        }
    }
}

/// Signs `count` requests for `address` now, asking the questions in turn, each request
/// unique: a run starts well within Slack's 5-minute window.
fn signed_for(address: &str, count: usize) -> Arc<Vec<SignedRequest>> {
    Arc::new(
        QUESTIONS
            .iter()
            .cycle()
            .take(count)
            .map(|q| SignedRequest::new(address, SECRET, q))
            .collect(),
    )
}

async fn run(pattern: Pattern, address: &str, pid: Option<u32>) -> Run {
    let requests = signed_for(address, REQUESTS);
    let open = connections(address).await;
    match pattern {
        Pattern::Waves => sampled(pid, waves(open, requests)).await,
        Pattern::ClosedLoop => sampled(pid, closed_loop(open, requests)).await,
    }
}

fn report(name: &str, run: &Run, handling_p99: Option<f64>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut line = format!(
        "{name}: {} requests, {} errors, {:.0} requests/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        run.latencies.len(),
        run.errors,
        run.latencies.len() as f64 / run.elapsed.as_secs_f64(),
        ms(percentile(&run.latencies, 0.50)),
        ms(percentile(&run.latencies, 0.90)),
        ms(percentile(&run.latencies, 0.99)),
        ms(*run.latencies.last().expect("latencies")),
    );
    if let Some(p99) = handling_p99 {
        line += &format!("; server handling p99 <= {:.3} ms", p99 * 1000.0);
    }
    if let Some(rss) = run.max_rss_kib {
        line += &format!("; server RSS max {:.1} MB", rss as f64 / 1024.0);
    }
    println!("{line}");
}

/// The p99 latencies of one server under one pattern, across rounds.
#[derive(Default)]
struct Summary(Vec<Duration>);

impl Summary {
    fn add(&mut self, run: &Run) {
        self.0.push(percentile(&run.latencies, 0.99));
    }

    fn print(&mut self, name: &str) {
        self.0.sort();
        let ms = |d: &Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
        println!(
            "summary, {name}: p99 median {} ms, best {} ms, worst {} ms over {} runs",
            ms(&self.0[self.0.len() / 2]),
            ms(&self.0[0]),
            ms(&self.0[self.0.len() - 1]),
            self.0.len()
        );
    }
}

async fn measure(placement: &Placement, fake_api_url: &str) {
    cpu::pin_current_thread(&placement.load_cpus());
    println!("## {}", placement.describe());
    let dir = tempfile::tempdir().expect("temp dir");
    let bot =
        server::CareerBot::start(dir.path(), fake_api_url, SECRET, placement.server_cpus()).await;
    println!(
        "server RSS after start: {:.1} MB",
        rss_kib(bot.pid()).unwrap_or(0) as f64 / 1024.0
    );
    // Warm-up: caches, allocator, the kernel's socket buffers.
    let warm = run(Pattern::Waves, &bot.address, Some(bot.pid())).await;
    assert_eq!(warm.errors, 0, "warm-up answered every request");

    // The baseline answers each question with the bytes career-bot gave for it. Both
    // servers stay up and take turns, so a slow spell of this machine hits them alike.
    let mut connection = Connection::open(&bot.address).await;
    let mut answers = HashMap::new();
    for request in signed_for(&bot.address, QUESTIONS.len()).iter() {
        let answer = connection.body(request).await;
        answers.insert(
            Bytes::copy_from_slice(request.question()),
            Bytes::from(answer),
        );
    }
    drop(connection);
    let baseline = server::Baseline::start(answers, placement.server_cpus());
    let _warm = run(Pattern::Waves, &baseline.address, None).await;

    for pattern in [Pattern::Waves, Pattern::ClosedLoop] {
        let (mut ours, mut theirs) = (Summary::default(), Summary::default());
        for round in 1..=ROUNDS {
            let before = bot.handling_histogram().await;
            let measured = run(pattern, &bot.address, Some(bot.pid())).await;
            let after = bot.handling_histogram().await;
            report(
                &format!("career-bot, {}, run {round}", pattern.name()),
                &measured,
                Some(server::handling_p99(&before, &after)),
            );
            ours.add(&measured);
            let measured = run(pattern, &baseline.address, None).await;
            report(
                &format!("baseline, {}, run {round}", pattern.name()),
                &measured,
                None,
            );
            theirs.add(&measured);
        }
        ours.print(&format!("career-bot, {}", pattern.name()));
        theirs.print(&format!("baseline, {}", pattern.name()));
    }
}

fn main() {
    // Decided before any pinning, which would make this process see one CPU.
    let placements = Placement::available();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let fake = support::FakeSlack::start().await;
        fake.ignore("auth.test");
        fake.ignore("users.info");
        fake.ignore("conversations.open");
        fake.ignore("chat.postMessage");
        for placement in placements {
            measure(&placement, &fake.api_url()).await;
        }
    });
}
