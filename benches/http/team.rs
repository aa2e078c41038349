//! Issue 15, "Tests and budgets": signed slash commands that touch the database — `team` for
//! a manager with 50 reports among 10,000 (`support/team_org.rs`) — against `serve` on
//! PostgreSQL and on SQLite, taking turns in the same run. Budget: PostgreSQL's throughput
//! at least half SQLite's.
//!
//!     (source .ci/postgres.sh; cargo bench --bench http -- team)
//!
//! PostgreSQL comes from `CAREER_BOT_TEST_POSTGRES_URL` (a superuser URL, as the tests use;
//! `.ci/postgres.sh` starts a throwaway cluster and sets it): a fresh database is created
//! for the run and dropped after it. Without the variable the run says so and measures
//! nothing. Each round sends [`REQUESTS`] requests to each server at [`CONNECTIONS`]
//! connections, the order alternating from round to round; the verdict is the median of the
//! rounds' ratios, as in `throughput.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Connection as _;

use super::client::{self, Connection, SignedRequest};
use super::cpu::Placement;
use super::{SECRET, percentile, server, team_org};

/// Connections each server is asked on.
const CONNECTIONS: usize = 8;
/// Requests per server per round.
const REQUESTS: usize = 2_000;
/// Rounds; each asks both servers.
const ROUNDS: usize = 7;
/// The budget: PostgreSQL's throughput over SQLite's.
const MIN_RATIO: f64 = 0.5;

/// What one server did in one round.
struct Round {
    throughput: f64,
    errors: usize,
    p50: Duration,
    p99: Duration,
}

pub async fn measure(fake_api_url: &str) {
    let Ok(admin_url) = std::env::var("CAREER_BOT_TEST_POSTGRES_URL") else {
        println!(
            "team on PostgreSQL against SQLite: not measured, CAREER_BOT_TEST_POSTGRES_URL is not set (run it as `(source .ci/postgres.sh; cargo bench --bench http -- team)`)"
        );
        return;
    };
    let name = format!("career_bot_bench_team_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("the PostgreSQL server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create the bench database");
    let (server_url, _) = admin_url
        .rsplit_once('/')
        .expect("a URL ending in a database name");
    let postgres_url = format!("{server_url}/{name}");
    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let postgres_dir = tempfile::tempdir().expect("temp dir");
    let sqlite_path = sqlite_dir.path().join("team.db").display().to_string();

    for database in [&sqlite_path, &postgres_url] {
        let started = Instant::now();
        seed(database).await;
        println!(
            "seeded {} managers with {} reports each on {} in {:.1} s",
            team_org::MANAGERS,
            team_org::REPORTS_PER_MANAGER,
            kind(database),
            started.elapsed().as_secs_f64()
        );
    }

    let cpus = Placement::available()[0].server_cpus();
    let sqlite = server::CareerBot::start_on(
        sqlite_dir.path(),
        &sqlite_path,
        fake_api_url,
        SECRET,
        cpus.clone(),
    )
    .await;
    let postgres = server::CareerBot::start_on(
        postgres_dir.path(),
        &postgres_url,
        fake_api_url,
        SECRET,
        cpus,
    )
    .await;
    // A moment for start-up work (the scheduler's first pass) to finish.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for bot in [&sqlite, &postgres] {
        let mut connection = Connection::open(&bot.address).await;
        let body = connection.body(&team_request(&bot.address)).await;
        let body = String::from_utf8_lossy(&body);
        assert!(
            body.contains("Your reports (50)"),
            "team lists the 50 reports: {body}"
        );
    }

    let mut rounds: BTreeMap<&str, Vec<Round>> = BTreeMap::new();
    for bot in [&sqlite, &postgres] {
        // Warm-up: connections, caches, the allocator.
        client_run(&bot.address, REQUESTS / 2).await;
    }
    for round in 1..=ROUNDS {
        let order = if round % 2 == 1 {
            [("SQLite", &sqlite), ("PostgreSQL", &postgres)]
        } else {
            [("PostgreSQL", &postgres), ("SQLite", &sqlite)]
        };
        for (label, bot) in order {
            let measured = client_run(&bot.address, REQUESTS).await;
            println!(
                "{label}, round {round}: {:.0} requests/s, {} errors; latency p50 {:.2} ms, p99 {:.2} ms",
                measured.throughput,
                measured.errors,
                measured.p50.as_secs_f64() * 1000.0,
                measured.p99.as_secs_f64() * 1000.0,
            );
            rounds.entry(label).or_default().push(measured);
        }
    }
    drop(sqlite);
    drop(postgres);
    summary(&rounds["SQLite"], &rounds["PostgreSQL"]);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop the bench database");
}

fn kind(database: &str) -> &'static str {
    if database.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// Migrates `database` and writes the org into it.
async fn seed(database: &str) {
    let overrides = career_bot::config::Overrides {
        database: Some(database.to_owned()),
        ..career_bot::config::Overrides::default()
    };
    let config = career_bot::config::Config::resolve(&overrides, &BTreeMap::new())
        .expect("default configuration");
    let report = career_bot::app::load_frameworks(&config);
    let bot = career_bot::app::open(&config, report)
        .await
        .expect("the bot opens");
    team_org::prepare(bot.store(), bot.settings()).await;
    bot.store().close().await;
}

/// `/career team`, signed, from the manager whose 50 reports are listed.
fn team_request(address: &str) -> SignedRequest {
    SignedRequest::from_user(address, SECRET, team_org::MANAGER, "team")
}

/// Sends `count` freshly signed `team` requests to `address` at [`CONNECTIONS`] connections.
async fn client_run(address: &str, count: usize) -> Round {
    let requests: Arc<Vec<SignedRequest>> =
        Arc::new((0..count).map(|_| team_request(address)).collect());
    let open = client::connections(address, CONNECTIONS).await;
    let started = Instant::now();
    let (mut latencies, errors) = client::closed_loop(open, requests).await;
    let elapsed = started.elapsed();
    latencies.sort();
    Round {
        throughput: latencies.len() as f64 / elapsed.as_secs_f64(),
        errors,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
    }
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

fn summary(sqlite: &[Round], postgres: &[Round]) {
    let ratios: Vec<f64> = postgres
        .iter()
        .zip(sqlite)
        .map(|(postgres, sqlite)| postgres.throughput / sqlite.throughput)
        .collect();
    let per_round: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.2}")).collect();
    let ratio = median(ratios);
    let errors: usize = sqlite
        .iter()
        .chain(postgres)
        .map(|round| round.errors)
        .sum();
    let pass = ratio >= MIN_RATIO && errors == 0;
    println!();
    println!(
        "## Summary (issue 15): `team` (50 reports among 10,000), signed slash commands at {CONNECTIONS} connections; medians of {ROUNDS} rounds of {REQUESTS} requests"
    );
    println!(
        "| SQLite | PostgreSQL | ratio PostgreSQL/SQLite (budget >= {MIN_RATIO:.2}) | errors (budget 0) |"
    );
    println!("|---|---|---|---|");
    println!(
        "| {:.0}/s | {:.0}/s | {ratio:.2} (rounds: {}) | {errors} |",
        median(sqlite.iter().map(|round| round.throughput).collect()),
        median(postgres.iter().map(|round| round.throughput).collect()),
        per_round.join(", "),
    );
    println!("overall: {}", if pass { "PASS" } else { "FAIL" });
}
