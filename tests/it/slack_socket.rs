//! The bot in Slack over Socket Mode, end to end: `serve` with an app token connects to the
//! fake Slack's WebSocket, and receives slash commands, interactions and events as envelopes.

use crate::support::{self, bot, harness};

use harness::{all_text, button};

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use support::FakeSlack;

const WAIT: Duration = Duration::from_secs(10);

async fn start(fake: &FakeSlack, dir: &std::path::Path, seed: bool) -> harness::Running {
    let config = harness::config(dir, &fake.api_url(), true, &[]);
    if seed {
        let bot = bot::open(&config).await;
        harness::run_as(
            &bot,
            "U_MGR",
            "add @U_ANA marketing 2",
            Utc::now() - chrono::Duration::days(120),
        )
        .await;
        bot.store().close().await;
    }
    let server = harness::start(config).await;
    fake.socket_connected(WAIT).await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_question_over_socket_mode_is_answered_in_the_ack() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("apps.connections.open");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(&fake, dir.path(), false).await;

    let payload = fake.slash_command_payload(
        "/career",
        "difference between staff and principal at infracloud",
        "U_ASKER",
        "C1",
    );
    let envelope = fake.socket_send_envelope("slash_commands", payload).await;
    let ack = fake
        .socket_wait_ack(&envelope, WAIT)
        .await
        .expect("the ack carries the answer");
    assert_eq!(ack["response_type"], "ephemeral");
    assert_eq!(
        ack["blocks"][0]["text"]["text"],
        "InfraCloud Engineering: Level 4 → Level 5"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_flow_over_socket_mode() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.ignore("apps.connections.open");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(&fake, dir.path(), true).await;

    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("conversations.open");
    let reminder = fake.expect_one("chat.postMessage");
    let blocks = reminder.params["blocks"].clone();
    let record = button(&blocks, "checkin.record");

    let click = json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": "U_MGR", "username": "mgr", "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": "1700000000.000100", "channel_id": "DU_MGR", "is_ephemeral": false },
        "trigger_id": "1337.42.trigger",
        "channel": { "id": "DU_MGR", "name": "directmessage" },
        "message": { "type": "message", "ts": "1700000000.000100", "text": "reminder", "blocks": blocks },
        "response_url": fake.response_url(),
        "actions": [{ "type": "button", "action_id": "checkin.record", "block_id": "b", "text": record["text"], "value": record["value"], "action_ts": "1700000001.1" }]
    });
    let envelope = fake.socket_send_envelope("interactive", click).await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    fake.wait_for("views.open", 1, WAIT).await;
    let view = fake.expect_one("views.open").params["view"].clone();

    let today = Utc::now().date_naive().to_string();
    let submission = json!({
        "type": "view_submission",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": "U_MGR", "username": "mgr", "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "view": {
            "id": "V0FAKE0001", "team_id": support::TEAM_ID, "type": "modal",
            "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
            "title": view["title"], "blocks": view["blocks"], "hash": "h",
            "state": { "values": {
                "date": { "date": { "type": "datepicker", "selected_date": today } },
                "level": { "level": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "L2" }, "value": "2" } } },
                "note": { "note": { "type": "plain_text_input", "value": null } }
            } }
        }
    });
    let envelope = fake.socket_send_envelope("interactive", submission).await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM checkins")
        .fetch_one(server.bot.store().pool())
        .await
        .expect("count");
    assert_eq!(recorded, 1);
    fake.wait_for("chat.update", 1, WAIT).await;
    assert!(all_text(&fake.expect_one("chat.update").params).contains("Recorded"));

    // The report is asked, and confirms.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("conversations.open");
    let ask = fake.expect_one("chat.postMessage");
    let yes = button(&ask.params["blocks"], "checkin.acknowledge");
    let click = json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": "U_ANA", "username": "ana", "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": "1700000000.000200", "channel_id": "DU_ANA", "is_ephemeral": false },
        "trigger_id": "1337.44.trigger",
        "channel": { "id": "DU_ANA", "name": "directmessage" },
        "message": { "type": "message", "ts": "1700000000.000200", "text": "ack?", "blocks": ask.params["blocks"] },
        "response_url": fake.response_url(),
        "actions": [{ "type": "button", "action_id": "checkin.acknowledge", "block_id": "b", "text": yes["text"], "value": yes["value"], "action_ts": "1700000002.1" }]
    });
    let envelope = fake.socket_send_envelope("interactive", click).await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    fake.wait_for("chat.update", 1, WAIT).await;
    assert!(all_text(&fake.expect_one("chat.update").params).contains("Thanks, confirmed"));

    // The App Home arrives as an Events API envelope.
    let event = json!({
        "token": "t", "team_id": support::TEAM_ID, "api_app_id": support::APP_ID,
        "type": "event_callback", "event_id": "Ev2", "event_time": 1700000000,
        "event": { "type": "app_home_opened", "user": "U_ANA", "channel": "DU_ANA", "tab": "home" }
    });
    let envelope = fake.socket_send_envelope("events_api", event).await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    fake.wait_for("views.publish", 1, WAIT).await;
    let home = fake.expect_one("views.publish");
    assert!(all_text(&home.params["view"]).contains("You: Buffer Marketing, Level 2: Strategist"));
    server.stop().await;
}
