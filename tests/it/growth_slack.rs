//! Issue 13 in Slack, end to end: the record form's focus areas and next steps, the App Home's
//! growth content and buttons, and the prep loop (DM → "Prepare" → paged form → stored). Signed
//! requests reach the real routes of the real server; the fake Slack Web API is behind it.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::support::{self, FakeSlack, bot, harness};
use harness::{all_text, button};

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

/// `user` clicks `action` in a message `ts` of `channel` showing `blocks`.
fn click(user: &str, channel: &str, ts: &str, blocks: &Value, action: &Value, url: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false },
        "trigger_id": "1337.42.trigger",
        "channel": { "id": channel, "name": "directmessage" },
        "message": { "type": "message", "ts": ts, "text": "dm", "blocks": blocks },
        "response_url": url,
        "actions": [{
            "type": "button",
            "action_id": action["action_id"],
            "block_id": "b1",
            "text": action["text"],
            "value": action["value"],
            "action_ts": "1700000001.000001"
        }]
    })
}

/// A submission by `user` of `opened` (a view as sent to `views.open`) with `values`.
fn submit(user: &str, opened: &Value, values: Value) -> Value {
    json!({
        "type": "view_submission",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "trigger_id": "1337.43.trigger",
        "view": {
            "id": "V0FAKE0002",
            "team_id": support::TEAM_ID,
            "type": "modal",
            "callback_id": opened["callback_id"],
            "private_metadata": opened["private_metadata"],
            "title": opened["title"],
            "blocks": opened["blocks"],
            "hash": "1700000000.abc",
            "state": { "values": values }
        }
    })
}

fn block<'v>(view: &'v Value, id: &str) -> Option<&'v Value> {
    view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|block| block["block_id"] == id)
}

/// The record form's values: a date, focus areas picked by value, next steps.
fn record_values(date: &str, focus: &[&str], next: Option<&str>) -> Value {
    let picked: Vec<Value> = focus
        .iter()
        .map(|f| json!({ "text": { "type": "plain_text", "text": f }, "value": f }))
        .collect();
    json!({
        "date": { "date": { "type": "datepicker", "selected_date": date } },
        "level": { "level": { "type": "static_select", "selected_option": {
            "text": { "type": "plain_text", "text": "Level" }, "value": "2" } } },
        "focus": { "focus": { "type": "multi_static_select", "selected_options": picked } },
        "next_steps": { "next_steps": { "type": "plain_text_input", "value": next } },
        "note": { "note": { "type": "plain_text_input", "value": "private words" } }
    })
}

/// A server whose database has Ana (marketing 2) on U_MGR's team, added `days_ago`.
async fn server_with_ana(
    fake: &FakeSlack,
    dir: &std::path::Path,
    days_ago: i64,
) -> harness::Running {
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let config = harness::config(dir, &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let added = Utc::now() - chrono::Duration::days(days_ago);
        let out = harness::run_as(&seed, "U_MGR", "add <@U_ANA|ana> marketing 2", added).await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        seed.store().close().await;
    }
    harness::start(config).await
}

/// The record form, opened from the reminder the server's first scheduler pass sends.
async fn open_record_form(server: &harness::Running, fake: &FakeSlack) -> Value {
    // What follows a recording (DMs opened, the reminder settled, the report asked to
    // confirm) is checked in slack_http; these tests look at what was stored.
    for method in ["conversations.open", "chat.update", "chat.postMessage"] {
        fake.ignore(method);
    }
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let reminder = fake.take("chat.postMessage").remove(0);
    let blocks = reminder.params["blocks"].clone();
    let record = button(&blocks, "checkin.record");
    let url = fake.response_url();
    let clicked = post_interaction(
        server,
        click(
            "U_MGR",
            "DU_MGR",
            "1700000000.000100",
            &blocks,
            &record,
            &url,
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    fake.expect_one("views.open").params["view"].clone()
}

async fn agreed(server: &harness::Running) -> Vec<(Option<String>, Option<String>)> {
    sqlx::query_as("SELECT focus, next_steps FROM checkins ORDER BY id")
        .fetch_all(server.bot.store().pool())
        .await
        .expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_form_keeps_focus_areas_and_next_steps_as_done_does() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_ana(&fake, dir.path(), 120).await;
    let view = open_record_form(&server, &fake).await;

    // The form offers the dimensions of Ana's framework, at most three picked, and next steps.
    let focus = block(&view, "focus").expect("a focus field");
    assert_eq!(focus["element"]["type"], "multi_static_select");
    assert_eq!(focus["element"]["max_selected_items"], 3);
    assert_eq!(focus["optional"], true);
    let offered: Vec<&str> = focus["element"]["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o["value"].as_str().expect("value"))
        .collect();
    for dimension in ["Scope of influence", "How work is conducted", "Ownership"] {
        assert!(offered.contains(&dimension), "{offered:?}");
    }
    let next = block(&view, "next_steps").expect("a next steps field");
    assert_eq!(next["element"]["type"], "plain_text_input");
    assert!(all_text(&view["blocks"]).contains("Next steps"), "{view}");

    // Four picked (a forged request; Slack allows three) records nothing and says why.
    let today = Utc::now().date_naive().to_string();
    let four = [
        "Ownership",
        "Scope of influence",
        "How work is conducted",
        "Ownership",
    ];
    let refused = post_interaction(
        &server,
        submit("U_MGR", &view, record_values(&today, &four, Some("x"))),
    )
    .await;
    assert_eq!(refused.status(), 200);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["response_action"], "errors", "{body}");
    assert!(all_text(&body).contains("at most 3 focus areas"), "{body}");
    assert!(agreed(&server).await.is_empty(), "nothing was recorded");

    // A value that is no dimension (a forged request) is refused the same way as `--focus`.
    let refused = post_interaction(
        &server,
        submit("U_MGR", &view, record_values(&today, &["Juggling"], None)),
    )
    .await;
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["response_action"], "errors", "{body}");
    assert!(all_text(&body).contains("Juggling"), "{body}");
    assert!(agreed(&server).await.is_empty(), "nothing was recorded");

    // Two picked and next steps typed: stored exactly as `done --focus … --next …` stores them.
    let submitted = post_interaction(
        &server,
        submit(
            "U_MGR",
            &view,
            record_values(
                &today,
                &["Ownership", "Scope of influence"],
                Some("  Lead the autumn launch  "),
            ),
        ),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    assert_eq!(
        agreed(&server).await,
        vec![(
            Some(r#"["Ownership","Scope of influence"]"#.to_owned()),
            Some("Lead the autumn launch".to_owned())
        )]
    );
    let out = harness::run_as(&server.bot, "U_ANA", "me", Utc::now()).await;
    assert!(out.contains("Ownership, Scope of influence"), "{out}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_form_submitted_without_focus_or_next_steps_stores_neither() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = server_with_ana(&fake, dir.path(), 120).await;
    let view = open_record_form(&server, &fake).await;
    let today = Utc::now().date_naive().to_string();
    let submitted = post_interaction(
        &server,
        submit("U_MGR", &view, record_values(&today, &[], Some("   "))),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    assert_eq!(agreed(&server).await, vec![(None, None)]);
    server.stop().await;
}
