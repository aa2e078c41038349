//! The "Log as evidence" message shortcut end to end: signed requests to the real routes of
//! the real server, the fake Slack Web API behind it.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::support::{self, Failure, FakeSlack, bot, harness};
use harness::all_text;

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

/// The payload Slack sends when `user` picks "Log as evidence" on a message.
fn shortcut(
    user: &str,
    channel: &str,
    ts: &str,
    thread_ts: Option<&str>,
    text: &str,
    response_url: &str,
) -> Value {
    let mut message = json!({ "type": "message", "ts": ts, "text": text, "user": "U_OTHER" });
    if let Some(thread_ts) = thread_ts {
        message["thread_ts"] = json!(thread_ts);
    }
    json!({
        "type": "message_action",
        "token": "unused",
        "action_ts": "1700000100.000001",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "channel": { "id": channel, "name": "general" },
        "callback_id": "log_evidence",
        "trigger_id": "1337.44.trigger",
        "message_ts": ts,
        "message": message,
        "response_url": response_url,
    })
}

/// A submission of the opened `view`: the text and link as prefilled, the dimension and the
/// person as chosen (the initial options unless given), and a note.
fn submission(user: &str, view: &Value, view_id: &str, for_whom: Option<&str>) -> Value {
    let block = |id: &str| {
        view["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .find(|block| block["block_id"] == id)
            .cloned()
    };
    let mut values = json!({
        "text": { "text": { "type": "plain_text_input", "value": block("text").expect("text")["element"]["initial_value"] } },
        "link": { "link": { "type": "plain_text_input", "value": block("link").expect("link")["element"]["initial_value"] } },
        "note": { "note": { "type": "plain_text_input", "value": "from the retro" } },
    });
    if let Some(dimension) = block("dimension") {
        values["dimension"] = json!({ "dimension": {
            "type": "static_select", "selected_option": dimension["element"]["initial_option"] } });
    }
    if let Some(person) = for_whom {
        values["for"] = json!({ "for": { "type": "static_select", "selected_option": {
            "text": { "type": "plain_text", "text": person }, "value": person } } });
    }
    json!({
        "type": "view_submission",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "trigger_id": "1337.45.trigger",
        "view": {
            "id": view_id,
            "team_id": support::TEAM_ID,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "title": view["title"],
            "blocks": view["blocks"],
            "hash": "1700000000.abc",
            "state": { "values": values }
        }
    })
}

async fn evidence_rows(
    server: &harness::Running,
) -> Vec<(
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
)> {
    sqlx::query_as("SELECT person_id, author_id, dimension, link, note FROM evidence ORDER BY id")
        .fetch_all(server.bot.store().pool())
        .await
        .expect("rows")
}

fn block<'v>(view: &'v Value, id: &str) -> Option<&'v Value> {
    view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|block| block["block_id"] == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_shortcut_opens_a_prefilled_form_and_its_submission_logs_once() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let out =
            harness::run_as(&seed, "U_BOSS", "add <@U_ANA|ana> marketing 2", Utc::now()).await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // Ana, on a message in a thread of a channel: the form opens with its words (Slack's
    // markup made plain), its permalink, and the dimension its words best support.
    let response_url = fake.response_url();
    let said = "Measured the impact of the spring campaign &amp; connected it to <https://x.test/r|results>";
    let clicked = post_interaction(
        &server,
        shortcut(
            "U_ANA",
            "C_GENERAL",
            "1700000000.000200",
            Some("1700000000.000100"),
            said,
            &response_url,
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    let permalink = fake.expect_one("chat.getPermalink");
    assert_eq!(permalink.str_param("channel"), Some("C_GENERAL"));
    assert_eq!(permalink.str_param("message_ts"), Some("1700000000.000200"));
    let view = fake.expect_one("views.open").params["view"].clone();
    assert_eq!(view["callback_id"], "evidence.log");
    assert_eq!(
        block(&view, "text").expect("text")["element"]["initial_value"],
        "Measured the impact of the spring campaign & connected it to results (https://x.test/r)"
    );
    assert_eq!(
        block(&view, "link").expect("link")["element"]["initial_value"],
        "https://fake-team.slack.com/archives/C_GENERAL/p1700000000000200"
    );
    assert_eq!(
        block(&view, "dimension").expect("dimension")["element"]["initial_option"]["value"],
        "d:buffer-marketing:How work is conducted"
    );
    assert!(block(&view, "for").is_none(), "Ana has no reports: {view}");

    // Submitting logs it, once however often it is submitted, and confirms it to Ana alone.
    for attempt in 0..2 {
        // Slack signs each submission anew (an identical request would be a replay).
        let mut payload = submission("U_ANA", &view, "V_ANA_1", None);
        payload["trigger_id"] = json!(format!("1337.45.trigger-{attempt}"));
        let submitted = post_interaction(&server, payload).await;
        assert_eq!(submitted.status(), 200);
    }
    fake.wait_for("response_url", 2, WAIT).await;
    let confirmations = fake.take("response_url");
    let first = all_text(&confirmations[0].params);
    assert!(
        first.contains("Logged E1 for you, as evidence of How work is conducted"),
        "{first}"
    );
    assert_ne!(confirmations[0].params["response_type"], "in_channel");
    assert_ne!(
        confirmations[0].params["replace_original"], true,
        "the message is never changed"
    );
    assert!(all_text(&confirmations[1].params).contains("Already logged as E1"));
    fake.expect_none("chat.update");
    assert_eq!(
        evidence_rows(&server).await,
        [(
            "U_ANA".to_owned(),
            "U_ANA".to_owned(),
            Some("How work is conducted".to_owned()),
            Some("https://fake-team.slack.com/archives/C_GENERAL/p1700000000000200".to_owned()),
            Some("from the retro".to_owned())
        )]
    );

    // Her manager, on a DM Slack gives no permalink for, and a message longer than the limit:
    // the form is trimmed to 3,000 characters, the link made from the workspace's domain, and
    // it offers Ana. Logged for her, she is told by DM.
    fake.fail_next(
        "chat.getPermalink",
        Failure::SlackError("channel_not_found"),
    );
    let long = format!(
        "Ana handled the press enquiry alone. {}",
        "More. ".repeat(600)
    );
    let clicked = post_interaction(
        &server,
        shortcut(
            "U_BOSS",
            "D_BOSS_OTHER",
            "1700000000.000300",
            None,
            &long,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("views.open", 1, WAIT).await;
    fake.expect_one("chat.getPermalink");
    let view = fake.expect_one("views.open").params["view"].clone();
    let text = block(&view, "text").expect("text")["element"]["initial_value"]
        .as_str()
        .expect("text")
        .to_owned();
    assert_eq!(text.chars().count(), 3_000);
    assert_eq!(
        block(&view, "link").expect("link")["element"]["initial_value"],
        "https://fake.slack.com/archives/D_BOSS_OTHER/p1700000000000300"
    );
    let offered = all_text(&block(&view, "for").expect("for")["element"]["options"]);
    assert!(
        offered.contains("Yourself") && offered.contains("U_ANA"),
        "{offered}"
    );
    let submitted = post_interaction(
        &server,
        submission("U_BOSS", &view, "V_BOSS_1", Some("U_ANA")),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let confirmation = all_text(&fake.expect_one("response_url").params);
    assert!(
        confirmation.contains("Logged E2 for <@U_ANA>"),
        "{confirmation}"
    );
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_ANA"]));
    let dm = fake.expect_one("chat.postMessage");
    assert_eq!(dm.str_param("channel"), Some("DU_ANA"));
    let told = all_text(&dm.params["blocks"]);
    assert!(told.contains("<@U_BOSS> logged E2"), "{told}");
    assert!(told.contains("handled the press enquiry alone"), "{told}");
    let rows = evidence_rows(&server).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str()),
        ("U_ANA", "U_BOSS")
    );
    server.stop().await;
}
