//! Hardening (issue 11): nobody takes over someone's record or reads what earlier managers
//! recorded, answers and commands cannot flood anyone's DMs, and the `ask` button only asks.
//! Shell scripts (the same handlers as Slack) with the clock set by `:now`, and the real
//! server with signed requests against the fake Slack for the Slack routes.

use std::time::Duration;

use career_bot::bot::Bot;
use career_bot::shell::Shell;
use chrono::Utc;
use serde_json::{Value, json};

use crate::support::bot::bot_in;
use crate::support::harness::{self, all_text, button};
use crate::support::shell::run;
use crate::support::{self, FakeSlack, bot};

async fn shell_bot(dir: &std::path::Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

async fn count(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("count query")
}

fn dms_to(output: &str, user: &str) -> usize {
    output.matches(&format!("[DM to {user}]")).count()
}

/// The boss had Ana on their team from January: a conversation in June with a private note,
/// which Ana disputed with a reason; then the boss removed her.
async fn ana_removed_by_the_boss(bot: &Bot) -> Shell<'_> {
    let mut shell =
        Shell::new(bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            ":now 2026-06-15T10:00:00Z",
            "done @ana boss-private-note",
            ":as ana",
            "dispute my-dispute-reason",
            ":as boss",
            ":tick",
            "remove @ana",
            ":now 2026-06-16T10:00:00Z",
        ],
    )
    .await;
    shell
}

#[tokio::test]
async fn adding_someone_who_had_another_manager_asks_them_first_and_opens_none_of_their_earlier_history()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell = ana_removed_by_the_boss(&bot).await;

    let out = run(&mut shell, &[":as mallory", "add @ana marketing 3"]).await;
    assert!(
        out.contains("@ana has had another manager before, so I've asked them"),
        "{out}"
    );
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM people WHERE user_id = 'ana' AND active = 1"
        )
        .await,
        0,
        "not added before she says yes"
    );
    // Nothing of Ana's record is theirs to read or write yet.
    let out = run(
        &mut shell,
        &["history @ana", "done @ana", "done @ana yesterday"],
    )
    .await;
    assert!(
        out.contains("Only @ana, their manager or an admin"),
        "{out}"
    );
    assert!(!out.contains("my-dispute-reason"), "{out}");
    assert!(!out.contains("Recorded"), "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM checkins").await, 1);
    // Asking again updates the open request: one DM, saying the latest.
    let out = run(&mut shell, &["add @ana marketing 2", ":tick"]).await;
    assert!(out.contains("You had already asked @ana"), "{out}");
    assert_eq!(dms_to(&out, "ana"), 1, "{out}");
    assert!(
        out.contains("@mallory wants to add you to their team (Buffer Marketing, Level 2"),
        "{out}"
    );
    assert!(out.contains("accept @mallory"), "{out}");

    // Ana says yes; Mallory is told, and sees her record from then on only.
    let out = run(&mut shell, &[":as ana", "accept @mallory"]).await;
    assert!(out.contains("You are on @mallory's team now"), "{out}");
    let out = run(&mut shell, &[":tick"]).await;
    assert_eq!(dms_to(&out, "mallory"), 1, "{out}");
    assert!(out.contains("@ana said yes"), "{out}");
    let out = run(&mut shell, &[":as mallory", "history @ana"]).await;
    assert!(
        out.contains("Added to @mallory's team (Buffer Marketing, Level 2: Strategist) at their request, confirmed, by @ana"),
        "{out}"
    );
    for earlier in [
        "2026-06-15",
        "my-dispute-reason",
        "boss-private-note",
        "Removed",
        "@boss",
    ] {
        assert!(!out.contains(earlier), "{earlier} shown to mallory: {out}");
    }
    let out = run(&mut shell, &["done @ana"]).await;
    assert!(out.contains("Recorded"), "{out}");
    // Ana herself still sees everything about her, and the boss what happened in their time.
    let out = run(&mut shell, &[":as ana", "history"]).await;
    assert!(out.contains("my-dispute-reason"), "{out}");
    assert!(out.contains("Added to @mallory's team"), "{out}");
    let out = run(&mut shell, &[":as boss", "history @ana"]).await;
    assert!(out.contains("boss-private-note"), "{out}");
    assert!(!out.contains("2026-06-16"), "{out}");
}

