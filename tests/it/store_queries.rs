//! Every public query in `career_bot::store`, against a temp SQLite file and (when
//! `CAREER_BOT_TEST_POSTGRES_URL` is set) a fresh PostgreSQL database, with fixed
//! timestamps: what each writes, what it audits, what it leaves alone, and the edge of each
//! condition (inclusive dates, unique keys, leases).

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use career_bot::checkins::{self, Cadence, Period};
use career_bot::ids::{ChannelId, FrameworkId, UserId};
use career_bot::reply::Reply;
use career_bot::store::checkins::{Acknowledgement, AnswerOutcome, NewCheckin, Recorded};
use career_bot::store::events::{self, EventKind, PersonEvent};
use career_bot::store::outbox::{self, NewMessage, PlannedReminder, kind};
use career_bot::store::people::{self, DUE_CANDIDATES_SQL, NewReport};
use career_bot::store::requests::{
    AddRequest, Answered, NewAddRequest, RequestStatus, Requested, request_key,
};
use career_bot::store::{Store, StoreError};

use crate::support::databases;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid timestamp")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

async fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("store.db").display().to_string())
        .await
        .expect("store opens");
    (dir, store)
}

fn cadence() -> Cadence {
    Cadence::default()
}

fn new_report(user: &str, manager: &str, start: &str) -> NewReport {
    NewReport {
        user_id: UserId::new(user),
        display_name: None,
        framework_id: FrameworkId::new("buffer-engineering"),
        level: 3,
        manager_id: UserId::new(manager),
        start_date: date(start),
        time_zone: None,
        cadence: cadence(),
    }
}

async fn add(store: &Store, user: &str, manager: &str, start: &str) {
    store
        .add_report(
            &new_report(user, manager, start),
            &UserId::new(manager),
            at("2026-01-05T10:00:00Z"),
        )
        .await
        .expect("add_report");
}

fn checkin(report: &str, manager: &str, held_on: &str, key: Option<&str>) -> NewCheckin {
    NewCheckin {
        report_id: UserId::new(report),
        manager_id: UserId::new(manager),
        held_on: date(held_on),
        framework_id: Some(FrameworkId::new("buffer-engineering")),
        level_discussed: Some(3),
        private_note: Some("wants to lead the migration".to_owned()),
        focus: vec![],
        next_steps: None,
        recorded_by: UserId::new(manager),
        request_key: key.map(str::to_owned),
        opened_for: None,
        cadence: cadence(),
        acknowledgement_request: None,
    }
}

fn ack_request(report: &str, now: DateTime<Utc>) -> Box<dyn FnOnce(i64) -> NewMessage + Send> {
    let report = report.to_owned();
    Box::new(move |id| NewMessage {
        key: format!("ack:{id}"),
        kind: kind::ACK_REQUEST,
        recipient: report,
        report_id: None,
        payload: Reply::paragraph(format!("Did you have check-in {id}?")),
        planned_for: now,
    })
}

fn reminder(key: &str, manager: &str, report: &str, slot: &str) -> NewMessage {
    NewMessage {
        key: key.to_owned(),
        kind: kind::REMINDER,
        recipient: manager.to_owned(),
        report_id: Some(UserId::new(report)),
        payload: Reply::paragraph(format!("Time for a career conversation with {report}")),
        planned_for: at(slot),
    }
}

/// A reminder as the scheduler plans it: computed from the report's `anchor` and no snooze.
fn planned(message: NewMessage, anchor: &str) -> PlannedReminder {
    PlannedReminder {
        message,
        anchor_on: date(anchor),
        snoozed_until: None,
    }
}

fn message(key: &str, slot: &str) -> NewMessage {
    NewMessage {
        key: key.to_owned(),
        kind: kind::DIGEST,
        recipient: "CADMIN".to_owned(),
        report_id: None,
        payload: Reply::paragraph("digest"),
        planned_for: at(slot),
    }
}

async fn scalar_i64(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .expect("scalar query")
}

async fn statuses(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as("SELECT key, status FROM outbox ORDER BY id")
        .fetch_all(store.pool())
        .await
        .expect("outbox query")
}

async fn actions(store: &Store, subject: Option<&str>) -> Vec<String> {
    store
        .audit_log(subject.map(UserId::new).as_ref())
        .await
        .expect("audit_log")
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

fn details(text: &str) -> Value {
    serde_json::from_str(text).expect("audit details are JSON")
}

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn add_report_creates_the_manager_and_the_report_with_its_due_date_and_audit_entry() {
    databases::each(async |store: Store| {
        let now = at("2026-01-20T10:00:00Z");
        let mut report = new_report("UANA", "UBOSS", "2026-01-20");
        report.display_name = Some("Ana".to_owned());
        report.time_zone = Some("Europe/Berlin".to_owned());
        store
            .add_report(&report, &UserId::new("UBOSS"), now)
            .await
            .expect("add");

        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("added");
        assert_eq!(ana.display_name, "Ana");
        assert_eq!(ana.name(), "Ana");
        assert_eq!(ana.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(
            ana.framework_id,
            Some(FrameworkId::new("buffer-engineering"))
        );
        assert_eq!(ana.level, Some(3));
        assert_eq!(ana.manager_id, Some(UserId::new("UBOSS")));
        assert_eq!(ana.start_date, Some(date("2026-01-20")));
        assert!(ana.active);
        assert_eq!(ana.anchor_on, Some(date("2026-01-20")));
        assert_eq!(ana.due_on, Some(date("2026-04-20")));
        assert_eq!(
            ana.due_on,
            checkins::due_on(&cadence(), ana.anchor_on, ana.snoozed_until)
        );
        assert_eq!(ana.timeline().map(|t| t.anchor), Some(date("2026-01-20")));

        // The manager gets a bare row: no framework, no cadence.
        let boss = store
            .person(&UserId::new("UBOSS"))
            .await
            .expect("query")
            .expect("ensured");
        assert_eq!(boss.name(), "UBOSS");
        assert_eq!(boss.framework_id, None);
        assert_eq!(boss.due_on, None);
        assert_eq!(boss.timeline(), None);

        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "person.added");
        assert_eq!(log[0].actor, "UBOSS");
        assert_eq!(log[0].at, "2026-01-20T10:00:00.000Z");
        let details = details(&log[0].details);
        assert_eq!(details["manager"], "UBOSS");
        assert_eq!(details["level"], 3);
        assert_eq!(details["start_date"], "2026-01-20");
    })
    .await;
}

#[tokio::test]
async fn re_adding_a_report_anchors_on_their_latest_conversation_and_clears_a_snooze() {
    databases::each(async |store: Store| {
        let mut first = new_report("UANA", "UBOSS", "2025-06-01");
        first.display_name = Some("Ana".to_owned());
        store
            .add_report(&first, &UserId::new("UBOSS"), at("2025-06-01T09:00:00Z"))
            .await
            .expect("add");
        store
            .record_checkin(
                checkin("UANA", "UBOSS", "2025-10-01", None),
                at("2025-10-01T12:00:00Z"),
            )
            .await
            .expect("checkin");
        store
            .snooze(
                &UserId::new("UANA"),
                date("2026-03-01"),
                Some("sabbatical"),
                &cadence(),
                &UserId::new("UBOSS"),
                at("2025-10-02T09:00:00Z"),
            )
            .await
            .expect("snooze");
        store
            .deactivate(
                &UserId::new("UANA"),
                &UserId::new("UBOSS"),
                at("2025-11-01T09:00:00Z"),
            )
            .await
            .expect("deactivate");

        // Re-added with an earlier start date: the conversation on record is the anchor.
        let again = new_report("UANA", "UNEW", "2025-09-01");
        store
            .add_report(&again, &UserId::new("UNEW"), at("2026-01-10T09:00:00Z"))
            .await
            .expect("re-add");
        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert!(ana.active);
        assert_eq!(
            ana.display_name, "Ana",
            "a missing name keeps the stored one"
        );
        assert_eq!(ana.manager_id, Some(UserId::new("UNEW")));
        assert_eq!(ana.anchor_on, Some(date("2025-10-01")));
        assert_eq!(ana.snoozed_until, None);
        assert_eq!(ana.snooze_reason, None);
        assert_eq!(ana.due_on, Some(date("2026-01-01")));

        // Re-added with a start date after the last conversation: the start date is the anchor.
        let later = new_report("UANA", "UNEW", "2026-02-01");
        store
            .add_report(&later, &UserId::new("UNEW"), at("2026-02-01T09:00:00Z"))
            .await
            .expect("re-add");
        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.anchor_on, Some(date("2026-02-01")));
        assert_eq!(ana.due_on, Some(date("2026-05-01")));
    })
    .await;
}

#[tokio::test]
async fn move_report_changes_the_manager_and_cancels_only_that_reports_pending_reminders() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UOLD", "2025-10-01").await;
        add(&store, "UBEN", "UOLD", "2025-10-01").await;
        let now = at("2026-01-05T09:00:00Z");
        store
            .plan_all(
                &[
                    reminder(
                        "reminder:UANA:UOLD:2026-01-01:0",
                        "UOLD",
                        "UANA",
                        "2026-01-01T09:00:00Z",
                    ),
                    reminder(
                        "reminder:UANA:UOLD:2025-10-01:3",
                        "UOLD",
                        "UANA",
                        "2025-12-01T09:00:00Z",
                    ),
                    reminder(
                        "reminder:UBEN:UOLD:2026-01-01:0",
                        "UOLD",
                        "UBEN",
                        "2026-01-01T09:00:00Z",
                    ),
                ],
                now,
            )
            .await
            .expect("plan");
        // One of Ana's reminders already went out: that one stays sent.
        let claimed = store
            .claim_ready(now, at("2026-01-05T09:05:00Z"), 1)
            .await
            .expect("claim");
        assert_eq!(claimed[0].key, "reminder:UANA:UOLD:2025-10-01:3");
        store
            .mark_sent(claimed[0].id, Some(&ChannelId::new("D1")), Some("1.0"), now)
            .await
            .expect("sent");

        store
            .move_report(
                &UserId::new("UANA"),
                &UserId::new("UNEW"),
                &cadence(),
                &UserId::new("UADMIN"),
                at("2026-01-06T09:00:00Z"),
            )
            .await
            .expect("move");

        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.manager_id, Some(UserId::new("UNEW")));
        assert_eq!(
            ana.due_on,
            Some(date("2026-01-01")),
            "the cadence is unchanged"
        );
        assert!(
            store
                .person(&UserId::new("UNEW"))
                .await
                .expect("query")
                .is_some()
        );
        assert_eq!(
            statuses(&store).await,
            [
                (
                    "reminder:UANA:UOLD:2026-01-01:0".to_owned(),
                    "cancelled".to_owned()
                ),
                (
                    "reminder:UANA:UOLD:2025-10-01:3".to_owned(),
                    "sent".to_owned()
                ),
                (
                    "reminder:UBEN:UOLD:2026-01-01:0".to_owned(),
                    "pending".to_owned()
                ),
            ]
        );
        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        let moved = log.last().expect("an entry");
        assert_eq!(moved.action, "person.moved");
        assert_eq!(moved.actor, "UADMIN");
        let details = details(&moved.details);
        assert_eq!(details["from"], "UOLD");
        assert_eq!(details["to"], "UNEW");
        assert!(
            store
                .reports_of(&UserId::new("UOLD"))
                .await
                .expect("query")
                .len()
                == 1
        );
        assert!(
            store
                .reports_of(&UserId::new("UNEW"))
                .await
                .expect("query")
                .len()
                == 1
        );
    })
    .await;
}

