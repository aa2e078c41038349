//! No duplicate after a crash (issue 15, SQLite): every DM carries its outbox key in Slack
//! message metadata, and a message whose outcome is unknown (claimed `sending`, its process
//! gone) is looked for in its DM's history before it is sent again. Against the fake Slack,
//! with the time passed in.

use chrono::{DateTime, Duration, Utc};
use slack_morphism::prelude::SlackApiToken;

use career_bot::bot::Bot;
use career_bot::scheduler::Recovered;
use career_bot::slack::chat::SlackChat;
use career_bot::store::outbox::OutboxStatus;

use crate::support::bot;
use crate::support::fake_slack::{Failure, FakeSlack};
use crate::support::harness;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a time")
}

/// The reminder slot at which `U_MGR` is told about `U_REP`.
const DUE: &str = "2026-04-20T09:00:00Z";
/// The DM channel the fake opens with `U_MGR`.
const DM: &str = "DU_MGR";

/// A bot whose `U_MGR` has `U_REP` due at [`DUE`], and a Slack chat over `fake`.
async fn setup(fake: &FakeSlack, dir: &std::path::Path) -> (Bot, SlackChat) {
    let bot = bot::bot_in(dir, &[]).await;
    harness::run_as(
        &bot,
        "U_MGR",
        "add @U_REP marketing 2",
        at("2026-01-20T10:00:00Z"),
    )
    .await;
    fake.set_user("U_MGR", "Mona", "UTC");
    fake.set_user("U_REP", "Rex", "UTC");
    fake.ignore("users.info");
    let chat = SlackChat::new(
        std::sync::Arc::new(fake.slack_client()),
        SlackApiToken::new(harness::BOT_TOKEN.into()),
        bot.metrics(),
    );
    (bot, chat)
}

/// A process plans the reminder, claims it at `DUE` and dies before sending or marking it:
/// the row is left `sending`. Returns its key.
async fn crash_while_sending(bot: &Bot) -> String {
    let due = at(DUE);
    career_bot::scheduler::plan(bot, due).await.expect("plan");
    let claimed = bot
        .store()
        .claim_ready(due, due + Duration::minutes(5), 500)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    claimed[0].key.clone()
}

async fn status_of(bot: &Bot, key: &str) -> OutboxStatus {
    bot.store()
        .outbox_status(key)
        .await
        .expect("outbox")
        .expect("planned")
}

#[tokio::test]
async fn a_dm_carries_its_outbox_key_in_slack_message_metadata() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;

    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1);
    let sent = bot.store().outbox(Some("sent")).await.expect("outbox");
    let post = fake.expect_one("chat.postMessage");
    assert_eq!(post.str_param("channel"), Some(DM));
    assert_eq!(post.params["metadata"]["event_type"], "career_bot_outbox");
    assert_eq!(post.params["metadata"]["event_payload"]["key"], sent[0].key);
    assert!(sent[0].key.starts_with("reminder:U_REP:U_MGR:"));
    fake.take("conversations.open");
    // A normal pass never reads history.
    fake.expect_none("conversations.history");
}

#[tokio::test]
async fn a_message_slack_already_has_is_marked_sent_at_recovery_and_not_posted_again() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    let key = crash_while_sending(&bot).await;
    // Slack accepted it before the process died.
    let ts = fake.seed_posted(DM, &key, "Career conversation due");

    let restart = at(DUE) + Duration::minutes(1);
    let recovered = career_bot::scheduler::recover_checking(&bot, &chat, restart)
        .await
        .expect("recover");
    assert_eq!(
        recovered,
        Recovered {
            found: 1,
            resent: 0
        }
    );
    let history = fake.expect_one("conversations.history");
    assert_eq!(history.str_param("channel"), Some(DM));
    // From the earliest the row can have been sent: its lease's end (the claim at DUE plus
    // five minutes) less the longest wait between attempts (an hour, which covers the lease),
    // less a minute for clocks that differ.
    let oldest =
        (at(DUE) + Duration::minutes(5) - Duration::hours(1) - Duration::minutes(1)).timestamp();
    assert_eq!(
        history.str_param("oldest"),
        Some(format!("{oldest}.000000").as_str())
    );
    assert!(
        matches!(
            history.params["include_all_metadata"].as_str(),
            Some("true" | "1")
        ) || history.params["include_all_metadata"] == true
    );
    fake.take("conversations.open");

    assert_eq!(status_of(&bot, &key).await, OutboxStatus::Sent);
    let row = bot
        .store()
        .sent_message(&key)
        .await
        .expect("outbox")
        .expect("sent");
    assert_eq!(row.message_ts.as_deref(), Some(ts.as_str()));
    assert_eq!(row.channel.as_ref().map(|c| c.as_str()), Some(DM));
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_outbox_recovered_total{outcome=\"found\"} 1")
    );

    let report = career_bot::scheduler::tick(&bot, &chat, restart)
        .await
        .expect("a pass");
    assert_eq!(report.sent, 0);
    fake.expect_none("chat.postMessage");
    assert_eq!(fake.history_len(DM), 1, "posted exactly once");
}

