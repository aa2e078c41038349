//! Slack's limits and deadlines, end to end over HTTP: a long answer is split with a
//! "Show more" button that shows the rest; a command that takes longer than Slack's 3 seconds
//! is answered "Working on it…" at once and for real through the response_url; people's time
//! zones come from users.info; and a message that keeps failing for a day is reported.

use crate::support::{self, bot, harness};

use harness::all_text;

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use support::FakeSlack;

const WAIT: Duration = Duration::from_secs(15);

async fn command(server: &harness::Running, fake: &FakeSlack, user: &str, text: &str) -> Value {
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
    response.json().await.expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_is_split_with_a_show_more_button_that_shows_the_rest() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        // Sixty recorded conversations: a history far longer than one message.
        let seed = bot::open(&config).await;
        let start = Utc::now() - chrono::Duration::days(400);
        harness::run_as(&seed, "U_MGR", "add @U_ANA marketing 2", start).await;
        for day in 0..60 {
            let date = (start + chrono::Duration::days(day * 5)).date_naive();
            // A minute apart: more changes a minute than one person may make are refused.
            let now = Utc::now() - chrono::Duration::minutes(60 - day);
            harness::run_as(&seed, "U_MGR", &format!("done @U_ANA {date}"), now).await;
        }
        seed.store().close().await;
    }
    // Reminder and acknowledgement DMs are not what this test is about.
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let server = harness::start(config).await;

    let first = command(&server, &fake, "U_MGR", "history @U_ANA").await;
    let blocks = first["blocks"].as_array().expect("blocks");
    assert_eq!(blocks.len(), 50, "a full message, never more");
    let more = &blocks[49]["elements"][0];
    assert_eq!(more["action_id"], "reply.more");
    let shown_first = all_text(&first["blocks"]);

    let response_url = fake.response_url();
    let click = json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": "U_MGR", "username": "mgr", "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": "1.2", "channel_id": "C1", "is_ephemeral": true },
        "trigger_id": "1.2.4",
        "response_url": response_url,
        "actions": [{ "type": "button", "action_id": "reply.more", "block_id": "b", "text": more["text"], "value": more["value"], "action_ts": "1.3" }]
    });
    let response = harness::post_signed(
        &harness::http(),
        &server.url("/slack/interactions"),
        "application/x-www-form-urlencoded",
        harness::form(&[("payload", &click.to_string())]),
        harness::HEX_SECRET,
        harness::unix_now(),
    )
    .await;
    assert_eq!(response.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let second = fake.expect_one("response_url");
    assert_eq!(second.params["replace_original"], true);
    let second_blocks = second.params["blocks"].as_array().expect("blocks");
    assert!(!second_blocks.is_empty() && second_blocks.len() <= 50);
    let shown_second = all_text(&second.params["blocks"]);
    assert_ne!(shown_first, shown_second, "the next part, not the same one");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_is_answered_at_once_and_completed_through_the_response_url() {
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
    fake.ignore("chat.postMessage");
    fake.ignore("conversations.open");
    let server = harness::start(config).await;

    // Another process holds the database's write lock for four seconds: recording waits.
    let lock =
        sqlx::SqlitePool::connect(&format!("sqlite:{}", dir.path().join("bot.db").display()))
            .await
            .expect("second connection");
    let mut locked = lock.acquire().await.expect("connection");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut *locked)
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let answer = command(&server, &fake, "U_MGR", "done @U_ANA").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "Slack's 3-second deadline: {:?}",
        started.elapsed()
    );
    assert!(all_text(&answer).contains("Working on it"), "{answer}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sqlx::query("COMMIT")
        .execute(&mut *locked)
        .await
        .expect("unlock");
    drop(locked);

    fake.wait_for("response_url", 1, WAIT).await;
    let follow_up = fake.expect_one("response_url");
    assert!(
        all_text(&follow_up.params).contains("Recorded: a career conversation with <@U_ANA>"),
        "{}",
        follow_up.params
    );
    harness::eventually_row(&server.bot, "SELECT count(*) FROM checkins", (1_i64,)).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_zones_come_from_users_info() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.set_user("U_MIA", "Mia", "Asia/Tokyo");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = harness::start(harness::config(dir.path(), &fake.api_url(), false, &[])).await;
    command(&server, &fake, "U_MIA", "help").await;
    command(&server, &fake, "U_MIA", "team").await;
    fake.wait_for("users.info", 1, WAIT).await;
    let call = fake.expect_one("users.info");
    assert_eq!(call.str_param("user"), Some("U_MIA"));
    harness::eventually_row(
        &server.bot,
        "SELECT display_name, time_zone FROM people WHERE user_id = 'U_MIA'",
        ("Mia".to_owned(), Some("Asia/Tokyo".to_owned())),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.expect_none("users.info");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_over_4000_characters_is_refused_with_a_sentence_in_slack_and_the_shell() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    let shell_bot = bot::open(&config).await;
    let server = harness::start(config).await;
    let refusal =
        "That question is 6,599 characters long; I read questions of up to 4,000 characters.";

    // 200 times a question Slack would answer, as one slash command: refused, unread.
    let long = "what does level 3 happiness need ".repeat(200);
    let long = long.trim();
    let answer = command(&server, &fake, "U_ASKER", long).await;
    assert!(all_text(&answer).contains(refusal), "{answer}");

    // The shell reads questions through the same handlers, and refuses the same way.
    let mut shell =
        career_bot::shell::Shell::new(&shell_bot, Some("U_ASKER".into()), None).expect("a shell");
    let printed = support::shell::run(&mut shell, &[long]).await;
    assert!(printed.contains(refusal), "{printed}");

    // Exactly 4,000 characters is still a question.
    let tail = " level 3 happiness";
    let at_limit = format!("please{}{tail}", " ".repeat(4_000 - 6 - tail.len()));
    assert_eq!(at_limit.chars().count(), 4_000);
    let answer = command(&server, &fake, "U_ASKER", &at_limit).await;
    assert_eq!(
        answer["blocks"][0]["text"]["text"], "Buffer Happiness · Level 3: Happiness Hero III",
        "{answer}"
    );
    server.stop().await;
    shell_bot.store().close().await;
}
