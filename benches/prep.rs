//! `prep @person` end to end through `Bot::handle` (parse, access, the person, both
//! assessments, what was agreed last time, evidence since, rendering) for a report on a
//! 10-dimension framework with 200 evidence items since their last conversation and both
//! sides' assessments submitted. Budget (issue 13): under 5 ms median.
//!
//!     cargo bench --bench prep

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use career_bot::bot::{Bot, Request};
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;

const DIMENSIONS: usize = 10;
const EVIDENCE: usize = 200;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("valid time")
}

/// A framework of three levels, each with `DIMENSIONS` dimensions of three expectations.
fn framework_yaml() -> String {
    let mut yaml = String::from(
        "id: wide\nname: Wide\norganisation: Bench\nteam: Bench\nsource:\n  url: https://example.com\n  attribution: bench\ndimensions:\n",
    );
    for d in 0..DIMENSIONS {
        let _ = writeln!(yaml, "  - Dimension {d}");
    }
    yaml.push_str("levels:\n");
    for level in 1..=3 {
        let _ = write!(
            yaml,
            "  - level: {level}\n    titles: [Title {level}]\n    summary: Level {level}.\n    expectations:\n"
        );
        for d in 0..DIMENSIONS {
            let _ = writeln!(yaml, "      Dimension {d}:");
            for e in 0..3 {
                let _ = writeln!(
                    yaml,
                    "        - Expectation {e} of dimension {d} at level {level}."
                );
            }
        }
    }
    yaml
}

async fn prepare(bot: &Bot) {
    let boss = UserId::new("boss");
    let run = |text: &str, user: &UserId, now: &str| Request {
        user: user.clone(),
        text: text.to_owned(),
        now: at(now),
    };
    let ana = UserId::new("ana");
    let reply = bot
        .handle(&run("add @ana wide 1", &boss, "2026-01-05T10:00:00Z"))
        .await;
    assert!(
        reply.to_plain_text().contains("Added"),
        "{}",
        reply.to_plain_text()
    );
    bot.handle(&run(
        "done @ana --focus dimension 1, dimension 2",
        &boss,
        "2026-01-06T10:00:00Z",
    ))
    .await;
    for i in 0..EVIDENCE {
        let dimension = (i % (DIMENSIONS + 1) < DIMENSIONS)
            .then(|| format!("Dimension {}", i % (DIMENSIONS + 1)));
        bot.store()
            .log_evidence(
                &career_bot::store::evidence::NewEvidence {
                    person_id: ana.clone(),
                    author_id: if i % 4 == 0 {
                        boss.clone()
                    } else {
                        ana.clone()
                    },
                    text: format!("Evidence number {i}: shipped a thing that mattered to the team"),
                    link: Some(format!("https://example.slack.com/archives/C1/p{i}")),
                    note: None,
                    tag: dimension.map(|dimension| career_bot::store::evidence::EvidenceTag {
                        framework_id: career_bot::ids::FrameworkId::new("wide"),
                        level: 2,
                        dimension,
                    }),
                    request_key: None,
                },
                at("2026-02-01T10:00:00Z") + chrono::Duration::minutes(i as i64),
            )
            .await
            .expect("log");
    }
    for d in 0..DIMENSIONS {
        let rating = ["not-yet", "sometimes", "consistently"][d % 3];
        let other = ["consistently", "sometimes", "not-yet"][d % 3];
        bot.handle(&run(
            &format!("assess dimension {d} {rating} a note"),
            &ana,
            "2026-03-01T10:00:00Z",
        ))
        .await;
        bot.handle(&run(
            &format!("assess @ana dimension {d} {other}"),
            &boss,
            "2026-03-01T10:00:00Z",
        ))
        .await;
    }
    bot.handle(&run("assess topics growth", &ana, "2026-03-01T10:00:00Z"))
        .await;
    bot.handle(&run("assess done", &ana, "2026-03-01T10:00:00Z"))
        .await;
    bot.handle(&run("assess @ana done", &boss, "2026-03-01T10:00:00Z"))
        .await;
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir_all(&frameworks).expect("framework dir");
    std::fs::write(frameworks.join("wide.yaml"), framework_yaml()).expect("framework file");
    let bot = rt.block_on(async {
        let overrides = Overrides {
            database: Some(dir.path().join("prep.db").display().to_string()),
            frameworks: vec![frameworks.clone()],
            ..Overrides::default()
        };
        let config =
            Config::resolve(&overrides, &BTreeMap::<String, String>::new()).expect("configuration");
        let report = career_bot::app::load_frameworks(&config);
        let bot = career_bot::app::open(&config, report)
            .await
            .expect("the bot opens");
        prepare(&bot).await;
        bot
    });
    let request = Request {
        user: UserId::new("boss"),
        text: "prep @ana".to_owned(),
        now: at("2026-03-02T10:00:00Z"),
    };
    let text = rt.block_on(bot.handle(&request)).to_plain_text();
    assert!(text.contains("Evidence since 2026-01-06: 200"), "{text}");
    assert!(text.contains("two steps apart"), "{text}");
    assert!(text.contains("Focus areas agreed on 2026-01-06"), "{text}");

    let mut group = c.benchmark_group("prep");
    group.bench_function("prep @person: 200 evidence items, 10 dimensions", |b| {
        b.iter(|| black_box(rt.block_on(bot.handle(black_box(&request)))))
    });
    group.finish();
    rt.block_on(bot.store().close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
