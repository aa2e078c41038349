//! Issue 15, "Several replicas on PostgreSQL": a pass whose lease runs out during a slow send
//! leaves out what another replica took over meanwhile, and counts it in
//! `career_bot_messages_taken_over_total`. Two bots on one SQLite file stand for two
//! replicas; the second's clock is past the first's lease. Real time passes here (half the
//! shortest lease, 5 s): the lease is measured by the monotonic clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};

use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::config::Overrides;
use career_bot::reply::Reply;
use career_bot::store::Store;
use career_bot::store::outbox::{NewMessage, kind};

use crate::support::bot::{config, database_in, open};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

/// A chat whose first send is slow (past half the lease), during which another replica, whose
/// clock is past the lease's end, claims what is left.
struct SlowFirstSend<'a> {
    other: &'a Store,
    other_now: DateTime<Utc>,
    slow_done: AtomicBool,
    sent: Mutex<Vec<String>>,
}

impl Chat for SlowFirstSend<'_> {
    async fn send(&self, _: Recipient<'_>, _: &Reply, key: &str) -> Result<Delivered, SendError> {
        if !self.slow_done.swap(true, Ordering::SeqCst) {
            let taken = self
                .other
                .claim_ready(self.other_now, self.other_now + Duration::seconds(10), 10)
                .await
                .expect("the other replica claims");
            assert!(
                taken.iter().any(|row| row.key == "notice:second"),
                "the other replica took the second message over: {taken:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5_300)).await;
        }
        self.sent.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

fn notice(user: &str, slot: DateTime<Utc>) -> NewMessage {
    NewMessage {
        key: format!("notice:{user}"),
        kind: kind::NOTICE,
        recipient: user.to_owned(),
        report_id: None,
        payload: Reply::paragraph("hello"),
        planned_for: slot,
    }
}

#[tokio::test]
async fn a_message_another_replica_took_over_is_left_out_and_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The shortest lease, which needs sends of at most 5 s.
    let file = dir.path().join("career-bot.toml");
    std::fs::write(&file, "[delivery]\nlease = \"10s\"\n").expect("config written");
    let overrides = Overrides {
        config_file: Some(file),
        ..database_in(dir.path())
    };
    let env = [("SLACK_API_TIMEOUT", "5")];
    let ours = open(&config(&overrides, &env)).await;
    let theirs = open(&config(&overrides, &env)).await;
    let now = at("2026-04-20T09:00:00Z");
    for user in ["first", "second"] {
        ours.store()
            .plan(&notice(user, now), now)
            .await
            .expect("plan");
    }

    let chat = SlowFirstSend {
        other: theirs.store(),
        other_now: now + Duration::seconds(11),
        slow_done: AtomicBool::new(false),
        sent: Mutex::new(Vec::new()),
    };
    let report = career_bot::scheduler::deliver(&ours, &chat, now)
        .await
        .expect("a pass");

    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(*chat.sent.lock().expect("lock"), ["notice:first"]);
    let metrics = ours.metrics().encode();
    assert!(
        metrics.contains("career_bot_messages_taken_over_total{kind=\"notice\"} 1"),
        "{metrics}"
    );
    // The message is the other replica's now: still `sending` under its lease, not sent here.
    let status: String =
        sqlx::query_scalar("SELECT status FROM outbox WHERE key = 'notice:second'")
            .fetch_one(ours.store().pool())
            .await
            .expect("status");
    assert_eq!(status, "sending");
}
