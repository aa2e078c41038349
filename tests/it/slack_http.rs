//! The bot in Slack over HTTP, end to end: the real `serve` server on loopback receives
//! HMAC-signed requests on its real routes, and talks to a fake Slack Web API through the real
//! slack-morphism client.

use crate::support::{self, bot, harness};

use harness::{all_text, button};

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use support::{Failure, FakeSlack};

const WAIT: Duration = Duration::from_secs(10);

fn command_body(fake: &FakeSlack, user: &str, text: &str) -> String {
    harness::form(&[
        ("token", "unused"),
        ("team_id", support::TEAM_ID),
        ("team_domain", "fake"),
        ("channel_id", "C_GENERAL"),
        ("channel_name", "general"),
        ("user_id", user),
        ("user_name", user),
        ("command", "/career"),
        ("text", text),
        ("api_app_id", support::APP_ID),
        ("response_url", &fake.response_url()),
        ("trigger_id", "1337.42.trigger"),
    ])
}

async fn post_command(
    server: &harness::Running,
    fake: &FakeSlack,
    user: &str,
    text: &str,
) -> Value {
    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        command_body(fake, user, text),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON answer")
}

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

fn block_actions(
    user: &str,
    channel: &str,
    ts: &str,
    blocks: &Value,
    action: &Value,
    response_url: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false },
        "trigger_id": "1337.42.trigger",
        "channel": { "id": channel, "name": "directmessage" },
        "message": { "type": "message", "ts": ts, "text": "reminder", "blocks": blocks },
        "response_url": response_url,
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

fn view_submission(user: &str, opened_view: &Value, date: &str, level: &str, note: &str) -> Value {
    json!({
        "type": "view_submission",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "trigger_id": "1337.43.trigger",
        "view": {
            "id": "V0FAKE0001",
            "team_id": support::TEAM_ID,
            "type": "modal",
            "callback_id": opened_view["callback_id"],
            "private_metadata": opened_view["private_metadata"],
            "title": opened_view["title"],
            "blocks": opened_view["blocks"],
            "hash": "1700000000.abc",
            "state": { "values": {
                "date": { "date": { "type": "datepicker", "selected_date": date } },
                "level": { "level": { "type": "static_select", "selected_option": {
                    "text": { "type": "plain_text", "text": "Level" }, "value": level } } },
                "note": { "note": { "type": "plain_text_input", "value": note } }
            } }
        }
    })
}

