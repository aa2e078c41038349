//! Issue 15: at start-up, a replica takes `sending` rows as a dead process's only when they
//! can be: on SQLite (one process serves the file) all of them; on PostgreSQL (replicas
//! share it) only those whose lease has ended, since a running lease may be another
//! replica's send in progress.

use chrono::{DateTime, Duration, Utc};

use career_bot::reply::Reply;
use career_bot::store::open::Backend;
use career_bot::store::outbox::{NewMessage, kind};

use crate::support::databases;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn start_up_leaves_a_running_lease_alone_on_a_shared_database() {
    databases::each_bot(&[], async |_dir, bot| {
        let now = at("2026-04-20T09:00:00Z");
        let message = NewMessage {
            key: "notice".to_owned(),
            kind: kind::DIGEST,
            recipient: "C_PEOPLE".to_owned(),
            report_id: None,
            payload: Reply::paragraph("digest"),
            planned_for: now,
        };
        bot.store().plan(&message, now).await.expect("plan");
        // A replica claims it (a five-minute lease) and is sending it.
        let claimed = bot
            .store()
            .claim_ready(now, now + Duration::minutes(5), 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);

        // Another process starts a minute later.
        let restart = now + Duration::minutes(1);
        let requeued = career_bot::scheduler::recover(&bot, restart)
            .await
            .expect("recover");
        match bot.store().backend() {
            Backend::Sqlite => assert_eq!(requeued, 1, "one process per file: it was ours"),
            Backend::Postgres => {
                assert_eq!(requeued, 0, "the lease runs: another replica's send");
                let later = now + Duration::minutes(6);
                let requeued = career_bot::scheduler::recover(&bot, later)
                    .await
                    .expect("recover");
                assert_eq!(requeued, 1, "the lease ended: its replica is gone");
            }
        }
    })
    .await;
}
