//! Away and do-not-disturb against the fake Slack: the scheduler reads `users.info` statuses
//! and `dnd.info` before each DM, holds the DM while the recipient is away or busy, asks
//! Slack about each person once (cached), and sends the DM once when they are back.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackApiToken;

use career_bot::bot::Bot;
use career_bot::slack::chat::SlackChat;

use crate::support::bot;
use crate::support::fake_slack::FakeSlack;
use crate::support::harness;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a time")
}

/// A bot whose `U_MGR` has `U_REP` due on Monday 2026-04-20, and a Slack chat over `fake`.
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
    let chat = SlackChat::new(
        std::sync::Arc::new(fake.slack_client()),
        SlackApiToken::new(harness::BOT_TOKEN.into()),
        bot.metrics(),
    );
    (bot, chat)
}

#[tokio::test]
async fn a_slack_status_holds_the_reminder_until_the_slot_after_it_expires() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    let expires = at("2026-04-22T17:00:00Z").timestamp();
    fake.set_status("U_MGR", "Vacationing", ":palm_tree:", expires);

    let report = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:00:00Z"))
        .await
        .expect("a pass");
    assert_eq!((report.planned, report.sent), (1, 0));
    assert_eq!(report.deferred.len(), 1, "{report:?}");
    assert_eq!(report.deferred[0].reason, "deferred: away until 2026-04-23");
    assert!(fake.take("chat.postMessage").is_empty());
    let asked = fake.take("users.info");
    assert!(
        asked
            .iter()
            .any(|call| call.str_param("user") == Some("U_MGR")),
        "{asked:?}"
    );
    fake.take("dnd.info");

    for day in ["2026-04-21T09:00:00Z", "2026-04-22T09:00:00Z"] {
        let report = career_bot::scheduler::tick(&bot, &chat, at(day))
            .await
            .expect("a pass");
        assert_eq!((report.sent, report.deferred.len()), (0, 0), "{day}");
    }
    let report = career_bot::scheduler::tick(&bot, &chat, at("2026-04-23T09:00:00Z"))
        .await
        .expect("a pass");
    assert_eq!((report.sent, report.deferred.len()), (1, 0));
    // The status was read within the hour: Slack is not asked again.
    assert!(fake.take("users.info").is_empty());
    let posts = fake.take("chat.postMessage");
    assert_eq!(posts.len(), 1);
    fake.take("conversations.open");
    let report = career_bot::scheduler::tick(&bot, &chat, at("2026-04-23T10:00:00Z"))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 0, "never twice");
}

#[tokio::test]
async fn slack_do_not_disturb_holds_the_reminder_until_it_ends() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (bot, chat) = setup(&fake, dir.path()).await;
    fake.set_dnd(
        "U_MGR",
        at("2026-04-20T08:00:00Z").timestamp(),
        at("2026-04-20T10:30:00Z").timestamp(),
    );
    let report = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:00:00Z"))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 0);
    assert_eq!(
        report.deferred[0].reason,
        "deferred: do not disturb until 2026-04-20 10:30"
    );
    assert_eq!(
        fake.take("dnd.info")
            .iter()
            .filter(|call| call.str_param("user") == Some("U_MGR"))
            .count(),
        1
    );
    let report = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T10:30:00Z"))
        .await
        .expect("a pass");
    assert_eq!(report.sent, 1);
    assert_eq!(fake.take("chat.postMessage").len(), 1);
    fake.take("conversations.open");
    fake.ignore("users.info");
}
