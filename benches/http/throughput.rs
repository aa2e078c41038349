//! Issue 12, item 16: answers cached by the resolved question. Signed slash commands at 50
//! connections, career-bot and the do-nothing baseline taking turns in the same run:
//!
//! - **repeated**: one question text, every request freshly signed with its own `trigger_id`;
//! - **rotating**: [`ROTATING_TEXTS`] distinct texts, new wordings of the bench's real
//!   questions (`questions.rs`), so almost every exact text is new to the server's cache of
//!   the moment, and the question it resolves to is one the server knows.
//!
//! Budgets, each run: throughput at least half the baseline's; the server's resident memory
//! under 25 MB throughout; zero errors. Each run is [`ROUNDS`] rounds of [`REQUESTS`]
//! requests per server, one server right after the other, the order alternating from round
//! to round. The machine is shared, and its other work comes and goes within seconds, so
//! each round's two throughputs are compared (their ratio) and the verdict is the median of
//! those ratios: a slow spell spoils a round, not the run. The server's CPU time per request
//! is reported beside them, which that other work disturbs less.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::client::{self, Connection, SignedRequest};
use super::cpu::{self, Placement};
use super::memory::{Reading, Sampler};
use super::questions::{self, QUESTIONS, Wording};
use super::{SECRET, percentile, server};

/// Connections each server is asked on, each with one request in flight at a time.
pub const CONNECTIONS: usize = 50;
/// Requests per server per round.
const REQUESTS: usize = 20_000;
/// Rounds per run; each round asks both servers.
const ROUNDS: usize = 9;
/// Distinct texts of the rotating run.
pub const ROTATING_TEXTS: usize = 6_000;
/// Requests per server before a run's rounds: caches, allocator, socket buffers.
const WARM_UP: usize = 10_000;

/// The budgets.
const MIN_RATIO: f64 = 0.5;
const MAX_RSS_MB: f64 = 25.0;

/// What one server did in one round.
struct Round {
    throughput: f64,
    /// The server's CPU time per request (user and system, all its threads).
    cpu_per_request: Duration,
    errors: usize,
    p50: Duration,
    p99: Duration,
}

/// One run's figures (repeated or rotating).
struct Outcome {
    name: &'static str,
    texts: usize,
    ours: Vec<Round>,
    theirs: Vec<Round>,
    peak: Reading,
}

pub async fn measure(fake_api_url: &str) {
    // Both processes may use every CPU this one may (the OS places them).
    let cpus = Placement::available()[0].server_cpus();
    let repeated = vec![questions::originals().swap_remove(0)];
    let rotating = questions::rotating(ROTATING_TEXTS);
    println!(
        "{} connections; {} rounds of {} requests per server per run; rotating through {} distinct texts of {} questions",
        CONNECTIONS,
        ROUNDS,
        REQUESTS,
        rotating.len(),
        QUESTIONS.len()
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let bot = server::CareerBot::start(dir.path(), fake_api_url, SECRET, cpus.clone()).await;
    let sampler = Sampler::start(bot.pid());
    // A moment for start-up work (the scheduler's first pass) to finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_start = Reading::of(bot.pid()).unwrap_or_default();
    println!("server memory after start: {}", after_start.describe());
    // From here on, each run's peak covers everything until the run's end: asking for the
    // baseline's answers, the warm-up and the rounds.
    sampler.take_peak();

    let answers = answers(&bot.address, &rotating).await;
    let baseline = server::Baseline::start(answers, cpus);

    let mut outcomes = Vec::new();
    for (name, texts) in [("repeated", &repeated), ("rotating", &rotating)] {
        println!("## {name}: {} distinct text(s)", texts.len());
        let bot_cpu = || cpu::process_time(bot.pid());
        let base_cpu = || cpu::process_time(baseline.pid());
        let bot_run = |requests| client_run(&bot.address, requests, bot_cpu);
        let base_run = |requests| client_run(&baseline.address, requests, base_cpu);
        assert_eq!(
            bot_run(signed(&bot.address, texts, WARM_UP)).await.errors,
            0
        );
        base_run(signed(&baseline.address, texts, WARM_UP)).await;
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for round in 1..=ROUNDS {
            // Alternate who goes first, so a slow spell of the machine hits both alike.
            for bot_turn in [round % 2 == 1, round % 2 == 0] {
                if bot_turn {
                    let before = bot.handling_histogram().await;
                    let measured = bot_run(signed(&bot.address, texts, REQUESTS)).await;
                    let after = bot.handling_histogram().await;
                    report(
                        &format!("career-bot, {name}, round {round}"),
                        &measured,
                        &format!(
                            "; server handling p99 <= {:.3} ms",
                            server::handling_p99(&before, &after) * 1000.0
                        ),
                    );
                    ours.push(measured);
                } else {
                    let measured = base_run(signed(&baseline.address, texts, REQUESTS)).await;
                    report(&format!("baseline, {name}, round {round}"), &measured, "");
                    theirs.push(measured);
                }
            }
        }
        let peak = sampler.take_peak();
        println!(
            "server memory at its peak during {name}: {}",
            peak.describe()
        );
        outcomes.push(Outcome {
            name,
            texts: texts.len(),
            ours,
            theirs,
            peak,
        });
    }
    println!(
        "server memory at the end: {}",
        Reading::of(bot.pid()).unwrap_or_default().describe()
    );
    println!(
        "baseline memory at the end (for comparison; no budget): {}",
        Reading::of(baseline.pid()).unwrap_or_default().describe()
    );
    summary(&outcomes, &after_start);
}

/// The body career-bot sends for each text, by request body without its unique field, for
/// the baseline: every question's answer, asked once as written; each rotating wording
/// gets its question's answer. The first wordings of each question are asked of career-bot
/// too, checking that it answers them with exactly those bytes (its cache at work).
async fn answers(address: &str, rotating: &[Wording]) -> HashMap<Bytes, Bytes> {
    let mut connection = Connection::open(address).await;
    let mut by_question = Vec::new();
    let mut answers = HashMap::new();
    for wording in questions::originals() {
        let request = SignedRequest::new(address, SECRET, &wording.text);
        let body = Bytes::from(connection.body(&request).await);
        answers.insert(Bytes::copy_from_slice(request.question()), body.clone());
        by_question.push(body);
    }
    for (i, wording) in rotating.iter().enumerate() {
        let request = SignedRequest::new(address, SECRET, &wording.text);
        let answer = &by_question[wording.question];
        if i < QUESTIONS.len() {
            assert_eq!(
                &Bytes::from(connection.body(&request).await),
                answer,
                "{:?} is answered as {:?} is",
                wording.text,
                QUESTIONS[wording.question]
            );
        }
        answers.insert(Bytes::copy_from_slice(request.question()), answer.clone());
    }
    answers
}

/// `count` requests for `address`, signed now, asking `texts` in turn.
fn signed(address: &str, texts: &[Wording], count: usize) -> Arc<Vec<SignedRequest>> {
    Arc::new(
        texts
            .iter()
            .cycle()
            .take(count)
            .map(|wording| SignedRequest::new(address, SECRET, &wording.text))
            .collect(),
    )
}

/// Sends `requests` to the server at `address`, whose CPU time so far `cpu_time` tells.
async fn client_run(
    address: &str,
    requests: Arc<Vec<SignedRequest>>,
    cpu_time: impl Fn() -> Duration,
) -> Round {
    let open = client::connections(address, CONNECTIONS).await;
    let cpu_before = cpu_time();
    let started = Instant::now();
    let (mut latencies, errors) = client::closed_loop(open, requests).await;
    let elapsed = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    latencies.sort();
    Round {
        throughput: latencies.len() as f64 / elapsed.as_secs_f64(),
        cpu_per_request: cpu / u32::try_from(latencies.len()).expect("requests fit u32"),
        errors,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
    }
}

fn report(name: &str, round: &Round, more: &str) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {:.0} requests/s, {} errors, server CPU {:.1} µs a request; latency p50 {:.2} ms, p99 {:.2} ms{more}",
        round.throughput,
        round.errors,
        round.cpu_per_request.as_secs_f64() * 1e6,
        ms(round.p50),
        ms(round.p99),
    );
}

