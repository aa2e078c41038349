//! Change notices on PostgreSQL (`store::changes`, `store::stale_check`): the stale check
//! before a send reuses an earlier answer only while no change notice came, and a lost
//! listening connection counts as a change.
//!
//! A "quiet" write below is made with `session_replication_role = replica`, which skips
//! triggers, so it sends no notice: what the check then answers shows whether it asked the
//! database or reused an answer. Runs only when `CAREER_BOT_TEST_POSTGRES_URL` is set (see
//! `support::databases`); on SQLite every message is asked about on its own, which
//! `scheduler_hardening` covers.

use std::time::Duration;

use sqlx::{Connection, PgConnection};

use career_bot::store::Store;

use crate::support::databases::TestDatabase;

const STAMP: &str = "2026-01-05T09:00:00.000Z";

/// How long a test waits for a notice (or a reconnection) to reach the watch.
const WAIT: Duration = Duration::from_secs(10);

/// Manager `M` (and `M2`) with reports `R1`…`Rcount`, each with a reminder being sent; their
/// outbox ids.
async fn reminders(store: &Store, count: usize) -> Vec<i64> {
    let pool = store.pool();
    sqlx::query(
        "INSERT INTO people (user_id, display_name, created_at, updated_at)
         VALUES ('M', 'Manager', $1, $1), ('M2', 'Other manager', $1, $1)",
    )
    .bind(STAMP)
    .execute(pool)
    .await
    .expect("managers");
    let mut ids = Vec::new();
    for n in 1..=count {
        let report = format!("R{n}");
        sqlx::query(
            "INSERT INTO people (user_id, display_name, framework_id, level, manager_id,
                                 anchor_on, due_on, created_at, updated_at)
             VALUES ($1, $1, 'buffer-marketing', 2, 'M', '2025-10-01', '2026-01-05', $2, $2)",
        )
        .bind(&report)
        .bind(STAMP)
        .execute(pool)
        .await
        .expect("report");
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (key, kind, recipient, report_id, payload, planned_for, status,
                                 attempts, next_attempt_at, created_at)
             VALUES ($1, 'reminder', 'M', $2, '{\"blocks\":[]}', $3, 'sending', 1, $3, $3)
             RETURNING id",
        )
        .bind(format!("reminder:{report}:M:2026-01-05:0"))
        .bind(&report)
        .bind(STAMP)
        .fetch_one(pool)
        .await
        .expect("reminder");
        ids.push(id);
    }
    ids
}

/// A superuser connection to the test's database.
async fn admin(database: &TestDatabase) -> PgConnection {
    PgConnection::connect(&database.url())
        .await
        .expect("a direct connection")
}

/// Moves `report` to manager `M2` without sending a notice.
async fn move_quietly(conn: &mut PgConnection, report: &str) {
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .expect("skip triggers");
    sqlx::query("UPDATE people SET manager_id = 'M2' WHERE user_id = $1")
        .bind(report)
        .execute(&mut *conn)
        .await
        .expect("quiet move");
    sqlx::query("SET session_replication_role = origin")
        .execute(&mut *conn)
        .await
        .expect("triggers again");
}

