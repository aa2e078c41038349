//! The people team's view in Slack (issue 14): `stats` answers with its table in Block Kit and
//! posts the chart through Slack's external upload flow (the fake records the uploaded bytes,
//! checked to be a PNG of the chart's size); the App Home shows admins the headline figures.
//! The real server on loopback, signed requests to its real routes, a fake Slack.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::people_view::png_size;
use crate::support::{self, FakeSlack, UPLOAD_METHOD, bot, harness};

const WAIT: Duration = Duration::from_secs(10);

async fn seeded(fake: &FakeSlack, dir: &std::path::Path) -> harness::Running {
    let config = harness::config(dir, &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", Utc::now()).await;
        harness::run_as(&seed, "U_MGR", "done @U_ANA", Utc::now()).await;
        seed.store().close().await;
    }
    harness::start(config).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_in_slack_answers_with_the_table_and_uploads_the_chart_to_the_dm() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    // The seeded conversation's request to confirm goes out too.
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = seeded(&fake, dir.path()).await;

    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        harness::form(&[
            ("team_id", support::TEAM_ID),
            ("channel_id", "C_GENERAL"),
            ("user_id", "U_ADMIN"),
            ("user_name", "admin"),
            ("command", "/career"),
            ("text", "stats"),
            ("api_app_id", support::APP_ID),
            ("response_url", &fake.response_url()),
            ("trigger_id", "1337.42.trigger"),
        ]),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("JSON answer");
    assert_eq!(answer["response_type"], "ephemeral");
    let text = harness::all_text(&answer["blocks"]);
    assert!(
        text.contains("Career conversations, last 12 months"),
        "{text}"
    );
    assert!(text.contains("<@U_MGR>: 1 held · 100% on time"), "{text}");
    assert!(text.contains("follows in our DM"), "{text}");

    fake.wait_for("files.completeUploadExternal", 1, WAIT).await;
    let asked = fake.expect_one("files.getUploadURLExternal");
    let uploaded = fake.expect_one(UPLOAD_METHOD);
    let completed = fake.expect_one("files.completeUploadExternal");
    let opened = fake.take("conversations.open");
    assert!(
        opened
            .iter()
            .any(|call| call.params["users"] == json!(["U_ADMIN"])
                || call.params["users"] == json!("U_ADMIN")),
        "{opened:#?}"
    );

    let uploads = fake.uploads();
    assert_eq!(uploads.len(), 1);
    let (file_id, bytes) = &uploads[0];
    assert_eq!(
        png_size(bytes),
        Some((900, 450)),
        "the uploaded bytes are the chart"
    );
    assert_eq!(
        asked.params["length"],
        json!(bytes.len().to_string()),
        "the announced length is the uploaded one"
    );
    assert_eq!(uploaded.params["content_type"], "image/png");
    assert_eq!(completed.str_param("channel_id"), Some("DU_ADMIN"));
    assert_eq!(completed.params["files"][0]["id"], json!(file_id));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_for_someone_who_oversees_nobody_uploads_nothing() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    // The seeded conversation's request to confirm goes out too.
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = seeded(&fake, dir.path()).await;
    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        harness::form(&[
            ("team_id", support::TEAM_ID),
            ("channel_id", "C_GENERAL"),
            ("user_id", "U_ANA"),
            ("user_name", "ana"),
            ("command", "/career"),
            ("text", "stats"),
            ("api_app_id", support::APP_ID),
            ("response_url", &fake.response_url()),
            ("trigger_id", "1337.42.trigger"),
        ]),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    let answer: Value = response.json().await.expect("JSON answer");
    let text = harness::all_text(&answer["blocks"]);
    assert!(
        text.contains("Only admins and managers can see this"),
        "{text}"
    );
    server.stop().await;
    fake.expect_none("files.getUploadURLExternal");
    assert!(fake.uploads().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_home_shows_admins_the_headline_figures() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    // The seeded conversation's request to confirm goes out too.
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = seeded(&fake, dir.path()).await;
    for (n, user) in ["U_ADMIN", "U_MGR"].into_iter().enumerate() {
        let event = json!({
            "token": "unused",
            "team_id": support::TEAM_ID,
            "api_app_id": support::APP_ID,
            "type": "event_callback",
            "event_id": format!("Ev{n}"),
            "event_time": 1700000000,
            "event": { "type": "app_home_opened", "user": user, "channel": format!("D{user}"), "tab": "home" }
        });
        let response = harness::post_signed(
            &harness::http(),
            &server.url("/slack/events"),
            "application/json",
            event.to_string(),
            harness::HEX_SECRET,
            harness::unix_now(),
        )
        .await;
        assert_eq!(response.status(), 200);
        fake.wait_for("views.publish", 1, WAIT).await;
        let published = fake.expect_one("views.publish");
        let text = harness::all_text(&published.params["view"]["blocks"]);
        if user == "U_ADMIN" {
            assert!(
                text.contains("Across the organisation, last 12 months"),
                "{text}"
            );
            assert!(text.contains("*Held*"), "{text}");
            assert!(text.contains("100%"), "{text}");
        } else {
            assert!(!text.contains("Across the organisation"), "{text}");
        }
    }
    server.stop().await;
}
