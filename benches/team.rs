//! `team` for a manager with 50 reports, end to end through `Bot::handle` (parse, the store
//! query with each report's latest conversation, cadence status, rendering). Budget (issue
//! "Check-ins"): under 5 ms.
//!
//!     cargo bench --bench team
//!
//! The database holds 200 managers with 50 reports each (10,000 reports), every report with
//! three conversations on record, so the query has realistic neighbours to skip.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use career_bot::bot::{Bot, Request};
use career_bot::checkins::due_on;
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;
use career_bot::reply::Block;
use career_bot::store::time;

const MANAGERS: usize = 200;
const REPORTS_PER_MANAGER: usize = 50;
/// The manager whose team is listed.
const MANAGER: &str = "M00042";

const ZONES: [Option<&str>; 4] = [
    Some("Europe/Berlin"),
    Some("America/New_York"),
    Some("Asia/Tokyo"),
    None,
];

/// `(framework id, number of levels)` of the bundled frameworks.
const FRAMEWORKS: [(&str, u32); 4] = [
    ("buffer-engineering", 8),
    ("buffer-happiness", 3),
    ("buffer-marketing", 5),
    ("infracloud-engineering", 5),
];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-17T10:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

fn plus(date: NaiveDate, days: usize) -> NaiveDate {
    date.checked_add_days(Days::new(days as u64))
        .expect("in range")
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
    let config = Config::resolve(&overrides, &BTreeMap::<String, String>::new())
        .expect("default configuration");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

async fn prepare(bot: &Bot) {
    let settings = bot.settings().clone();
    let stamp = time::to_text(now() - chrono::Duration::days(400));
    let mut tx = bot.store().pool().begin().await.expect("begin");
    for m in 0..MANAGERS {
        sqlx::query(
            "INSERT INTO people (user_id, display_name, time_zone, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(format!("M{m:05}"))
        .bind(format!("Manager {m}"))
        .bind(ZONES[m % ZONES.len()])
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *tx)
        .await
        .expect("insert manager");
        for i in 0..REPORTS_PER_MANAGER {
            let r = m * REPORTS_PER_MANAGER + i;
            let user = format!("U{r:06}");
            let manager = format!("M{m:05}");
            let (framework, levels) = FRAMEWORKS[r % FRAMEWORKS.len()];
            let level = 1 + (r as u32 / 4) % levels;
            // Latest conversations spread over the last eight months: some ok, some due, some
            // overdue; every seventh report snoozed.
            let anchor = minus(now().date_naive(), 10 + (r * 37) % 240);
            let snoozed_until = r
                .is_multiple_of(7)
                .then(|| plus(now().date_naive(), 5 + r % 40));
            let cadence = settings.cadence_for(framework);
            let due = due_on(&cadence, Some(anchor), snoozed_until);
            sqlx::query(
                "INSERT INTO people (user_id, display_name, time_zone, framework_id, level,
                                     manager_id, start_date, anchor_on, snoozed_until,
                                     snooze_reason, due_on, created_at, updated_at)
                 VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&user)
            .bind(format!("Report {r}"))
            .bind(framework)
            .bind(i64::from(level))
            .bind(&manager)
            .bind(time::date_text(minus(anchor, 400)))
            .bind(time::date_text(anchor))
            .bind(snoozed_until.map(time::date_text))
            .bind(snoozed_until.map(|_| "leave"))
            .bind(due.map(time::date_text))
            .bind(&stamp)
            .bind(&stamp)
            .execute(&mut *tx)
            .await
            .expect("insert report");
            // Three conversations a quarter apart, the latest one at the anchor.
            for k in 0..3 {
                let held_on = minus(anchor, 91 * k);
                let status = match (k, r % 5) {
                    (0, 0) => "pending",
                    (0, 1) => "disputed",
                    _ => "acknowledged",
                };
                let recorded =
                    time::to_text(held_on.and_hms_opt(15, 0, 0).expect("valid").and_utc());
                sqlx::query(
                    "INSERT INTO checkins (report_id, manager_id, held_on, framework_id,
                                           level_discussed, private_note, recorded_by,
                                           recorded_at, ack_status)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&user)
                .bind(&manager)
                .bind(time::date_text(held_on))
                .bind(framework)
                .bind(i64::from(level))
                .bind("notes from the conversation")
                .bind(&manager)
                .bind(&recorded)
                .bind(status)
                .execute(&mut *tx)
                .await
                .expect("insert checkin");
            }
        }
    }
    tx.commit().await.expect("commit");
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = rt.block_on(async {
        let bot = open_bot(&dir.path().join("team.db")).await;
        prepare(&bot).await;
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
