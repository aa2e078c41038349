//! `import-org` of 10,000 rows named by email (100 managers, 9,900 reports), against a small
//! stub of Slack's `users.lookupByEmail` on loopback. Budget (issue 14, "Tests and budgets"):
//! under 10 s, paced within Slack's Tier 4 limit.
//!
//!     cargo bench --bench import_org
//!
//! What the budget can mean. Slack documents `users.lookupByEmail` as Tier 3 (50+ calls a
//! minute; Tier 4 is 100+). At either pace, 10,000 emails never seen before take 100 to 200
//! minutes of Slack's time, so no import of 10,000 *fresh* emails can finish in 10 s while
//! respecting the limit. The bot therefore:
//!
//! - stores every email it resolved with the person (migration 0010) and never asks Slack about
//!   a stored one again: the nightly HR sync of an org already imported asks nothing, and a
//!   night with a few new hires asks only about them. Case **"nightly sync, 10,000 stored
//!   emails"** is that import (with `--sync`), and it is the one the 10 s budget is for;
//! - paces the lookups it does make with a token bucket at Slack's documented rate
//!   (`Pace::SLACK`: a burst of 50, then 50 a minute) and waits out any 429's `Retry-After`.
//!   A first import of a 10,000-person company takes hours of waiting on Slack, once.
//!
//! Case **"first import, 10,000 fresh emails, no pacing"** measures everything that is the
//! bot's own (10,000 lookups over HTTP, the checks, one transaction) with the pace set to
//! 429-only (`Pace::BY_RATE_LIMITS_ONLY`, the stub never limits), so a slowdown of the bot's
//! own work shows; it is not a figure any real workspace would see.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use slack_morphism::prelude::SlackApiToken;

use career_bot::admin::import::{self, Directory, ImportOptions};
use career_bot::bot::Bot;
use career_bot::config::{Config, Overrides};
use career_bot::slack::directory::{Pace, SlackDirectory};

const MANAGERS: usize = 100;
const ROWS: usize = 10_000;

/// The HR export: managers first, then reports spread over them.
fn hr_export() -> String {
    let mut csv = String::from("user,name,manager,framework,level,start_date\n");
    for m in 0..MANAGERS {
        csv.push_str(&format!("m{m:03}@acme.test,Manager {m},,,,\n"));
    }
    for r in 0..ROWS - MANAGERS {
        csv.push_str(&format!(
            "p{r:05}@acme.test,Person {r},m{:03}@acme.test,buffer-marketing,{},2026-01-05\n",
            r % MANAGERS,
            1 + r % 5
        ));
    }
    csv
}

/// `users.lookupByEmail` on loopback: `p00042@acme.test` is `UP00042`; it counts the calls.
async fn start_stub(calls: Arc<AtomicUsize>) -> String {
    async fn lookup(
        State(calls): State<Arc<AtomicUsize>>,
        Query(query): Query<BTreeMap<String, String>>,
    ) -> axum::Json<serde_json::Value> {
        calls.fetch_add(1, Ordering::Relaxed);
        let email = query.get("email").cloned().unwrap_or_default();
        let local = email.split('@').next().unwrap_or_default().to_uppercase();
        axum::Json(serde_json::json!({
            "ok": true,
            "user": {"id": format!("U{local}"), "team_id": "T0STUB", "name": local},
        }))
    }
    let app = Router::new()
        .route("/api/users.lookupByEmail", get(lookup))
        .with_state(calls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the stub");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/api")
}

async fn fresh_bot(dir: &std::path::Path) -> Bot {
    let overrides = Overrides {
        database: Some(dir.join("bench.db").display().to_string()),
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &BTreeMap::<String, String>::new())
        .expect("the bench configuration is valid");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

fn directory(api_url: &str) -> SlackDirectory {
    let client = career_bot::slack::client::build(api_url).expect("a client");
    SlackDirectory::new(client, SlackApiToken::new("xoxb-bench".into()))
        .with_pace(Pace::BY_RATE_LIMITS_ONLY)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let calls = Arc::new(AtomicUsize::new(0));
    let api_url = runtime.block_on(start_stub(Arc::clone(&calls)));
    let csv = hr_export();
    let now = chrono::Utc::now();
    let sync = ImportOptions {
        sync: true,
        dry_run: false,
    };

    let mut group = c.benchmark_group("import-org by email");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));

    // The org imported once; every later import finds all emails stored.
    let stored_dir = tempfile::tempdir().expect("temp dir");
    let stored = runtime.block_on(fresh_bot(stored_dir.path()));
    let first = runtime
        .block_on(import::import_with(
            &stored,
            csv.as_bytes(),
            "hr.csv",
            now,
            sync,
            Some(&directory(&api_url) as &dyn Directory),
        ))
        .expect("the export imports");
    assert_eq!(first.summary.people, ROWS);
    assert_eq!(first.looked_up, ROWS);
    group.bench_function("nightly sync, 10,000 stored emails", |b| {
        b.iter(|| {
            let before = calls.load(Ordering::Relaxed);
            let outcome = runtime
                .block_on(import::import_with(
                    &stored,
                    csv.as_bytes(),
                    "hr.csv",
                    now,
                    sync,
                    Some(&directory(&api_url) as &dyn Directory),
                ))
                .expect("the sync imports");
            assert_eq!(outcome.looked_up, 0);
            assert_eq!(calls.load(Ordering::Relaxed), before, "Slack is not asked");
        })
    });

    group.bench_function("first import, 10,000 fresh emails, no pacing", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("temp dir");
                let bot = runtime.block_on(fresh_bot(dir.path()));
                (dir, bot)
            },
            |(_dir, bot)| {
                let outcome = runtime
                    .block_on(import::import_with(
                        &bot,
                        csv.as_bytes(),
                        "hr.csv",
                        now,
                        sync,
                        Some(&directory(&api_url) as &dyn Directory),
                    ))
                    .expect("the export imports");
                assert_eq!(outcome.looked_up, ROWS);
                runtime.block_on(bot.store().close());
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