#[tokio::test]
async fn a_person_who_says_no_is_not_added_and_the_same_manager_asks_again_only_a_day_later() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell = ana_removed_by_the_boss(&bot).await;
    run(
        &mut shell,
        &[":as mallory", "add @ana marketing 2", ":tick"],
    )
    .await;
    let out = run(&mut shell, &[":as ana", "decline @mallory", ":tick"]).await;
    assert!(out.contains("You said no"), "{out}");
    assert_eq!(dms_to(&out, "mallory"), 1, "{out}");
    assert!(out.contains("@ana said no to joining your team"), "{out}");
    let out = run(&mut shell, &["accept @mallory"]).await;
    assert!(out.contains("You already said no"), "{out}");
    // The same day, asking again sends nothing.
    let out = run(
        &mut shell,
        &[":as mallory", "add @ana marketing 2", ":tick"],
    )
    .await;
    assert!(
        out.contains("said no to joining your team on 2026-06-16"),
        "{out}"
    );
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM people WHERE user_id = 'ana' AND active = 1"
        )
        .await,
        0
    );
    // Someone else is not asked to answer for Ana.
    let out = run(&mut shell, &[":as eve", "accept @mallory"]).await;
    assert!(
        out.contains("There is no open request from @mallory"),
        "{out}"
    );
    // A day later it may ask again.
    let out = run(
        &mut shell,
        &[
            ":now 2026-06-17T10:00:00Z",
            ":as mallory",
            "add @ana marketing 2",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "ana"), 1, "{out}");
}

#[tokio::test]
async fn an_admin_adds_someone_who_had_another_manager_directly_and_reads_everything_but_private_notes()
 {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell = ana_removed_by_the_boss(&bot).await;
    let out = run(&mut shell, &[":as admin", "add @ana marketing 2", ":tick"]).await;
    assert!(out.contains("Added @ana to your team"), "{out}");
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    let out = run(&mut shell, &["history @ana"]).await;
    assert!(out.contains("my-dispute-reason"), "{out}");
    assert!(out.contains("Removed from their team"), "{out}");
    assert!(!out.contains("boss-private-note"), "{out}");
    // The boss adding back someone who only ever had them as manager needs nobody's yes.
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell = ana_removed_by_the_boss(&bot).await;
    let out = run(&mut shell, &["add @ana marketing 2"]).await;
    assert!(out.contains("Added @ana to your team"), "{out}");
}

#[tokio::test]
async fn history_shows_a_manager_only_their_time_the_person_everything_and_admins_no_private_notes()
{
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            ":now 2026-03-02T10:00:00Z",
            "done @ana boss-note",
            "snooze @ana 2w boss-planning",
            ":now 2026-04-01T10:00:00Z",
            "move @ana @carol",
            ":as carol",
            ":now 2026-05-04T10:00:00Z",
            "done @ana carol-note",
            "level @ana 3",
            "move @ana @boss",
            ":as boss",
            ":now 2026-06-01T10:00:00Z",
            "level @ana 4",
        ],
    )
    .await;
    let carol = run(&mut shell, &[":as carol", "history @ana"]).await;
    for shown in [
        "Moved from @boss's team to @carol's, by @boss",
        "2026-05-04",
        "Your private note: carol-note",
        "Level changed from Level 2 to Level 3",
        "Moved from @carol's team to @boss's, by @carol",
        "You see what happened while @ana was on your team",
    ] {
        assert!(carol.contains(shown), "carol misses {shown:?}:\n{carol}");
    }
    for hidden in [
        "2026-03-02",
        "boss-note",
        "boss-planning",
        "Added to",
        "Level 4",
    ] {
        assert!(!carol.contains(hidden), "carol reads {hidden:?}:\n{carol}");
    }
    let boss = run(&mut shell, &[":as boss", "history @ana"]).await;
    for shown in [
        "Added to @boss's team",
        "Your private note: boss-note",
        "boss-planning",
        "Moved from @boss's team to @carol's",
        "Moved from @carol's team to @boss's",
        "Level changed from Level 3 to Level 4",
    ] {
        assert!(boss.contains(shown), "boss misses {shown:?}:\n{boss}");
    }
    for hidden in ["recorded by @carol", "carol-note", "Level 2 to Level 3"] {
        assert!(!boss.contains(hidden), "boss reads {hidden:?}:\n{boss}");
    }
    let ana = run(&mut shell, &[":as ana", "history"]).await;
    for shown in ["2026-03-02", "2026-05-04", "Added to", "Level 3 to Level 4"] {
        assert!(ana.contains(shown), "ana misses {shown:?}:\n{ana}");
    }
    for hidden in ["boss-note", "carol-note", "boss-planning", "You see what"] {
        assert!(!ana.contains(hidden), "ana reads {hidden:?}:\n{ana}");
    }
    let admin = run(&mut shell, &[":as admin", "history @ana"]).await;
    for shown in ["2026-03-02", "2026-05-04", "boss-planning", "Added to"] {
        assert!(admin.contains(shown), "admin misses {shown:?}:\n{admin}");
    }
    for hidden in ["boss-note", "carol-note"] {
        assert!(!admin.contains(hidden), "admin reads {hidden:?}:\n{admin}");
    }
}

