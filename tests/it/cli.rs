//! The `career-bot` binary as users and scripts run it: `ask`, `ask --json`, `validate`,
//! `shell` from a pipe, and `--help` on every subcommand.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::binary;

fn career_bot(args: &[&str]) -> Command {
    // Run in a scratch directory so no stray career-bot.toml or database is picked up.
    let mut command = binary::career_bot(&std::env::temp_dir());
    command.args(args);
    command
}

fn run(args: &[&str]) -> Output {
    career_bot(args).output().expect("the binary runs")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = career_bot(args)
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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ask_prints_the_answer_as_text() {
    let output = run(&["ask", "what does Level 3 Happiness need"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.starts_with("Buffer Happiness · Level 3: Happiness Hero III"),
        "{text}"
    );
}

#[test]
fn ask_accepts_the_question_as_separate_words() {
    let output = run(&["ask", "senior", "engineer", "at", "infracloud"]);
    assert!(stdout(&output).contains("InfraCloud Engineering · Level 3: Senior Engineer"));
}

#[test]
fn ask_json_prints_exactly_one_object_with_every_field() {
    let output = run(&["ask", "--json", "how do I get from 2 to 3 in marketing"]);
    assert!(output.status.success());
    let text = stdout(&output);
    let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    let value = stream.next().expect("one object").expect("valid JSON");
    assert!(stream.next().is_none(), "exactly one JSON value: {text}");
    let object = value.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "dimension",
            "framework",
            "from_level",
            "intent",
            "level",
            "suggestions",
            "text",
            "to_level"
        ]
    );
    assert_eq!(value["intent"], "compare");
    assert_eq!(value["framework"], "buffer-marketing");
    assert_eq!(value["level"], serde_json::Value::Null);
    assert_eq!(value["from_level"], 2);
    assert_eq!(value["to_level"], 3);
    assert_eq!(value["dimension"], serde_json::Value::Null);
    assert!(
        value["text"]
            .as_str()
            .expect("text")
            .contains("Level 2 → Level 3")
    );
    assert_eq!(value["suggestions"], serde_json::json!([]));
}

#[test]
fn ask_json_reports_unknown_questions_with_suggestions() {
    let output = run(&["ask", "--json", "level 9 marketing"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(value["intent"], "unknown");
    assert_eq!(value["framework"], serde_json::Value::Null);
    assert_eq!(value["suggestions"][0], "buffer-marketing level 5");
}

#[test]
fn validate_passes_on_the_bundled_frameworks() {
    let output = run(&["validate"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout(&output).contains("4 framework(s) valid"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn validate_fails_with_file_and_line_on_a_broken_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("broken.yaml"),
        "id: x\nname: X\norganisation: O\nteam: T\nsource: {url: u, attribution: a}\nlevels:\n  - level: 1\n    titles: [A]\n    summary: s\n    colour: blue\n",
    )
    .expect("write");
    let output = run(&["validate", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.yaml:10: unknown field `colour`"),
        "{stderr}"
    );
}

#[test]
fn the_frameworks_option_replaces_the_bundled_set_for_every_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("only.yaml"),
        "id: only-one\nname: Only One\norganisation: O\nteam: Testing\nsource: {url: u, attribution: a}\nlevels:\n  - level: 1\n    titles: [Tester]\n    summary: Tests things.\n",
    )
    .expect("write");
    let path = dir.path().to_str().expect("utf-8 path");
    let output = run(&["--frameworks", path, "ask", "frameworks"]);
    let text = stdout(&output);
    assert!(text.contains("Only One (only-one)"), "{text}");
    assert!(!text.contains("buffer-marketing"), "{text}");
    let output = run(&["ask", "--frameworks", path, "tester"]);
    assert!(stdout(&output).contains("Only One · Level 1: Tester"));
}

#[test]
fn the_shell_answers_each_piped_line_like_the_slash_command() {
    let output = run_with_stdin(
        &["shell"],
        "# a comment is skipped\nhappiness L3\n\n/career marketing titles\n:quit\nnever reached\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(
        text.contains("Buffer Happiness · Level 3: Happiness Hero III"),
        "{text}"
    );
    assert!(
        text.contains("Buffer Marketing: levels and titles"),
        "{text}"
    );
    assert!(!text.contains("never reached"));
    assert!(
        !text.contains("career>"),
        "no prompt when stdin is not a terminal"
    );
}

#[test]
fn every_subcommand_has_help() {
    for subcommand in [
        &["--help"][..],
        &["ask", "--help"],
        &["shell", "--help"],
        &["validate", "--help"],
    ] {
        let output = run(subcommand);
        assert!(output.status.success(), "{subcommand:?}");
        assert!(stdout(&output).contains("Usage:"), "{subcommand:?}");
    }
}
