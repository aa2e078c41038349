//! Issue 15, "Several replicas on one database": each scheduled job runs once per slot across
//! replicas. Two bots open the same SQLite file (two pools, as two replicas would) and both
//! fire the digest, or the org file sync, for the same slot; one of them runs it. Time is
//! always a value.

use std::path::Path;
use std::time::{Duration, SystemTime};

use career_bot::bot::Bot;
use career_bot::org_sync::{SyncOutcome, sync_claimed};
use career_bot::store::job_claims::{Job, JobSlot, ReplicaId};
use chrono::{DateTime, Utc};

use crate::support::bot::bot_in;
use crate::support::harness::run_as;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

const ENV: &[(&str, &str)] = &[
    ("CAREER_BOT_ADMINS", "U_ADMIN"),
    ("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE"),
];

/// Two replicas on the database in `dir`: two bots, two pools, one file.
async fn replicas(dir: &Path) -> (Bot, Bot) {
    let a = bot_in(dir, ENV)
        .await
        .with_replica(ReplicaId::new("replica-a"));
    let b = bot_in(dir, ENV)
        .await
        .with_replica(ReplicaId::new("replica-b"));
    (a, b)
}

async fn digests(bot: &Bot) -> Vec<String> {
    sqlx::query_scalar("SELECT key FROM outbox WHERE kind = 'digest' ORDER BY key")
        .fetch_all(bot.store().pool())
        .await
        .expect("outbox rows")
}

#[tokio::test]
async fn a_slot_is_claimed_once_whichever_pool_asks_and_released_only_by_its_claimant() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = replicas(dir.path()).await;
    let (ra, rb) = (a.replica().clone(), b.replica().clone());
    let now = at("2026-03-02T09:00:05Z");
    let slot = JobSlot::at(at("2026-03-02T09:00:00Z"));

    let store_a = a.store();
    let store_b = b.store();
    assert!(
        store_a
            .claim_job_slot(Job::Digest, &slot, &ra, now)
            .await
            .expect("claim")
    );
    assert!(
        !store_b
            .claim_job_slot(Job::Digest, &slot, &rb, now)
            .await
            .expect("claim")
    );
    assert!(
        !store_a
            .claim_job_slot(Job::Digest, &slot, &ra, now)
            .await
            .expect("claim"),
        "the claimant itself does not run a slot twice"
    );
    // Another job in the same slot is its own claim.
    assert!(
        store_b
            .claim_job_slot(Job::OrgSync, &slot, &rb, now)
            .await
            .expect("claim")
    );
    assert_eq!(
        store_b
            .job_slot_claimant(Job::Digest, &slot)
            .await
            .expect("read"),
        Some(ra.clone())
    );

    // Only the claimant gives a slot back; then anyone may claim it.
    store_b
        .release_job_slot(Job::Digest, &slot, &rb)
        .await
        .expect("release");
    assert!(
        !store_b
            .claim_job_slot(Job::Digest, &slot, &rb, now)
            .await
            .expect("claim")
    );
    store_a
        .release_job_slot(Job::Digest, &slot, &ra)
        .await
        .expect("release");
    assert!(
        store_b
            .claim_job_slot(Job::Digest, &slot, &rb, now)
            .await
            .expect("claim")
    );

    // A claim won 30 days and more later prunes the old ones.
    let later = now + chrono::Duration::days(31);
    let next = JobSlot::at(later);
    assert!(
        store_a
            .claim_job_slot(Job::Digest, &next, &ra, later)
            .await
            .expect("claim")
    );
    assert_eq!(
        store_a
            .job_slot_claimant(Job::Digest, &slot)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store_a
            .job_slot_claimant(Job::OrgSync, &slot)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store_a
            .job_slot_claimant(Job::Digest, &next)
            .await
            .expect("read"),
        Some(ra)
    );
}

