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

/// `user` clicks `action` on their App Home tab (no message, no response_url).
fn click_in_home(user: &str, action: &Value) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "view", "view_id": "VHOME0001" },
        "trigger_id": "1337.46.trigger",
        "view": { "id": "VHOME0001", "team_id": support::TEAM_ID, "type": "home", "blocks": [],
                  "hash": "1700000000.home" },
        "actions": [{
            "type": "button",
            "action_id": action["action_id"],
            "block_id": "h1",
            "text": action["text"],
            "value": action["value"],
            "action_ts": "1700000001.000002"
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

fn at(text: &str) -> chrono::DateTime<Utc> {
    text.parse().expect("time")
}

/// A chat through the fake Slack, for scheduler passes run with a time passed in.
fn chat_to(fake: &FakeSlack, bot: &career_bot::bot::Bot) -> career_bot::slack::chat::SlackChat {
    career_bot::slack::chat::SlackChat::new(
        std::sync::Arc::new(fake.slack_client()),
        slack_morphism::prelude::SlackApiToken::new(harness::BOT_TOKEN.into()),
        bot.metrics(),
    )
}

/// Every rating of the opened assessment form answered with `rating`, and the topics.
fn assessment_values(view: &Value, rating: &str, topics: &str) -> Value {
    let mut values = json!({
        "topics": { "topics": { "type": "plain_text_input", "value": topics } }
    });
    for block in view["blocks"].as_array().expect("blocks") {
        let id = block["block_id"].as_str().unwrap_or_default();
        if id.starts_with('r') && id[1..].parse::<usize>().is_ok() {
            values[id] = json!({ id: { "type": "static_select", "selected_option": {
                "text": { "type": "plain_text", "text": rating }, "value": rating } } });
        }
    }
    values
}

/// The assessments of Ana for the period before her first conversation: (side, assessor,
/// submitted, answers).
async fn ana_assessments(server: &harness::Running) -> Vec<(String, String, bool, usize)> {
    let found = server
        .bot
        .store()
        .assessments_for(&career_bot::ids::UserId::new("U_ANA"), 0)
        .await
        .expect("read");
    found
        .into_iter()
        .map(|(a, answers)| {
            (
                a.side.as_str().to_owned(),
                a.assessor_id.to_string(),
                a.submitted_at.is_some(),
                answers.len(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prep_dm_and_the_reminder_open_each_sides_assessment_and_submitting_stores_it() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        // Ana's first conversation is due on 2026-04-20: the invitation to prepare goes out
        // 14 days before, at her first reminder slot of that day.
        let seed = bot::open(&config).await;
        let out = harness::run_as(
            &seed,
            "U_MGR",
            "add <@U_ANA|ana> marketing 2",
            at("2026-01-20T10:00:00Z"),
        )
        .await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        let report =
            career_bot::scheduler::tick(&seed, &chat_to(&fake, &seed), at("2026-04-07T12:00:00Z"))
                .await
                .expect("a pass");
        assert_eq!(report.sent, 1, "{report:?}");
        seed.store().close().await;
    }
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_ANA"]));
    let dm = fake.expect_one("chat.postMessage");
    assert_eq!(dm.str_param("channel"), Some("DU_ANA"));
    let dm_blocks = dm.params["blocks"].clone();
    assert!(
        all_text(&dm_blocks).contains("Prepare your career conversation"),
        "{dm_blocks}"
    );
    let prepare = button(&dm_blocks, "prep.open");
    assert_eq!(prepare["value"], "U_ANA");

    // The server's own first pass (today, long after the due date) reminds the manager.
    let server = harness::start(config).await;
    fake.ignore("conversations.open");
    fake.ignore("views.publish");
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let reminder = fake.take("chat.postMessage").remove(0);
    assert_eq!(reminder.str_param("channel"), Some("DU_MGR"));
    let reminder_blocks = reminder.params["blocks"].clone();

    // Ana's "Prepare": her own form, the dimensions of her next level, on one page.
    let clicked = post_interaction(
        &server,
        click(
            "U_ANA",
            "DU_ANA",
            "1700000000.000300",
            &dm_blocks,
            &prepare,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let form = fake.expect_one("views.open").params["view"].clone();
    assert_eq!(form["callback_id"], "assess.form");
    assert!(
        all_text(&form["blocks"]).contains("Rate yourself"),
        "{form}"
    );
    assert!(
        block(&form, "r0").is_some() && block(&form, "topics").is_some(),
        "{form}"
    );
    assert_eq!(
        form["submit"]["text"], "Submit",
        "one page: its button submits"
    );
    let submitted = post_interaction(
        &server,
        submit(
            "U_ANA",
            &form,
            assessment_values(&form, "sometimes", "Moving towards lead"),
        ),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    let answers = block(&form, "r0").map(|_| {
        form["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .filter(|b| {
                b["block_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with('r') && id[1..].parse::<usize>().is_ok())
            })
            .count()
    });
    let answers = answers.expect("ratings");
    assert_eq!(
        ana_assessments(&server).await,
        [("self".to_owned(), "U_ANA".to_owned(), true, answers)]
    );
    let prep = harness::run_as(&server.bot, "U_ANA", "prep", Utc::now()).await;
    assert!(prep.contains("Moving towards lead"), "{prep}");

    // The reminder's "Prepare": the manager's assessment of Ana, the same way.
    let prepare = button(&reminder_blocks, "prep.open");
    assert_eq!(prepare["value"], "U_ANA");
    let clicked = post_interaction(
        &server,
        click(
            "U_MGR",
            "DU_MGR",
            "1700000000.000400",
            &reminder_blocks,
            &prepare,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let form = fake.expect_one("views.open").params["view"].clone();
    assert_eq!(form["callback_id"], "assess.form");
    assert!(
        all_text(&form["blocks"]).contains("Rate <@U_ANA>"),
        "{form}"
    );
    let submitted = post_interaction(
        &server,
        submit("U_MGR", &form, assessment_values(&form, "consistently", "")),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    let stored = ana_assessments(&server).await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(
        stored.contains(&("manager".to_owned(), "U_MGR".to_owned(), true, answers)),
        "{stored:?}"
    );
    // Both submitted: each side now sees the other's answers.
    let prep = harness::run_as(&server.bot, "U_MGR", "prep <@U_ANA>", Utc::now()).await;
    assert!(prep.contains("Moving towards lead"), "{prep}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_home_counts_evidence_and_its_buttons_open_the_evidence_and_assessment_forms() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Added 80 days ago: the conversation is due in about ten days, inside the prep window.
    let server = server_with_ana(&fake, dir.path(), 80).await;
    for method in ["conversations.open", "chat.postMessage", "views.publish"] {
        fake.ignore(method);
    }
    let out = harness::run_as(
        &server.bot,
        "U_ANA",
        "log Ran the spring campaign #ownership",
        Utc::now(),
    )
    .await;
    assert!(out.contains("Logged E1"), "{out}");
    let publish_home = |user: &str| {
        json!({
            "token": "unused",
            "team_id": support::TEAM_ID,
            "api_app_id": support::APP_ID,
            "type": "event_callback",
            "event_id": format!("Ev{user}"),
            "event_time": 1700000000,
            "event": { "type": "app_home_opened", "user": user, "channel": format!("D{user}"), "tab": "home" }
        })
    };
    for user in ["U_ANA", "U_MGR"] {
        let response = harness::post_signed(
            &harness::http(),
            &server.url("/slack/events"),
            "application/json",
            publish_home(user).to_string(),
            harness::HEX_SECRET,
            harness::unix_now(),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    fake.wait_for("views.publish", 2, WAIT).await;
    let published = fake.take("views.publish");
    let home_of = |user: &str| {
        published
            .iter()
            .find(|p| p.str_param("user_id") == Some(user))
            .map(|p| p.params["view"]["blocks"].clone())
            .expect("a home")
    };
    let ana = home_of("U_ANA");
    let text = all_text(&ana);
    assert!(
        text.contains("1 piece of evidence since your last conversation."),
        "{text}"
    );
    let log = button(&ana, "evidence.open");
    assert_eq!(log["value"], "U_ANA");
    let prepare = button(&ana, "prep.open");
    assert_eq!(prepare["value"], "U_ANA");
    let manager = all_text(&home_of("U_MGR"));
    assert!(
        manager.contains("1 piece of evidence since the last conversation · assessed by <@U_ANA>: not yet · by you: not yet"),
        "{manager}"
    );

    // "Log evidence" opens the evidence form, empty, for Ana herself.
    let clicked = post_interaction(&server, click_in_home("U_ANA", &log)).await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let form = fake.expect_one("views.open").params["view"].clone();
    assert_eq!(form["callback_id"], "evidence.log");
    assert!(
        block(&form, "text").is_some_and(|b| b["element"]["initial_value"].is_null()),
        "{form}"
    );

    // "Prepare" opens her assessment form.
    let clicked = post_interaction(&server, click_in_home("U_ANA", &prepare)).await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let form = fake.expect_one("views.open").params["view"].clone();
    assert_eq!(form["callback_id"], "assess.form");
    assert!(
        all_text(&form["blocks"]).contains("Rate yourself"),
        "{form}"
    );
    server.stop().await;
}
