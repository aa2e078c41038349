//! One scheduler pass over 100,000 people, 10% of them due: plan 10,000 reminders into the
//! outbox and deliver them to a chat that does nothing. Budget (issue "Check-ins"): under 2 s,
//! and the due query uses an index (its `EXPLAIN QUERY PLAN` is printed).
//!
//!     cargo bench --bench scheduler
//!
//! The database is built once (2,000 managers in eight time zones with 50 reports each; due
//! dates written with `checkins::due_on`, as the store writes them; `support/scheduler_org.rs`,
//! which `benches/scheduler_postgres.rs` shares). Each measured pass
//! runs on a fresh copy of that file, so every pass really plans and delivers all 10,000.
//! Before measuring, the bench prints the query plan and the time of each phase (the due query
//! alone, then `plan` and `deliver`) on three fresh copies.
//!
//! A second case (issue 14, "Away, busy and holidays"; budget: under 2 s) runs the same pass
//! with the away and holiday checks on: a holiday calendar per zone (none of them today) and
//! a chat answering every person's presence from memory, as Slack's answers are once cached
//! (each person has a status, none of them an absence, so all 10,000 still go out and the
//! status matching runs for each).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use career_bot::bot::Bot;
use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::config::{Config, Overrides};
use career_bot::ids::UserId;
use career_bot::reply::Reply;
use career_bot::scheduler::{self, TickReport};
use career_bot::store::outbox::{
    NewMessage, PlannedReminder, ReminderBatch, ReminderPeriod, SentMark, kind, mark_sent_batch_in,
    mark_sent_in,
};
use career_bot::store::people::DUE_CANDIDATES_SQL;
use career_bot::store::time;

#[path = "support/scheduler_org.rs"]
mod scheduler_org;

use scheduler_org::{DUE, MANAGERS, NoopChat, REPORTS, now};

fn plus(date: NaiveDate, days: usize) -> NaiveDate {
    date.checked_add_days(Days::new(days as u64))
        .expect("in range")
}

/// A chat that accepts everything and does nothing, and answers presence from memory (the
/// cached case): everyone is "In a meeting", which marks no absence.
struct CachedPresenceChat {
    status: career_bot::checkins::away::Presence,
}

impl CachedPresenceChat {
    fn new() -> Self {
        Self {
            status: career_bot::checkins::away::Presence {
                status: Some(career_bot::checkins::away::ProfileStatus {
                    text: "In a meeting, back after lunch".to_owned(),
                    emoji: ":calendar:".to_owned(),
                    expires: None,
                }),
                dnd: None,
            },
        }
    }
}

impl Chat for CachedPresenceChat {
    async fn send(
        &self,
        _recipient: Recipient<'_>,
        _reply: &Reply,
        _key: &str,
    ) -> Result<Delivered, SendError> {
        Ok(Delivered::default())
    }

    async fn presence(
        &self,
        _user: &str,
        _now: DateTime<Utc>,
    ) -> career_bot::checkins::away::Presence {
        self.status.clone()
    }
}

/// Writes holiday files for three zones and a default (a dozen days each, none of them the
/// pass's day) and a config file naming them; returns the config file.
fn holiday_config(dir: &Path) -> PathBuf {
    let mut files = Vec::new();
    for (name, month) in [("de", 5), ("us", 7), ("jp", 9), ("default", 11)] {
        let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
        for day in 1..=12 {
            ics.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{name}{day}\r\nDTSTART;VALUE=DATE:2026{month:02}{day:02}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"
            ));
        }
        ics.push_str("END:VCALENDAR\r\n");
        let file = dir.join(format!("{name}.ics"));
        std::fs::write(&file, ics).expect("holiday file");
        files.push((name, file));
    }
    let zone = |name: &str| match name {
        "de" => "Europe/Berlin",
        "us" => "America/New_York",
        "jp" => "Asia/Tokyo",
        _ => "default",
    };
    let entries: Vec<String> = files
        .iter()
        .map(|(name, file)| format!("\"{}\" = \"{}\"", zone(name), file.display()))
        .collect();
    let config = dir.join("away.toml");
    std::fs::write(
        &config,
        format!(
            "[calendar]\nworking_days = \"Mon-Fri\"\nholidays = {{ {} }}\n",
            entries.join(", ")
        ),
    )
    .expect("config file");
    config
}

/// The bot as `serve` would start it on `path`, with default settings (no admin channel, so
/// no digest: the pass sends exactly the reminders).
async fn open_bot(path: &Path) -> Bot {
    open_bot_with(path, None).await
}

/// [`open_bot`] with `config_file` read too.
async fn open_bot_with(path: &Path, config_file: Option<PathBuf>) -> Bot {
    let overrides = Overrides {
        database: Some(path.display().to_string()),
        config_file,
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &BTreeMap::<String, String>::new())
        .expect("default configuration");
    let report = career_bot::app::load_frameworks(&config);
    career_bot::app::open(&config, report)
        .await
        .expect("the bot opens")
}