#[tokio::test]
async fn two_replicas_firing_the_digest_for_one_slot_plan_it_once_and_the_next_slot_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = replicas(dir.path()).await;
    // Ana is overdue from 2026-07-12; Mondays at 09:00 UTC are digest slots.
    run_as(
        &a,
        "U_BOSS",
        "add @U_ANA marketing 2",
        at("2026-01-12T10:00:00Z"),
    )
    .await;
    let now = at("2026-07-13T10:00:00Z");
    let slot = JobSlot::at(at("2026-07-13T09:00:00Z"));

    // Both fire at once.
    let (planned_a, planned_b) = tokio::join!(
        career_bot::scheduler::plan(&a, now),
        career_bot::scheduler::plan(&b, now)
    );
    planned_a.expect("replica a plans");
    planned_b.expect("replica b plans");
    assert_eq!(digests(&a).await, ["digest:2026-07-13T09:00:00.000Z"]);
    let claimant = a
        .store()
        .job_slot_claimant(Job::Digest, &slot)
        .await
        .expect("read")
        .expect("the slot was claimed");
    assert!(
        [a.replica(), b.replica()].contains(&&claimant),
        "{claimant}"
    );

    // A replica that claimed the next slot but has not planned it yet (it is still reading
    // everyone) keeps the other one from building the same digest.
    let next_now = at("2026-07-20T10:00:00Z");
    let next_slot = JobSlot::at(at("2026-07-20T09:00:00Z"));
    assert!(
        a.store()
            .claim_job_slot(Job::Digest, &next_slot, a.replica(), next_now)
            .await
            .expect("claim")
    );
    career_bot::scheduler::plan(&b, next_now)
        .await
        .expect("plans");
    assert_eq!(
        digests(&b).await.len(),
        1,
        "the claimed slot is a's to plan"
    );
    a.store()
        .release_job_slot(Job::Digest, &next_slot, a.replica())
        .await
        .expect("release");

    // Given back (a's run failed), the slot is planned by the next pass, of b here.
    career_bot::scheduler::plan(&b, next_now)
        .await
        .expect("plans");
    assert_eq!(
        digests(&b).await,
        [
            "digest:2026-07-13T09:00:00.000Z",
            "digest:2026-07-20T09:00:00.000Z"
        ]
    );
    assert_eq!(
        b.store()
            .job_slot_claimant(Job::Digest, &next_slot)
            .await
            .expect("read"),
        Some(b.replica().clone())
    );
}

const ORG: &str = "user,name,manager,framework,level,start_date
U_BOSS,Bea Boss,,,,
U_ANA,Ana,U_BOSS,buffer-marketing,2,2026-01-05
";

const ORG_LATER: &str = "user,name,manager,framework,level,start_date
U_BOSS,Bea Boss,,,,
U_ANA,Ana,U_BOSS,buffer-marketing,3,2026-01-05
";

/// Writes `content` to `file` and sets its modification time to `seconds` after the epoch,
/// so a test says which version a file is without waiting for the clock.
fn write_version(file: &Path, content: &str, seconds: u64) {
    std::fs::write(file, content).expect("write the org file");
    let handle = std::fs::File::options()
        .write(true)
        .open(file)
        .expect("open the org file");
    handle
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
        .expect("set the modification time");
}

async fn level_of_ana(bot: &Bot) -> Option<u32> {
    let ana = career_bot::ids::UserId::new("U_ANA");
    let person = bot.store().person(&ana).await.expect("read");
    person.and_then(|person| person.level)
}

#[tokio::test]
async fn one_replica_imports_each_version_of_the_org_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = replicas(dir.path()).await;
    let file = dir.path().join("hr.csv");
    write_version(&file, ORG, 1_780_000_000);
    let now = at("2026-03-02T02:00:00Z");

    match sync_claimed(&a, &file, None, now).await {
        Some(SyncOutcome::Imported(outcome)) => assert_eq!(outcome.summary.people, 2),
        other => panic!("replica a imports the file: {other:?}"),
    }
    let audit_after_first: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(a.store().pool())
        .await
        .expect("audit rows");
    assert!(
        sync_claimed(&b, &file, None, now).await.is_none(),
        "replica b sees the same version claimed"
    );
    let audit_after_second: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(b.store().pool())
        .await
        .expect("audit rows");
    assert_eq!(audit_after_first, audit_after_second);

    // A new version (new content, saved later) is imported again, by whoever comes first.
    write_version(&file, ORG_LATER, 1_780_000_600);
    assert_eq!(level_of_ana(&b).await, Some(2));
    match sync_claimed(&b, &file, None, now + chrono::Duration::hours(1)).await {
        Some(SyncOutcome::Imported(outcome)) => assert_eq!(outcome.summary.changed, 1),
        other => panic!("replica b imports the new version: {other:?}"),
    }
    assert_eq!(
        level_of_ana(&b).await,
        Some(3),
        "Ana's new level is recorded"
    );
    assert!(
        sync_claimed(&a, &file, None, now + chrono::Duration::hours(1))
            .await
            .is_none()
    );

    // The first content saved again is a new version too (HR reverted a change).
    write_version(&file, ORG, 1_780_001_200);
    assert!(matches!(
        sync_claimed(&a, &file, None, now + chrono::Duration::hours(2)).await,
        Some(SyncOutcome::Imported(_))
    ));
}
