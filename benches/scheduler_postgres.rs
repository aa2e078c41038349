//! Issue 15, "Tests and budgets": one scheduler pass over 100,000 people with 10% due
//! (`support/scheduler_org.rs`), on PostgreSQL, by one replica and by three replicas at once
//! on the same database; SQLite's pass on the same org in the same run for comparison.
//! Budgets: one replica under 2 s; three replicas together not slower than one.
//!
//!     (source .ci/postgres.sh; cargo bench --bench scheduler_postgres)
//!
//! PostgreSQL comes from `CAREER_BOT_TEST_POSTGRES_URL` (a superuser URL; `.ci/postgres.sh`
//! starts a throwaway cluster and sets it); without it the bench says so and measures
//! nothing. The org is written once into a template database; every measured pass runs on a
//! fresh copy of it (`CREATE DATABASE … TEMPLATE …`), so every pass really plans and
//! delivers all 10,000 reminders. With three replicas, each is a `Bot` with its own pool, as
//! three `serve` processes would be, and the pass is over when all three have returned; the
//! outbox is then checked: every reminder planned once and sent once.
//!
//! Before the passes, three runs split one replica's pass into its phases (`phases`), and
//! time the stale-message rule asked before each message against the rule answered from the
//! change notices (`store::changes`), on the same claimed rows.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use career_bot::bot::Bot;
use career_bot::config::{Config, Overrides};
use career_bot::scheduler::{self, TickReport};

#[path = "support/scheduler_org.rs"]
mod scheduler_org;

use scheduler_org::{DUE, NoopChat, now};

/// Measured passes per case.
const ROUNDS: usize = 5;
/// The budget of one replica's pass.
const BUDGET: Duration = Duration::from_secs(2);

/// The bot as `serve` would start it on `database`, with default settings (no admin channel,
/// so no digest: the pass sends exactly the reminders).
async fn open_bot(database: &str) -> Bot {
    let overrides = Overrides {
        database: Some(database.to_owned()),
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &BTreeMap::<String, String>::new())
        .expect("default configuration");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

fn median(mut figures: Vec<Duration>) -> Duration {
    figures.sort();
    figures[figures.len() / 2]
}

/// The PostgreSQL server: a superuser connection, and URLs of databases on it.
struct Server {
    admin: PgConnection,
    base: String,
}

impl Server {
    fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    async fn run(&mut self, sql: String) {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut self.admin)
            .await
            .expect("an admin statement");
    }
}

/// Counts in the outbox after a pass: (reminders, of which sent).
async fn outbox_counts(bot: &Bot) -> (i64, i64) {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox
         WHERE kind = 'reminder' AND created_at = $1",
    )
    .bind(career_bot::store::time::to_text(now()))
    .fetch_one(bot.store().pool())
    .await
    .expect("outbox counts")
}

