//! `/readyz` says "not ready" while the database cannot be reached, so a load balancer sends
//! Slack's requests to a replica that can record them; questions, which need no database,
//! are still answered (issue 15).

use crate::support::{self, harness};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_while_the_database_is_unreachable_and_questions_are_still_answered() {
    let fake = crate::support::fake_slack::FakeSlack::start().await;
    fake.ignore("auth.test");
    // The asker's profile (time zone, name) is read for the answer.
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    let server = harness::start(config).await;
    assert_eq!(
        harness::get(&server, "/readyz").await,
        (200, "ready\n".to_owned())
    );

    // The database goes away (a closed pool fails every query, as a stopped server would).
    server.bot.store().pool().close().await;
    assert_eq!(
        harness::get(&server, "/readyz").await,
        (503, "database unreachable\n".to_owned())
    );
    assert_eq!(
        harness::get(&server, "/healthz").await.0,
        200,
        "alive all the same"
    );

    let body = harness::form(&[
        ("token", "unused"),
        ("team_id", support::TEAM_ID),
        ("team_domain", "fake"),
        ("channel_id", "C_GENERAL"),
        ("channel_name", "general"),
        ("user_id", "U_ASKER"),
        ("user_name", "U_ASKER"),
        ("command", "/career"),
        ("text", "senior engineer"),
        ("api_app_id", support::APP_ID),
        ("response_url", &fake.response_url()),
        ("trigger_id", "1337.42.trigger"),
    ]);
    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        body,
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    let text = harness::all_text(&answer);
    assert!(
        text.contains("Senior"),
        "a question is answered without the database: {text}"
    );
    server.stop().await;
}
