//! Questions about the asker ("what level am I", "how do I get promoted") where the asker is
//! known: in the shell, through `career-bot ask --as USER --db PATH` (text and `--json`), and
//! as a signed slash command to the real HTTP route. Each is answered from the asker's own
//! record, or says they are not tracked and who can add them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use career_bot::shell::Shell;
use chrono::Utc;
use serde_json::Value;

use crate::support::{self, FakeSlack, binary, bot, harness};

/// The sentence for someone the bot does not track.
const NOT_TRACKED: &str = "You are not tracked on a career framework yet, so I have no level to show you: your manager can add you with `add @you FRAMEWORK LEVEL`, or an admin with `career-bot import-org`.";

/// The shell as `boss`, who adds `ana` (Marketing 2), `top` (Happiness 3, its top level) and
/// `gone` (then removed), then runs `lines`.
async fn shell_transcript(lines: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot::bot_in(dir.path(), &[]).await;
    let mut shell = Shell::new(&bot, Some("boss".into()), Some("2026-02-20")).expect("shell");
    let setup = support::shell::run(
        &mut shell,
        &[
            "add @ana marketing 2",
            "add @top happiness 3",
            "add @gone engineering 4",
            "remove @gone",
        ],
    )
    .await;
    assert!(setup.contains("Added @ana"), "{setup}");
    support::shell::run(&mut shell, lines).await
}

#[tokio::test]
async fn in_the_shell_a_tracked_person_gets_their_level_and_what_the_next_one_adds() {
    let text = shell_transcript(&[":as ana", "what level am I", "how do I get promoted"]).await;
    let (level, next) = text
        .split_once("Buffer Marketing: Level 2 → Level 3")
        .expect(&text);
    assert!(
        level.contains("Buffer Marketing · Level 2: Strategist")
            && level.contains("Your record puts you at Level 2 of Buffer Marketing: Strategist.")
            && level.contains("(type: compare buffer-marketing level 2 and level 3)"),
        "{level}"
    );
    assert!(
        next.contains("Below is what Level 3 (Coordinator) adds.")
            && next.contains("Ownership: what Level 3 adds"),
        "{next}"
    );
}

#[tokio::test]
async fn in_the_shell_the_top_level_says_there_is_no_next_one_and_shows_the_level() {
    let text = shell_transcript(&[":as top", "what do I need for my next level"]).await;
    assert!(
        text.contains("Buffer Happiness · Level 3: Happiness Hero III")
            && text.contains("its top level, so there is no next level to reach"),
        "{text}"
    );
    assert!(!text.contains("→ Level"), "{text}");
}

#[tokio::test]
async fn in_the_shell_someone_not_tracked_is_told_who_can_add_them() {
    // A manager only (boss), someone removed (gone) and someone never added (newbie).
    let text = shell_transcript(&[
        "what level am I",
        ":as gone",
        "what's my next level",
        ":as newbie",
        "how do I get promoted",
    ])
    .await;
    assert_eq!(text.matches(NOT_TRACKED).count(), 3, "{text}");
    assert!(!text.contains("Buffer Engineering · Level 4"), "{text}");
}

#[tokio::test]
async fn a_manager_asking_about_themselves_sees_their_own_record_not_a_reports() {
    let text = shell_transcript(&[":as boss", "what level am I"]).await;
    assert!(text.contains(NOT_TRACKED), "{text}");
    assert!(!text.contains("Strategist"), "{text}");
}

/// A database made by the binary's shell: `boss` adds `ana` (Marketing 2) and `top`
/// (Happiness 3).
fn database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bot.db");
    let output = run_with_stdin(
        dir.path(),
        &["shell", "--db", db.to_str().expect("utf-8"), "--as", "boss"],
        "add @ana marketing 2\nadd @top happiness 3\n",
    );
    assert!(output.status.success(), "{output:?}");
    (dir, db)
}

