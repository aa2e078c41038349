//! Issue 15, "Several replicas on one database": replicas take turns to plan. On PostgreSQL a
//! replica that finds another planning waits for it and plans nothing itself (its pass then
//! delivers what the other planned); a replica that dies mid-plan gives its turn back with
//! its connection. On SQLite (one replica) every pass plans. Two stores or two bots on one
//! database stand for two replicas; time is a value.

use chrono::{DateTime, Utc};

use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::config::Overrides;
use career_bot::reply::Reply;
use career_bot::store::Store;
use career_bot::store::planning::PlanningTurn;

use crate::support::bot::{config, open};
use crate::support::databases::TestDatabase;
use crate::support::harness::run_as;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

/// Advisory locks on this test's database right now, granted or waited for (other tests'
/// databases on the same cluster have their own; the planning turn is the only lock held
/// outside a transaction).
async fn advisory_locks(store: &Store, granted: bool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks
         WHERE locktype = 'advisory' AND granted = $1 AND database =
               (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .bind(granted)
    .fetch_one(store.pool())
    .await
    .expect("pg_locks")
}

#[tokio::test]
async fn on_sqlite_every_pass_has_its_turn() {
    let database = TestDatabase::sqlite();
    let a = Store::open(&database.url()).await.expect("opens");
    let b = Store::open(&database.url()).await.expect("opens");
    let (PlanningTurn::Ours(first), PlanningTurn::Ours(second)) = (
        a.planning_turn().await.expect("turn"),
        b.planning_turn().await.expect("turn"),
    ) else {
        panic!("one replica on SQLite: both passes plan");
    };
    first.release().await.expect("released");
    second.release().await.expect("released");
}

#[tokio::test]
async fn on_postgres_a_replica_waits_for_the_one_planning_and_a_dead_planner_lets_go() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let a = Store::open(&database.url()).await.expect("opens");
    let b = Store::open(&database.url()).await.expect("opens");

    let PlanningTurn::Ours(turn) = a.planning_turn().await.expect("turn") else {
        panic!("nobody plans yet: the turn is the first replica's");
    };
    let waiting = tokio::spawn({
        let b = b.clone();
        async move { b.planning_turn().await.expect("turn") }
    });
    // The second replica waits for the lock (it shows in `pg_locks` as not granted).
    for _ in 0..500 {
        if advisory_locks(&a, false).await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        advisory_locks(&a, false).await,
        1,
        "the second replica waits"
    );
    assert!(!waiting.is_finished(), "it waits while the first plans");
    turn.release().await.expect("released");
    assert!(
        matches!(waiting.await.expect("joins"), PlanningTurn::Waited),
        "the second replica does not plan what the first just planned"
    );

    // Once given back, the next pass (of either replica) plans.
    let PlanningTurn::Ours(turn) = b.planning_turn().await.expect("turn") else {
        panic!("nobody plans: the turn is free");
    };
    // A replica that dies mid-plan (its turn dropped, never released) gives the turn back
    // with its connection.
    drop(turn);
    for _ in 0..500 {
        if advisory_locks(&a, true).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        advisory_locks(&a, true).await,
        0,
        "the dead planner's lock ended"
    );
    assert!(matches!(
        a.planning_turn().await.expect("turn"),
        PlanningTurn::Ours(_)
    ));

    a.close().await;
    b.close().await;
    database.remove().await;
}

/// A chat that accepts everything and counts it.
#[derive(Default)]
struct Counting(std::sync::Mutex<Vec<String>>);

impl Chat for Counting {
    async fn send(&self, _: Recipient<'_>, _: &Reply, key: &str) -> Result<Delivered, SendError> {
        self.0.lock().expect("lock").push(key.to_owned());
        Ok(Delivered::default())
    }
}

#[tokio::test]
async fn on_postgres_the_pass_that_waited_delivers_what_the_other_planned() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let overrides = Overrides {
        database: Some(database.url()),
        ..Overrides::default()
    };
    let ours = open(&config(&overrides, &[])).await;
    let theirs = open(&config(&overrides, &[])).await;
    run_as(
        &ours,
        "boss",
        "add @ana marketing 2",
        at("2026-01-05T10:00:00Z"),
    )
    .await;
    let now = at("2026-04-06T09:00:00Z");

    // Another replica is planning: this pass waits, plans nothing, then delivers what the
    // other planned.
    let PlanningTurn::Ours(turn) = theirs.store().planning_turn().await.expect("turn") else {
        panic!("the turn is free");
    };
    let chat = Counting::default();
    let pass = async {
        career_bot::scheduler::tick(&ours, &chat, now)
            .await
            .expect("a pass")
    };
    let other = async {
        let planned = career_bot::scheduler::plan(&theirs, now)
            .await
            .expect("the other plans");
        turn.release().await.expect("released");
        planned
    };
    let (report, planned_by_other) = tokio::join!(pass, other);
    assert_eq!(
        planned_by_other, 1,
        "the other replica planned the reminder"
    );
    assert_eq!(report.planned, 0, "{report:?}");
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(chat.0.lock().expect("lock").len(), 1);

    // The turn is free again: the next pass plans (nothing new) and sends nothing twice.
    let report = career_bot::scheduler::tick(&ours, &chat, now)
        .await
        .expect("a pass");
    assert_eq!((report.planned, report.sent), (0, 0), "{report:?}");
    assert_eq!(chat.0.lock().expect("lock").len(), 1);

    ours.store().close().await;
    theirs.store().close().await;
    database.remove().await;
}
