//! `stats` for an admin over 100,000 people and two years of conversations, as Slack runs it
//! (the store query with each conversation's previous one, the org chart, the figures per
//! manager and team, the reply, and the chart drawn as a PNG). Budget (issue 14, "Tests and
//! budgets"): under 500 ms median.
//!
//!     cargo bench --bench stats
//!
//! The org: 10 top-level heads, 1,000 managers under them, 98,990 reports under the managers;
//! every report has a conversation every four to seven months for two years (about 450,000
//! rows), some late, some disputed, some not yet confirmed.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use career_bot::bot::handlers::stats;
use career_bot::bot::{Bot, Request};
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;
use career_bot::store::time;

const PEOPLE: usize = 100_000;
const HEADS: usize = 10;
const MANAGERS: usize = 1_000;
const ADMIN: &str = "ADMIN";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-17T10:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

fn minus(date: NaiveDate, days: usize) -> NaiveDate {
    date.checked_sub_days(Days::new(days as u64))
        .expect("in range")
}

async fn open_bot(path: &Path) -> Bot {
    let overrides = Overrides {
        database: Some(path.display().to_string()),
        ..Overrides::default()
    };
    let env: BTreeMap<String, String> = [("CAREER_BOT_ADMINS".to_owned(), ADMIN.to_owned())].into();
    let config = Config::resolve(&overrides, &env).expect("configuration");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

/// `(id, manager)` of person `n`.
fn person(n: usize) -> (String, Option<String>) {
    if n < HEADS {
        (format!("H{n:02}"), None)
    } else if n < HEADS + MANAGERS {
        (format!("M{n:05}"), Some(format!("H{:02}", n % HEADS)))
    } else {
        let manager = HEADS + n % MANAGERS;
        (format!("U{n:06}"), Some(format!("M{manager:05}")))
    }
}

async fn prepare(bot: &Bot) {
    let today = now().date_naive();
    let start = minus(today, 2 * 365);
    let stamp = time::to_text(now() - chrono::Duration::days(800));
    let mut tx = bot.store().pool().begin().await.expect("begin");
    for n in 0..PEOPLE {
        let (user, manager) = person(n);
        sqlx::query(
            "INSERT INTO people (user_id, display_name, framework_id, level, manager_id,
                                 start_date, anchor_on, created_at, updated_at)
             VALUES (?, ?, ?, 2, ?, ?, ?, ?, ?)",
        )
        .bind(&user)
        .bind(format!("Person {n}"))
        .bind(manager.as_ref().map(|_| "buffer-marketing"))
        .bind(&manager)
        .bind(manager.as_ref().map(|_| time::date_text(start)))
        .bind(manager.as_ref().map(|_| time::date_text(start)))
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *tx)
        .await
        .expect("insert person");
        let Some(manager) = manager else {
            continue;
        };
        // A conversation every 120 to 210 days from the start: most on time, some late.
        let mut held_on = start;
        let mut k = 0;
        loop {
            held_on = held_on
                .checked_add_days(Days::new(120 + ((n * 31 + k * 17) % 91) as u64))
                .expect("in range");
            if held_on > today {
                break;
            }
            let status = match (n + k) % 7 {
                0 => "pending",
                1 => "disputed",
                _ => "acknowledged",
            };
            sqlx::query(
                "INSERT INTO checkins (report_id, manager_id, held_on, framework_id,
                                       level_discussed, recorded_by, recorded_at, ack_status)
                 VALUES (?, ?, ?, 'buffer-marketing', 2, ?, ?, ?)",
            )
            .bind(&user)
            .bind(&manager)
            .bind(time::date_text(held_on))
            .bind(&manager)
            .bind(&stamp)
            .bind(status)
            .execute(&mut *tx)
            .await
            .expect("insert checkin");
            k += 1;
        }
    }
    tx.commit().await.expect("commit");
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = rt.block_on(async {
        let bot = open_bot(&dir.path().join("stats.db")).await;
        prepare(&bot).await;
        bot
    });
    let request = Request {
        user: UserId::new(ADMIN),
        text: "stats".to_owned(),
        now: now(),
    };
    // The figures cover the org before anything is timed.
    let text = rt.block_on(bot.handle(&request)).to_plain_text();
    assert!(text.contains("across the organisation"), "{text}");
    assert!(text.contains("Per manager"), "{text}");
    println!("{}", text.lines().take(12).collect::<Vec<_>>().join("\n"));

    let admin = UserId::new(ADMIN);
    let view = rt
        .block_on(stats::view(&bot, &admin, 12, now(), true))
        .expect("stats");
    assert!(view.png.is_some(), "the chart is drawn");

    let mut group = c.benchmark_group("stats");
    group.sample_size(10);
    group.bench_function(
        "stats: 12 months, 100,000 people, two years of conversations",
        |b| {
            b.iter(|| {
                black_box(
                    rt.block_on(stats::view(&bot, &admin, black_box(12), now(), true))
                        .expect("stats"),
                )
            })
        },
    );
    group.finish();
    rt.block_on(bot.store().close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