fn run_with_stdin(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = binary::career_bot(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the script");
    child.wait_with_output().expect("the binary finishes")
}

/// `career-bot ask --as USER --db DB --json QUESTION`, parsed.
fn ask_json(dir: &Path, db: &Path, user: &str, question: &str) -> Value {
    let output = binary::career_bot(dir)
        .args(["ask", "--as", user, "--db"])
        .arg(db)
        .args(["--json", question])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

#[test]
fn ask_as_a_tracked_user_answers_from_their_record_in_json() {
    let (dir, db) = database();
    let before = std::fs::read(&db).expect("read the database");

    let level = ask_json(dir.path(), &db, "ana", "what level am I");
    assert_eq!(level["intent"], "level");
    assert_eq!(level["framework"], "buffer-marketing");
    assert_eq!(level["level"], 2);
    assert_eq!(level["from_level"], Value::Null);
    let text = level["text"].as_str().expect("text");
    assert!(
        text.contains("Your record puts you at Level 2 of Buffer Marketing: Strategist."),
        "{text}"
    );
    assert!(text.contains("(type: compare buffer-marketing level 2 and level 3)"));
    assert_eq!(
        level["suggestions"],
        serde_json::json!(["compare buffer-marketing level 2 and level 3"])
    );

    let next = ask_json(dir.path(), &db, "ana", "what do I need for my next level");
    assert_eq!(next["intent"], "compare");
    assert_eq!(next["framework"], "buffer-marketing");
    assert_eq!(
        (&next["from_level"], &next["to_level"]),
        (&2.into(), &3.into())
    );
    assert_eq!(next["level"], Value::Null);
    assert!(
        next["text"]
            .as_str()
            .expect("text")
            .contains("Below is what Level 3 (Coordinator) adds.")
    );

    let top = ask_json(dir.path(), &db, "top", "how do I get promoted");
    assert_eq!(top["intent"], "level");
    assert_eq!(top["level"], 3);
    assert!(
        top["text"]
            .as_str()
            .expect("text")
            .contains("its top level, so there is no next level to reach")
    );

    // A question that is not about the asker is answered as usual.
    let other = ask_json(dir.path(), &db, "ana", "marketing level 4");
    assert_eq!(
        (&other["intent"], &other["level"]),
        (&"level".into(), &4.into())
    );

    assert!(
        std::fs::read(&db).expect("read the database") == before,
        "ask --as only reads the database"
    );
}

#[test]
fn ask_as_someone_not_tracked_says_so_and_who_can_add_them() {
    let (dir, db) = database();
    for user in ["newbie", "boss"] {
        let json = ask_json(dir.path(), &db, user, "what level am I");
        assert_eq!(json["intent"], "personal", "{user}");
        assert_eq!(json["framework"], Value::Null);
        assert_eq!(json["text"], format!("{NOT_TRACKED}\n"));
        assert_eq!(
            json["suggestions"],
            serde_json::json!(["add @you FRAMEWORK LEVEL", "career-bot import-org"])
        );
    }
    // As text, the same one sentence.
    let output = binary::career_bot(dir.path())
        .args(["--db", db.to_str().expect("utf-8"), "ask", "--as", "newbie"])
        .args(["how", "do", "I", "get", "promoted"])
        .output()
        .expect("the binary runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{NOT_TRACKED}\n")
    );
}

#[test]
fn ask_without_as_says_to_ask_in_chat_or_with_as_and_db() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = binary::career_bot(dir.path())
        .args(["ask", "--json", "what level am I"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["intent"], "personal");
    assert_eq!(
        json["text"],
        "I can't tell who is asking here, so I can't look up your level: ask in Slack (`/career what level am I`) or in `career-bot shell`, or run `career-bot ask --as USER --db PATH \"what level am I\"`.\n"
    );
    assert_eq!(
        json["suggestions"],
        serde_json::json!([
            "/career what level am I",
            "career-bot shell",
            "career-bot ask --as USER --db PATH \"what level am I\""
        ])
    );
    assert!(
        !dir.path().join("career-bot.db").exists(),
        "ask without --as opens no database"
    );
}

#[test]
fn ask_as_without_a_database_is_one_sentence_and_creates_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("mistyped.db");
    let output = binary::career_bot(dir.path())
        .args(["ask", "--json", "--as", "U123", "--db"])
        .arg(&missing)
        .arg("what level am I")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        format!(
            "error: --as U123 needs the bot's database to look U123 up, and there is none at {}; give its file with --db PATH.\n",
            missing.display()
        )
    );
    assert!(!missing.exists());
}

#[test]
fn ask_as_a_malformed_user_is_a_usage_error() {
    let (dir, db) = database();
    let output = binary::career_bot(dir.path())
        .args(["ask", "--as", "not a user", "--db"])
        .arg(&db)
        .arg("what level am I")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: --as: "), "{stderr}");
}

/// Posts `/career TEXT` as `user`, signed, to the real route; the JSON answer.
async fn slash(server: &harness::Running, fake: &FakeSlack, user: &str, text: &str) -> Value {
    let body = harness::form(&[
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
    response.json().await.expect("JSON answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_what_level_am_i_answers_each_asker_from_their_own_record() {
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

    let ana = slash(&server, &fake, "U_ANA", "what level am I").await;
    assert_eq!(ana["response_type"], "ephemeral");
    assert_eq!(
        ana["blocks"][0]["text"]["text"],
        "Buffer Marketing · Level 2: Strategist"
    );
    let text = harness::all_text(&ana["blocks"]);
    assert!(
        text.contains("Your record puts you at Level 2 of Buffer Marketing: Strategist."),
        "{text}"
    );
    // The same words from someone else are answered from their record, not from a cache.
    let other = slash(&server, &fake, "U_NEW", "what level am I").await;
    let text = harness::all_text(&other["blocks"]);
    assert!(
        text.contains("You are not tracked on a career framework yet"),
        "{text}"
    );
    assert!(!text.contains("Strategist"), "{text}");
    let again = slash(&server, &fake, "U_ANA", "what level am I").await;
    assert_eq!(again, ana);
    server.stop().await;
}
