//! Many people's time zones in one query, as the scheduler reads them for a claimed batch.

use career_bot::store::Store;

#[tokio::test]
async fn time_zones_of_stored_people_come_back_with_none_where_unset_and_strangers_left_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bot.db").display().to_string())
        .await
        .expect("store");
    for (user, zone) in [
        ("A", Some("Europe/Berlin")),
        ("B", None),
        ("C", Some("Asia/Tokyo")),
    ] {
        sqlx::query(
            "INSERT INTO people (user_id, display_name, time_zone, created_at, updated_at)
             VALUES ($1, $1, $2, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
        )
        .bind(user)
        .bind(zone)
        .execute(store.pool())
        .await
        .expect("a person");
    }
    let zones = store
        .time_zones(&["A", "B", "STRANGER"])
        .await
        .expect("zones");
    assert_eq!(zones.len(), 2, "{zones:?}");
    assert_eq!(zones["A"].as_deref(), Some("Europe/Berlin"));
    assert_eq!(zones["B"], None);
    assert!(store.time_zones(&[]).await.expect("none").is_empty());
}
