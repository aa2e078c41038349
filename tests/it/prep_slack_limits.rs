//! `prep` in Slack stays within Block Kit's limits however much there is to show (issue 13):
//! 200 pieces of evidence of nearly the longest length accepted, both sides' assessments with
//! long notes and long topics, asked as a signed `/career prep @person` on the real route.

use crate::support::{self, bot, harness};

use chrono::{Duration, Utc};
use serde_json::Value;
use support::FakeSlack;

/// Slack's limits for what a message may hold (Block Kit reference): 50 blocks, 3,000
/// characters in a section's text or a field, 150 in a header, 10 elements in a context.
fn assert_within_block_kit_limits(blocks: &[Value]) {
    assert!(!blocks.is_empty(), "an answer");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    for block in blocks {
        let chars = |value: &Value| value.as_str().map_or(0, |text| text.chars().count());
        match block["type"].as_str() {
            Some("header") => assert!(chars(&block["text"]["text"]) <= 150, "{block}"),
            Some("section") => {
                assert!(
                    chars(&block["text"]["text"]) <= 3_000,
                    "section text too long"
                );
                for field in block["fields"].as_array().into_iter().flatten() {
                    assert!(chars(&field["text"]) <= 2_000, "field too long");
                }
            }
            Some("context") => {
                let elements = block["elements"].as_array().expect("context elements");
                assert!(elements.len() <= 10, "{block}");
                for element in elements {
                    assert!(chars(&element["text"]) <= 3_000, "context text too long");
                }
            }
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prep_with_two_hundred_long_pieces_of_evidence_stays_within_block_kit_limits() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    let long = |what: &str| format!("{what} ").repeat(2_900 / (what.len() + 1));
    {
        let seed = bot::open(&config).await;
        let start = Utc::now() - Duration::days(120);
        let added = harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", start).await;
        assert!(added.contains("U_ANA"), "{added}");
        for entry in 0..200 {
            // A minute apart: more changes a minute than one person may make are refused.
            let now = Utc::now() - Duration::minutes(400 - entry);
            let text = long(&format!(
                "Entry {entry}: ran the launch campaign and owned it"
            ));
            let logged = harness::run_as(&seed, "U_ANA", &format!("log {text}"), now).await;
            assert!(logged.contains("Logged"), "{logged}");
        }
        let note = long("because the numbers said so");
        let now = Utc::now() - Duration::minutes(150);
        for (step, (user, prefix)) in [("U_ANA", ""), ("U_MGR", "@U_ANA ")].iter().enumerate() {
            for (index, dimension) in ["Scope of influence", "How work is conducted", "Ownership"]
                .iter()
                .enumerate()
            {
                let at = now + Duration::minutes((step * 10 + index) as i64);
                let set = harness::run_as(
                    &seed,
                    user,
                    &format!("assess {prefix}{dimension} sometimes {note}"),
                    at,
                )
                .await;
                assert!(!set.contains("isn't"), "{set}");
            }
            let at = now + Duration::minutes((step * 10 + 5) as i64);
            let done = harness::run_as(&seed, user, &format!("assess {prefix}done"), at).await;
            assert!(done.to_lowercase().contains("submitted"), "{done}");
        }
        seed.store().close().await;
    }
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let server = harness::start(config).await;

    for (user, text) in [("U_MGR", "prep @U_ANA"), ("U_ANA", "prep")] {
        let body = harness::form(&[
            ("team_id", support::TEAM_ID),
            ("channel_id", "C1"),
            ("user_id", user),
            ("command", "/career"),
            ("text", text),
            ("response_url", &fake.response_url()),
            ("trigger_id", "1.2.3"),
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
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.expect("JSON");
        let blocks = answer["blocks"].as_array().expect("blocks");
        assert_within_block_kit_limits(blocks);
        let shown = harness::all_text(&answer["blocks"]);
        // The view is about Ana's evidence, and shows the newest entry.
        assert!(shown.contains("Entry 199"), "{text}: {shown}");
    }
}