/// Asks about `id` (with `upcoming`) until the check answers that it is superseded, at most
/// [`WAIT`]; the reason, or `None` if it never did.
async fn until_superseded(
    check: &mut career_bot::store::stale_check::StaleCheck,
    id: i64,
    upcoming: &[i64],
) -> Option<String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let answer = check
            .superseded_before_send(&[id], upcoming)
            .await
            .expect("the check");
        if let Some(reason) = answer.get(&id) {
            return Some(reason.clone());
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A check that has answered the second of four messages from the question it asked for the
/// first, over a quiet move of the second's report (so the answer was reused, not asked):
/// the start of the tests below.
struct Reusing {
    database: TestDatabase,
    store: Store,
    ids: Vec<i64>,
    check: career_bot::store::stale_check::StaleCheck,
    direct: PgConnection,
}

impl Reusing {
    /// `None` when PostgreSQL is not configured.
    async fn start() -> Option<Reusing> {
        let database = TestDatabase::postgres().await?;
        let store = Store::open(&database.url()).await.expect("store");
        let ids = reminders(&store, 4).await;
        let mut check = store.stale_check().await.expect("a check");
        // The first message: asked about with the three after it.
        let first = check
            .superseded_before_send(&ids[..1], &ids[1..])
            .await
            .expect("the check");
        assert!(first.is_empty(), "{first:?}");
        // A change that sends no notice is not seen: the second message is answered from
        // the first question (the database itself already says otherwise).
        let mut direct = admin(&database).await;
        move_quietly(&mut direct, "R2").await;
        let second = check
            .superseded_before_send(&ids[1..2], &ids[2..])
            .await
            .expect("the check");
        assert!(
            second.is_empty(),
            "reused, so the quiet move is not seen: {second:?}"
        );
        let asked = store.superseded_among(&ids[1..2]).await.expect("asked");
        assert_eq!(
            asked.get(&ids[1]).map(String::as_str),
            Some("the report has another manager")
        );
        Some(Reusing {
            database,
            store,
            ids,
            check,
            direct,
        })
    }

    async fn finish(self) {
        drop(self.check);
        let _ = self.direct.close().await;
        self.store.close().await;
        self.database.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_an_answer_is_reused_only_while_no_change_notice_came() {
    let Some(mut at) = Reusing::start().await else {
        return;
    };
    // A change with its notice (an ordinary write) is seen once the notice arrives.
    sqlx::query("UPDATE people SET active = 0 WHERE user_id = 'R3'")
        .execute(&mut at.direct)
        .await
        .expect("remove R3");
    assert_eq!(
        until_superseded(&mut at.check, at.ids[2], &at.ids[3..])
            .await
            .as_deref(),
        Some("the report was removed")
    );
    at.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_lost_listening_connection_counts_as_a_change() {
    let Some(mut at) = Reusing::start().await else {
        return;
    };
    // The listening connection is cut; a quiet change meanwhile sends nothing, yet the next
    // answer is asked afresh once the watch has noticed the loss.
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&mut at.direct)
    .await
    .expect("terminate the listener");
    assert_eq!(cut, [true], "one listening connection");
    move_quietly(&mut at.direct, "R3").await;
    assert_eq!(
        until_superseded(&mut at.check, at.ids[2], &at.ids[3..])
            .await
            .as_deref(),
        Some("the report has another manager")
    );
    at.finish().await;
}

/// Every kind of write the stale-message rule depends on sends a notice (the triggers of
/// migration 0012), and marking rows claimed or sent sends none: each write below changes
/// nothing the rule answers, while a quiet move beforehand does, so the answer changes
/// exactly when the write's notice made the check ask again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_each_write_the_stale_rule_depends_on_sends_a_notice_and_marks_do_not() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let store = Store::open(&database.url()).await.expect("store");
    let noticed = [
        (
            "people",
            "UPDATE people SET display_name = display_name WHERE user_id = 'M'",
        ),
        ("check-ins", "DELETE FROM checkins WHERE false"),
        ("evidence", "DELETE FROM evidence WHERE false"),
        ("join requests", "DELETE FROM add_requests WHERE false"),
        (
            "a new outbox row",
            "INSERT INTO outbox (key, kind, recipient, payload, planned_for, next_attempt_at,
                                 created_at)
             VALUES ('notice:x', 'notice', 'M', '{}', '2027-01-01T09:00:00.000Z',
                     '2027-01-01T09:00:00.000Z', '2026-01-05T09:00:00.000Z')",
        ),
        (
            "an outbox row ready again",
            "UPDATE outbox SET status = 'pending' WHERE key = 'retired'",
        ),
        (
            "an outbox row held back",
            "UPDATE outbox SET deferred_reason = 'away' WHERE key = 'retired'",
        ),
    ];
    let quiet = [
        (
            "marking a row sent",
            "UPDATE outbox SET status = 'sent', sent_at = '2026-01-05T09:01:00.000Z'
             WHERE key = 'reminder:R1:M:2026-01-05:0'",
        ),
        (
            "claiming a row",
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1,
                              next_attempt_at = '2026-01-05T09:05:00.000Z'
             WHERE key = 'reminder:R2:M:2026-01-05:0'",
        ),
        (
            "marking a row superseded",
            "UPDATE outbox SET status = 'superseded', last_error = 'gone'
             WHERE key = 'reminder:R3:M:2026-01-05:0'",
        ),
    ];
    let ids = reminders(&store, 2 * (noticed.len() + quiet.len())).await;
    let mut direct = admin(&database).await;
    sqlx::query(
        "INSERT INTO outbox (key, kind, recipient, payload, planned_for, status, next_attempt_at,
                             created_at)
         VALUES ('retired', 'notice', 'M', '{}', '2026-01-05T09:00:00.000Z', 'failed',
                 '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z')",
    )
    .execute(&mut direct)
    .await
    .expect("a failed row");
    let mut check = store.stale_check().await.expect("a check");
    let cases = noticed
        .iter()
        .map(|case| (case, true))
        .chain(quiet.iter().map(|case| (case, false)));
    for (index, ((what, write), sends_notice)) in cases.enumerate() {
        let (current, target) = (ids[2 * index], ids[2 * index + 1]);
        // Asked about the current message and the next; then the next's report moves
        // without a notice.
        let now = check
            .superseded_before_send(&[current], &[target])
            .await
            .expect("the check");
        assert!(now.is_empty(), "{what}: {now:?}");
        let report = format!("R{}", 2 * index + 2);
        move_quietly(&mut direct, &report).await;
        sqlx::query(sqlx::AssertSqlSafe(*write))
            .execute(&mut direct)
            .await
            .unwrap_or_else(|error| panic!("{what}: {error}"));
        if sends_notice {
            assert_eq!(
                until_superseded(&mut check, target, &[]).await.as_deref(),
                Some("the report has another manager"),
                "{what} sends a notice, so the check asks again"
            );
        } else {
            // Time for a notice to arrive, were one sent.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let reused = check
                .superseded_before_send(&[target], &[])
                .await
                .expect("the check");
            assert!(
                reused.is_empty(),
                "{what} sends no notice, so the answer is reused: {reused:?}"
            );
        }
    }
    drop(check);
    let _ = direct.close().await;
    store.close().await;
    database.remove().await;
}

/// An answer is reused for at most two seconds after its ping came back
/// (`stale_check::MAX_REUSE`), so a listening connection that died without closing cannot
/// hide changes for longer: after that, even a change that sent no notice is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_an_answer_is_not_reused_once_it_is_two_seconds_old() {
    // Reused now (its ping came back and no notice came)...
    let Some(mut at) = Reusing::start().await else {
        return;
    };
    // ...and not once two seconds have passed since its ping came back.
    move_quietly(&mut at.direct, "R3").await;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let third = at
        .check
        .superseded_before_send(&at.ids[2..3], &at.ids[3..])
        .await
        .expect("the check");
    assert_eq!(
        third.get(&at.ids[2]).map(String::as_str),
        Some("the report has another manager")
    );
    at.finish().await;
}