#[tokio::test]
async fn answers_changed_back_and_forth_reach_the_manager_once_a_day_saying_the_latest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-06-15T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2", "done @ana", ":tick"]).await;
    let out = run(
        &mut shell,
        &[
            ":as ana",
            "dispute first",
            "ack",
            "dispute second",
            "ack",
            "dispute third",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("Their reason: \"third\""), "{out}");
    assert!(!out.contains("\"first\""), "{out}");
    // Once told today, more toggles the same day send nothing; the answers are all kept.
    let out = run(&mut shell, &["ack", "dispute fourth", ":tick"]).await;
    assert!(
        out.contains("@boss was already told about a dispute today"),
        "{out}"
    );
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM checkin_answers").await, 7);
    let out = run(&mut shell, &[":as boss", "history @ana"]).await;
    assert!(out.contains("\"fourth\""), "{out}");
    // The next day, the latest answer reaches the manager again.
    let out = run(
        &mut shell,
        &[
            ":as ana",
            ":now 2026-06-16T10:00:00Z",
            "ack",
            "dispute fifth",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("\"fifth\""), "{out}");
}

#[tokio::test]
async fn more_than_twenty_changes_a_minute_get_a_sentence_and_nothing_more_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = shell_bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-06-15T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", ":now 2026-06-15T10:01:00Z"],
    )
    .await;
    for round in 0..10 {
        let out = run(&mut shell, &["snooze @ana 1w", "unsnooze @ana"]).await;
        assert!(out.contains("are on again"), "round {round}: {out}");
    }
    let audited = count(&bot, "SELECT count(*) FROM audit_log").await;
    let out = run(&mut shell, &["level @ana 4"]).await;
    assert!(
        out.contains("You have made 20 changes in the last minute"),
        "{out}"
    );
    assert!(out.contains("nothing was recorded"), "{out}");
    assert!(out.contains("Try again in 60 seconds"), "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM audit_log").await, audited);
    assert_eq!(
        count(&bot, "SELECT count(*) FROM people WHERE level = 2").await,
        1
    );
    // Questions and commands that only show things are not limited, nor are other people.
    let out = run(&mut shell, &["team", "what does level 3 marketing need"]).await;
    assert!(out.contains("Your reports"), "{out}");
    assert!(!out.contains("changes in the last minute"), "{out}");
    let out = run(&mut shell, &[":as carol", "timezone Europe/Berlin"]).await;
    assert!(out.contains("Your time zone is now Europe/Berlin"), "{out}");
    // A minute after the first of them, the boss may change things again.
    let out = run(
        &mut shell,
        &[":as boss", ":now 2026-06-15T10:02:00Z", "level @ana 4"],
    )
    .await;
    assert!(out.contains("is now at"), "{out}");
}

// ---- Slack: the real routes with signed requests against the fake Slack ----

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