/// Passes by `replicas` bots at once on fresh copies of `template`: the wall time of each.
async fn passes(server: &mut Server, template: &str, replicas: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for round in 0..ROUNDS {
        let name = format!("{template}_pass_{replicas}_{round}");
        server
            .run(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await;
        let url = server.url(&name);
        let mut bots = Vec::new();
        for _ in 0..replicas {
            bots.push(open_bot(&url).await);
        }
        let start = Instant::now();
        let reports: Vec<TickReport> = futures_util::future::join_all(
            bots.iter()
                .map(|bot| scheduler::tick(bot, &NoopChat, now())),
        )
        .await
        .into_iter()
        .map(|report| report.expect("tick"))
        .collect();
        let elapsed = start.elapsed();
        let planned: usize = reports.iter().map(|report| report.planned).sum();
        let sent: usize = reports.iter().map(|report| report.sent).sum();
        assert_eq!(
            (planned, sent),
            (DUE, DUE),
            "{replicas} replica(s) together plan and send each due reminder once: {reports:?}"
        );
        let (rows, sent_rows) = outbox_counts(&bots[0]).await;
        assert_eq!((rows, sent_rows), (DUE as i64, DUE as i64));
        for bot in &bots {
            bot.store().close().await;
        }
        server
            .run(format!("DROP DATABASE {name} WITH (FORCE)"))
            .await;
        println!(
            "  {replicas} replica(s), pass {}: {} (sent per replica: {:?})",
            round + 1,
            ms(elapsed),
            reports.iter().map(|report| report.sent).collect::<Vec<_>>()
        );
        times.push(elapsed);
    }
    times
}

/// One replica's pass split into `plan` and `deliver`, and inside `deliver` the claims and
/// the stale-message rule on their own, each on a fresh copy: where the time goes. The rule
/// is applied to the same messages twice: asking before each message, as SQLite does (and
/// PostgreSQL did before the change notices), and as the pass applies it on PostgreSQL
/// (`StaleCheck::superseded_before_send`, answering from the notices while nothing changed).
async fn phases(server: &mut Server, template: &str) {
    println!("Phases, one replica (each run on fresh copies):");
    for run in 1..=3 {
        let name = format!("{template}_phase_{run}");
        server
            .run(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await;
        let bot = open_bot(&server.url(&name)).await;
        let start = Instant::now();
        let planned = scheduler::plan(&bot, now()).await.expect("plan");
        let plan = start.elapsed();
        let start = Instant::now();
        let report = scheduler::deliver(&bot, &NoopChat, now())
            .await
            .expect("deliver");
        let deliver = start.elapsed();
        assert_eq!((planned, report.sent), (DUE, DUE));
        bot.store().close().await;
        server
            .run(format!("DROP DATABASE {name} WITH (FORCE)"))
            .await;

        // The claims and the stale checks alone, on rows `plan` wrote.
        server
            .run(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await;
        let bot = open_bot(&server.url(&name)).await;
        let store = bot.store();
        scheduler::plan(&bot, now()).await.expect("plan");
        let start = Instant::now();
        // Each batch's messages (their rows), grouped as the pass groups them.
        let batches = scheduler_org::claim_all(store).await;
        let claim = start.elapsed();
        let messages: usize = batches.iter().map(Vec::len).sum();
        let start = Instant::now();
        for batch in &batches {
            let mut check = store.stale_check().await.expect("connection");
            for message in batch {
                let stale = check.superseded_among(message).await.expect("stale check");
                assert!(stale.is_empty());
            }
        }
        let asking_each = start.elapsed();
        let start = Instant::now();
        for batch in &batches {
            let mut check = store.stale_check().await.expect("connection");
            for (index, message) in batch.iter().enumerate() {
                let upcoming: Vec<i64> = batch[index + 1..].iter().flatten().copied().collect();
                let stale = check
                    .superseded_before_send(message, &upcoming)
                    .await
                    .expect("stale check");
                assert!(stale.is_empty());
            }
        }
        let noticed = start.elapsed();
        bot.store().close().await;
        server
            .run(format!("DROP DATABASE {name} WITH (FORCE)"))
            .await;
        println!(
            "  run {run}: plan {} + deliver {} = {}",
            ms(plan),
            ms(deliver),
            ms(plan + deliver)
        );
        println!(
            "         inside deliver: claim_ready x{} {}; the stale-message rule before each of \
             {messages} messages: asked each time {}, answered from the change notices {}",
            batches.len() + 1,
            ms(claim),
            ms(asking_each),
            ms(noticed)
        );
    }
}

/// SQLite's pass on the same org, on fresh copies of a prepared file, for comparison.
async fn sqlite_passes(dir: &Path) -> Vec<Duration> {
    let template = dir.join("prepared.db");
    {
        let bot = open_bot(&template.display().to_string()).await;
        scheduler_org::prepare(bot.store(), bot.settings()).await;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(bot.store().pool())
            .await
            .expect("checkpoint");
        bot.store().close().await;
    }
    let mut times = Vec::new();
    for round in 0..ROUNDS {
        let path = dir.join("pass.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        std::fs::copy(&template, &path).expect("copy the prepared database");
        std::fs::File::open(&path)
            .and_then(|file| file.sync_all())
            .expect("sync the copy");
        let bot = open_bot(&path.display().to_string()).await;
        let start = Instant::now();
        let report = scheduler::tick(&bot, &NoopChat, now()).await.expect("tick");
        let elapsed = start.elapsed();
        assert_eq!((report.planned, report.sent), (DUE, DUE));
        bot.store().close().await;
        println!("  SQLite, pass {}: {}", round + 1, ms(elapsed));
        times.push(elapsed);
    }
    times
}

fn main() {
    let Ok(admin_url) = std::env::var("CAREER_BOT_TEST_POSTGRES_URL") else {
        println!(
            "scheduler on PostgreSQL: not measured, CAREER_BOT_TEST_POSTGRES_URL is not set (run it as `(source .ci/postgres.sh; cargo bench --bench scheduler_postgres)`)"
        );
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let admin = PgConnection::connect(&admin_url)
            .await
            .expect("the PostgreSQL server answers");
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("a URL ending in a database name");
        let mut server = Server {
            admin,
            base: base.to_owned(),
        };
        let template = format!("career_bot_bench_scheduler_{}", std::process::id());
        server.run(format!("CREATE DATABASE {template}")).await;
        let start = Instant::now();
        {
            let bot = open_bot(&server.url(&template)).await;
            scheduler_org::prepare(bot.store(), bot.settings()).await;
            sqlx::query("VACUUM ANALYZE")
                .execute(bot.store().pool())
                .await
                .expect("analyze");
            bot.store().close().await;
        }
        println!(
            "Prepared {} reports ({DUE} due) on PostgreSQL in {}",
            scheduler_org::REPORTS,
            ms(start.elapsed())
        );
        let dir = tempfile::tempdir().expect("temp dir");
        phases(&mut server, &template).await;
        println!("Passes:");
        let sqlite = median(sqlite_passes(dir.path()).await);
        let one = median(passes(&mut server, &template, 1).await);
        let three = median(passes(&mut server, &template, 3).await);
        server
            .run(format!("DROP DATABASE {template} WITH (FORCE)"))
            .await;

        println!();
        println!(
            "## Summary (issue 15): one scheduler pass, 100,000 people, {DUE} due; medians of {ROUNDS} passes, each on a fresh copy"
        );
        println!(
            "| SQLite (same run) | PostgreSQL, 1 replica (budget < {}) | PostgreSQL, 3 replicas (budget <= 1 replica) |",
            ms(BUDGET)
        );
        println!("|---|---|---|");
        let verdict = |pass: bool| if pass { "PASS" } else { "FAIL" };
        println!(
            "| {} | {} {} | {} {} |",
            ms(sqlite),
            ms(one),
            verdict(one < BUDGET),
            ms(three),
            verdict(three <= one)
        );
        println!(
            "PostgreSQL against SQLite: {:.2}× for one replica",
            one.as_secs_f64() / sqlite.as_secs_f64()
        );
    });
}
