//! The org the scheduler benches pass over: 2,000 managers in eight time zones with 50
//! reports each (100,000 reports), every tenth report due (10,000), due dates written with
//! `checkins::due_on` as the store writes them, and each report's last conversation with the
//! reminder that preceded it, long delivered. Portable SQL (`$N`), so it seeds SQLite and
//! PostgreSQL alike. Shared by `benches/scheduler.rs` and `benches/scheduler_postgres.rs`, with the chat
//! they deliver to.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};

use career_bot::bot::Settings;
use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::checkins::due_on;
use career_bot::reply::Reply;
use career_bot::store::{Store, time};

/// A chat that accepts everything and does nothing: the passes measure the bot, not Slack.
pub struct NoopChat;

impl Chat for NoopChat {
    async fn send(
        &self,
        _recipient: Recipient<'_>,
        _reply: &Reply,
        _key: &str,
    ) -> Result<Delivered, SendError> {
        Ok(Delivered::default())
    }
}

pub const MANAGERS: usize = 2_000;
pub const REPORTS_PER_MANAGER: usize = 50;
pub const REPORTS: usize = MANAGERS * REPORTS_PER_MANAGER;
/// Every tenth report is due.
pub const DUE: usize = REPORTS / 10;

/// Managers' zones, cycled (`None`: the configured default, UTC).
pub const ZONES: [Option<&str>; 8] = [
    Some("Europe/London"),
    Some("Europe/Berlin"),
    Some("America/New_York"),
    Some("America/Los_Angeles"),
    Some("Asia/Kolkata"),
    Some("Asia/Tokyo"),
    Some("Australia/Sydney"),
    None,
];

/// `(framework id, number of levels)` of the bundled frameworks.
pub const FRAMEWORKS: [(&str, u32); 4] = [
    ("buffer-engineering", 8),
    ("buffer-happiness", 3),
    ("buffer-marketing", 5),
    ("infracloud-engineering", 5),
];

/// The pass runs at Wednesday 2026-06-17 18:00 UTC: 09:00 has passed in every zone above.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-17T18:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn plus(date: NaiveDate, days: usize) -> NaiveDate {
    date.checked_add_days(Days::new(days as u64))
        .expect("in range")
}

fn minus(date: NaiveDate, days: usize) -> NaiveDate {
    date.checked_sub_days(Days::new(days as u64))
        .expect("in range")
}

/// Claims every ready row of `store` in batches of 500, as a pass does: each batch's messages,
/// each message the ids of its rows (a batch's rows grouped by recipient and slot, as the pass
/// groups them).
pub async fn claim_all(store: &Store) -> Vec<Vec<Vec<i64>>> {
    let mut batches = Vec::new();
    loop {
        let rows = store
            .claim_ready(now(), now() + chrono::Duration::minutes(5), 500)
            .await
            .expect("claim");
        if rows.is_empty() {
            return batches;
        }
        let mut groups: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
        for row in &rows {
            groups
                .entry((row.recipient.clone(), row.planned_for.clone()))
                .or_default()
                .push(row.id);
        }
        batches.push(groups.into_values().collect());
    }
}

