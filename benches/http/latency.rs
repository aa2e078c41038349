//! The earlier latency patterns (issue "Slack"): 200 requests in flight, p99 latency.
//! `cargo bench --bench http -- latency`. Their absolute p99 budget (5 ms) was dropped by
//! issue 12 (this machine cannot show it); they are kept to compare latencies with the
//! baseline in the same run.
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
//! with the server and the load generator on separate CPUs (`cpu.rs`). The baseline takes
//! turns with career-bot under the same load. Each pattern ends with a summary: the median,
//! best and worst p99 over the rounds.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::client::{self, Connection, SignedRequest};
use super::cpu::{self, Placement};
use super::memory::{Reading, Sampler};
use super::questions::QUESTIONS;
use super::{SECRET, percentile, server};

const REQUESTS: usize = 100_000;
const CONCURRENCY: usize = 200;
const ROUNDS: usize = 5;

struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    max_rss: Option<Reading>,
}

/// Runs `work`, keeping the peak memory of the process `sampler` watches (if any).
async fn sampled<F: std::future::Future<Output = (Vec<Duration>, usize)>>(
    sampler: Option<&Sampler>,
    work: F,
) -> Run {
    if let Some(sampler) = sampler {
        sampler.take_peak();
    }
    let started = Instant::now();
    let (mut latencies, errors) = work.await;
    let elapsed = started.elapsed();
    latencies.sort();
    Run {
        latencies,
        errors,
        elapsed,
        max_rss: sampler.map(Sampler::take_peak),
    }
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

async fn run(pattern: Pattern, address: &str, sampler: Option<&Sampler>) -> Run {
    let requests = signed_for(address, REQUESTS);
    let open = client::connections(address, CONCURRENCY).await;
    match pattern {
        Pattern::Waves => sampled(sampler, waves(open, requests)).await,
        Pattern::ClosedLoop => sampled(sampler, client::closed_loop(open, requests)).await,
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
    if let Some(rss) = run.max_rss {
        line += &format!("; server RSS max {:.1} MB", rss.rss_mb());
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

/// Both patterns, in each placement.
pub async fn measure(placements: Vec<Placement>, fake_api_url: &str) {
    for placement in placements {
        measure_placement(&placement, fake_api_url).await;
    }
}

async fn measure_placement(placement: &Placement, fake_api_url: &str) {
    cpu::pin_current_thread(&placement.load_cpus());
    println!("## {}", placement.describe());
    let dir = tempfile::tempdir().expect("temp dir");
    let bot =
        server::CareerBot::start(dir.path(), fake_api_url, SECRET, placement.server_cpus()).await;
    let sampler = Sampler::start(bot.pid());
    println!(
        "server RSS after start: {}",
        Reading::of(bot.pid()).unwrap_or_default().describe()
    );
    // Warm-up: caches, allocator, the kernel's socket buffers.
    let warm = run(Pattern::Waves, &bot.address, Some(&sampler)).await;
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
            let measured = run(pattern, &bot.address, Some(&sampler)).await;
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