/// A click on `action_id` with `value`, by `user`, on a message in `channel`.
fn click(user: &str, channel: &str, action_id: &str, value: &str, response_url: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": support::TEAM_ID, "domain": "fake" },
        "user": { "id": user, "username": user, "team_id": support::TEAM_ID },
        "api_app_id": support::APP_ID,
        "container": { "type": "message", "message_ts": "1700000000.000100", "channel_id": channel, "is_ephemeral": false },
        "trigger_id": "1337.42.trigger",
        "channel": { "id": channel, "name": "directmessage" },
        "message": { "type": "message", "ts": "1700000000.000100", "text": "a message", "blocks": [] },
        "response_url": response_url,
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "b1",
            "text": { "type": "plain_text", "text": "Button" },
            "value": value,
            "action_ts": "1700000001.000001"
        }]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_button_carrying_a_command_that_writes_is_refused_and_records_nothing() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let out = harness::run_as(&seed, "U_MGR", "add <@U_ANA> marketing 2", Utc::now()).await;
        assert!(out.contains("Added @U_ANA"), "{out}");
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // A forged but correctly signed click: the manager's own `done`, smuggled in an ask value.
    let url = fake.response_url();
    let clicked = post_interaction(
        &server,
        click("U_MGR", "DU_MGR", "ask", "done <@U_ANA> forged", &url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = all_text(&fake.expect_one("response_url").params);
    assert!(told.contains("only answers questions"), "{told}");
    let recorded: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM checkins)
              + (SELECT count(*) FROM audit_log WHERE action = 'checkin.recorded')
              + (SELECT count(*) FROM outbox)",
    )
    .fetch_one(server.bot.store().pool())
    .await
    .expect("count");
    assert_eq!(recorded, 0, "nothing recorded, nothing queued");

    // The same button with a question, or a command that only shows things, still answers.
    let url = fake.response_url();
    let clicked = post_interaction(
        &server,
        click("U_MGR", "DU_MGR", "ask", "history <@U_ANA>", &url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = all_text(&fake.expect_one("response_url").params);
    assert!(told.contains("Career conversations"), "{told}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yes_button_on_a_request_to_join_a_team_adds_the_person_and_only_for_them() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    fake.ignore("users.info");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = harness::config(dir.path(), &fake.api_url(), false, &[]);
    {
        let seed = bot::open(&config).await;
        let now = Utc::now();
        harness::run_as(&seed, "U_OLD", "add <@U_ANA> marketing 2", now).await;
        harness::run_as(&seed, "U_OLD", "remove <@U_ANA>", now).await;
        let out = harness::run_as(&seed, "U_NEW", "add <@U_ANA> marketing 3", now).await;
        assert!(out.contains("I've asked them"), "{out}");
        seed.store().close().await;
    }
    let server = harness::start(config).await;

    // The scheduler DMs Ana the request, with yes and no.
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_ANA"]));
    let asked = fake.expect_one("chat.postMessage");
    let blocks = asked.params["blocks"].clone();
    let text = all_text(&blocks);
    assert!(
        text.contains("<@U_NEW> wants to add you to their team"),
        "{text}"
    );
    button(&blocks, "team.decline");
    let yes = button(&blocks, "team.accept");
    let value = yes["value"].as_str().expect("a value").to_owned();

    // The button's value in someone else's hands does nothing.
    let url = fake.response_url();
    let clicked = post_interaction(
        &server,
        click("U_NEW", "DU_NEW", "team.accept", &value, &url),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("response_url", 1, WAIT).await;
    let told = all_text(&fake.expect_one("response_url").params);
    assert!(told.contains("There is no open request"), "{told}");

    // Ana's click adds her to U_NEW's team; her message is settled and U_NEW is told.
    let clicked = post_interaction(
        &server,
        click(
            "U_ANA",
            "DU_ANA",
            "team.accept",
            &value,
            &fake.response_url(),
        ),
    )
    .await;
    assert_eq!(clicked.status(), 200);
    fake.wait_for("chat.update", 1, WAIT).await;
    let settled = all_text(&fake.expect_one("chat.update").params["blocks"]);
    assert!(
        settled.contains("You are on <@U_NEW>'s team now"),
        "{settled}"
    );
    harness::eventually_row(
        &server.bot,
        "SELECT manager_id, active, level FROM people WHERE user_id = 'U_ANA'",
        ("U_NEW".to_owned(), 1_i64, 3_i64),
    )
    .await;
    fake.wait_for("chat.postMessage", 1, WAIT).await;
    let open = fake.expect_one("conversations.open");
    assert_eq!(open.params["users"], json!(["U_NEW"]));
    let notice = all_text(&fake.expect_one("chat.postMessage").params);
    assert!(notice.contains("<@U_ANA> said yes"), "{notice}");
    server.stop().await;
}
