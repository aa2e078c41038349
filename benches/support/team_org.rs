//! The org the `team` benches list from: 200 managers with 50 reports each (10,000 reports),
//! every report with three conversations on record a quarter apart, so the query has
//! realistic neighbours to skip. Portable SQL (`$N`), so it seeds SQLite and PostgreSQL alike.
//! Shared by `benches/team.rs` and `benches/http/team.rs`.

use chrono::{DateTime, Days, NaiveDate, Utc};

use career_bot::bot::Settings;
use career_bot::checkins::due_on;
use career_bot::store::{Store, time};

pub const MANAGERS: usize = 200;
pub const REPORTS_PER_MANAGER: usize = 50;
/// The manager whose team is listed.
pub const MANAGER: &str = "M00042";

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

/// The bench's "now": the dates in the org are relative to it.
pub fn now() -> DateTime<Utc> {
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

/// Writes the org into `store` (migrated and empty), with due dates computed from `settings`.
pub async fn prepare(store: &Store, settings: &Settings) {
    let stamp = time::to_text(now() - chrono::Duration::days(400));
    let mut tx = store.pool().begin().await.expect("begin");
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
                 VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