/// Writes the 102,000 people (with check-ins and last cycle's sent reminders) into `path`.
async fn prepare(path: &Path) {
    let bot = open_bot(path).await;
    scheduler_org::prepare(bot.store(), bot.settings()).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(bot.store().pool())
        .await
        .expect("checkpoint");
    bot.store().close().await;
}

/// A fresh copy of the prepared database, opened as `serve` would.
async fn fresh_copy(template: &Path, dir: &Path, name: &str) -> (Bot, PathBuf) {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::copy(template, &path).expect("copy the prepared database");
    // Flush the copy to disk now: otherwise the first WAL checkpoint inside the measured pass
    // pays for writing back all 54 MB of it, which a long-running bot never does.
    std::fs::File::open(&path)
        .and_then(|file| file.sync_all())
        .expect("sync the copy");
    (open_bot(&path).await, path)
}

async fn discard(bot: Bot, path: &Path) {
    bot.store().close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn check(report: &TickReport) {
    assert_eq!(
        report,
        &TickReport {
            planned: DUE,
            sent: DUE,
            retried: 0,
            failed: 0,
            superseded: 0,
            deferred: Vec::new(),
        },
        "the pass must plan and send exactly the due reminders"
    );
}

async fn explain(template: &Path, dir: &Path) {
    let (bot, path) = fresh_copy(template, dir, "explain.db").await;
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {DUE_CANDIDATES_SQL}"
    )))
    .bind(time::date_text(plus(now().date_naive(), 1)))
    .fetch_all(bot.store().pool())
    .await
    .expect("explain");
    println!("EXPLAIN QUERY PLAN of store::people::DUE_CANDIDATES_SQL:");
    for (id, parent, _, detail) in &plan {
        println!("  {id:>3} {parent:>3}  {detail}");
    }
    assert!(
        plan.iter()
            .any(|row| row.3.starts_with("SEARCH p USING INDEX people_by_due_on")),
        "the due query must use people_by_due_on"
    );
    discard(bot, &path).await;
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Times the due query, `plan` and `deliver` separately, each on a fresh copy; then the store
/// calls inside them on their own (`plan_reminders` with 10,000 messages; claiming all rows in
/// batches of 500; marking each sent), to show where a pass spends its time.
async fn phases(template: &Path, dir: &Path) {
    println!("Phases (each run on fresh copies):");
    let until = plus(now().date_naive(), 1);
    for run in 1..=3 {
        let (bot, path) = fresh_copy(template, dir, "phase-query.db").await;
        let start = Instant::now();
        let candidates = bot.store().due_candidates(until).await.expect("due query");
        let query = start.elapsed();
        assert_eq!(candidates.len(), DUE);
        discard(bot, &path).await;

        let (bot, path) = fresh_copy(template, dir, "phase-pass.db").await;
        let start = Instant::now();
        let planned = scheduler::plan(&bot, now()).await.expect("plan");
        let plan = start.elapsed();
        let start = Instant::now();
        let mut report = scheduler::deliver(&bot, &NoopChat, now())
            .await
            .expect("deliver");
        let deliver = start.elapsed();
        report.planned = planned;
        check(&report);
        discard(bot, &path).await;

        // The store calls alone, with messages built here (same keys, a short payload).
        let (bot, path) = fresh_copy(template, dir, "phase-store.db").await;
        let store = bot.store();
        let messages: Vec<PlannedReminder> = store
            .due_candidates(until)
            .await
            .expect("due query")
            .into_iter()
            .map(|candidate| PlannedReminder {
                message: NewMessage {
                    key: format!(
                        "reminder:{}:{}:{}:0",
                        candidate.user_id, candidate.manager_id, candidate.anchor_on
                    ),
                    kind: kind::REMINDER,
                    recipient: candidate.manager_id.into_string(),
                    report_id: Some(candidate.user_id),
                    payload: Reply::paragraph("Time for a career conversation"),
                    planned_for: now() - chrono::Duration::hours(1),
                },
                anchor_on: candidate.anchor_on,
                snoozed_until: candidate.snoozed_until,
            })
            .collect();
        // "Reminder N": the reminders already sent in each report's due period, one query.
        let periods: Vec<ReminderPeriod> = messages
            .iter()
            .map(|reminder| ReminderPeriod {
                report_id: reminder.message.report_id.clone().expect("a report"),
                manager_id: UserId::new(reminder.message.recipient.clone()),
                due_on: reminder.anchor_on,
            })
            .collect();
        let start = Instant::now();
        let counts = store
            .sent_reminder_counts(&periods)
            .await
            .expect("sent_reminder_counts");
        let sent_counts = start.elapsed();
        assert_eq!(counts.len(), DUE);
        let start = Instant::now();
        let batch = ReminderBatch::new(&messages).expect("batch");
        let serialise = start.elapsed();
        drop(batch);
        let start = Instant::now();
        let inserted = store
            .plan_reminders(&messages, now())
            .await
            .expect("plan_reminders");
        let plan_reminders = start.elapsed();
        assert_eq!(inserted, DUE);
        let start = Instant::now();
        // The messages a pass sends: each batch's rows grouped by recipient and slot.
        let messages: Vec<Vec<i64>> = scheduler_org::claim_all(store)
            .await
            .into_iter()
            .flatten()
            .collect();
        let claim = start.elapsed();
        let claimed: Vec<i64> = messages.iter().flatten().copied().collect();
        assert_eq!(claimed.len(), DUE);
        // The stale-message rule as it was checked before (once per claimed batch of 500) and
        // as it is now (right before each message's send), on the same rows in the same run.
        let start = Instant::now();
        for batch in claimed.chunks(500) {
            let stale = store.superseded_among(batch).await.expect("stale check");
            assert!(stale.is_empty());
        }
        let per_batch = start.elapsed();
        let start = Instant::now();
        for message in &messages {
            let stale = store.superseded_among(message).await.expect("stale check");
            assert!(stale.is_empty());
        }
        let per_message_pooled = start.elapsed();
        // As the pass checks: on one connection kept for the batch (sqlx pings a connection
        // given back to the pool, a second round trip per check).
        let start = Instant::now();
        let mut check = store.stale_check().await.expect("connection");
        for message in &messages {
            let stale = check.superseded_among(message).await.expect("stale check");
            assert!(stale.is_empty());
        }
        drop(check);
        let per_message = start.elapsed();
        let mark_marks: Vec<SentMark> = claimed
            .iter()
            .map(|id| SentMark {
                id: *id,
                channel: None,
                ts: None,
            })
            .collect();
        let start = Instant::now();
        let mut conn = store.pool().acquire().await.expect("connection");
        for id in claimed.iter().take(1000) {
            mark_sent_in(&mut conn, *id, None, None, now())
                .await
                .expect("mark one");
        }
        let one_by_one = start.elapsed() / 1000;
        let start = Instant::now();
        for chunk in mark_marks.chunks(500) {
            mark_sent_batch_in(&mut conn, chunk, now())
                .await
                .expect("mark batch");
        }
        let grouped = start.elapsed();
        drop(conn);
        discard(bot, &path).await;

        println!(
            "  run {run}: plan {} + deliver {} = {}",
            ms(plan),
            ms(deliver),
            ms(plan + deliver)
        );
        println!(
            "         inside plan: due query {} ({} rows), sent_reminder_counts {}, \
             plan_reminders with one-line payloads {} (of which serialising the batch {}), \
             the rest ~{} (slots, keys and texts; the pass's real payloads, about 1 KB each, \
             which plan_reminders writes; the invitations to prepare)",
            ms(query),
            candidates.len(),
            ms(sent_counts),
            ms(plan_reminders),
            ms(serialise),
            ms(plan.saturating_sub(query + sent_counts + plan_reminders))
        );
        println!(
            "         inside deliver: claim_ready x{} {}; a \"sent\" mark costs {:.0} µs as its own \
             commit, {} for all {} in commits of 500 (what the marker does with an instant chat)",
            DUE.div_ceil(500) + 1,
            ms(claim),
            one_by_one.as_secs_f64() * 1e6,
            ms(grouped),
            claimed.len()
        );
        println!(
            "         the stale-message rule: once per batch of 500 (before) {} for {} calls; \
             right before each message (now) {} for {} messages on a kept connection, {} \
             through the pool",
            ms(per_batch),
            DUE.div_ceil(500),
            ms(per_message),
            messages.len(),
            ms(per_message_pooled)
        );
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("prepared.db");
    let start = Instant::now();
    rt.block_on(prepare(&template));
    println!(
        "Prepared {REPORTS} reports under {MANAGERS} managers ({DUE} due) in {} ({:.1} MB)",
        ms(start.elapsed()),
        std::fs::metadata(&template).expect("file").len() as f64 / 1e6
    );
    rt.block_on(explain(&template, dir.path()));
    rt.block_on(phases(&template, dir.path()));

    let mut group = c.benchmark_group("scheduler");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("tick: 100,000 people, 10,000 due", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (bot, path) = fresh_copy(&template, dir.path(), "pass.db").await;
                    let start = Instant::now();
                    let report = scheduler::tick(&bot, &NoopChat, now()).await.expect("tick");
                    total += start.elapsed();
                    check(&report);
                    discard(bot, &path).await;
                }
                total
            })
        })
    });
    let away_config = holiday_config(dir.path());
    group.bench_function(
        "tick: 100,000 people, 10,000 due, away and holiday checks on (statuses cached)",
        |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let chat = CachedPresenceChat::new();
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        // A fresh copy, opened again with the holiday calendars.
                        let (copy, path) = fresh_copy(&template, dir.path(), "away-pass.db").await;
                        copy.store().close().await;
                        let bot = open_bot_with(&path, Some(away_config.clone())).await;
                        let start = Instant::now();
                        let report = scheduler::tick(&bot, &chat, now()).await.expect("tick");
                        total += start.elapsed();
                        check(&report);
                        discard(bot, &path).await;
                    }
                    total
                })
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