fn median(rounds: &[Round], figure: impl Fn(&Round) -> f64) -> f64 {
    let mut figures: Vec<f64> = rounds.iter().map(figure).collect();
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn summary(outcomes: &[Outcome], after_start: &Reading) {
    println!();
    println!(
        "## Summary (issue 12, item 16): {CONNECTIONS} connections; throughputs: medians of {ROUNDS} rounds; ratio: median of the rounds' ratios; server RSS after start {:.1} MB",
        after_start.rss_mb()
    );
    println!(
        "| run | texts | career-bot | baseline | ratio (budget >= {MIN_RATIO:.2}) | server peak RSS (budget < {MAX_RSS_MB:.0} MB) | errors (budget 0) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut all_pass = true;
    for outcome in outcomes {
        let throughput = |round: &Round| round.throughput;
        let (ours, theirs) = (
            median(&outcome.ours, throughput),
            median(&outcome.theirs, throughput),
        );
        let mut ratios: Vec<f64> = outcome
            .ours
            .iter()
            .zip(&outcome.theirs)
            .map(|(ours, theirs)| ours.throughput / theirs.throughput)
            .collect();
        let per_round: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.2}")).collect();
        ratios.sort_by(f64::total_cmp);
        let ratio = ratios[ratios.len() / 2];
        let errors: usize = outcome.ours.iter().map(|round| round.errors).sum();
        let rss = outcome.peak.rss_mb();
        let passes = [ratio >= MIN_RATIO, rss < MAX_RSS_MB, errors == 0];
        all_pass &= passes.iter().all(|pass| *pass);
        println!(
            "| {} | {} | {:.0}/s | {:.0}/s | {:.2} {} (rounds: {}) | {:.1} MB {} | {} {} |",
            outcome.name,
            outcome.texts,
            ours,
            theirs,
            ratio,
            verdict(passes[0]),
            per_round.join(", "),
            rss,
            verdict(passes[1]),
            errors,
            verdict(passes[2]),
        );
    }
    println!("overall: {}", verdict(all_pass));
    println!();
    println!(
        "Server CPU time per request (user and system, all threads; median of the rounds), which the machine's other work disturbs less than throughput:"
    );
    for outcome in outcomes {
        let micros = |round: &Round| round.cpu_per_request.as_secs_f64() * 1e6;
        let (ours, theirs) = (
            median(&outcome.ours, micros),
            median(&outcome.theirs, micros),
        );
        println!(
            "- {}: career-bot {ours:.1} µs, baseline {theirs:.1} µs ({:.2}×)",
            outcome.name,
            ours / theirs
        );
    }
}