#[tokio::test]
async fn deactivate_stops_tracking_but_keeps_history() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        store
            .record_checkin(
                checkin("UANA", "UBOSS", "2025-09-01", None),
                at("2025-09-01T12:00:00Z"),
            )
            .await
            .expect("checkin");
        store
            .plan(
                &reminder(
                    "reminder:UANA:UBOSS:2025-12-01:0",
                    "UBOSS",
                    "UANA",
                    "2025-12-01T09:00:00Z",
                ),
                at("2025-12-01T09:00:00Z"),
            )
            .await
            .expect("plan");

        store
            .deactivate(
                &UserId::new("UANA"),
                &UserId::new("UBOSS"),
                at("2025-12-02T09:00:00Z"),
            )
            .await
            .expect("deactivate");

        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("kept");
        assert!(!ana.active);
        assert_eq!(ana.due_on, None);
        assert_eq!(statuses(&store).await[0].1, "cancelled");
        assert!(
            store
                .reports_of(&UserId::new("UBOSS"))
                .await
                .expect("query")
                .is_empty()
        );
        assert!(
            store
                .due_candidates(date("2030-01-01"))
                .await
                .expect("query")
                .is_empty()
        );
        assert!(store.tracked_reports().await.expect("query").is_empty());
        assert_eq!(
            store
                .history(&UserId::new("UANA"))
                .await
                .expect("query")
                .len(),
            1
        );
        let active: Vec<String> = store
            .people(false)
            .await
            .expect("query")
            .into_iter()
            .map(|p| p.user_id.into_string())
            .collect();
        assert_eq!(active, ["UBOSS"]);
        let all: Vec<String> = store
            .people(true)
            .await
            .expect("query")
            .into_iter()
            .map(|p| p.user_id.into_string())
            .collect();
        assert_eq!(all, ["UANA", "UBOSS"]);
        assert_eq!(
            actions(&store, Some("UANA"))
                .await
                .last()
                .map(String::as_str),
            Some("person.removed")
        );
    })
    .await;
}

#[tokio::test]
async fn set_level_changes_the_level_and_audits_from_and_to() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        store
            .set_level(
                &UserId::new("UANA"),
                4,
                &UserId::new("UBOSS"),
                at("2026-02-01T09:00:00Z"),
            )
            .await
            .expect("set_level");
        assert_eq!(
            store
                .person(&UserId::new("UANA"))
                .await
                .expect("query")
                .expect("exists")
                .level,
            Some(4)
        );
        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        let entry = log.last().expect("an entry");
        assert_eq!(entry.action, "person.level_changed");
        let details = details(&entry.details);
        assert_eq!(details["from"], 3);
        assert_eq!(details["to"], 4);
    })
    .await;
}

#[tokio::test]
async fn update_profile_writes_and_audits_only_when_something_changed() {
    databases::each(async |store: Store| {
        let now = at("2026-02-01T09:00:00Z");
        // A new person with nothing to store: the bare row is created, nothing is audited.
        assert!(
            !store
                .update_profile(&UserId::new("UANA"), None, None, &UserId::new("UANA"), now)
                .await
                .expect("update")
        );
        assert!(
            store
                .person(&UserId::new("UANA"))
                .await
                .expect("query")
                .is_some()
        );
        assert!(actions(&store, Some("UANA")).await.is_empty());

        assert!(
            store
                .update_profile(
                    &UserId::new("UANA"),
                    Some("Ana"),
                    Some("Europe/Berlin"),
                    &UserId::new("UANA"),
                    now
                )
                .await
                .expect("update")
        );
        // The same values again, or only one of them again: nothing changes.
        assert!(
            !store
                .update_profile(
                    &UserId::new("UANA"),
                    Some("Ana"),
                    Some("Europe/Berlin"),
                    &UserId::new("UANA"),
                    now
                )
                .await
                .expect("update")
        );
        assert!(
            !store
                .update_profile(
                    &UserId::new("UANA"),
                    Some("Ana"),
                    None,
                    &UserId::new("UANA"),
                    now
                )
                .await
                .expect("update")
        );
        assert!(
            !store
                .update_profile(&UserId::new("UANA"), None, None, &UserId::new("UANA"), now)
                .await
                .expect("update")
        );
        // A new zone alone changes, and keeps the name.
        assert!(
            store
                .update_profile(
                    &UserId::new("UANA"),
                    None,
                    Some("Asia/Tokyo"),
                    &UserId::new("UANA"),
                    now
                )
                .await
                .expect("update")
        );
        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.display_name, "Ana");
        assert_eq!(ana.time_zone.as_deref(), Some("Asia/Tokyo"));
        assert_eq!(
            actions(&store, Some("UANA")).await,
            ["person.profile_updated", "person.profile_updated"]
        );
        let updated_at: String =
            sqlx::query_scalar("SELECT updated_at FROM people WHERE user_id = 'UANA'")
                .fetch_one(store.pool())
                .await
                .expect("query");
        assert_eq!(updated_at, "2026-02-01T09:00:00.000Z");
    })
    .await;
}