#[tokio::test]
async fn a_message_slack_does_not_have_is_sent_once_after_recovery() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    let key = crash_while_sending(&bot).await;

    let restart = at(DUE) + Duration::minutes(1);
    let recovered = career_bot::scheduler::recover_checking(&bot, &chat, restart)
        .await
        .expect("recover");
    assert_eq!(
        recovered,
        Recovered {
            found: 0,
            resent: 1
        }
    );
    fake.expect_one("conversations.history");
    assert_eq!(status_of(&bot, &key).await, OutboxStatus::Pending);

    let report = career_bot::scheduler::tick(&bot, &chat, restart)
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1);
    let post = fake.expect_one("chat.postMessage");
    assert_eq!(
        post.params["metadata"]["event_payload"]["key"],
        key.as_str()
    );
    let again = career_bot::scheduler::tick(&bot, &chat, restart + Duration::hours(1))
        .await
        .expect("a pass");
    assert_eq!(again.sent, 0);
    fake.expect_none("chat.postMessage");
    fake.take("conversations.open");
    assert_eq!(fake.history_len(DM), 1, "posted exactly once");
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_outbox_recovered_total{outcome=\"resent\"} 1")
    );
}

#[tokio::test]
async fn a_failed_history_lookup_falls_back_to_sending() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    let key = crash_while_sending(&bot).await;
    fake.fail_next(
        "conversations.history",
        Failure::SlackError("missing_scope"),
    );

    let restart = at(DUE) + Duration::minutes(1);
    let recovered = career_bot::scheduler::recover_checking(&bot, &chat, restart)
        .await
        .expect("a failed look-up is not an error");
    assert_eq!(
        recovered,
        Recovered {
            found: 0,
            resent: 1
        }
    );
    fake.expect_one("conversations.history");
    let report = career_bot::scheduler::tick(&bot, &chat, restart)
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1, "nothing lost");
    assert_eq!(status_of(&bot, &key).await, OutboxStatus::Sent);
    fake.expect_one("chat.postMessage");
    fake.take("conversations.open");
}

#[tokio::test]
async fn a_row_whose_lease_ended_is_looked_up_before_the_next_claim_takes_it() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    let key = crash_while_sending(&bot).await;
    fake.seed_posted(DM, &key, "Career conversation due");

    // No start-up recovery ran: the lease (five minutes) ends, and a pass comes.
    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE) + Duration::minutes(6))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 0);
    fake.expect_one("conversations.history");
    fake.take("conversations.open");
    fake.expect_none("chat.postMessage");
    assert_eq!(status_of(&bot, &key).await, OutboxStatus::Sent);
}

#[tokio::test]
async fn reminders_sent_together_carry_every_key() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    harness::run_as(
        &bot,
        "U_MGR",
        "add @U_TWO marketing 2",
        at("2026-01-20T10:00:00Z"),
    )
    .await;
    fake.set_user("U_TWO", "Tia", "UTC");
    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 2);
    let post = fake.expect_one("chat.postMessage");
    fake.take("conversations.open");
    let sent = bot.store().outbox(Some("sent")).await.expect("outbox");
    let keys: Vec<&str> = sent.iter().map(|row| row.key.as_str()).collect();
    let carried = post.params["metadata"]["event_payload"]["keys"]
        .as_str()
        .expect("keys");
    let mut carried: Vec<&str> = carried.split(' ').collect();
    carried.sort_unstable();
    let mut expected = keys.clone();
    expected.sort_unstable();
    assert_eq!(carried, expected);
}

