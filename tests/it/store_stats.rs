//! What `stats` reads: each conversation in the window with the report's previous one —
//! the conversation before it (before the window too), else the report's start date — and
//! the org chart, on both databases (the rows come packed in JSON texts, whose SQL differs
//! between them).

use chrono::NaiveDate;

use career_bot::store::Store;
use career_bot::store::values::AckStatus;

use crate::support::databases;

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

async fn person(store: &Store, user: &str, start: Option<&str>) {
    sqlx::query(
        "INSERT INTO people (user_id, display_name, framework_id, level, manager_id,
                             start_date, anchor_on, created_at, updated_at)
         VALUES ($1, $1, 'buffer-marketing', 2, 'M', $2, $2, '2020-01-01T00:00:00Z',
                 '2020-01-01T00:00:00Z')",
    )
    .bind(user)
    .bind(start)
    .execute(store.pool())
    .await
    .expect("a person");
}

async fn held(store: &Store, report: &str, on: &str) {
    held_by(store, report, "M", on, "pending").await;
}

async fn held_by(store: &Store, report: &str, manager: &str, on: &str, answer: &str) {
    sqlx::query(
        "INSERT INTO checkins (report_id, manager_id, held_on, framework_id, level_discussed,
                               recorded_by, recorded_at, ack_status)
         VALUES ($1, $2, $3, 'buffer-marketing', 2, $2, '2020-01-01T00:00:00Z', $4)",
    )
    .bind(report)
    .bind(manager)
    .bind(on)
    .bind(answer)
    .execute(store.pool())
    .await
    .expect("a conversation");
}

#[tokio::test]
async fn each_conversation_in_the_window_comes_with_the_one_before_it_else_the_start_date() {
    databases::each(async |store: Store| held_in_the_window(&store).await).await;
}