/// Writes the 102,000 people (with check-ins and last cycle's sent reminders) into `store`
/// (migrated and empty), with due dates computed from `settings`.
pub async fn prepare(store: &Store, settings: &Settings) {
    let today = now().date_naive();
    let stamp = time::to_text(now() - chrono::Duration::days(200));
    let pool = store.pool();
    let mut tx = pool.begin().await.expect("begin");
    for m in 0..MANAGERS {
        sqlx::query(
            "INSERT INTO people (user_id, display_name, time_zone, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(format!("M{m:05}"))
        .bind(format!("Manager {m}"))
        .bind(ZONES[m % ZONES.len()])
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *tx)
        .await
        .expect("insert manager");
    }
    let mut due_count = 0;
    for r in 0..REPORTS {
        let user = format!("U{r:06}");
        let manager = format!("M{:05}", r / REPORTS_PER_MANAGER);
        let (framework, levels) = FRAMEWORKS[r % FRAMEWORKS.len()];
        let level = 1 + (r as u32 / 4) % levels;
        let (anchor, snoozed_until) = if r % 10 == 0 {
            // Due: the last conversation 3.5 to 8.5 months ago, so due since 2 to 167 days,
            // some already overdue, with reminders 0 to 23 in the repeat series.
            (plus(day("2025-10-01"), (r / 10) % 150), None)
        } else if r % 100 == 1 {
            // Due, but snoozed until after today.
            (
                plus(day("2026-01-01"), r % 30),
                Some(plus(day("2026-07-01"), r % 60)),
            )
        } else {
            // Not due yet: the last conversation under three months ago, and its due date
            // more than `[prep] days_before` (14) away, so the pass sends no invitations to
            // prepare (issue 13) and stays the pass these figures have measured since issue 4.
            (plus(day("2026-04-02"), r % 73), None)
        };
        let cadence = settings.cadence_for(framework);
        let due = due_on(&cadence, Some(anchor), snoozed_until).expect("a report has a due date");
        if r % 10 == 0 {
            assert!(due <= today, "report {r} should be due");
            due_count += 1;
        } else {
            assert!(
                due > plus(today, 14),
                "report {r} should be outside the prep window"
            );
        }
        let had_conversation = (r / 10) % 10 < 7;
        let start = if had_conversation {
            minus(anchor, 200 + r % 300)
        } else {
            anchor
        };
        sqlx::query(
            "INSERT INTO people (user_id, display_name, time_zone, framework_id, level, manager_id,
                                 start_date, anchor_on, snoozed_until, snooze_reason, due_on,
                                 created_at, updated_at)
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&user)
        .bind(format!("Report {r}"))
        .bind(framework)
        .bind(i64::from(level))
        .bind(&manager)
        .bind(time::date_text(start))
        .bind(time::date_text(anchor))
        .bind(snoozed_until.map(time::date_text))
        .bind(snoozed_until.map(|_| "leave"))
        .bind(time::date_text(due))
        .bind(&stamp)
        .bind(&stamp)
        .execute(&mut *tx)
        .await
        .expect("insert report");
        if had_conversation {
            let recorded = time::to_text(anchor.and_hms_opt(15, 0, 0).expect("valid").and_utc());
            sqlx::query(
                "INSERT INTO checkins (report_id, manager_id, held_on, framework_id,
                                       level_discussed, recorded_by, recorded_at, ack_status,
                                       ack_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'acknowledged', $8)",
            )
            .bind(&user)
            .bind(&manager)
            .bind(time::date_text(anchor))
            .bind(framework)
            .bind(i64::from(level))
            .bind(&manager)
            .bind(&recorded)
            .bind(&recorded)
            .execute(&mut *tx)
            .await
            .expect("insert checkin");
            // The reminder that preceded that conversation, long delivered.
            sqlx::query(
                "INSERT INTO outbox (key, kind, recipient, report_id, payload, planned_for,
                                     status, attempts, next_attempt_at, sent_at, created_at)
                 VALUES ($1, 'reminder', $2, $3, $4, $5, 'sent', 1, $6, $7, $8)",
            )
            .bind(format!("reminder:{user}:{manager}:{}:0", minus(anchor, 3)))
            .bind(&manager)
            .bind(&user)
            .bind(r#"{"blocks":[{"type":"paragraph","text":"Time for a career conversation"}]}"#)
            .bind(&recorded)
            .bind(&recorded)
            .bind(&recorded)
            .bind(&recorded)
            .execute(&mut *tx)
            .await
            .expect("insert sent reminder");
        }
    }
    tx.commit().await.expect("commit");
    assert_eq!(due_count, DUE);
}