#[tokio::test]
async fn reports_of_orders_by_name_and_joins_the_latest_conversation() {
    databases::each(async |store: Store| {
        let now = at("2026-01-05T10:00:00Z");
        for (user, name) in [
            ("UZED", Some("zed")),
            ("UBOB", Some("bob")),
            ("UALICE", Some("Alice")),
            ("UCAROL", None), // no name: sorted by user id
        ] {
            let mut report = new_report(user, "UBOSS", "2025-06-01");
            report.display_name = name.map(str::to_owned);
            store
                .add_report(&report, &UserId::new("UBOSS"), now)
                .await
                .expect("add");
        }
        add(&store, "UOTHER", "USOMEONE", "2025-06-01").await;
        add(&store, "UGONE", "UBOSS", "2025-06-01").await;
        store
            .deactivate(&UserId::new("UGONE"), &UserId::new("UBOSS"), now)
            .await
            .expect("deactivate");
        // Bob: two conversations; the later one (acknowledged) shows.
        let first = store
            .record_checkin(
                checkin("UBOB", "UBOSS", "2025-09-01", None),
                at("2025-09-01T12:00:00Z"),
            )
            .await
            .expect("checkin");
        let second = store
            .record_checkin(
                checkin("UBOB", "UBOSS", "2025-12-01", None),
                at("2025-12-01T12:00:00Z"),
            )
            .await
            .expect("checkin");
        let (Recorded::New(_first), Recorded::New(second)) = (first, second) else {
            panic!("both are new");
        };
        store
            .answer_checkin(
                &UserId::new("UBOB"),
                second,
                Acknowledgement::Acknowledged,
                None,
                None,
                at("2025-12-02T12:00:00Z"),
            )
            .await
            .expect("answer");
        // Alice: two conversations the same day; the one recorded last (higher id) shows.
        for _ in 0..2 {
            store
                .record_checkin(
                    checkin("UALICE", "UBOSS", "2025-11-11", None),
                    at("2025-11-11T12:00:00Z"),
                )
                .await
                .expect("checkin");
        }
        let alice_latest = store
            .history(&UserId::new("UALICE"))
            .await
            .expect("history")[0]
            .id;
        store
            .answer_checkin(
                &UserId::new("UALICE"),
                alice_latest,
                Acknowledgement::Disputed,
                Some("not really"),
                None,
                at("2025-11-12T12:00:00Z"),
            )
            .await
            .expect("answer");

        let rows = store
            .reports_of(&UserId::new("UBOSS"))
            .await
            .expect("query");
        let summary: Vec<(&str, Option<String>, Option<&str>)> = rows
            .iter()
            .map(|row| {
                (
                    row.person.user_id.as_str(),
                    row.last_held_on.map(|d| d.to_string()),
                    row.last_ack_status.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("UALICE", Some("2025-11-11".to_owned()), Some("disputed")),
                ("UBOB", Some("2025-12-01".to_owned()), Some("acknowledged")),
                ("UCAROL", None, None),
                ("UZED", None, None),
            ]
        );
        assert!(
            store
                .reports_of(&UserId::new("UNOBODY"))
                .await
                .expect("query")
                .is_empty()
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Cadence and the due query
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn due_candidates_includes_the_due_date_itself_and_joins_the_managers_zone() {
    databases::each(async |store: Store| {
        let now = at("2026-01-05T10:00:00Z");
        store
            .update_profile(
                &UserId::new("UBERLIN"),
                None,
                Some("Europe/Berlin"),
                &UserId::new("UBERLIN"),
                now,
            )
            .await
            .expect("profile");
        // Due 2026-04-20, 2026-04-21, 2026-04-19; one without a conversation.
        add(&store, "UB", "UBERLIN", "2026-01-21").await;
        add(&store, "UA", "UBERLIN", "2026-01-20").await;
        add(&store, "UC", "UNOZONE", "2026-01-19").await;
        store
            .record_checkin(checkin("UA", "UBERLIN", "2026-01-20", None), now)
            .await
            .expect("checkin");
        store
            .plan_reminders(
                &[planned(
                    reminder(
                        "reminder:UC:UNOZONE:2026-04-19:0",
                        "UNOZONE",
                        "UC",
                        "2026-04-20T09:00:00Z",
                    ),
                    "2026-01-19",
                )],
                now,
            )
            .await
            .expect("plan");

        let ids = |rows: &[people::DueCandidate]| {
            rows.iter()
                .map(|row| row.user_id.clone())
                .collect::<Vec<_>>()
        };
        assert!(
            store
                .due_candidates(date("2026-04-18"))
                .await
                .expect("query")
                .is_empty()
        );
        assert_eq!(
            ids(&store
                .due_candidates(date("2026-04-19"))
                .await
                .expect("query")),
            ["UC"]
        );
        let rows = store
            .due_candidates(date("2026-04-20"))
            .await
            .expect("query");
        assert_eq!(ids(&rows), ["UC", "UA"], "ordered by due date");
        let all = store
            .due_candidates(date("2026-04-21"))
            .await
            .expect("query");
        assert_eq!(ids(&all), ["UC", "UA", "UB"]);

        let uc = &all[0];
        assert_eq!(uc.manager_id, "UNOZONE");
        assert_eq!(uc.manager_time_zone, None);
        assert!(!uc.has_checkin);
        assert_eq!(
            uc.last_reminder_key.as_deref(),
            Some("reminder:UC:UNOZONE:2026-04-19:0")
        );
        let ua = &all[1];
        assert_eq!(ua.manager_time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(ua.framework_id, "buffer-engineering");
        assert_eq!(ua.level, Some(3));
        assert_eq!(ua.anchor_on, date("2026-01-20"));
        assert!(ua.has_checkin);
        assert_eq!(ua.last_reminder_key, None);
        assert_eq!(all[2].manager_time_zone.as_deref(), Some("Europe/Berlin"));
    })
    .await;
}

#[tokio::test]
async fn the_due_query_uses_the_partial_index_on_due_on() {
    let (_dir, store) = open().await;
    // Enough rows that the planner's choice is realistic, and fresh statistics.
    for i in 0..200 {
        add(
            &store,
            &format!("U{i:03}"),
            &format!("M{}", i % 10),
            "2025-06-01",
        )
        .await;
    }
    let mut conn = store.pool().acquire().await.expect("connection");
    for analyzed in [false, true] {
        if analyzed {
            sqlx::query("ANALYZE")
                .execute(&mut *conn)
                .await
                .expect("analyze");
        }
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {DUE_CANDIDATES_SQL}"
        )))
        .bind("2026-01-01")
        .fetch_all(&mut *conn)
        .await
        .expect("explain");
        let text: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
        assert!(
            text.iter()
                .any(|line| line.contains("people_by_due_on") && line.starts_with("SEARCH p")),
            "the due query must search people_by_due_on (analyzed: {analyzed}):\n{}",
            text.join("\n")
        );
        assert!(
            !text.iter().any(|line| line.starts_with("SCAN p")),
            "the due query must not scan people:\n{}",
            text.join("\n")
        );
    }
}

#[tokio::test]
async fn tracked_reports_lists_active_reports_by_anchor() {
    databases::each(async |store: Store| {
        add(&store, "UB", "UBOSS", "2025-08-01").await;
        add(&store, "UA", "UBOSS", "2025-09-01").await;
        add(&store, "UC", "UBOSS", "2025-07-01").await;
        store
            .deactivate(
                &UserId::new("UC"),
                &UserId::new("UBOSS"),
                at("2025-10-01T09:00:00Z"),
            )
            .await
            .expect("deactivate");
        let rows = store.tracked_reports().await.expect("query");
        let summary: Vec<(&str, String)> = rows
            .iter()
            .map(|r| (r.user_id.as_str(), r.anchor_on.to_string()))
            .collect();
        assert_eq!(
            summary,
            [
                ("UB", "2025-08-01".to_owned()),
                ("UA", "2025-09-01".to_owned())
            ]
        );
        assert_eq!(rows[0].manager_id, "UBOSS");
        assert_eq!(rows[0].framework_id, "buffer-engineering");
    })
    .await;
}

#[tokio::test]
async fn recompute_due_dates_rewrites_only_what_changed() {
    databases::each(async |store: Store| {
        add(&store, "UENG", "UBOSS", "2026-01-20").await;
        let mut marketer = new_report("UMKT", "UBOSS", "2026-01-20");
        marketer.framework_id = FrameworkId::new("buffer-marketing");
        store
            .add_report(&marketer, &UserId::new("UBOSS"), at("2026-01-20T09:00:00Z"))
            .await
            .expect("add");
        store
            .snooze(
                &UserId::new("UMKT"),
                date("2026-06-01"),
                None,
                &cadence(),
                &UserId::new("UBOSS"),
                at("2026-01-21T09:00:00Z"),
            )
            .await
            .expect("snooze");

        let same = |_: &str| cadence();
        assert_eq!(
            store.recompute_due_dates(&same).await.expect("recompute"),
            0
        );

        // Engineering moves to a two-month rhythm; marketing keeps three months.
        let two_months = Cadence {
            due_after: Period::months(2),
            overdue_after: Period::months(4),
        };
        let per_framework = move |framework: &str| {
            if framework == "buffer-engineering" {
                two_months
            } else {
                Cadence::default()
            }
        };
        assert_eq!(
            store
                .recompute_due_dates(&per_framework)
                .await
                .expect("recompute"),
            1
        );
        assert_eq!(
            store
                .person(&UserId::new("UENG"))
                .await
                .expect("q")
                .expect("p")
                .due_on,
            Some(date("2026-03-20"))
        );
        assert_eq!(
            store
                .person(&UserId::new("UMKT"))
                .await
                .expect("q")
                .expect("p")
                .due_on,
            Some(date("2026-06-01")),
            "the snooze still wins"
        );
        assert_eq!(
            store
                .recompute_due_dates(&per_framework)
                .await
                .expect("recompute"),
            0
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Check-ins, acknowledgements, snoozes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn record_checkin_moves_the_cadence_cancels_reminders_queues_the_ack_request_and_audits() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        add(&store, "UBEN", "UBOSS", "2025-06-01").await;
        store
            .snooze(
                &UserId::new("UANA"),
                date("2025-10-01"),
                Some("leave"),
                &cadence(),
                &UserId::new("UBOSS"),
                at("2025-09-02T09:00:00Z"),
            )
            .await
            .expect("snooze");
        let planned_at = at("2025-10-01T09:00:00Z");
        store
            .plan_all(
                &[
                    reminder(
                        "reminder:UANA:UBOSS:2025-10-01:0",
                        "UBOSS",
                        "UANA",
                        "2025-10-01T09:00:00Z",
                    ),
                    reminder(
                        "reminder:UBEN:UBOSS:2025-09-01:4",
                        "UBOSS",
                        "UBEN",
                        "2025-10-01T09:00:00Z",
                    ),
                ],
                planned_at,
            )
            .await
            .expect("plan");

        let now = at("2025-10-02T15:30:00Z");
        let mut new = checkin("UANA", "UBOSS", "2025-10-02", Some("button:ANA:1"));
        new.acknowledgement_request = Some(ack_request("UANA", now));
        let Recorded::New(id) = store.record_checkin(new, now).await.expect("record") else {
            panic!("a new check-in");
        };

        let row = store.checkin(id).await.expect("query").expect("stored");
        assert_eq!(row.report_id, "UANA");
        assert_eq!(row.manager_id, "UBOSS");
        assert_eq!(row.held_on, date("2025-10-02"));
        assert_eq!(row.level_discussed, Some(3));
        assert_eq!(
            row.private_note.as_deref(),
            Some("wants to lead the migration")
        );
        assert_eq!(row.recorded_at, "2025-10-02T15:30:00.000Z");
        assert_eq!(row.ack_status, "pending");

        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.anchor_on, Some(date("2025-10-02")));
        assert_eq!(ana.snoozed_until, None, "a conversation ends the snooze");
        assert_eq!(ana.due_on, Some(date("2026-01-02")));

        assert_eq!(
            statuses(&store).await,
            [
                (
                    "reminder:UANA:UBOSS:2025-10-01:0".to_owned(),
                    "cancelled".to_owned()
                ),
                (
                    "reminder:UBEN:UBOSS:2025-09-01:4".to_owned(),
                    "pending".to_owned()
                ),
                (format!("ack:{id}"), "pending".to_owned()),
            ]
        );
        let ack = store.outbox(Some("pending")).await.expect("outbox");
        let ack = ack
            .iter()
            .find(|r| r.kind == kind::ACK_REQUEST)
            .expect("queued");
        assert_eq!(ack.recipient, "UANA");
        assert_eq!(ack.next_attempt_at, "2025-10-02T15:30:00.000Z");
        assert_eq!(
            ack.reply().expect("payload parses"),
            Reply::paragraph(format!("Did you have check-in {id}?"))
        );

        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        let entry = log.last().expect("an entry");
        assert_eq!(entry.action, "checkin.recorded");
        let details = details(&entry.details);
        assert_eq!(details["checkin"], id);
        assert_eq!(details["has_private_note"], true);

        // The same submission again (a double click): recorded once, nothing else queued.
        let mut again = checkin("UANA", "UBOSS", "2025-10-02", Some("button:ANA:1"));
        again.acknowledgement_request = Some(ack_request("UANA", now));
        match store
            .record_checkin(again, at("2025-10-02T15:30:01Z"))
            .await
            .expect("record")
        {
            Recorded::AlreadyRecorded(existing) => assert_eq!(existing.id, id),
            other => panic!("expected AlreadyRecorded, got {other:?}"),
        }
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM checkins").await, 1);
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM outbox").await, 3);
        assert_eq!(
            actions(&store, Some("UANA"))
                .await
                .iter()
                .filter(|a| *a == "checkin.recorded")
                .count(),
            1
        );
        // Without a key, a new day records; the same person and day again does not (issue 10:
        // the same conversation recorded twice is refused, pointing at `undo`).
        store
            .record_checkin(checkin("UANA", "UBOSS", "2025-10-03", None), now)
            .await
            .expect("record");
        match store
            .record_checkin(checkin("UANA", "UBOSS", "2025-10-03", None), now)
            .await
            .expect("record")
        {
            Recorded::SameDay(existing) => assert_eq!(existing.held_on.to_string(), "2025-10-03"),
            other => panic!("expected SameDay, got {other:?}"),
        }
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM checkins").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_form_opened_for_an_anchor_that_changed_since_records_nothing() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        // The form opened while Ana's anchor was her start date; a conversation is recorded in
        // chat meanwhile, which moves the anchor.
        store
            .record_checkin(
                checkin("UANA", "UBOSS", "2025-10-01", None),
                at("2025-10-01T12:00:00Z"),
            )
            .await
            .expect("record");
        let mut form = checkin("UANA", "UBOSS", "2025-09-30", Some("cycle:UANA:2025-06-01"));
        form.opened_for = Some(date("2025-06-01"));
        match store
            .record_checkin(form, at("2025-10-01T12:05:00Z"))
            .await
            .expect("record")
        {
            Recorded::Outdated { anchor_on } => assert_eq!(anchor_on, Some(date("2025-10-01"))),
            other => panic!("expected Outdated, got {other:?}"),
        }
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM checkins").await, 1);
        // A form opened for the current anchor records.
        let mut current = checkin("UANA", "UBOSS", "2026-01-05", Some("cycle:UANA:2025-10-01"));
        current.opened_for = Some(date("2025-10-01"));
        let recorded = store
            .record_checkin(current, at("2026-01-05T12:00:00Z"))
            .await
            .expect("record");
        assert!(matches!(recorded, Recorded::New(_)), "{recorded:?}");
    })
    .await;
}

#[tokio::test]
async fn a_back_filled_conversation_does_not_move_the_anchor_back() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        store
            .record_checkin(
                checkin("UANA", "UBOSS", "2025-12-01", None),
                at("2025-12-01T12:00:00Z"),
            )
            .await
            .expect("record");
        store
            .record_checkin(
                checkin("UANA", "UBOSS", "2025-09-01", None),
                at("2025-12-02T12:00:00Z"),
            )
            .await
            .expect("record");
        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.anchor_on, Some(date("2025-12-01")));
        assert_eq!(ana.due_on, Some(date("2026-03-01")));
        let history: Vec<String> = store
            .history(&UserId::new("UANA"))
            .await
            .expect("history")
            .iter()
            .map(|c| c.held_on.to_string())
            .collect();
        assert_eq!(history, ["2025-12-01", "2025-09-01"]);
        let all = store.all_checkins().await.expect("all");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].held_on, date("2025-09-01"), "oldest first");
        assert_eq!(store.checkin(999).await.expect("query"), None);
    })
    .await;
}

