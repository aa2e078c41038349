//! Hardening (issue 11): nobody takes over someone's record or reads what earlier managers
//! recorded, answers and commands cannot flood anyone's DMs, and the `ask` button only asks.
//! Shell scripts (the same handlers as Slack) with the clock set by `:now`, and the real
//! server with signed requests against the fake Slack for the Slack routes.

use std::time::Duration;

use career_bot::bot::Bot;
use career_bot::shell::Shell;
use chrono::Utc;
use serde_json::{Value, json};

use crate::support::bot::bot_in;
use crate::support::harness::{self, all_text};
use crate::support::shell::run;
use crate::support::{self, FakeSlack, bot};

async fn shell_bot(dir: &std::path::Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

async fn count(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("count query")
}

fn dms_to(output: &str, user: &str) -> usize {
    output.matches(&format!("[DM to {user}]")).count()
}

#[tokio::test]
async fn answers_changed_back_and_forth_reach_the_manager_once_a_day_saying_the_latest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-06-15T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2", "done @ana", ":tick"]).await;
    let out = run(
        &mut shell,
        &[
            ":as ana",
            "dispute first",
            "ack",
            "dispute second",
            "ack",
            "dispute third",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("Their reason: \"third\""), "{out}");
    assert!(!out.contains("\"first\""), "{out}");
    // Once told today, more toggles the same day send nothing; the answers are all kept.
    let out = run(&mut shell, &["ack", "dispute fourth", ":tick"]).await;
    assert!(
        out.contains("@boss was already told about a dispute today"),
        "{out}"
    );
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM checkin_answers").await, 7);
    let out = run(&mut shell, &[":as boss", "history @ana"]).await;
    assert!(out.contains("\"fourth\""), "{out}");
    // The next day, the latest answer reaches the manager again.
    let out = run(
        &mut shell,
        &[
            ":as ana",
            ":now 2026-06-16T10:00:00Z",
            "ack",
            "dispute fifth",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("\"fifth\""), "{out}");
}

#[tokio::test]
async fn more_than_twenty_changes_a_minute_get_a_sentence_and_nothing_more_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-06-15T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", ":now 2026-06-15T10:01:00Z"],
    )
    .await;
    for round in 0..10 {
        let out = run(&mut shell, &["snooze @ana 1w", "unsnooze @ana"]).await;
        assert!(out.contains("are on again"), "round {round}: {out}");
    }
    let audited = count(&bot, "SELECT count(*) FROM audit_log").await;
    let out = run(&mut shell, &["level @ana 4"]).await;
    assert!(
        out.contains("You have made 20 changes in the last minute"),
        "{out}"
    );
    assert!(out.contains("nothing was recorded"), "{out}");
    assert!(out.contains("Try again in 60 seconds"), "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM audit_log").await, audited);
    assert_eq!(
        count(&bot, "SELECT count(*) FROM people WHERE level = 2").await,
        1
    );
    // Questions and commands that only show things are not limited, nor are other people.
    let out = run(&mut shell, &["team", "what does level 3 marketing need"]).await;
    assert!(out.contains("Your reports"), "{out}");
    assert!(!out.contains("changes in the last minute"), "{out}");
    let out = run(&mut shell, &[":as carol", "timezone Europe/Berlin"]).await;
    assert!(out.contains("Your time zone is now Europe/Berlin"), "{out}");
    // A minute after the first of them, the boss may change things again.
    let out = run(
        &mut shell,
        &[":as boss", ":now 2026-06-15T10:02:00Z", "level @ana 4"],
    )
    .await;
    assert!(out.contains("is now at"), "{out}");
}

// ---- Slack: the real routes with signed requests against the fake Slack ----

const WAIT: Duration = Duration::from_secs(10);

async fn post_interaction(server: &harness::Running, payload: Value) -> reqwest::Response {
    harness::post_signed(
        &harness::http(),
        &server.url("/slack/interactions"),
        "application/x-www-form-urlencoded",
        harness::form(&[("payload", &payload.to_string())]),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await
}

/// A click on `action_id` with `value`, by `user`, on a message in `channel`.
fn click(user: &str, channel: &str, action_id: &str, value: &str, response_url: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": "1700000000.000100", "channel_id": channel, "is_ephemeral": false },
        "trigger_id": "1337.42.trigger",
        "channel": { "id": channel, "name": "directmessage" },
        "message": { "type": "message", "ts": "1700000000.000100", "text": "a message", "blocks": [] },
        "response_url": response_url,
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "b1",
            "text": { "type": "plain_text", "text": "Button" },
            "value": value,
            "action_ts": "1700000001.000001"
        }]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_button_carrying_a_command_that_writes_is_refused_and_records_nothing() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let out = harness::run_as(&seed, "U_MGR", "add <@U_ANA> marketing 2", Utc::now()).await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // A forged but correctly signed click: the manager's own `done`, smuggled in an ask value.
    let url = fake.response_url();
    let clicked = post_interaction(
        &server,
        click("U_MGR", "DU_MGR", "ask", "done <@U_ANA> forged", &url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = all_text(&fake.expect_one("response_url").params);
    assert!(told.contains("only answers questions"), "{told}");
    let recorded: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM checkins)
              + (SELECT count(*) FROM audit_log WHERE action = 'checkin.recorded')
              + (SELECT count(*) FROM outbox)",
    )
    .fetch_one(server.bot.store().pool())
    .await
    .expect("count");
    assert_eq!(recorded, 0, "nothing recorded, nothing queued");

    // The same button with a question, or a command that only shows things, still answers.
    let url = fake.response_url();
    let clicked = post_interaction(
        &server,
        click("U_MGR", "DU_MGR", "ask", "history <@U_ANA>", &url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = all_text(&fake.expect_one("response_url").params);
    assert!(told.contains("Career conversations"), "{told}");
    server.stop().await;
}
