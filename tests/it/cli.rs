//! The `career-bot` binary as users and scripts run it: `ask`, `ask --json`, `validate`,
//! `shell` from a pipe, `--help` on every subcommand, and a database the process cannot write.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::binary;

/// The binary with `args`, run in a fresh scratch directory (kept while the returned guard
/// lives): no stray career-bot.toml is picked up, and a default `./career-bot.db` is never
/// left where another run, of this or an older version, would open it.
fn career_bot(args: &[&str]) -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = binary::career_bot(dir.path());
    command.args(args);
    (dir, command)
}

fn run(args: &[&str]) -> Output {
    let (_dir, mut command) = career_bot(args);
    command.output().expect("the binary runs")
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let (_dir, mut command) = career_bot(args);
    let mut child = command
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
            "matches",
            "other_framework",
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
    assert_eq!(value["matches"], serde_json::json!([]));
}

#[test]
fn ask_json_lists_search_matches_with_four_fields_and_none_for_a_level() {
    let output = run(&["ask", "--json", "which level mentions mentoring"]);
    assert!(output.status.success());
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(value["intent"], "search");
    let matches = value["matches"].as_array().expect("a list");
    assert!((1..=10).contains(&matches.len()), "{matches:?}");
    for found in matches {
        let object = found.as_object().expect("an object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["dimension", "framework", "level", "text"]);
        assert!(found["framework"].is_string() && found["text"].is_string());
        assert!(found["level"].is_u64());
        assert!(found["dimension"].is_string() || found["dimension"].is_null());
    }
    let best = &matches[0];
    assert!(
        best["text"]
            .as_str()
            .is_some_and(|text| text.contains("mentoring"))
    );
    // The follow-up offered in the text is in the suggestions.
    let follow_up = format!(
        "{} level {}",
        best["framework"].as_str().unwrap_or(""),
        best["level"]
    );
    assert_eq!(value["suggestions"], serde_json::json!([follow_up]));

    let level = run(&["ask", "--json", "marketing level 2"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&level)).expect("JSON");
    assert_eq!(value["intent"], "level");
    assert_eq!(value["matches"], serde_json::json!([]));
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
        &["migrate-db", "--help"],
    ] {
        let output = run(subcommand);
        assert!(output.status.success(), "{subcommand:?}");
        assert!(stdout(&output).contains("Usage:"), "{subcommand:?}");
    }
}

#[test]
fn a_bad_option_value_is_a_usage_error_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bot.db");
    let output = run_with_stdin(
        &[
            "--db",
            db.to_str().expect("utf-8 path"),
            "shell",
            "--now",
            "next tuesday",
        ],
        "help\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "the error is printed once: {stderr}"
    );
    assert!(
        stderr.contains("\"next tuesday\" is not a date"),
        "{stderr}"
    );
}

#[test]
fn a_failure_is_printed_once_with_exit_code_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("exists.db");
    std::fs::write(&backup, "").expect("write");
    let db = dir.path().join("bot.db");
    let output = run(&[
        "--db",
        db.to_str().expect("utf-8 path"),
        "backup",
        backup.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
}

#[test]
fn export_and_backup_refuse_a_database_path_that_does_not_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("mistyped.db");
    let missing_text = missing.to_str().expect("utf-8 path");
    let backup = dir.path().join("backup.db");
    for args in [
        vec!["--db", missing_text, "export"],
        vec![
            "--db",
            missing_text,
            "backup",
            backup.to_str().expect("utf-8"),
        ],
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("there is no database at {missing_text}")),
            "{stderr}"
        );
        assert!(!missing.exists(), "{args:?} created the database");
    }
}