#[tokio::test]
async fn answering_a_checkin_twice_the_same_way_changes_nothing() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        let record = |held_on: &'static str| {
            let store = store.clone();
            async move {
                match store
                    .record_checkin(
                        checkin("UANA", "UBOSS", held_on, None),
                        at("2025-12-01T12:00:00Z"),
                    )
                    .await
                    .expect("record")
                {
                    Recorded::New(id) => id,
                    other => panic!("{other:?}"),
                }
            }
        };
        let older = record("2025-09-01").await;
        let newer = record("2025-11-01").await;
        assert_eq!(
            store
                .pending_checkin(&UserId::new("UANA"))
                .await
                .expect("query")
                .map(|c| c.id),
            Some(newer),
            "the latest conversation waiting for an answer"
        );
        assert_eq!(
            store
                .pending_checkin(&UserId::new("UBOSS"))
                .await
                .expect("query"),
            None
        );

        let now = at("2025-12-02T08:00:00Z");
        let outcome = store
            .answer_checkin(
                &UserId::new("UANA"),
                newer,
                Acknowledgement::Acknowledged,
                None,
                None,
                now,
            )
            .await
            .expect("answer");
        let AnswerOutcome::Updated(updated) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(updated.ack_status, "acknowledged");
        assert_eq!(updated.ack_at.as_deref(), Some("2025-12-02T08:00:00.000Z"));
        assert_eq!(
            store
                .pending_checkin(&UserId::new("UANA"))
                .await
                .expect("query")
                .map(|c| c.id),
            Some(older)
        );

        let audit_before = store.audit_log(None).await.expect("audit").len();
        let outcome = store
            .answer_checkin(
                &UserId::new("UANA"),
                newer,
                Acknowledgement::Acknowledged,
                None,
                Some(message("should-not-be-queued", "2025-12-02T08:00:00Z")),
                at("2025-12-02T08:00:05Z"),
            )
            .await
            .expect("answer");
        let AnswerOutcome::Unchanged(unchanged) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(
            unchanged.ack_at.as_deref(),
            Some("2025-12-02T08:00:00.000Z")
        );
        assert_eq!(
            store.audit_log(None).await.expect("audit").len(),
            audit_before
        );
        assert!(
            !store
                .is_planned("should-not-be-queued")
                .await
                .expect("query")
        );

        // A different answer replaces the first, is audited, and queues its notice.
        let outcome = store
            .answer_checkin(
                &UserId::new("UANA"),
                newer,
                Acknowledgement::Disputed,
                Some("we did not talk"),
                Some(message("dispute:notice", "2025-12-03T08:00:00Z")),
                at("2025-12-03T08:00:00Z"),
            )
            .await
            .expect("answer");
        let AnswerOutcome::Updated(disputed) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(disputed.ack_status, "disputed");
        assert_eq!(disputed.ack_reason.as_deref(), Some("we did not talk"));
        assert!(store.is_planned("dispute:notice").await.expect("query"));
        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        let entry = log.last().expect("an entry");
        assert_eq!(entry.action, "checkin.disputed");
        assert_eq!(entry.actor, "UANA");
        assert_eq!(details(&entry.details)["previous"], "acknowledged");

        // Someone else's check-in, or none: not found, nothing written.
        assert_eq!(
            store
                .answer_checkin(
                    &UserId::new("UBOSS"),
                    newer,
                    Acknowledgement::Acknowledged,
                    None,
                    None,
                    now
                )
                .await
                .expect("answer"),
            AnswerOutcome::NotFound
        );
        assert_eq!(
            store
                .answer_checkin(
                    &UserId::new("UANA"),
                    999,
                    Acknowledgement::Acknowledged,
                    None,
                    None,
                    now
                )
                .await
                .expect("answer"),
            AnswerOutcome::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn snooze_pauses_reminders_until_its_date_and_cancels_planned_ones() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        store
            .plan_reminders(
                &[planned(
                    reminder(
                        "reminder:UANA:UBOSS:2025-09-01:0",
                        "UBOSS",
                        "UANA",
                        "2025-09-01T09:00:00Z",
                    ),
                    "2025-06-01",
                )],
                at("2025-09-01T09:00:00Z"),
            )
            .await
            .expect("plan");
        store
            .snooze(
                &UserId::new("UANA"),
                date("2025-10-15"),
                Some("parental leave"),
                &cadence(),
                &UserId::new("UBOSS"),
                at("2025-09-02T09:00:00Z"),
            )
            .await
            .expect("snooze");

        let ana = store
            .person(&UserId::new("UANA"))
            .await
            .expect("query")
            .expect("exists");
        assert_eq!(ana.snoozed_until, Some(date("2025-10-15")));
        assert_eq!(ana.snooze_reason.as_deref(), Some("parental leave"));
        assert_eq!(ana.due_on, Some(date("2025-10-15")));
        assert_eq!(statuses(&store).await[0].1, "cancelled");
        let snoozes: Vec<(String, String, String)> =
            sqlx::query_as("SELECT until_date, created_by, created_at FROM snoozes")
                .fetch_all(store.pool())
                .await
                .expect("query");
        assert_eq!(
            snoozes,
            [(
                "2025-10-15".to_owned(),
                "UBOSS".to_owned(),
                "2025-09-02T09:00:00.000Z".to_owned()
            )]
        );
        let log = store
            .audit_log(Some(&UserId::new("UANA")))
            .await
            .expect("audit");
        let entry = log.last().expect("an entry");
        assert_eq!(entry.action, "reminders.snoozed");
        assert_eq!(details(&entry.details)["until"], "2025-10-15");
        assert!(
            store
                .due_candidates(date("2025-10-14"))
                .await
                .expect("query")
                .is_empty()
        );
        assert_eq!(
            store
                .due_candidates(date("2025-10-15"))
                .await
                .expect("query")
                .len(),
            1
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// The outbox
// ---------------------------------------------------------------------------------------------

/// `planned_among` answers `is_planned` for many keys at once: only those planned, keys with
/// quotes and a prefix of a planned key included, and nothing for no keys.
#[tokio::test]
async fn planned_among_finds_exactly_the_planned_keys() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T08:59:00Z");
        for key in ["prep:U1:M1:2026-03-02", "prep:U\"2':M1:2026-03-02"] {
            assert!(
                store
                    .plan(&message(key, "2026-03-02T09:00:00Z"), now)
                    .await
                    .expect("plan")
            );
        }
        let asked: Vec<String> = [
            "prep:U1:M1:2026-03-02",
            "prep:U\"2':M1:2026-03-02",
            "prep:U1:M1:2026-03",
            "prep:U3:M1:2026-03-02",
        ]
        .map(str::to_owned)
        .to_vec();
        let found = store.planned_among(&asked).await.expect("query");
        let mut found: Vec<&str> = found.iter().map(String::as_str).collect();
        found.sort_unstable();
        assert_eq!(found, ["prep:U\"2':M1:2026-03-02", "prep:U1:M1:2026-03-02"]);
        assert!(store.planned_among(&[]).await.expect("query").is_empty());
    })
    .await;
}

#[tokio::test]
async fn planning_the_same_key_twice_inserts_once() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T08:59:00Z");
        let first = message("digest:2026-03-02T09:00:00.000Z", "2026-03-02T09:00:00Z");
        assert!(!store.is_planned(&first.key).await.expect("query"));
        assert!(store.plan(&first, now).await.expect("plan"));
        let mut changed = first.clone();
        changed.payload = Reply::paragraph("a different text");
        assert!(!store.plan(&changed, now).await.expect("plan"));
        assert!(store.is_planned(&first.key).await.expect("query"));

        let rows = store.outbox(None).await.expect("outbox");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.kind, "digest");
        assert_eq!(row.recipient, "CADMIN");
        assert_eq!(row.report_id, None);
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 0);
        assert_eq!(row.planned_for, "2026-03-02T09:00:00.000Z");
        assert_eq!(row.next_attempt_at, "2026-03-02T09:00:00.000Z");
        assert_eq!(row.created_at, "2026-03-02T08:59:00.000Z");
        assert_eq!(row.reply().expect("parses"), Reply::paragraph("digest"));

        let batch = [
            message("a", "2026-03-02T09:00:00Z"),
            message("b", "2026-03-02T09:00:00Z"),
            first.clone(),
            message("a", "2026-03-02T09:00:00Z"),
        ];
        assert_eq!(store.plan_all(&batch, now).await.expect("plan_all"), 2);
        assert_eq!(store.outbox(None).await.expect("outbox").len(), 3);
        assert_eq!(store.outbox(Some("sent")).await.expect("outbox").len(), 0);
    })
    .await;
}

