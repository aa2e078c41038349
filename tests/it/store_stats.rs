//! What `stats` reads: each conversation in the window with the report's previous one —
//! the conversation before it (before the window too), else the report's start date — and
//! the org chart, on both databases (the rows come packed in one JSON text, whose SQL
//! differs between them).

use chrono::NaiveDate;

use career_bot::store::Store;

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
    sqlx::query(
        "INSERT INTO checkins (report_id, manager_id, held_on, framework_id, level_discussed,
                               recorded_by, recorded_at, ack_status)
         VALUES ($1, 'M', $2, 'buffer-marketing', 2, 'M', '2020-01-01T00:00:00Z', 'pending')",
    )
    .bind(report)
    .bind(on)
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
        let rows = store
            .held_between(date("2025-01-01"), date("2026-06-30"))
            .await
            .expect("held");
        assert!(rows.is_empty());
        assert!(store.org_edges().await.expect("org").is_empty());
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

    let rows = store
        .held_between(date("2025-01-01"), date("2026-06-30"))
        .await
        .expect("held");
    let got: Vec<(&str, NaiveDate, Option<NaiveDate>)> = rows
        .iter()
        .map(|row| (row.report_id.as_str(), row.held_on, row.previous))
        .collect();
    let want = vec![
        ("A", date("2025-02-01"), Some(date("2024-06-01"))),
        ("A", date("2025-09-01"), Some(date("2025-02-01"))),
        ("A", date("2026-03-01"), Some(date("2025-09-01"))),
        ("B", date("2025-07-01"), Some(date("2025-03-10"))),
        ("B", date("2025-07-01"), Some(date("2025-07-01"))),
        ("C", date("2025-05-05"), None),
    ];
    assert_eq!(got, want);
}
