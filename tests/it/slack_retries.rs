//! Issue 15, "Several replicas on one database": Slack's retries (`X-Slack-Retry-Num`) are
//! recognised across replicas. Two real servers share one database file, with the fake Slack
//! behind both; a delivery handled by one and retried to the other (signed anew, as Slack
//! does) acts once. Without the database, a question is still answered.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::support::{self, FakeSlack, bot, harness};

const WAIT: Duration = Duration::from_secs(10);

/// POSTs `body` to `path` on `server`, signed now, with `X-Slack-Retry-Num: retry` if given.
async fn deliver(
    server: &harness::Running,
    path: &str,
    content_type: &str,
    body: &str,
    retry: Option<u32>,
) -> reqwest::Response {
    let timestamp = harness::unix_now();
    let mut request = harness::http()
        .post(server.url(path))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", timestamp.to_string())
        .header(
            "x-slack-signature",
            harness::signature(harness::HEX_SECRET, timestamp, body),
        )
        .body(body.to_owned());
    if let Some(retry) = retry {
        request = request
            .header("x-slack-retry-num", retry.to_string())
            .header("x-slack-retry-reason", "http_timeout");
    }
    request.send().await.expect("the server answers")
}

fn interaction_body(payload: &Value) -> String {
    harness::form(&[("payload", &payload.to_string())])
}

/// A slash command's form, with its own trigger id as Slack gives each one.
fn command_body(fake: &FakeSlack, user: &str, text: &str, trigger: &str) -> String {
    harness::form(&[
        ("team_id", support::TEAM_ID),
        ("channel_id", "C_GENERAL"),
        ("user_id", user),
        ("user_name", user),
        ("command", "/career"),
        ("text", text),
        ("api_app_id", support::APP_ID),
        ("response_url", &fake.response_url()),
        ("trigger_id", trigger),
    ])
}

async fn count(server: &harness::Running, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(server.bot.store().pool())
        .await
        .expect("count")
}