#[tokio::test]
async fn plan_reminders_remembers_each_reports_latest_key() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        add(&store, "UBEN", "UBOSS", "2025-06-01").await;
        let now = at("2025-09-01T09:00:00Z");
        let batch = [
            planned(
                reminder(
                    "reminder:UANA:UBOSS:2025-09-01:0",
                    "UBOSS",
                    "UANA",
                    "2025-09-01T09:00:00Z",
                ),
                "2025-06-01",
            ),
            planned(
                reminder(
                    "reminder:UBEN:UBOSS:2025-09-01:0",
                    "UBOSS",
                    "UBEN",
                    "2025-09-01T09:00:00Z",
                ),
                "2025-06-01",
            ),
        ];
        assert_eq!(store.plan_reminders(&batch, now).await.expect("plan"), 2);
        assert_eq!(store.plan_reminders(&batch, now).await.expect("plan"), 0);
        let keys: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT user_id, last_reminder_key FROM people ORDER BY user_id")
                .fetch_all(store.pool())
                .await
                .expect("query");
        assert_eq!(
            keys,
            [
                ("UANA".to_owned(), Some(batch[0].message.key.clone())),
                ("UBEN".to_owned(), Some(batch[1].message.key.clone())),
                ("UBOSS".to_owned(), None),
            ]
        );
        let next = [planned(
            reminder(
                "reminder:UANA:UBOSS:2025-09-01:1",
                "UBOSS",
                "UANA",
                "2025-09-08T09:00:00Z",
            ),
            "2025-06-01",
        )];
        assert_eq!(store.plan_reminders(&next, now).await.expect("plan"), 1);
        let candidates = store
            .due_candidates(date("2025-09-08"))
            .await
            .expect("query");
        assert_eq!(
            candidates[0].last_reminder_key.as_deref(),
            Some("reminder:UANA:UBOSS:2025-09-01:1")
        );
    })
    .await;
}

#[tokio::test]
async fn claim_ready_leases_rows_until_the_lease_expires() {
    databases::each(async |store: Store| {
        let planned = at("2026-03-02T09:00:00Z");
        store
            .plan_all(
                &[
                    message("late", "2026-03-02T09:00:00Z"),
                    message("early", "2026-03-02T08:00:00Z"),
                    message("later", "2026-03-02T09:30:00Z"),
                    message("future", "2026-03-03T09:00:00Z"),
                ],
                planned,
            )
            .await
            .expect("plan");

        // Nothing is ready before its slot.
        assert!(
            store
                .claim_ready(
                    at("2026-03-02T07:59:59.999Z"),
                    at("2026-03-02T08:05:00Z"),
                    10
                )
                .await
                .expect("claim")
                .is_empty()
        );

        let now = at("2026-03-02T10:00:00Z");
        let lease = at("2026-03-02T10:05:00Z");
        let claimed = store.claim_ready(now, lease, 2).await.expect("claim");
        let keys: Vec<&str> = claimed.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            ["early", "late"],
            "oldest slot first, up to the limit"
        );
        for row in &claimed {
            assert_eq!(row.status, "sending");
            assert_eq!(row.attempts, 1);
            assert_eq!(row.next_attempt_at, "2026-03-02T10:05:00.000Z");
        }
        // A second claim before the lease expires takes only what was not claimed.
        let second = store.claim_ready(now, lease, 10).await.expect("claim");
        assert_eq!(
            second.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["later"]
        );
        assert!(
            store
                .claim_ready(at("2026-03-02T10:04:59.999Z"), lease, 10)
                .await
                .expect("claim")
                .is_empty()
        );
        // At the lease's end the rows are ready again, with the attempt counted.
        let again = store
            .claim_ready(lease, at("2026-03-02T10:10:00Z"), 10)
            .await
            .expect("claim");
        let summary: Vec<(&str, i64)> =
            again.iter().map(|r| (r.key.as_str(), r.attempts)).collect();
        assert_eq!(summary, [("early", 2), ("late", 2), ("later", 2)]);
    })
    .await;
}

#[tokio::test]
async fn claim_ready_takes_the_rest_of_a_managers_slot_when_the_limit_cuts_it() {
    databases::each(async |store: Store| {
        let slot = "2026-03-02T09:00:00Z";
        store
            .plan_all(
                &[
                    reminder("reminder:UANA:UBOSS:2026-03-02:0", "UBOSS", "UANA", slot),
                    reminder("reminder:UZED:UOTHER:2026-03-02:0", "UOTHER", "UZED", slot),
                    reminder("reminder:UBEN:UBOSS:2026-02-23:1", "UBOSS", "UBEN", slot),
                    message("digest", "2026-03-02T08:00:00Z"),
                    reminder("reminder:UCEM:UBOSS:2026-03-02:0", "UBOSS", "UCEM", slot),
                ],
                at("2026-03-01T10:00:00Z"),
            )
            .await
            .expect("plan");
        let now = at("2026-03-02T10:00:00Z");
        let lease = at("2026-03-02T10:05:00Z");
        // A limit of 2 takes the digest (the earliest) and one of UBOSS's reminders for the
        // slot; the other two of that slot come with it, UOTHER's does not.
        let claimed = store.claim_ready(now, lease, 2).await.expect("claim");
        let keys: Vec<&str> = claimed.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "digest",
                "reminder:UANA:UBOSS:2026-03-02:0",
                "reminder:UBEN:UBOSS:2026-02-23:1",
                "reminder:UCEM:UBOSS:2026-03-02:0"
            ]
        );
        assert!(claimed.iter().all(|row| row.status == "sending"));
        let rest = store.claim_ready(now, lease, 2).await.expect("claim");
        assert_eq!(
            rest.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["reminder:UZED:UOTHER:2026-03-02:0"]
        );
    })
    .await;
}

#[tokio::test]
async fn sent_reminder_counts_counts_the_reminders_sent_in_a_due_period() {
    use career_bot::store::outbox::ReminderPeriod;

    let (_dir, store) = open().await;
    let sent = [
        // The period before (its reminders began before this period's due date).
        ("reminder:UANA:UBOSS:2026-01-05:0", "UBOSS", "UANA"),
        // This period: two from its due date, one after a snooze.
        ("reminder:UANA:UBOSS:2026-04-06:0", "UBOSS", "UANA"),
        ("reminder:UANA:UBOSS:2026-04-06:1", "UBOSS", "UANA"),
        ("reminder:UANA:UBOSS:2026-04-20:0", "UBOSS", "UANA"),
        // Other managers and reports, with ids that begin the same way.
        ("reminder:UANA:UOTHER:2026-04-06:0", "UOTHER", "UANA"),
        ("reminder:UANA:UBOSS2:2026-04-06:0", "UBOSS2", "UANA"),
        ("reminder:UANA.B:UBOSS:2026-04-06:0", "UBOSS", "UANA.B"),
        ("reminder:UANA_B:UBOSS:2026-04-06:0", "UBOSS", "UANA_B"),
    ];
    let mut messages: Vec<NewMessage> = sent
        .iter()
        .map(|(key, manager, report)| reminder(key, manager, report, "2026-04-06T09:00:00Z"))
        .collect();
    // Planned, failed or superseded reminders were not sent.
    for key in [
        "reminder:UANA:UBOSS:2026-04-20:1",
        "reminder:UANA:UBOSS:2026-04-20:2",
        "reminder:UANA:UBOSS:2026-04-20:3",
    ] {
        messages.push(reminder(key, "UBOSS", "UANA", "2026-04-27T09:00:00Z"));
    }
    store
        .plan_all(&messages, at("2026-04-06T08:00:00Z"))
        .await
        .expect("plan");
    sqlx::query("UPDATE outbox SET status = 'sent' WHERE planned_for < '2026-04-27'")
        .execute(store.pool())
        .await
        .expect("sent");
    sqlx::query(
        "UPDATE outbox SET status = CASE key WHEN 'reminder:UANA:UBOSS:2026-04-20:2' THEN 'failed'
                                            WHEN 'reminder:UANA:UBOSS:2026-04-20:3' THEN 'superseded'
                                            ELSE status END",
    )
    .execute(store.pool())
    .await
    .expect("failed and superseded");

    let period = |report: &str, manager: &str, due_on: &str| ReminderPeriod {
        report_id: UserId::new(report),
        manager_id: UserId::new(manager),
        due_on: date(due_on),
    };
    let counts = store
        .sent_reminder_counts(&[
            period("UANA", "UBOSS", "2026-04-06"),
            period("UANA", "UOTHER", "2026-04-06"),
            period("UANA", "UBOSS", "2026-01-05"),
            period("UNEW", "UBOSS", "2026-04-06"),
            period("UANA", "UBOSS", "2026-04-21"),
            period("UANA.B", "UBOSS", "2026-04-06"),
        ])
        .await
        .expect("counts");
    assert_eq!(counts, [3, 1, 4, 0, 0, 1], "one count per period, in order");
    assert!(
        store
            .sent_reminder_counts(&[])
            .await
            .expect("counts")
            .is_empty()
    );
}

#[tokio::test]
async fn mark_sent_retry_and_failed_settle_a_claimed_row() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T09:00:00Z");
        store
            .plan_all(
                &[
                    message("sent", "2026-03-02T09:00:00Z"),
                    message("retry", "2026-03-02T09:00:00Z"),
                    message("failed", "2026-03-02T09:00:00Z"),
                ],
                now,
            )
            .await
            .expect("plan");
        let rows = store
            .claim_ready(now, at("2026-03-02T09:05:00Z"), 10)
            .await
            .expect("claim");
        let id = |key: &str| rows.iter().find(|r| r.key == key).expect("claimed").id;

        assert_eq!(store.sent_message("sent").await.expect("query"), None);
        store
            .mark_sent(
                id("sent"),
                Some(&ChannelId::new("D123")),
                Some("1712.0001"),
                at("2026-03-02T09:00:01Z"),
            )
            .await
            .expect("sent");
        store
            .mark_retry(id("retry"), "timeout", at("2026-03-02T09:00:30Z"))
            .await
            .expect("retry");
        store
            .mark_failed(id("failed"), "user_not_found")
            .await
            .expect("failed");

        let sent = store
            .sent_message("sent")
            .await
            .expect("query")
            .expect("delivered");
        assert_eq!(sent.status, "sent");
        assert_eq!(sent.channel, Some(ChannelId::new("D123")));
        assert_eq!(sent.message_ts.as_deref(), Some("1712.0001"));
        assert_eq!(sent.sent_at.as_deref(), Some("2026-03-02T09:00:01.000Z"));
        assert_eq!(sent.last_error, None);
        assert_eq!(store.sent_message("retry").await.expect("query"), None);

        let retry = &store.outbox(Some("pending")).await.expect("outbox")[0];
        assert_eq!(retry.key, "retry");
        assert_eq!(retry.last_error.as_deref(), Some("timeout"));
        assert_eq!(retry.next_attempt_at, "2026-03-02T09:00:30.000Z");
        let failed = &store.outbox(Some("failed")).await.expect("outbox")[0];
        assert_eq!(failed.key, "failed");
        assert_eq!(failed.last_error.as_deref(), Some("user_not_found"));

        // Only the retry comes back, and only from its next attempt.
        assert!(
            store
                .claim_ready(at("2026-03-02T09:00:29Z"), at("2026-03-02T09:05:00Z"), 10)
                .await
                .expect("claim")
                .is_empty()
        );
        let later = store
            .claim_ready(at("2026-03-02T12:00:00Z"), at("2026-03-02T12:05:00Z"), 10)
            .await
            .expect("claim");
        assert_eq!(
            later
                .iter()
                .map(|r| (r.key.as_str(), r.attempts))
                .collect::<Vec<_>>(),
            [("retry", 2)]
        );
    })
    .await;
}