async fn count(server: &harness::Running, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(server.bot.store().pool())
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_question_gets_an_ephemeral_block_kit_answer() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;

    let answer = post_command(
        &server,
        &fake,
        "U_ASKER",
        "what does Level 3 Happiness need",
    )
    .await;
    assert_eq!(answer["response_type"], "ephemeral");
    let blocks = &answer["blocks"];
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        "Buffer Happiness · Level 3: Happiness Hero III"
    );
    let text = all_text(blocks);
    assert!(text.contains("*Scope of influence*"), "{text}");
    assert!(
        blocks
            .as_array()
            .expect("blocks")
            .iter()
            .any(|b| b["type"] == "context" && all_text(b).contains("open.buffer.com")),
        "a context line with the source: {blocks}"
    );
    assert!(blocks.as_array().expect("blocks").len() <= 50);
    insta::assert_snapshot!(serde_json::to_string_pretty(&answer).expect("JSON prints"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_question_asked_again_is_answered_from_the_cache_identically() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;
    let answer = post_command(
        &server,
        &fake,
        "U_ASKER",
        "what does Level 3 Happiness need",
    )
    .await;

    // Asked again, the same question is answered from the cache, identically.
    let again = post_command(
        &server,
        &fake,
        "U_ASKER",
        "what does Level 3 Happiness need",
    )
    .await;
    assert_eq!(again, answer);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_form_that_gives_a_field_twice_gets_400_cached_or_not() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;
    // The question is cached first, so a repeated field must be refused before the cache.
    post_command(
        &server,
        &fake,
        "U_ASKER",
        "what does Level 3 Happiness need",
    )
    .await;
    // A form that gives a field twice is malformed, whether its question is cached or not.
    for repeated in ["&text=senior+engineer", "&user_id=U_OTHER"] {
        let body = command_body(&fake, "U_ASKER", "what does Level 3 Happiness need") + repeated;
        let response = harness::post_signed(
            &harness::http(),
            &server.url("/slack/commands"),
            "application/x-www-form-urlencoded",
            body,
            harness::HEX_SECRET,
            harness::unix_now(),
        )
        .await;
        assert_eq!(response.status(), 400, "{repeated}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_that_cannot_be_understood_gets_a_sentence_that_says_why() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;

    // A command that cannot be understood still gets a helpful sentence.
    let answer = post_command(&server, &fake, "U_ASKER", "level 9 marketing").await;
    assert!(all_text(&answer).contains("Buffer Marketing has no level 9; its levels are 1–5."));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_signature_or_a_stale_timestamp_gets_401_and_does_nothing() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;
    let http = harness::http();
    let body = command_body(&fake, "U_MALLORY", "add @U_X marketing 2");

    let forged = harness::post_signed(
        &http,
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        body.clone(),
        "0000000000000000deadbeefdeadbeef",
        harness::unix_now(),
    )
    .await;
    assert_eq!(forged.status(), 401);
    let stale = harness::post_signed(
        &http,
        &server.url("/slack/commands"),
        "application/x-www-form-urlencoded",
        body.clone(),
        harness::HEX_SECRET,
        harness::unix_now() - 6 * 60,
    )
    .await;
    assert_eq!(stale.status(), 401);
    let unsigned = http
        .post(server.url("/slack/interactions"))
        .body("payload=%7B%7D")
        .send()
        .await
        .expect("answer");
    assert_eq!(unsigned.status(), 401);
    let tampered = http
        .post(server.url("/slack/commands"))
        .header("x-slack-request-timestamp", harness::unix_now().to_string())
        .header(
            "x-slack-signature",
            harness::signature(harness::HEX_SECRET, harness::unix_now(), &body),
        )
        .body(body.replace("marketing", "engineering"))
        .send()
        .await
        .expect("answer");
    assert_eq!(tampered.status(), 401);
    assert_eq!(
        count(&server, "SELECT count(*) FROM people").await,
        0,
        "nothing was written"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_flow_from_reminder_to_modal_to_the_reports_acknowledgement() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        // Ana was added four months ago: her first conversation is overdue for a reminder.
        let seed = bot::open(&config).await;
        let added = Utc::now() - chrono::Duration::days(120);
        let out = harness::run_as(&seed, "U_MGR", "add <@U_ANA|ana> marketing 2", added).await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // The scheduler's first pass DMs the manager.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_MGR"]));
    let reminder = fake.expect_one("chat.postMessage");
    assert_eq!(reminder.str_param("channel"), Some("DU_MGR"));
    let reminder_blocks = reminder.params["blocks"].clone();
    let text = all_text(&reminder_blocks);
    assert!(
        text.contains("Career conversation due") || text.contains("Career conversation overdue"),
        "{text}"
    );
    assert!(text.contains("<@U_ANA>"), "{text}");
    button(&reminder_blocks, "checkin.snooze_week");
    button(&reminder_blocks, "ask");
    let record = button(&reminder_blocks, "checkin.record");
    let ts = "1700000000.000100";

    // "We had the conversation" opens the modal.
    let response_url = fake.response_url();
    let clicked = post_interaction(
        &server,
        block_actions(
            "U_MGR",
            "DU_MGR",
            ts,
            &reminder_blocks,
            &record,
            &response_url,
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let opened = fake.expect_one("views.open");
    let view = opened.params["view"].clone();
    assert_eq!(view["callback_id"], "checkin.record");
    assert!(all_text(&view["blocks"]).contains("Private note"), "{view}");

    // Submitting records the check-in, updates the reminder, and asks Ana to confirm.
    let today = Utc::now().date_naive().to_string();
    let submitted = post_interaction(
        &server,
        view_submission("U_MGR", &view, &today, "2", "growth plan"),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    assert_eq!(count(&server, "SELECT count(*) FROM checkins").await, 1);
    let note: String = sqlx::query_scalar("SELECT private_note FROM checkins")
        .fetch_one(server.bot.store().pool())
        .await
        .expect("note");
    assert_eq!(note, "growth plan");
    fake.wait_for("chat.update", 1, WAIT).await;
    let update = fake.expect_one("chat.update");
    assert_eq!(update.str_param("ts"), Some(ts));
    let updated = all_text(&update.params["blocks"]);
    assert!(
        updated.contains("Recorded: a career conversation with <@U_ANA>"),
        "{updated}"
    );
    assert!(updated.contains("(by <@U_MGR>)"), "{updated}");
    assert!(
        update.params["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .all(|b| b["type"] != "actions"),
        "the buttons are gone"
    );

    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_ANA"]));
    let ask = fake.expect_one("chat.postMessage");
    assert_eq!(ask.str_param("channel"), Some("DU_ANA"));
    let ack_blocks = ask.params["blocks"].clone();
    assert!(all_text(&ack_blocks).contains("Did you have a career conversation?"));
    let yes = button(&ack_blocks, "checkin.acknowledge");
    button(&ack_blocks, "checkin.dispute");

    // Ana confirms; her message is updated.
    let ack_ts = "1700000000.000200";
    let clicked = post_interaction(
        &server,
        block_actions(
            "U_ANA",
            "DU_ANA",
            ack_ts,
            &ack_blocks,
            &yes,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    let update = fake.expect_one("chat.update");
    assert!(all_text(&update.params["blocks"]).contains("Thanks, confirmed"));
    let status: String = sqlx::query_scalar("SELECT ack_status FROM checkins")
        .fetch_one(server.bot.store().pool())
        .await
        .expect("status");
    assert_eq!(status, "acknowledged");

    // Clicking twice, or on the old reminder, never records twice.
    let again = post_interaction(
        &server,
        view_submission("U_MGR", &view, &today, "2", "again"),
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        count(&server, "SELECT count(*) FROM checkins").await,
        1,
        "a second submission records nothing"
    );
    fake.wait_for("chat.update", 1, WAIT).await;
    let settled = fake.expect_one("chat.update");
    assert!(
        all_text(&settled.params["blocks"]).contains("Already recorded"),
        "{}",
        settled.params
    );
    let clicked = post_interaction(
        &server,
        block_actions(
            "U_ANA",
            "DU_ANA",
            ack_ts,
            &ack_blocks,
            &yes,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    let update = fake.expect_one("chat.update");
    assert!(
        all_text(&update.params["blocks"]).contains("already confirmed"),
        "{}",
        update.params
    );
    let stale_url = fake.response_url();
    let clicked = post_interaction(
        &server,
        block_actions("U_MGR", "DU_MGR", ts, &reminder_blocks, &record, &stale_url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = fake.expect_one("response_url");
    assert!(
        all_text(&told.params).contains("already recorded"),
        "{}",
        told.params
    );
    fake.wait_for("chat.update", 1, WAIT).await;
    fake.expect_one("chat.update");
    fake.expect_none("views.open");
    assert_eq!(count(&server, "SELECT count(*) FROM checkins").await, 1);
    let audits = count(
        &server,
        "SELECT count(*) FROM audit_log WHERE action = 'checkin.acknowledged'",
    )
    .await;
    assert_eq!(audits, 1, "the second click wrote nothing");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_home_shows_reports_and_my_level() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", Utc::now()).await;
        harness::run_as(&seed, "U_BOSS", "add @U_MGR infracloud 4", Utc::now()).await;
        seed.store().close().await;
    }
    let server = harness::start(config).await;
    let event = json!({
        "token": "unused",
        "team_id": support::TEAM_ID,
        "api_app_id": support::APP_ID,
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "event": { "type": "app_home_opened", "user": "U_MGR", "channel": "DU_MGR", "tab": "home" }
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
    assert_eq!(published.str_param("user_id"), Some("U_MGR"));
    let view = &published.params["view"];
    assert_eq!(view["type"], "home");
    let text = all_text(&view["blocks"]);
    assert!(text.contains("Your reports (1)"), "{text}");
    assert!(text.contains("<@U_ANA>"), "{text}");
    assert!(
        text.contains("You: InfraCloud Engineering, Level 4: Staff Engineer"),
        "{text}"
    );
    button(&view["blocks"], "checkin.record");
    let next = button(&view["blocks"], "ask");
    assert_eq!(
        next["value"],
        "compare infracloud-engineering level 4 and level 5"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_route_answers_slacks_url_verification_challenge() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;

    // The URL verification handshake.
    let challenge = json!({"token": "t", "challenge": "abc123", "type": "url_verification"});
    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/events"),
        "application/json",
        challenge.to_string(),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    assert_eq!(
        response.json::<Value>().await.expect("json")["challenge"],
        "abc123"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_reminder_is_retried_after_retry_after_and_sent_once() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    fake.fail_next(
        "chat.postMessage",
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        harness::run_as(
            &seed,
            "U_MGR",
            "add @U_ANA marketing 2",
            Utc::now() - chrono::Duration::days(120),
        )
        .await;
        seed.store().close().await;
    }
    let mut config = config;
    config.tick_seconds = 1;
    let server = harness::start(config).await;
    fake.wait_for("chat.postMessage", 2, WAIT).await;
    let posts = fake.take("chat.postMessage");
    assert_eq!(posts.len(), 2, "one 429, then one delivery");
    fake.take("conversations.open");
    // Slash commands are answered meanwhile.
    let answer = post_command(&server, &fake, "U_X", "marketing titles").await;
    assert!(all_text(&answer).contains("Buffer Marketing: levels and titles"));
    harness::eventually_row(
        &server.bot,
        "SELECT status, attempts FROM outbox WHERE kind = 'reminder'",
        ("sent".to_owned(), 2_i64),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    fake.expect_none("chat.postMessage");
    server.stop().await;
}

/// The actions block with `block_id` in Block Kit `blocks`, and its position.
fn actions_block(blocks: &Value, block_id: &str) -> (usize, Value) {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .enumerate()
        .find(|(_, block)| block["type"] == "actions" && block["block_id"] == block_id)
        .map(|(position, block)| (position, block.clone()))
        .unwrap_or_else(|| panic!("no actions block {block_id} in {blocks}"))
}

/// The item block ids of the actions blocks in `blocks`, top to bottom.
fn action_block_ids(blocks: &Value) -> Vec<String> {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .filter(|block| block["type"] == "actions")
        .map(|block| block["block_id"].as_str().unwrap_or("(none)").to_owned())
        .collect()
}

/// A click on `action` in the block `block_id` of the message `ts`.
fn click_in_block(
    user: &str,
    ts: &str,
    blocks: &Value,
    block_id: &str,
    action: &Value,
    response_url: &str,
) -> Value {
    let mut payload = block_actions(user, "DU_MGR", ts, blocks, action, response_url);
    payload["actions"][0]["block_id"] = json!(block_id);
    payload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_dm_listing_several_reports_a_click_settles_only_that_persons_buttons() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        // Ana and Ben were added four months ago: both are due in the same slot.
        let seed = bot::open(&config).await;
        let added = Utc::now() - chrono::Duration::days(120);
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", added).await;
        harness::run_as(&seed, "U_MGR", "add @U_BEN marketing 1", added).await;
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // One DM lists both, each with their own buttons in their own block.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("conversations.open");
    let dm = fake.expect_one("chat.postMessage");
    assert_eq!(dm.str_param("channel"), Some("DU_MGR"));
    let blocks = dm.params["blocks"].clone();
    assert!(
        all_text(&blocks).contains("2 career conversations due"),
        "{blocks}"
    );
    assert_eq!(action_block_ids(&blocks), ["item:U_ANA", "item:U_BEN"]);
    let (ana_at, ana_actions) = actions_block(&blocks, "item:U_ANA");
    let (ben_at, ben_actions) = actions_block(&blocks, "item:U_BEN");
    let ts = "1700000000.000100";

    // Ana's "We had the conversation": the form, then the record.
    let record = button(&json!([ana_actions]), "checkin.record");
    assert!(
        record["value"]
            .as_str()
            .unwrap_or_default()
            .starts_with("U_ANA|")
    );
    let clicked = post_interaction(
        &server,
        click_in_block(
            "U_MGR",
            ts,
            &blocks,
            "item:U_ANA",
            &record,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let view = fake.expect_one("views.open").params["view"].clone();
    let today = Utc::now().date_naive().to_string();
    let submitted = post_interaction(
        &server,
        view_submission("U_MGR", &view, &today, "2", "growth plan"),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    let update = fake.expect_one("chat.update");
    assert_eq!(update.str_param("ts"), Some(ts));
    let updated = update.params["blocks"].clone();
    // Only Ana's buttons became the outcome line, where they were; Ben's are untouched.
    assert_eq!(action_block_ids(&updated), ["item:U_BEN"], "{updated}");
    assert_eq!(actions_block(&updated, "item:U_BEN"), (ben_at, ben_actions));
    assert_eq!(updated[ana_at]["type"], "context", "{updated}");
    let line = all_text(&updated[ana_at]);
    assert!(
        line.contains("Recorded: a career conversation with <@U_ANA>")
            && line.contains("(by <@U_MGR>)"),
        "{line}"
    );
    assert_eq!(
        updated.as_array().map(Vec::len),
        blocks.as_array().map(Vec::len),
        "every other block is kept"
    );
    // Ana is asked to confirm.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.expect_one("conversations.open");
    assert_eq!(
        fake.expect_one("chat.postMessage").str_param("channel"),
        Some("DU_ANA")
    );

    // Ben's "Snooze 1 week", on the message as it now is.
    let (_, ben_actions) = actions_block(&updated, "item:U_BEN");
    let snooze = button(&json!([ben_actions]), "checkin.snooze_week");
    let clicked = post_interaction(
        &server,
        click_in_block(
            "U_MGR",
            ts,
            &updated,
            "item:U_BEN",
            &snooze,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    let settled = fake.expect_one("chat.update").params["blocks"].clone();
    assert!(action_block_ids(&settled).is_empty(), "{settled}");
    assert!(
        all_text(&settled[ana_at]).contains("Recorded: a career conversation with <@U_ANA>"),
        "Ana's line stays: {settled}"
    );
    assert!(
        all_text(&settled[ben_at]).contains("Reminders about <@U_BEN> are paused"),
        "{settled}"
    );
    assert_eq!(count(&server, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(count(&server, "SELECT count(*) FROM snoozes").await, 1);
    server.stop().await;
}

#[tokio::test]
async fn thirty_reminders_for_one_slot_are_split_only_where_block_kit_requires() {
    let fake = FakeSlack::start().await;
    // The scheduler reads each recipient's status before a DM (issue 14).
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    let added: chrono::DateTime<Utc> = "2026-01-20T10:00:00Z".parse().expect("time");
    let reports: Vec<String> = (1..=30).map(|n| format!("U_R{n:02}")).collect();
    for (minute, report) in (0..).zip(&reports) {
        // A minute apart: more changes a minute than one person may make are refused.
        let at = added + chrono::Duration::minutes(minute);
        harness::run_as(&bot, "U_MGR", &format!("add @{report} marketing 2"), at).await;
    }
    let chat = career_bot::slack::chat::SlackChat::new(
        std::sync::Arc::new(fake.slack_client()),
        slack_morphism::prelude::SlackApiToken::new(harness::BOT_TOKEN.into()),
        bot.metrics(),
    );
    let due: chrono::DateTime<Utc> = "2026-04-20T09:00:00Z".parse().expect("time");
    let report = career_bot::scheduler::tick(&bot, &chat, due)
        .await
        .expect("a pass");
    assert_eq!((report.planned, report.sent, report.failed), (30, 30, 0));

    fake.expect_one("conversations.open");
    let posts = fake.take("chat.postMessage");
    // Four blocks a person (text, buttons, context, divider) and a heading: 12 fit in a
    // message of at most 50 blocks (with the 49 `render` allows before cutting), 13 do not.
    assert_eq!(posts.len(), 3, "split only where needed");
    let mut listed = Vec::new();
    for (part, post) in posts.iter().enumerate() {
        let blocks = post.params["blocks"].as_array().expect("blocks");
        assert!(blocks.len() <= 50, "{} blocks", blocks.len());
        let text = all_text(&post.params["blocks"]);
        assert!(
            text.contains(&format!(
                "30 career conversations due (part {} of 3)",
                part + 1
            )),
            "{text}"
        );
        assert!(!text.contains("shortened"), "{text}");
        for id in action_block_ids(&post.params["blocks"]) {
            listed.push(id.trim_start_matches("item:").to_owned());
        }
    }
    assert_eq!(listed.len(), 30);
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, reports, "each report exactly once");
    // Every row sent, each marked with the message it went out in.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT report_id, message_ts FROM outbox WHERE status = 'sent' ORDER BY id",
    )
    .fetch_all(bot.store().pool())
    .await
    .expect("rows");
    assert_eq!(rows.len(), 30);
    // The fake's ts increase with each post, so the rows per ts, in order, are the posts'.
    let mut per_message: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (report, ts) in &rows {
        per_message.entry(ts).or_default().push(report);
    }
    let per_post: Vec<Vec<String>> = posts
        .iter()
        .map(|post| {
            action_block_ids(&post.params["blocks"])
                .iter()
                .map(|id| id.trim_start_matches("item:").to_owned())
                .collect()
        })
        .collect();
    let mut per_row: Vec<Vec<String>> = per_message
        .into_values()
        .map(|reports| reports.into_iter().map(str::to_owned).collect())
        .collect();
    for reports in &mut per_row {
        reports.sort();
    }
    let mut per_post_sorted = per_post.clone();
    for reports in &mut per_post_sorted {
        reports.sort();
    }
    assert_eq!(
        per_row, per_post_sorted,
        "rows marked with their message's ts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_are_served() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;
    let http = harness::http();
    post_command(&server, &fake, "U1", "marketing level 2").await;
    post_command(&server, &fake, "U1", "sales level 2").await;
    let health = http
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("answer");
    assert_eq!(health.status(), 200);
    let ready = http
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("answer");
    assert_eq!(ready.status(), 200);
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("career_bot_questions_total{intent=\"level\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("career_bot_unknown_questions_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("career_bot_slack_api_duration_seconds"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_signed_request_sent_again_is_acknowledged_and_acts_only_once() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    // The acknowledgement request to Ana is not what this test is about.
    fake.ignore("conversations.open");
    fake.ignore("chat.postMessage");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", Utc::now()).await;
        seed.store().close().await;
    }
    let server = harness::start(config).await;
    let http = harness::http();
    for text in ["done @U_ANA", "level @U_ANA next"] {
        // One capture, sent three times within Slack's 5-minute window.
        let body = command_body(&fake, "U_MGR", text);
        let timestamp = harness::unix_now();
        let mut answers = Vec::new();
        for _ in 0..3 {
            let response = harness::post_signed(
                &http,
                &server.url("/slack/commands"),
                "application/x-www-form-urlencoded",
                body.clone(),
                harness::HEX_SECRET,
                timestamp,
            )
            .await;
            assert_eq!(response.status(), 200, "{text}");
            answers.push(response.text().await.expect("a body"));
        }
        assert!(answers[0].contains("\"blocks\""), "{text}: {}", answers[0]);
        assert_eq!(
            answers[1..],
            ["", ""],
            "{text}: a replay is acknowledged and nothing more"
        );
    }
    assert_eq!(count(&server, "SELECT count(*) FROM checkins").await, 1);
    assert_eq!(
        count(&server, "SELECT level FROM people WHERE user_id = 'U_ANA'").await,
        3,
        "the level moved one step, not three"
    );
    // A new request (a new timestamp and signature, as Slack's own retries have) still acts.
    let answer = post_command(&server, &fake, "U_MGR", "level @U_ANA next").await;
    assert!(all_text(&answer).contains("Level 4"), "{answer}");
    assert_eq!(
        count(&server, "SELECT level FROM people WHERE user_id = 'U_ANA'").await,
        4
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_slack_sends_escaped_is_recorded_as_typed_and_shown_escaped_once() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", Utc::now()).await;
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // Slack sends `&`, `<`, `>` typed by people as entities; its own markup stays markup.
    let answer = post_command(
        &server,
        &fake,
        "U_MGR",
        "done <@U_ANA|ana> R&amp;D review &lt;!channel&gt;",
    )
    .await;
    assert!(
        all_text(&answer).contains("Recorded: a career conversation with <@U_ANA>"),
        "{answer}"
    );
    let note: String = sqlx::query_scalar("SELECT private_note FROM checkins")
        .fetch_one(server.bot.store().pool())
        .await
        .expect("note");
    assert_eq!(note, "R&D review <!channel>");
    let history = post_command(&server, &fake, "U_MGR", "history <@U_ANA>").await;
    let shown = serde_json::to_string(&history["blocks"]).expect("JSON");
    assert!(
        shown.contains("Your private note: R&amp;D review &lt;!channel&gt;"),
        "{shown}"
    );
    assert!(
        !shown.contains("&amp;amp;") && !shown.contains("<!channel>"),
        "{shown}"
    );

    // Ana is asked to confirm; her dispute reaches her manager escaped exactly once.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.take("chat.postMessage");
    fake.take("conversations.open");
    post_command(
        &server,
        &fake,
        "U_ANA",
        "dispute R&amp;D was not discussed &lt;!here&gt;",
    )
    .await;
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    fake.take("conversations.open");
    let notice = fake.expect_one("chat.postMessage");
    assert_eq!(notice.str_param("channel"), Some("DU_MGR"));
    let sent = notice.params.to_string();
    assert!(
        all_text(&notice.params["blocks"])
            .contains("Their reason: \"R&amp;D was not discussed &lt;!here&gt;\""),
        "{sent}"
    );
    assert!(
        !sent.contains("&amp;amp;") && !sent.contains("<!here>"),
        "nothing escaped twice, no markup a person typed made live: {sent}"
    );
    let reason: String = sqlx::query_scalar("SELECT reason FROM checkin_answers")
        .fetch_one(server.bot.store().pool())
        .await
        .expect("reason");
    assert_eq!(reason, "R&D was not discussed <!here>");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_form_opened_before_the_conversation_was_recorded_in_chat_records_nothing() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let added = Utc::now() - chrono::Duration::days(120);
        harness::run_as(&seed, "U_MGR", "add <@U_ANA|ana> marketing 2", added).await;
        seed.store().close().await;
    }
    let server = harness::start(config).await;
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let reminder = fake.expect_one("chat.postMessage");
    fake.take("conversations.open");
    // What follows posts confirmation requests and settles messages: not what this is about.
    for method in [
        "chat.postMessage",
        "conversations.open",
        "chat.update",
        "response_url",
    ] {
        fake.ignore(method);
    }
    let blocks = reminder.params["blocks"].clone();
    let record = button(&blocks, "checkin.record");
    let clicked = post_interaction(
        &server,
        block_actions(
            "U_MGR",
            "DU_MGR",
            "1700000000.000100",
            &blocks,
            &record,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let view = fake.expect_one("views.open").params["view"].clone();

    // While the form is open, the conversation is recorded in chat (dated yesterday)…
    let yesterday = (Utc::now() - chrono::Duration::days(1)).date_naive();
    let typed = post_command(&server, &fake, "U_MGR", &format!("done @U_ANA {yesterday}")).await;
    assert!(all_text(&typed).contains("Recorded"), "{typed}");
    // … then the form is submitted for the same conversation, dated two days ago.
    let earlier = (Utc::now() - chrono::Duration::days(2))
        .date_naive()
        .to_string();
    let submitted = post_interaction(
        &server,
        view_submission("U_MGR", &view, &earlier, "2", "same talk"),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    let body = submitted.text().await.expect("a body");
    let answer: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    assert_eq!(
        answer["response_action"],
        "errors",
        "the form was accepted ({body:?}); conversations recorded: {}",
        count(&server, "SELECT count(*) FROM checkins").await
    );
    let said = answer["errors"]["date"].as_str().unwrap_or_default();
    assert!(
        said.contains("was recorded after this form was opened, so nothing was added"),
        "{answer}"
    );
    assert_eq!(count(&server, "SELECT count(*) FROM checkins").await, 1);
    server.stop().await;
}
