//! Issue 15, "Several replicas on one database": a 429 seen by one replica slows all. Two
//! bots open the same SQLite file (two pools, as two replicas would); the first meets a rate
//! limit, and the second, whose own chat would accept everything, sends nothing until the
//! pause ends. Time is always a value.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::reply::Reply;
use career_bot::store::outbox::{NewMessage, kind};

use crate::support::bot::bot_in;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

/// A chat that answers every send with 429 and a minute's `Retry-After`.
struct Limited;

impl Chat for Limited {
    async fn send(&self, _: Recipient<'_>, _: &Reply, _: &str) -> Result<Delivered, SendError> {
        Err(SendError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        })
    }
}

/// A chat that accepts everything and remembers the keys it sent.
#[derive(Default)]
struct Accepting {
    sent: Mutex<Vec<String>>,
}

impl Chat for Accepting {
    async fn send(&self, _: Recipient<'_>, _: &Reply, key: &str) -> Result<Delivered, SendError> {
        self.sent.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

fn notice(key: &str, slot: DateTime<Utc>) -> NewMessage {
    NewMessage {
        key: key.to_owned(),
        kind: kind::DIGEST,
        recipient: "C_PEOPLE".to_owned(),
        report_id: None,
        payload: Reply::paragraph("digest"),
        planned_for: slot,
    }
}

#[tokio::test]
async fn a_rate_limit_met_by_one_replica_pauses_every_replica_until_it_ends() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = bot_in(dir.path(), &[]).await;
    let b = bot_in(dir.path(), &[]).await;
    let now = at("2026-04-20T09:00:00Z");
    a.store()
        .plan(&notice("first", now), now)
        .await
        .expect("plan");

    let limited = career_bot::scheduler::tick(&a, &Limited, now)
        .await
        .expect("a pass");
    assert_eq!((limited.sent, limited.retried), (0, 1), "{limited:?}");

    // Meanwhile a message the 429 never touched becomes ready; replica B would send it.
    let soon = now + Duration::seconds(10);
    b.store()
        .plan(&notice("second", soon), soon)
        .await
        .expect("plan");
    let accepting = Accepting::default();
    let paused = career_bot::scheduler::tick(&b, &accepting, soon)
        .await
        .expect("a pass");
    assert_eq!(paused.sent, 0, "replica B waits too: {paused:?}");
    assert!(accepting.sent.lock().expect("lock").is_empty());

    // After the minute, both go out, once.
    let after = now + Duration::seconds(61);
    let resumed = career_bot::scheduler::tick(&b, &accepting, after)
        .await
        .expect("a pass");
    assert_eq!(resumed.sent, 2, "{resumed:?}");
    let mut sent = accepting.sent.lock().expect("lock").clone();
    sent.sort();
    assert_eq!(sent, ["first", "second"]);
}