#[tokio::test]
async fn requeue_interrupted_makes_sending_rows_ready_now() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T09:00:00Z");
        store
            .plan_all(
                &[
                    message("a", "2026-03-02T09:00:00Z"),
                    message("b", "2026-03-02T09:00:00Z"),
                    message("not-yet", "2026-03-05T09:00:00Z"),
                ],
                now,
            )
            .await
            .expect("plan");
        let claimed = store
            .claim_ready(now, at("2026-03-02T09:05:00Z"), 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 2);
        store
            .mark_sent(claimed[0].id, None, None, now)
            .await
            .expect("sent");

        // The process dies; the next one starts a minute later.
        let restart = at("2026-03-02T09:01:00Z");
        assert_eq!(
            store
                .requeue_interrupted(restart, None)
                .await
                .expect("requeue"),
            1
        );
        let pending = store.outbox(Some("pending")).await.expect("outbox");
        let summary: Vec<(&str, &str)> = pending
            .iter()
            .map(|r| (r.key.as_str(), r.next_attempt_at.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("b", "2026-03-02T09:01:00.000Z"),
                ("not-yet", "2026-03-05T09:00:00.000Z")
            ]
        );
        let ready = store
            .claim_ready(restart, at("2026-03-02T09:06:00Z"), 10)
            .await
            .expect("claim");
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].key, "b");
        assert_eq!(ready[0].attempts, 2);
        assert_eq!(
            store
                .requeue_interrupted(restart, None)
                .await
                .expect("requeue"),
            1
        );
        assert_eq!(
            store
                .requeue_interrupted(restart, None)
                .await
                .expect("requeue"),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn requeue_interrupted_on_a_shared_database_leaves_rows_whose_lease_still_runs() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T09:00:00Z");
        store
            .plan_all(&[message("a", "2026-03-02T09:00:00Z")], now)
            .await
            .expect("plan");
        let claimed = store
            .claim_ready(now, at("2026-03-02T09:05:00Z"), 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        // Another replica starts while the claim's lease runs: the row may be a live send.
        let restart = at("2026-03-02T09:01:00Z");
        assert_eq!(
            store
                .requeue_interrupted(restart, Some(restart))
                .await
                .expect("requeue"),
            0
        );
        assert!(
            store
                .unknown_outcomes(Some(restart))
                .await
                .expect("unknown")
                .is_empty()
        );
        // Once the lease has ended, it is a dead process's row.
        let later = at("2026-03-02T09:06:00Z");
        assert_eq!(
            store
                .requeue_interrupted(later, Some(later))
                .await
                .expect("requeue"),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn an_attempt_of_unknown_outcome_stays_sending_until_its_retry_time() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T09:00:00Z");
        store
            .plan_all(&[message("a", "2026-03-02T09:00:00Z")], now)
            .await
            .expect("plan");
        let claimed = store
            .claim_ready(now, at("2026-03-02T09:05:00Z"), 10)
            .await
            .expect("claim");
        let retry_at = at("2026-03-02T09:01:00Z");
        store
            .mark_unknown(claimed[0].id, "no answer", retry_at)
            .await
            .expect("unknown");
        assert_eq!(
            store.outbox_status("a").await.expect("status"),
            Some(career_bot::store::outbox::OutboxStatus::Sending)
        );
        assert!(
            store
                .unknown_outcomes(Some(now))
                .await
                .expect("rows")
                .is_empty()
        );
        let due = store.unknown_outcomes(Some(retry_at)).await.expect("rows");
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].last_error.as_deref(), Some("no answer"));
        store
            .mark_retry(claimed[0].id, "refused", retry_at)
            .await
            .expect("retry");
        assert_eq!(
            store.outbox_status("a").await.expect("status"),
            Some(career_bot::store::outbox::OutboxStatus::Pending)
        );
    })
    .await;
}