#[test]
fn a_frameworks_directory_that_does_not_exist_stops_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nowhere = dir.path().join("no-such-dir");
    let nowhere_text = nowhere.to_str().expect("utf-8 path");
    let db = dir.path().join("bot.db");
    let output = run(&["--frameworks", nowhere_text, "ask", "level 2"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("no framework could be loaded from {nowhere_text}")),
        "{stderr}"
    );
    let output = run_with_stdin(
        &[
            "--frameworks",
            nowhere_text,
            "--db",
            db.to_str().expect("utf-8 path"),
            "shell",
        ],
        "help\n",
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_frameworks_directory_without_frameworks_stops_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.txt"), "not a framework").expect("write");
    let output = run(&[
        "--frameworks",
        dir.path().to_str().expect("utf-8 path"),
        "ask",
        "level 2",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no framework could be loaded"));
}

#[test]
fn healthcheck_asks_the_configured_listen_address() {
    use std::io::{Read, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("one connection");
        let mut request = [0u8; 1024];
        let read = stream.read(&mut request).expect("read");
        let request = String::from_utf8_lossy(&request[..read]).into_owned();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .expect("write");
        request
    });
    let (_dir, mut command) = career_bot(&["healthcheck"]);
    let output = command
        .env("CAREER_BOT_LISTEN", format!("0.0.0.0:{}", address.port()))
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let request = server.join().expect("the server thread");
    assert!(request.starts_with("GET /healthz "), "{request}");
}

#[test]
fn shell_echo_prints_each_line_before_its_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bot.db");
    let output = run_with_stdin(
        &["--db", db.to_str().expect("utf-8 path"), "shell", "--echo"],
        "# a comment\nlevel 3 happiness\n",
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("> level 3 happiness\n"), "{stdout}");
    assert!(!stdout.contains("> # a comment"), "{stdout}");
}