/// The database in `dir` with Ana on U_MGR's team and a conversation recorded for her; the
/// fake answers what the servers do around it (DMs, profiles) without the test checking.
async fn seeded(fake: &FakeSlack, dir: &std::path::Path) -> (harness::Running, harness::Running) {
    for method in [
        "auth.test",
        "users.info",
        "conversations.open",
        "chat.postMessage",
    ] {
        fake.ignore(method);
    }
    let config = harness::config(dir, &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let out = harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", Utc::now()).await;
        assert!(out.contains("Added"), "{out}");
        let out = harness::run_as(&seed, "U_MGR", "done @U_ANA", Utc::now()).await;
        assert!(out.contains("Recorded"), "{out}");
        seed.store().close().await;
    }
    let a = harness::start(config.clone()).await;
    let b = harness::start(config).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_action_retried_to_another_replica_acts_once() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = seeded(&fake, dir.path()).await;
    let checkin: i64 = sqlx::query_scalar("SELECT id FROM checkins")
        .fetch_one(a.bot.store().pool())
        .await
        .expect("the conversation");
    let ack = fake.block_actions_payload(
        "U_ANA",
        "DU_ANA",
        "1700000000.000200",
        "checkin.acknowledge",
        &checkin.to_string(),
    );
    let body = interaction_body(&ack);

    // Replica a handles the click: recorded, and Ana's message settled.
    let first = deliver(
        &a,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        &body,
        None,
    )
    .await;
    assert_eq!(first.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM audit_log WHERE action = 'checkin.acknowledged'"
        )
        .await,
        1
    );

    // Slack retries it, and the retry reaches replica b: an empty 200, nothing done.
    let retry = deliver(
        &b,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        &body,
        Some(1),
    )
    .await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.text().await.expect("a body"), "");
    // A later click on b (a question button) is answered: once its answer is in, the retry,
    // delivered before it, has been dealt with too.
    let question =
        fake.block_actions_payload("U_ANA", "DU_ANA", "1700000000.000300", "ask", "marketing 3");
    let marker = deliver(
        &b,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        &interaction_body(&question),
        None,
    )
    .await;
    assert_eq!(marker.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    fake.expect_one("response_url");
    assert_eq!(
        fake.take("chat.update").len(),
        1,
        "the retry settled no message a second time"
    );
    assert_eq!(
        count(
            &b,
            "SELECT count(*) FROM audit_log WHERE action = 'checkin.acknowledged'"
        )
        .await,
        1
    );
    // Every delivery handled is noted, once.
    assert_eq!(
        count(&b, "SELECT count(*) FROM handled_deliveries").await,
        2
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_or_an_event_delivered_twice_acts_once_with_or_without_the_retry_header() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = seeded(&fake, dir.path()).await;

    // A command that records, to replica a, then again to b: once with Slack's retry
    // header, once without (the same delivery twice never records twice).
    let body = command_body(
        &fake,
        "U_ANA",
        "log shipped the onboarding guide",
        "7.7.log",
    );
    let first = deliver(
        &a,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &body,
        None,
    )
    .await;
    assert_eq!(first.status(), 200);
    assert!(first.text().await.expect("a body").contains("blocks"));
    for retry in [Some(1), None] {
        let again = deliver(
            &b,
            "/slack/commands",
            "application/x-www-form-urlencoded",
            &body,
            retry,
        )
        .await;
        assert_eq!(again.status(), 200);
        assert_eq!(again.text().await.expect("a body"), "", "{retry:?}");
    }
    assert_eq!(count(&b, "SELECT count(*) FROM evidence").await, 1);
    // Another command with its own trigger is handled as usual.
    let other = command_body(&fake, "U_ANA", "log wrote the style guide", "7.8.log");
    let response = deliver(
        &b,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &other,
        None,
    )
    .await;
    assert!(response.text().await.expect("a body").contains("blocks"));
    assert_eq!(count(&b, "SELECT count(*) FROM evidence").await, 2);

    // The home tab opened once, delivered to both replicas: published once.
    let opened = |id: &str, user: &str| {
        json!({
            "token": "unused",
            "team_id": support::TEAM_ID,
            "api_app_id": support::APP_ID,
            "type": "event_callback",
            "event_id": id,
            "event_time": 1700000000,
            "event": { "type": "app_home_opened", "user": user, "channel": "D1", "tab": "home" }
        })
        .to_string()
    };
    let event = opened("EvRetried", "U_ANA");
    assert_eq!(
        deliver(&a, "/slack/events", "application/json", &event, None)
            .await
            .status(),
        200
    );
    fake.wait_for("views.publish", 1, WAIT).await;
    assert_eq!(
        deliver(&b, "/slack/events", "application/json", &event, Some(1))
            .await
            .status(),
        200
    );
    // Another event after it is handled; by then the retry was dealt with.
    let marker = opened("EvMarker", "U_MGR");
    assert_eq!(
        deliver(&b, "/slack/events", "application/json", &marker, None)
            .await
            .status(),
        200
    );
    fake.wait_for("views.publish", 2, WAIT).await;
    let users: Vec<String> = fake
        .take("views.publish")
        .iter()
        .map(|call| call.str_param("user_id").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        users,
        ["U_ANA", "U_MGR"],
        "the retried event published nothing"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_deliveries_table_a_question_is_answered_and_a_change_refused() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = seeded(&fake, dir.path()).await;
    b.stop().await;
    // The note cannot be written (as when the database is unreachable).
    sqlx::query("DROP TABLE handled_deliveries")
        .execute(a.bot.store().pool())
        .await
        .expect("drop");

    let asked = command_body(&fake, "U_ANA", "what level am I", "9.1.ask");
    let response = deliver(
        &a,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &asked,
        None,
    )
    .await;
    let text = response.text().await.expect("a body");
    assert!(text.contains("Level 2"), "the question is answered: {text}");

    let change = command_body(&fake, "U_ANA", "log shipped it", "9.2.log");
    let response = deliver(
        &a,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &change,
        None,
    )
    .await;
    let text = response.text().await.expect("a body");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(count(&a, "SELECT count(*) FROM evidence").await, 0);
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_sent_again_over_socket_mode_acts_once() {
    let fake = FakeSlack::start().await;
    for method in ["auth.test", "users.info", "apps.connections.open"] {
        fake.ignore(method);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), true, &[]);
    let server = harness::start(config).await;
    fake.socket_connected(WAIT).await;
    let opened = |id: &str, user: &str| {
        json!({
            "token": "t", "team_id": support::TEAM_ID, "api_app_id": support::APP_ID,
            "type": "event_callback", "event_id": id, "event_time": 1700000000,
            "event": { "type": "app_home_opened", "user": user, "channel": "D1", "tab": "home" }
        })
    };
    // The same event in two envelopes (Slack sending it again after a late acknowledgement):
    // the first is handled, the second not.
    let envelope = fake
        .socket_send_envelope("events_api", opened("EvSocket", "U_ANA"))
        .await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    fake.wait_for("views.publish", 1, WAIT).await;
    let envelope = fake
        .socket_send_envelope("events_api", opened("EvSocket", "U_ANA"))
        .await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    // Another event after it is handled; by then the one sent again was dealt with.
    let envelope = fake
        .socket_send_envelope("events_api", opened("EvLater", "U_MGR"))
        .await;
    fake.socket_wait_ack(&envelope, WAIT).await;
    fake.wait_for("views.publish", 2, WAIT).await;
    let users: Vec<String> = fake
        .take("views.publish")
        .iter()
        .map(|call| call.str_param("user_id").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        users,
        ["U_ANA", "U_MGR"],
        "the envelope sent again published nothing"
    );
    server.stop().await;
}