#[tokio::test]
async fn a_corrupt_payload_is_reported_not_panicked_on() {
    databases::each(async |store: Store| {
        store
            .plan(
                &message("x", "2026-03-02T09:00:00Z"),
                at("2026-03-02T09:00:00Z"),
            )
            .await
            .expect("plan");
        sqlx::query("UPDATE outbox SET payload = 'not json'")
            .execute(store.pool())
            .await
            .expect("edit by hand");
        let row = &store.outbox(None).await.expect("outbox")[0];
        assert!(matches!(row.reply(), Err(StoreError::Corrupt(_))));
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Audit log and settings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_audit_log_is_filtered_by_subject_and_oldest_first() {
    databases::each(async |store: Store| {
        add(&store, "UANA", "UBOSS", "2025-06-01").await;
        add(&store, "UBEN", "UBOSS", "2025-06-01").await;
        store
            .set_level(
                &UserId::new("UANA"),
                4,
                &UserId::new("UBOSS"),
                at("2026-02-01T09:00:00Z"),
            )
            .await
            .expect("level");
        let mut conn = store.pool().acquire().await.expect("connection");
        career_bot::store::audit::record(
            &mut conn,
            at("2026-02-02T09:00:00Z"),
            &UserId::new("system"),
            "database.backup",
            None,
            serde_json::json!({ "file": "backup.db" }),
        )
        .await
        .expect("record");
        drop(conn);

        assert_eq!(
            actions(&store, Some("UANA")).await,
            ["person.added", "person.level_changed"]
        );
        assert_eq!(actions(&store, Some("UBEN")).await, ["person.added"]);
        let all = store.audit_log(None).await.expect("audit");
        assert_eq!(all.len(), 4);
        assert!(all.windows(2).all(|pair| pair[0].id < pair[1].id));
        let last = all.last().expect("an entry");
        assert_eq!(last.subject, None);
        assert_eq!(last.actor, "system");
        assert_eq!(details(&last.details)["file"], "backup.db");
        assert!(actions(&store, Some("UNOBODY")).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn settings_are_stored_and_replaced() {
    databases::each(async |store: Store| {
        assert_eq!(store.setting("cadence").await.expect("query"), None);
        store.set_setting("cadence", "v1").await.expect("set");
        store.set_setting("cadence", "v2").await.expect("set");
        assert_eq!(
            store.setting("cadence").await.expect("query").as_deref(),
            Some("v2")
        );
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM settings").await, 1);
    })
    .await;
}

#[tokio::test]
async fn connection_level_helpers_work_inside_a_transaction() {
    databases::each(async |store: Store| {
        let now = at("2026-01-20T09:00:00Z");
        add(&store, "UANA", "UBOSS", "2026-01-20").await;
        let mut tx = store.pool().begin().await.expect("begin");
        people::ensure_person(&mut tx, &UserId::new("UNEW"), now)
            .await
            .expect("ensure");
        people::ensure_person(&mut tx, &UserId::new("UNEW"), now)
            .await
            .expect("ensure twice");
        let fresh = people::person_in(&mut tx, &UserId::new("UNEW"))
            .await
            .expect("query")
            .expect("inserted");
        assert_eq!(fresh.display_name, "");
        assert!(fresh.active);
        assert_eq!(
            people::person_in(&mut tx, &UserId::new("UMISSING"))
                .await
                .expect("query"),
            None
        );
        // refresh_due_on recomputes from the stored inputs with the given cadence...
        let monthly = Cadence {
            due_after: Period::months(1),
            overdue_after: Period::months(2),
        };
        people::refresh_due_on(&mut tx, &UserId::new("UANA"), &monthly)
            .await
            .expect("refresh");
        assert_eq!(
            people::person_in(&mut tx, &UserId::new("UANA"))
                .await
                .expect("query")
                .expect("exists")
                .due_on,
            Some(date("2026-02-20"))
        );
        // ...and clears it for someone who is not a report; a missing person is not an error.
        people::refresh_due_on(&mut tx, &UserId::new("UNEW"), &monthly)
            .await
            .expect("refresh");
        people::refresh_due_on(&mut tx, &UserId::new("UMISSING"), &monthly)
            .await
            .expect("refresh");
        tx.rollback().await.expect("rollback");
        assert_eq!(
            store.person(&UserId::new("UNEW")).await.expect("query"),
            None
        );
        assert_eq!(
            store
                .person(&UserId::new("UANA"))
                .await
                .expect("query")
                .expect("exists")
                .due_on,
            Some(date("2026-04-20"))
        );
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_reminder_is_revived_only_if_it_was_never_tried() {
    databases::each(async |store: Store| {
        let now = at("2026-04-20T09:00:00Z");
        store
            .add_report(
                &new_report("UANA", "UBOSS", "2026-01-20"),
                &UserId::new("UBOSS"),
                now,
            )
            .await
            .expect("add ana");
        store
            .add_report(
                &new_report("UBEN", "UBOSS", "2026-01-20"),
                &UserId::new("UBOSS"),
                now,
            )
            .await
            .expect("add ben");
        let ana = reminder(
            "reminder:UANA:UBOSS:2026-04-20:0",
            "UBOSS",
            "UANA",
            "2026-04-20T09:00:00Z",
        );
        let ben = reminder(
            "reminder:UBEN:UBOSS:2026-04-20:0",
            "UBOSS",
            "UBEN",
            "2026-04-20T09:00:00Z",
        );
        let both = [
            planned(ana.clone(), "2026-01-20"),
            planned(ben.clone(), "2026-01-20"),
        ];
        assert_eq!(store.plan_reminders(&both, now).await.expect("plan"), 2);
        // Ben's reminder is tried once and fails; then both reports move away.
        let claimed = store
            .claim_ready(now, at("2026-04-20T09:05:00Z"), 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 2);
        let (ana_row, ben_row) = if claimed[0].key == ana.key {
            (&claimed[0], &claimed[1])
        } else {
            (&claimed[1], &claimed[0])
        };
        store
            .release_untried(ana_row.id, now)
            .await
            .expect("release ana");
        store
            .mark_retry(ben_row.id, "slack is down", at("2026-04-20T10:00:00Z"))
            .await
            .expect("retry ben");
        for report in ["UANA", "UBEN"] {
            store
                .move_report(
                    &UserId::new(report),
                    &UserId::new("UCAROL"),
                    &cadence(),
                    &UserId::new("UADMIN"),
                    now,
                )
                .await
                .expect("move");
        }
        assert!(
            statuses(&store)
                .await
                .iter()
                .all(|(_, status)| status == "cancelled")
        );
        // While they report to Carol, Boss's reminders are not planned again.
        assert_eq!(store.plan_reminders(&both, now).await.expect("plan"), 0);
        for report in ["UANA", "UBEN"] {
            store
                .move_report(
                    &UserId::new(report),
                    &UserId::new("UBOSS"),
                    &cadence(),
                    &UserId::new("UADMIN"),
                    now,
                )
                .await
                .expect("move back");
        }

        // Back with Boss, the same keys: Ana's comes back, Ben's failing one stays cancelled.
        assert_eq!(store.plan_reminders(&both, now).await.expect("plan"), 1);
        assert_eq!(
            statuses(&store).await,
            [
                (ana.key.clone(), "pending".to_owned()),
                (ben.key.clone(), "cancelled".to_owned())
            ]
        );
        // Planning once more changes nothing: a live row is never planned twice.
        assert_eq!(store.plan_reminders(&both, now).await.expect("plan"), 0);
        assert_eq!(scalar_i64(&store, "SELECT count(*) FROM outbox").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_reminder_computed_before_a_conversation_snooze_or_removal_is_not_planned() {
    databases::each(async |store: Store| {
        let now = at("2026-04-20T09:00:00Z");
        for report in ["UANA", "UBEN", "UCAT"] {
            add(&store, report, "UBOSS", "2026-01-20").await;
        }
        // A scheduler pass reads who is due and computes their reminders...
        let stale: Vec<PlannedReminder> = store
            .due_candidates(date("2026-04-21"))
            .await
            .expect("due query")
            .into_iter()
            .map(|candidate| PlannedReminder {
                message: reminder(
                    &format!("reminder:{}:UBOSS:2026-04-20:0", candidate.user_id),
                    "UBOSS",
                    candidate.user_id.as_str(),
                    "2026-04-20T09:00:00Z",
                ),
                anchor_on: candidate.anchor_on,
                snoozed_until: candidate.snoozed_until,
            })
            .collect();
        assert_eq!(stale.len(), 3);
        // ...meanwhile Ana's conversation is recorded, Ben is snoozed and Cat is removed.
        store
            .record_checkin(checkin("UANA", "UBOSS", "2026-04-20", None), now)
            .await
            .expect("checkin");
        store
            .snooze(
                &UserId::new("UBEN"),
                date("2026-05-04"),
                None,
                &cadence(),
                &UserId::new("UBOSS"),
                now,
            )
            .await
            .expect("snooze");
        store
            .deactivate(&UserId::new("UCAT"), &UserId::new("UBOSS"), now)
            .await
            .expect("remove");
        // The pass's write finds none of them as it computed them: nothing is planned.
        assert_eq!(store.plan_reminders(&stale, now).await.expect("plan"), 0);
        assert_eq!(
            scalar_i64(
                &store,
                "SELECT count(*) FROM outbox WHERE kind = 'reminder'"
            )
            .await,
            0
        );
        assert_eq!(
            scalar_i64(
                &store,
                "SELECT count(*) FROM people WHERE last_reminder_key IS NOT NULL"
            )
            .await,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn the_store_refuses_a_management_loop_inside_the_write_even_when_two_changes_race() {
    databases::each(async |store: Store| {
        // Two managers put each other on their team at the same moment: one wins, the other is
        // refused naming the chain, and the chart has no loop.
        let (a_under_b, b_under_a) = (
            new_report("U_A", "U_B", "2026-01-05"),
            new_report("U_B", "U_A", "2026-01-05"),
        );
        let (user_a, user_b) = (UserId::new("U_A"), UserId::new("U_B"));
        let when = at("2026-01-05T10:00:00Z");
        let (a, b) = tokio::join!(
            store.add_report(&a_under_b, &user_b, when),
            store.add_report(&b_under_a, &user_a, when),
        );
        let refused: Vec<Vec<UserId>> = [a, b]
            .into_iter()
            .filter_map(|result| match result {
                Ok(()) => None,
                Err(StoreError::Loop(chain)) => Some(chain),
                Err(other) => panic!("unexpected error: {other}"),
            })
            .collect();
        assert_eq!(refused.len(), 1, "exactly one of the two is refused");
        assert_eq!(
            refused[0].len(),
            2,
            "the chain names both: {:?}",
            refused[0]
        );
        // Moving someone under their own report is refused the same way.
        add(&store, "U_C", "U_BOSS", "2026-01-05").await;
        add(&store, "U_D", "U_C", "2026-01-05").await;
        let moved = store
            .move_report(
                &UserId::new("U_C"),
                &UserId::new("U_D"),
                &cadence(),
                &UserId::new("U_BOSS"),
                at("2026-01-06T10:00:00Z"),
            )
            .await;
        assert!(
            matches!(&moved, Err(StoreError::Loop(chain)) if chain == &[UserId::new("U_D"), UserId::new("U_C")]),
            "{moved:?}"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Requests to join a team, notices that say the latest, management periods (issue 11)
// ---------------------------------------------------------------------------------------------

fn request(person: &str, requester: &str, level: u32) -> NewAddRequest {
    NewAddRequest {
        person_id: UserId::new(person),
        requester_id: UserId::new(requester),
        framework_id: FrameworkId::new("buffer-engineering"),
        level,
        display_name: None,
    }
}

fn request_dm(request: &AddRequest) -> NewMessage {
    NewMessage {
        key: request_key(request.id),
        kind: kind::ADD_REQUEST,
        recipient: request.person_id.to_string(),
        report_id: Some(request.person_id.clone()),
        payload: Reply::paragraph(format!("level {}?", request.level)),
        planned_for: at("2026-02-02T10:00:00Z"),
    }
}

fn answer_notice(id: i64, requester: &str) -> NewMessage {
    NewMessage {
        key: format!("add_answer:{id}"),
        kind: kind::NOTICE,
        recipient: requester.to_owned(),
        report_id: None,
        payload: Reply::paragraph("answered"),
        planned_for: at("2026-02-02T10:00:00Z"),
    }
}

async fn plan_latest(store: &Store, message: &NewMessage, now: DateTime<Utc>) -> bool {
    let mut tx = store.write().await.expect("write");
    let planned = outbox::plan_latest_in(&mut tx, message, now)
        .await
        .expect("plan_latest_in");
    tx.commit().await.expect("commit");
    planned
}

#[tokio::test]
async fn plan_latest_replaces_an_unsent_message_revives_a_superseded_one_and_leaves_a_sent_one() {
    databases::each(async |store: Store| {
        let now = at("2026-03-02T09:00:00Z");
        let mut notice = message("dispute:1:UBOSS:2026-03-02", "2026-03-02T09:00:00Z");
        assert!(plan_latest(&store, &notice, now).await);
        notice.payload = Reply::paragraph("the latest");
        assert!(plan_latest(&store, &notice, at("2026-03-02T09:05:00Z")).await);
        let rows = store.outbox(None).await.expect("outbox");
        assert_eq!(rows.len(), 1, "one message, not two");
        assert_eq!(
            rows[0].reply().expect("parses"),
            Reply::paragraph("the latest")
        );
        assert_eq!(
            rows[0].created_at, "2026-03-02T09:00:00.000Z",
            "still the first one"
        );
        // Superseded when its turn came: planned again, as new.
        store
            .mark_superseded(rows[0].id, "the report changed their answer")
            .await
            .expect("superseded");
        let later = at("2026-03-02T10:00:00Z");
        assert!(plan_latest(&store, &notice, later).await);
        let row = &store.outbox(None).await.expect("outbox")[0];
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 0);
        assert_eq!(row.last_error, None);
        assert_eq!(row.created_at, "2026-03-02T10:00:00.000Z");
        // Sent: never sent again, whatever it would now say.
        store
            .mark_sent(row.id, None, None, later)
            .await
            .expect("sent");
        notice.payload = Reply::paragraph("another");
        assert!(!plan_latest(&store, &notice, later).await);
        let row = &store.outbox(None).await.expect("outbox")[0];
        assert_eq!(row.status, "sent");
        assert_eq!(row.reply().expect("parses"), Reply::paragraph("the latest"));
    })
    .await;
}

#[tokio::test]
async fn a_request_to_add_someone_is_asked_once_updated_while_open_and_refused_for_a_day_after_a_no()
 {
    let (_dir, store) = open().await;
    let now = at("2026-02-02T10:00:00Z");
    let asked = store
        .request_add(&request("UANA", "UNEW", 2), &request_dm, now)
        .await
        .expect("request");
    let Requested::New(first) = asked else {
        panic!("{asked:?}");
    };
    assert_eq!(first.status, RequestStatus::Pending);
    let again = store
        .request_add(&request("UANA", "UNEW", 4), &request_dm, now)
        .await
        .expect("request");
    assert!(matches!(&again, Requested::Updated(r) if r.id == first.id && r.level == 4));
    let rows = store.outbox(None).await.expect("outbox");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].key, format!("add_request:{}", first.id));
    assert_eq!(
        rows[0].reply().expect("parses"),
        Reply::paragraph("level 4?")
    );
    assert_eq!(
        actions(&store, Some("UANA")).await,
        ["person.add_requested", "person.add_requested"]
    );
    assert_eq!(
        store
            .latest_add_request(&UserId::new("UANA"), &UserId::new("UNEW"))
            .await
            .expect("query")
            .map(|r| r.id),
        Some(first.id)
    );

    // Someone else cannot answer it; the person says no, and the requester is told.
    let declined = store
        .decline_add_request(
            first.id,
            &UserId::new("UEVE"),
            &answer_notice(first.id, "UNEW"),
            now,
        )
        .await
        .expect("decline");
    assert_eq!(declined, Answered::NotOpen);
    let declined = store
        .decline_add_request(
            first.id,
            &UserId::new("UANA"),
            &answer_notice(first.id, "UNEW"),
            now,
        )
        .await
        .expect("decline");
    assert!(matches!(&declined, Answered::Done(r) if r.status == RequestStatus::Declined));
    assert_eq!(
        store
            .add_request(first.id)
            .await
            .expect("query")
            .map(|r| r.status),
        Some(RequestStatus::Declined)
    );
    assert!(
        store
            .is_planned(&format!("add_answer:{}", first.id))
            .await
            .expect("query")
    );
    // Within a day of the no, asking again writes nothing; a day later it asks anew.
    let audited = actions(&store, None).await.len();
    let soon = store
        .request_add(
            &request("UANA", "UNEW", 2),
            &request_dm,
            at("2026-02-03T09:59:59Z"),
        )
        .await
        .expect("request");
    assert!(matches!(soon, Requested::RecentlyDeclined(_)), "{soon:?}");
    assert_eq!(actions(&store, None).await.len(), audited);
    let later = store
        .request_add(
            &request("UANA", "UNEW", 2),
            &request_dm,
            at("2026-02-03T10:00:00Z"),
        )
        .await
        .expect("request");
    assert!(
        matches!(&later, Requested::New(r) if r.id != first.id),
        "{later:?}"
    );
}

#[tokio::test]
async fn accepting_a_request_adds_the_person_under_the_requester_closes_it_and_tells_them_at_once()
{
    let (_dir, store) = open().await;
    let now = at("2026-02-02T10:00:00Z");
    let Requested::New(open_request) = store
        .request_add(&request("UANA", "UNEW", 2), &request_dm, now)
        .await
        .expect("request")
    else {
        panic!("a new request");
    };
    let mut report = new_report("UANA", "UNEW", "2026-02-02");
    report.level = 2;
    let accepted = store
        .accept_add_request(
            open_request.id,
            &report,
            &answer_notice(open_request.id, "UNEW"),
            now,
        )
        .await
        .expect("accept");
    assert!(matches!(&accepted, Answered::Done(r) if r.status == RequestStatus::Accepted));
    let person = store
        .person(&UserId::new("UANA"))
        .await
        .expect("query")
        .expect("stored");
    assert_eq!(person.manager_id, Some(UserId::new("UNEW")));
    assert!(person.active);
    let entries = store
        .audit_log(Some(&UserId::new("UANA")))
        .await
        .expect("audit");
    let added = entries
        .iter()
        .find(|entry| entry.action == "person.added")
        .expect("added");
    assert_eq!(added.actor, "UANA", "the person's yes made the change");
    let details = details(&added.details);
    assert_eq!(details["manager"], "UNEW");
    assert_eq!(details["requested_by"], "UNEW");
    assert!(
        store
            .is_planned(&format!("add_answer:{}", open_request.id))
            .await
            .expect("query")
    );
    // Answered already: nothing more.
    let again = store
        .accept_add_request(
            open_request.id,
            &report,
            &answer_notice(open_request.id, "UNEW"),
            now,
        )
        .await
        .expect("accept");
    assert_eq!(again, Answered::NotOpen);

    // On a team meanwhile: refused, nothing written.
    let Requested::New(other) = store
        .request_add(&request("UANA", "UOTHER", 2), &request_dm, now)
        .await
        .expect("request")
    else {
        panic!("a new request");
    };
    let audited = actions(&store, None).await.len();
    let mut to_other = report.clone();
    to_other.manager_id = UserId::new("UOTHER");
    let tracked = store
        .accept_add_request(other.id, &to_other, &answer_notice(other.id, "UOTHER"), now)
        .await
        .expect("accept");
    assert!(
        matches!(tracked, Answered::AlreadyTracked(p) if p.manager_id == Some(UserId::new("UNEW")))
    );
    assert_eq!(actions(&store, None).await.len(), audited);
    assert_eq!(
        store
            .add_request(other.id)
            .await
            .expect("query")
            .map(|r| r.status),
        Some(RequestStatus::Pending)
    );

    // Accepting a report of yours as your manager would close a loop: refused.
    add(&store, "UBOSS", "UANA", "2026-02-02").await;
    store
        .deactivate(&UserId::new("UANA"), &UserId::new("UNEW"), now)
        .await
        .expect("remove");
    let Requested::New(upward) = store
        .request_add(&request("UANA", "UBOSS", 2), &request_dm, now)
        .await
        .expect("request")
    else {
        panic!("a new request");
    };
    let mut under_boss = report.clone();
    under_boss.manager_id = UserId::new("UBOSS");
    let looped = store
        .accept_add_request(
            upward.id,
            &under_boss,
            &answer_notice(upward.id, "UBOSS"),
            now,
        )
        .await;
    assert!(matches!(looped, Err(StoreError::Loop(_))), "{looped:?}");
}

#[tokio::test]
async fn managers_ever_names_every_manager_of_the_record_its_conversations_and_its_audit_log() {
    databases::each(async |store: Store| {
        assert!(
            store
                .managers_ever(&UserId::new("UANA"))
                .await
                .expect("query")
                .is_empty()
        );
        add(&store, "UANA", "UFIRST", "2026-01-05").await;
        store
            .record_checkin(
                checkin("UANA", "UFIRST", "2026-01-20", None),
                at("2026-01-20T10:00:00Z"),
            )
            .await
            .expect("record");
        store
            .move_report(
                &UserId::new("UANA"),
                &UserId::new("USECOND"),
                &cadence(),
                &UserId::new("UADMIN"),
                at("2026-02-01T10:00:00Z"),
            )
            .await
            .expect("move");
        store
            .deactivate(
                &UserId::new("UANA"),
                &UserId::new("USECOND"),
                at("2026-02-02T10:00:00Z"),
            )
            .await
            .expect("remove");
        assert_eq!(
            store
                .managers_ever(&UserId::new("UANA"))
                .await
                .expect("query"),
            [UserId::new("UFIRST"), UserId::new("USECOND")],
            "the admin who moved her never managed her"
        );
    })
    .await;
}

#[tokio::test]
async fn management_changes_follow_time_then_audit_order_so_imported_history_sorts_first() {
    databases::each(async |store: Store| {
        let subject = UserId::new("UANA");
        let entry = |at_text: &str, action: &str, details: Value| PersonEvent {
            kind: EventKind::from_action(action).expect("an event action"),
            subject: subject.clone(),
            at: at_text.to_owned(),
            actor: UserId::new("UADMIN"),
            details,
        };
        let mut tx = store.write().await.expect("write");
        // An import: its own entry first (written at import time), then the history it brought
        // back, with the times it happened.
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, subject, details) VALUES
               ('2026-05-01T10:00:00.000Z', 'import', 'person.imported', 'UANA',
                '{\"framework\": \"buffer-engineering\", \"manager\": \"USECOND\", \"active\": true}'),
               ('2026-05-01T10:00:00.000Z', 'import', 'person.imported', 'UBOSS',
                '{\"framework\": null, \"manager\": null, \"active\": null}')",
        )
        .execute(&mut *tx)
        .await
        .expect("import entries");
        for event in [
            entry(
                "2026-01-05T10:00:00.000Z",
                "person.added",
                serde_json::json!({ "manager": "UFIRST" }),
            ),
            entry(
                "2026-02-01T10:00:00.000Z",
                "person.moved",
                serde_json::json!({ "from": "UFIRST", "to": "USECOND" }),
            ),
            entry(
                "2026-03-01T10:00:00.000Z",
                "person.removed",
                serde_json::json!({}),
            ),
            entry(
                "2026-04-01T10:00:00.000Z",
                "person.added",
                serde_json::json!({ "manager": "USECOND" }),
            ),
        ] {
            events::import_event_in(&mut tx, &event)
                .await
                .expect("import event");
        }
        tx.commit().await.expect("commit");
        let changes: Vec<(String, Option<String>)> = store
            .management_changes(&subject)
            .await
            .expect("changes")
            .into_iter()
            .map(|change| {
                (
                    change.at[..10].to_owned(),
                    change.manager.map(UserId::into_string),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [
                ("2026-01-05".to_owned(), Some("UFIRST".to_owned())),
                ("2026-02-01".to_owned(), Some("USECOND".to_owned())),
                ("2026-03-01".to_owned(), None),
                ("2026-04-01".to_owned(), Some("USECOND".to_owned())),
                ("2026-05-01".to_owned(), Some("USECOND".to_owned())),
            ]
        );
        let numbered = store.numbered_events(Some(&subject)).await.expect("events");
        assert_eq!(numbered.len(), 4);
        assert!(numbered.windows(2).all(|pair| pair[0].0 < pair[1].0));
    })
    .await;
}

#[tokio::test]
async fn a_request_dm_is_superseded_once_answered_or_once_the_person_joined_a_team() {
    databases::each(async |store: Store| {
        let now = at("2026-02-02T10:00:00Z");
        let mut ids = Vec::new();
        for requester in ["UONE", "UTWO", "UTHREE"] {
            let Requested::New(made) = store
                .request_add(&request("UANA", requester, 2), &request_dm, now)
                .await
                .expect("request")
            else {
                panic!("a new request");
            };
            ids.push(made.id);
        }
        let rows = store.outbox(None).await.expect("outbox");
        let row_ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        assert!(
            store
                .superseded_among(&row_ids)
                .await
                .expect("query")
                .is_empty()
        );
        store
            .decline_add_request(
                ids[0],
                &UserId::new("UANA"),
                &answer_notice(ids[0], "UONE"),
                now,
            )
            .await
            .expect("decline");
        let superseded = store.superseded_among(&row_ids).await.expect("query");
        assert_eq!(
            superseded.get(&row_ids[0]).map(String::as_str),
            Some("the request was already answered")
        );
        assert_eq!(superseded.len(), 1);
        // An admin adds her meanwhile: the other requests are moot.
        add(&store, "UANA", "UADMIN", "2026-02-02").await;
        let superseded = store.superseded_among(&row_ids).await.expect("query");
        assert_eq!(superseded.len(), 3);
        assert_eq!(
            superseded.get(&row_ids[2]).map(String::as_str),
            Some("the person joined a team meanwhile")
        );
    })
    .await;
}