#[test]
fn a_shell_piped_into_a_reader_that_stops_early_ends_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bot.db");
    let (_scratch, mut command) = career_bot(&["--db", db.to_str().expect("utf-8 path"), "shell"]);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Close the reading end before the shell writes its first answer, as `| head -0` does.
    drop(child.stdout.take());
    let script = "help\n".repeat(200);
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // The shell may already have ended, so a failed write here is fine.
    let _ = stdin.write_all(script.as_bytes());
    drop(stdin);
    let output = child.wait_with_output().expect("the binary finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(output.status.success(), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// A database the process cannot write
// ---------------------------------------------------------------------------------------------

/// How a database is made impossible to write.
#[derive(Debug, Clone, Copy)]
enum ReadOnlyBy {
    /// The file is `0444`; its directory stays writable.
    File,
    /// The directory is `0555`, so no `-wal` or `-shm` can be created; the file stays `0644`.
    Directory,
}

/// A database with a manager (`boss`), a report (`ana`) and one conversation, made by the
/// binary, then made read-only. Every run is as a user the permissions stop (`nobody` when the
/// tests run as root, who could write anyway).
struct ReadOnlyDatabase {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

/// Commands that only read, and a question, as a shell script for `boss` (then `ana`).
const READ_ONLY_SCRIPT: &str = "team\nhistory @ana\n:as ana\nme\nmarketing titles\n";

impl ReadOnlyDatabase {
    fn new() -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        binary::give_to_unprivileged(dir.path());
        let db = dir.path().join("bot.db");
        let database = Self { dir, db };
        let output = database.run(
            &["shell", "--as", "boss", "--now", "2026-02-01"],
            "add @ana marketing 2\ndone @ana 2026-01-10 a good talk\n",
        );
        assert!(output.status.success(), "{output:?}");
        assert!(stdout(&output).contains("Recorded:"), "{output:?}");
        database
    }

    /// Takes write access away, as `by` says.
    fn make_read_only(&self, by: ReadOnlyBy) {
        use std::os::unix::fs::PermissionsExt;
        let (path, mode) = match by {
            ReadOnlyBy::File => (&self.db, 0o444),
            ReadOnlyBy::Directory => (&self.dir.path().to_path_buf(), 0o555),
        };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    /// The binary with `--db` and `args`, `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = binary::career_bot_unprivileged(self.dir.path())
            .arg("--db")
            .arg(&self.db)
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

    /// The database's bytes and the directory's file names.
    fn snapshot(&self) -> (Vec<u8>, Vec<String>) {
        let bytes = std::fs::read(&self.db).expect("read the database");
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list the directory")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        (bytes, names)
    }
}

impl Drop for ReadOnlyDatabase {
    /// Gives write access back, so the temp directory can be removed.
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(self.dir.path(), std::fs::Permissions::from_mode(0o755));
    }
}

fn read_only_commands_work_and_writes_are_refused(by: ReadOnlyBy) {
    let database = ReadOnlyDatabase::new();
    // The answers while the database can be written are the ones expected afterwards.
    let shell = ["shell", "--as", "boss", "--now", "2026-02-01"];
    let writable_answers = database.run(&shell, READ_ONLY_SCRIPT);
    let writable_export = database.run(&["export"], "");
    assert!(writable_answers.status.success(), "{writable_answers:?}");
    assert!(writable_export.status.success(), "{writable_export:?}");
    let answers = stdout(&writable_answers);
    for expected in [
        "@ana: Buffer Marketing, Level 2: Strategist",
        "Your private note: a good talk",
        "Manager: @boss",
        "Buffer Marketing: levels and titles",
    ] {
        assert!(answers.contains(expected), "{expected:?} in {answers}");
    }
    let export = stdout(&writable_export);
    assert!(export.contains("person,ana,"), "{export}");
    assert!(export.contains("\ncheckin,ana,"), "{export}");

    database.make_read_only(by);
    let before = database.snapshot();

    let read_only_answers = database.run(&shell, READ_ONLY_SCRIPT);
    assert!(read_only_answers.status.success(), "{read_only_answers:?}");
    assert_eq!(stdout(&read_only_answers), answers, "{by:?}");
    let notice = String::from_utf8_lossy(&read_only_answers.stderr);
    assert!(notice.contains("is read-only"), "{notice}");

    let read_only_export = database.run(&["export"], "");
    assert!(read_only_export.status.success(), "{read_only_export:?}");
    assert_eq!(stdout(&read_only_export), export, "{by:?}");

    let writes = database.run(&shell, "done @ana\nlevel @ana 3\n:tick\nteam\n");
    assert!(writes.status.success(), "{writes:?}");
    let text = stdout(&writes);
    assert_eq!(
        text.matches(
            "Nothing was recorded: this database is read-only, so only questions and commands that just show things (team, me, history, help) work."
        )
        .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("No reminder pass was run and nothing was sent: this database is read-only."),
        "{text}"
    );
    assert!(!text.contains("Something went wrong"), "{text}");
    assert!(
        text.contains("@ana: Buffer Marketing, Level 2: Strategist"),
        "the shell goes on after a refusal, and nothing changed: {text}"
    );

    assert!(
        database.snapshot() == before,
        "the database file or its directory changed ({by:?})"
    );
}

#[test]
fn a_read_only_database_file_answers_reads_and_refuses_writes() {
    read_only_commands_work_and_writes_are_refused(ReadOnlyBy::File);
}

#[test]
fn a_database_in_a_read_only_directory_answers_reads_and_refuses_writes() {
    read_only_commands_work_and_writes_are_refused(ReadOnlyBy::Directory);
}

#[test]
fn import_org_refuses_a_read_only_database() {
    let database = ReadOnlyDatabase::new();
    let csv = database.dir.path().join("org.csv");
    std::fs::write(&csv, "user,manager,framework,level\nbob,boss,marketing,1\n").expect("write");
    database.make_read_only(ReadOnlyBy::File);
    let before = database.snapshot();
    let output = database.run(&["import-org", csv.to_str().expect("utf-8")], "");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is read-only, so nothing was imported"),
        "{stderr}"
    );
    assert!(database.snapshot() == before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_a_read_only_database_with_exit_code_1() {
    let fake = crate::support::FakeSlack::start().await;
    fake.ignore("auth.test");
    let database = ReadOnlyDatabase::new();
    database.make_read_only(ReadOnlyBy::File);
    let before = database.snapshot();
    let mut command = binary::career_bot_unprivileged(database.dir.path());
    command
        .arg("--db")
        .arg(&database.db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SLACK_BOT_TOKEN", "xoxb-read-only-test")
        .env("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef")
        .env("SLACK_API_URL", fake.api_url());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the wait finishes")
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is read-only, and serving needs to write to it"),
        "{stderr}"
    );
    assert!(database.snapshot() == before);
}

#[test]
fn a_shell_script_replays_more_changes_than_the_chat_rate_limit_at_one_fixed_time() {
    // The per-user limit (20 changes a minute) protects people from floods through Slack;
    // the local shell is the operator's, and a script runs at one fixed --now.
    let script: String = (0..25)
        .map(|n| format!("add @person{n} marketing 2\n"))
        .collect();
    let output = run_with_stdin(
        &[
            "shell",
            "--db",
            "bot.db",
            "--as",
            "boss",
            "--now",
            "2026-06-01T10:00:00Z",
        ],
        &script,
    );
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert_eq!(text.matches("Added").count(), 25, "{text}");
    assert!(!text.contains("try again"), "{text}");
}