/// `career-bot serve` on the real clock against `fake`, over the database in `dir`.
fn serve(dir: &std::path::Path, fake: &FakeSlack) -> std::process::Child {
    crate::support::binary::career_bot(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SLACK_BOT_TOKEN", harness::BOT_TOKEN)
        .env("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef")
        .env("SLACK_API_URL", fake.api_url())
        .env("DATABASE_URL", dir.join("bot.db").display().to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts")
}

/// Waits (at most a minute) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_killed_mid_delivery_and_started_again_posts_every_reminder_exactly_once() {
    const MANAGERS: usize = 6;
    let fake = FakeSlack::start().await;
    for method in [
        "auth.test",
        "users.info",
        "dnd.info",
        "conversations.open",
        "conversations.history",
        "chat.postMessage",
    ] {
        fake.ignore(method);
    }
    // Slack has each message at once and answers a second later: a kill lands in between.
    fake.accept_posts_then_answer_after(std::time::Duration::from_secs(1));
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let seed = bot::bot_in(dir.path(), &[]).await;
        for n in 1..=MANAGERS {
            harness::run_as(
                &seed,
                &format!("U_M{n}"),
                &format!("add @U_R{n} marketing 2"),
                Utc::now() - Duration::days(120),
            )
            .await;
        }
        seed.store().close().await;
    }

    let mut first = serve(dir.path(), &fake);
    until("two posts", || fake.posted_keys().len() >= 2).await;
    // SIGKILL while a post is held unanswered: its row is left `sending`.
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let before = fake.posted_keys().len();
    assert!(
        before < MANAGERS,
        "killed mid-delivery, after {before} posts"
    );

    let mut second = serve(dir.path(), &fake);
    until("every reminder posted", || {
        fake.posted_keys().len() >= MANAGERS
    })
    .await;
    let bot = bot::bot_in(dir.path(), &[]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let sent = bot
            .store()
            .outbox(Some("sent"))
            .await
            .expect("outbox")
            .len();
        if sent == MANAGERS {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{sent} of {MANAGERS} marked sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    second.kill().expect("stop");
    second.wait().expect("reaped");

    let keys = fake.posted_keys();
    let mut unique = keys.clone();
    unique.dedup();
    assert_eq!(keys, unique, "no reminder posted twice");
    assert_eq!(keys.len(), MANAGERS, "every reminder posted: {keys:?}");
    assert!(
        !fake.take("conversations.history").is_empty(),
        "the restart looked up the message left unmarked"
    );
}

/// A chat over `fake` that gives up on a Web API call after `limit`.
fn impatient_chat(fake: &FakeSlack, bot: &Bot, limit: std::time::Duration) -> SlackChat {
    SlackChat::new(
        std::sync::Arc::new(fake.slack_client()),
        SlackApiToken::new(harness::BOT_TOKEN.into()),
        bot.metrics(),
    )
    .with_api_timeout(limit)
}

#[tokio::test]
async fn a_send_that_timed_out_after_slack_posted_it_is_looked_up_and_not_posted_again() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, _) = setup(&fake, dir.path()).await;
    // Slack posts the reminder on arrival but answers long after the client gave up.
    fake.accept_posts_then_answer_after(std::time::Duration::from_secs(30));
    let chat = impatient_chat(&fake, &bot, std::time::Duration::from_millis(200));

    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE))
        .await
        .expect("a pass");
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    fake.expect_one("chat.postMessage");
    let key = fake.posted_keys().pop().expect("the reminder's key");
    assert_eq!(
        status_of(&bot, &key).await,
        OutboxStatus::Sending,
        "an attempt of unknown outcome waits to be looked up"
    );

    // Its retry time comes: the DM is read first, the reminder is found there.
    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE) + Duration::hours(1))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 0, "{report:?}");
    fake.expect_one("conversations.history");
    fake.expect_none("chat.postMessage");
    assert_eq!(status_of(&bot, &key).await, OutboxStatus::Sent);
    assert_eq!(fake.history_len(DM), 1, "posted exactly once");
    assert_eq!(fake.posted_keys(), [key]);
    fake.take("conversations.open");
}

#[tokio::test]
async fn a_send_that_timed_out_before_slack_posted_it_is_sent_once_after_the_look_up() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    // The first attempt never reaches Slack's history: it hangs until the client gives up.
    fake.fail_next("chat.postMessage", Failure::Hang);
    let impatient = impatient_chat(&fake, &bot, std::time::Duration::from_millis(200));
    let report = career_bot::scheduler::tick(&bot, &impatient, at(DUE))
        .await
        .expect("a pass");
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    fake.expect_one("chat.postMessage");

    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE) + Duration::hours(1))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1, "nothing lost: {report:?}");
    fake.expect_one("conversations.history");
    fake.expect_one("chat.postMessage");
    assert_eq!(fake.history_len(DM), 1, "posted exactly once");
    fake.take("conversations.open");
}

#[tokio::test]
async fn slacks_own_temporary_error_is_retried_without_a_look_up() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    // Slack answered `ok: false`: it did not post, so there is nothing to look for.
    fake.fail_next("chat.postMessage", Failure::SlackError("internal_error"));
    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE))
        .await
        .expect("a pass");
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    fake.expect_one("chat.postMessage");
    let pending = bot.store().outbox(Some("pending")).await.expect("outbox");
    assert_eq!(pending.len(), 1, "back in the queue: {pending:?}");

    let report = career_bot::scheduler::tick(&bot, &chat, at(DUE) + Duration::hours(1))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1, "{report:?}");
    fake.expect_none("conversations.history");
    fake.expect_one("chat.postMessage");
    fake.take("conversations.open");
}
