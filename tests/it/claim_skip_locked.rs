//! Issue 15, "Delivery claims rows with `FOR UPDATE SKIP LOCKED` and a lease": on
//! PostgreSQL, replicas claiming at the same moment take disjoint rows, and do not wait for
//! the advisory lock other writes take.
//! On SQLite (one process) the same claims still take every row once.

use chrono::{DateTime, Duration, Utc};

use career_bot::reply::Reply;
use career_bot::store::Store;
use career_bot::store::open::Backend;
use career_bot::store::outbox::{NewMessage, OutboxRow, kind};

use crate::support::databases;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a time")
}

/// `managers` managers, each with `each` reminders in the slot at `now`.
async fn plan(store: &Store, managers: usize, each: usize, now: DateTime<Utc>) {
    for m in 0..managers {
        for r in 0..each {
            let message = NewMessage {
                key: format!("reminder:U_R{m}_{r}:U_M{m}:2026-04-01:0"),
                kind: kind::REMINDER,
                recipient: format!("U_M{m}"),
                report_id: None,
                payload: Reply::paragraph("due"),
                planned_for: now,
            };
            store.plan(&message, now).await.expect("plan");
        }
    }
}

fn ids(rows: &[OutboxRow]) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_take_disjoint_rows_and_every_row_once() {
    databases::each(async |store: Store| {
        let now = at("2026-04-20T09:00:00Z");
        plan(&store, 40, 3, now).await;
        let lease = now + Duration::minutes(5);
        // Four claimers at once, each for 10 rows: a batch cut inside a group takes the rest
        // of it (as many as it can lock).
        let claims = futures_util::future::join_all((0..4).map(|_| {
            let store = store.clone();
            async move { store.claim_ready(now, lease, 10).await.expect("claim") }
        }))
        .await;
        let mut all: Vec<i64> = claims.iter().flat_map(|rows| ids(rows)).collect();
        let claimed = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), claimed, "no row claimed twice");
        assert!(claimed >= 40, "{claimed} rows claimed");
        let mut rest = store.claim_ready(now, lease, 1000).await.expect("claim");
        assert_eq!(claimed + rest.len(), 120, "every row claimed once");
        rest.extend(claims.into_iter().flatten());
        for row in &rest {
            assert_eq!(row.attempts, 1, "{row:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_on_postgres_does_not_wait_for_the_write_lock() {
    databases::each(async |store: Store| {
        if store.backend() != Backend::Postgres {
            return;
        }
        let now = at("2026-04-20T09:00:00Z");
        plan(&store, 2, 2, now).await;
        // A long writer (an import) holds the advisory write lock meanwhile.
        let writer = store.write().await.expect("write lock");
        // A safety net only: before, the claim waited for the lock as long as it was held.
        let claimed = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            store.claim_ready(now, now + Duration::minutes(5), 10),
        )
        .await
        .expect("the claim does not wait for the write lock")
        .expect("claim");
        assert_eq!(claimed.len(), 4);
        writer.rollback().await.expect("rollback");
    })
    .await;
}
