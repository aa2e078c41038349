//! `team` for a manager with 50 reports, end to end through `Bot::handle` (parse, the store
//! query with each report's latest conversation, cadence status, rendering). Budget (issue
//! "Check-ins"): under 5 ms.
//!
//!     cargo bench --bench team
//!
//! The database holds 200 managers with 50 reports each (10,000 reports), every report with
//! three conversations on record, so the query has realistic neighbours to skip
//! (`support/team_org.rs`). The same command through signed requests to `serve`, on SQLite
//! and PostgreSQL side by side: `cargo bench --bench http -- team`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use career_bot::bot::{Bot, Request};
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;
use career_bot::reply::Block;

#[path = "support/team_org.rs"]
mod team_org;

use team_org::{MANAGER, REPORTS_PER_MANAGER, now};

async fn open_bot(path: &Path) -> Bot {
    let overrides = Overrides {
        database: Some(path.display().to_string()),
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &BTreeMap::<String, String>::new())
        .expect("default configuration");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = rt.block_on(async {
        let bot = open_bot(&dir.path().join("team.db")).await;
        team_org::prepare(bot.store(), bot.settings()).await;
        bot
    });
    let request = Request {
        user: UserId::new(MANAGER),
        text: "team".to_owned(),
        now: now(),
    };

    // The reply is the full team, once, before anything is timed.
    let reply = rt.block_on(bot.handle(&request));
    let bullets = reply.blocks.iter().find_map(|block| match block {
        Block::Bullets { items, .. } => Some(items.len()),
        _ => None,
    });
    assert_eq!(
        bullets,
        Some(REPORTS_PER_MANAGER),
        "{}",
        reply.to_plain_text()
    );
    let text = reply.to_plain_text();
    assert!(text.contains("Your reports (50)"), "{text}");
    println!("{}", text.lines().last().unwrap_or_default());

    let mut group = c.benchmark_group("team");
    group.bench_function("team: 50 reports among 10,000", |b| {
        b.iter(|| black_box(rt.block_on(bot.handle(black_box(&request)))))
    });
    group.finish();
    rt.block_on(bot.store().close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