#[tokio::test]
async fn an_empty_window_and_an_empty_org_read_as_nothing() {
    databases::each(async |store: Store| {
        let mut rows = 0;
        store
            .held_between(date("2025-01-01"), date("2026-06-30"), |_| rows += 1)
            .await
            .expect("held");
        assert_eq!(rows, 0);
        assert!(store.org_edges().await.expect("org").is_empty());
        assert!(
            store
                .management_edges(&["M"])
                .await
                .expect("org")
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn the_org_chart_is_every_active_person_with_a_manager() {
    databases::each(async |store: Store| {
        person(&store, "M", None).await;
        person(&store, "A", Some("2024-01-01")).await;
        // A name with the characters JSON escapes reads back as it was written.
        sqlx::query("UPDATE people SET display_name = $1 WHERE user_id = 'A'")
            .bind("Ann \"Quote\" \\ Tab\tÉ")
            .execute(store.pool())
            .await
            .expect("renamed");
        person(&store, "GONE", None).await;
        sqlx::query("UPDATE people SET active = 0 WHERE user_id = 'GONE'")
            .execute(store.pool())
            .await
            .expect("removed");
        sqlx::query("UPDATE people SET manager_id = NULL WHERE user_id = 'M'")
            .execute(store.pool())
            .await
            .expect("top");
        let mut edges: Vec<(String, String, String)> = store
            .org_edges()
            .await
            .expect("org")
            .into_iter()
            .map(|edge| {
                (
                    edge.user_id.as_str().to_owned(),
                    edge.manager_id.as_str().to_owned(),
                    edge.display_name,
                )
            })
            .collect();
        edges.sort();
        assert_eq!(
            edges,
            vec![(
                "A".to_owned(),
                "M".to_owned(),
                "Ann \"Quote\" \\ Tab\tÉ".to_owned()
            )]
        );
    })
    .await;
}

async fn held_in_the_window(store: &Store) {
    person(store, "M", None).await;
    // A: one conversation before the window, two in it (added out of order), one after.
    person(store, "A", Some("2024-01-01")).await;
    held(store, "A", "2026-03-01").await;
    held(store, "A", "2025-02-01").await;
    held(store, "A", "2024-06-01").await;
    held(store, "A", "2025-09-01").await;
    held(store, "A", "2026-08-01").await;
    // B: nothing before the window, so its first is measured from the start date; two on
    // one day follow each other.
    person(store, "B", Some("2025-03-10")).await;
    held(store, "B", "2025-07-01").await;
    held(store, "B", "2025-07-01").await;
    // C: no start date and nothing before: unknown.
    person(store, "C", None).await;
    held(store, "C", "2025-05-05").await;

    // D: another manager, and each answer, read back as written.
    person(store, "D", Some("2024-01-01")).await;
    held_by(store, "D", "N", "2025-04-04", "acknowledged").await;
    held_by(store, "D", "N", "2025-05-05", "disputed").await;

    let mut got: Vec<(String, String, NaiveDate, Option<NaiveDate>, AckStatus)> = Vec::new();
    store
        .held_between(date("2025-01-01"), date("2026-06-30"), |row| {
            assert_eq!(row.framework_id, Some("buffer-marketing"));
            got.push((
                row.report_id.to_owned(),
                row.manager_id.to_owned(),
                row.held_on,
                row.previous,
                row.ack_status,
            ));
        })
        .await
        .expect("held");
    // Each report's rows come in order of date; the reports in any order.
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let (pending, acknowledged, disputed) = (
        AckStatus::Pending,
        AckStatus::Acknowledged,
        AckStatus::Disputed,
    );
    // (report, manager, held on, previous, answer)
    let want = [
        ("A", "M", "2025-02-01", Some("2024-06-01"), pending),
        ("A", "M", "2025-09-01", Some("2025-02-01"), pending),
        ("A", "M", "2026-03-01", Some("2025-09-01"), pending),
        ("B", "M", "2025-07-01", Some("2025-03-10"), pending),
        ("B", "M", "2025-07-01", Some("2025-07-01"), pending),
        ("C", "M", "2025-05-05", None, pending),
        ("D", "N", "2025-04-04", Some("2024-01-01"), acknowledged),
        ("D", "N", "2025-05-05", Some("2025-04-04"), disputed),
    ];
    let want: Vec<(String, String, NaiveDate, Option<NaiveDate>, AckStatus)> = want
        .into_iter()
        .map(|(report, manager, on, previous, answer)| {
            (
                report.to_owned(),
                manager.to_owned(),
                date(on),
                previous.map(date),
                answer,
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn the_managers_org_chart_is_everyone_above_a_manager_and_the_managers_asked_for() {
    databases::each(async |store: Store| {
        // VP ← LEAD ← {A, B}; GONE (inactive) under LEAD; EX managed once, now a report
        // of VP with no reports; SOLO manages no one; VP is at the top. (M, whom `person`
        // makes everyone's manager first, ends at the top and manages no one.)
        person(&store, "M", None).await;
        for user in ["VP", "LEAD", "A", "B", "GONE", "EX", "SOLO"] {
            person(&store, user, None).await;
        }
        for (user, manager) in [
            ("M", None),
            ("VP", None),
            ("LEAD", Some("VP")),
            ("A", Some("LEAD")),
            ("B", Some("LEAD")),
            ("GONE", Some("LEAD")),
            ("EX", Some("VP")),
            ("SOLO", Some("VP")),
        ] {
            sqlx::query("UPDATE people SET manager_id = $1 WHERE user_id = $2")
                .bind(manager)
                .bind(user)
                .execute(store.pool())
                .await
                .expect("managed");
        }
        sqlx::query("UPDATE people SET active = 0 WHERE user_id = 'GONE'")
            .execute(store.pool())
            .await
            .expect("removed");
        let edges = |mut edges: Vec<(career_bot::ids::UserId, career_bot::ids::UserId)>| {
            edges.sort();
            edges
                .into_iter()
                .map(|(user, manager)| format!("{user}>{manager}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            edges(store.management_edges(&[]).await.expect("org")),
            ["LEAD>VP"]
        );
        // The managers of record: EX and VP (at the top: no edge), and someone unknown.
        assert_eq!(
            edges(
                store
                    .management_edges(&["EX", "VP", "NOBODY", "GONE"])
                    .await
                    .expect("org")
            ),
            ["EX>VP", "LEAD>VP"]
        );
    })
    .await;
}
