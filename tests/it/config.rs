//! Configuration: the documented example is valid, every kind of mistake is reported with
//! where it is and what would work, precedence is flags > environment > file, and secrets
//! never print in full.

use std::collections::BTreeMap;
use std::path::PathBuf;

use career_bot::admin::config_check;
use career_bot::bot::settings::Settings;
use career_bot::checkins::Period;
use career_bot::config::{Config, Overrides};
use career_bot::frameworks::FrameworkSource;

use crate::support::binary;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn with_file(text: &str) -> (tempfile::TempDir, Overrides) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("career-bot.toml");
    std::fs::write(&path, text).expect("write config");
    let overrides = Overrides {
        config_file: Some(path),
        ..Overrides::default()
    };
    (dir, overrides)
}

fn problems(text: &str, variables: &[(&str, &str)]) -> Vec<String> {
    let (_dir, overrides) = with_file(text);
    match Config::resolve(&overrides, &env(variables)) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_documented_example_is_valid_and_matches_the_defaults() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/career-bot.example.toml");
    let overrides = Overrides {
        config_file: Some(example),
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &env(&[])).expect("the example is valid");
    let defaults = Config::resolve(&Overrides::default(), &env(&[])).expect("defaults are valid");
    assert_eq!(config.frameworks, defaults.frameworks);
    assert_eq!(config.frameworks, [FrameworkSource::Bundled]);
    assert_eq!(config.database, defaults.database);
    assert_eq!(config.listen, defaults.listen);
    assert_eq!(config.cadence, defaults.cadence);
    assert_eq!(config.reminder_cron, defaults.reminder_cron);
    assert_eq!(config.reminder_repeat, defaults.reminder_repeat);
    assert_eq!(config.digest_cron, defaults.digest_cron);
    assert_eq!(config.tick_seconds, defaults.tick_seconds);
    assert_eq!(config.prep_days_before, defaults.prep_days_before);
    assert_eq!(defaults.prep_days_before, 14);
    assert_eq!(config.http, defaults.http);
    assert_eq!(config.http, career_bot::http_server::Limits::default());
}

#[test]
fn an_unknown_key_is_reported_with_its_line_and_the_valid_keys() {
    let found = problems("database = \"x.db\"\ndatabse = \"y.db\"\n", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("career-bot.toml:2:"), "{found:?}");
    assert!(found[0].contains("unknown field `databse`"), "{found:?}");
    assert!(
        found[0].contains("database"),
        "names the valid keys: {found:?}"
    );
}

#[test]
fn every_invalid_value_is_reported_at_once() {
    let found = problems(
        "listen = \"everywhere\"\nlog_format = \"xml\"\ndefault_time_zone = \"Mars/Base\"\n[cadence]\ndue_after = \"soon\"\n[reminders]\ncron = \"0 9 * * 1-5\"\ntick_seconds = 0\n[http]\nheader_timeout_seconds = 0\nbody_timeout_seconds = 301\nmax_connections = 2\n[prep]\ndays_before = 0\n",
        &[],
    );
    let joined = found.join("\n");
    for expected in [
        "(listen): \"everywhere\" is not a listen address",
        "(log_format): \"xml\" is not a log format; use \"text\" or \"json\"",
        "(default_time_zone): \"Mars/Base\" is not an IANA time zone",
        "(cadence.due_after): \"soon\" is not a period",
        "(reminders.cron): \"0 9 * * 1-5\" is not a cron expression",
        "6 fields with seconds first",
        "(reminders.tick_seconds): 0 is out of range",
        "(http.header_timeout_seconds): 0 is out of range; use 1 to 300 seconds (default 5)",
        "(http.body_timeout_seconds): 301 is out of range",
        "(http.max_connections): 2 is out of range; use 4 to 1000000 (default 512)",
        "(prep.days_before): 0 is out of range; use 1 to 90 days (default 14)",
    ] {
        assert!(
            joined.contains(expected),
            "missing {expected:?} in:\n{joined}"
        );
    }
}

#[test]
fn overdue_must_come_after_due() {
    let found = problems(
        "[cadence]\ndue_after = \"6 months\"\noverdue_after = \"3 months\"\n",
        &[],
    );
    assert!(
        found.iter().any(
            |p| p.contains("overdue_after (3 months) must be longer than due_after (6 months)")
        ),
        "{found:?}"
    );
}

#[test]
fn the_slack_call_time_limit_defaults_to_ten_seconds_and_reads_seconds() {
    let resolve =
        |value: &str| Config::resolve(&Overrides::default(), &env(&[("SLACK_API_TIMEOUT", value)]));
    let default = Config::resolve(&Overrides::default(), &env(&[])).expect("valid");
    assert_eq!(
        default.slack.api_timeout,
        std::time::Duration::from_secs(10)
    );
    let half = resolve("0.5").expect("valid");
    assert_eq!(
        half.slack.api_timeout,
        std::time::Duration::from_millis(500)
    );
    for bad in ["0", "-3", "soon", "301"] {
        let problems = resolve(bad).expect_err("invalid");
        assert!(
            problems
                .iter()
                .any(|problem| problem.to_string().starts_with(&format!(
                    "SLACK_API_TIMEOUT: \"{bad}\" is not a number of seconds"
                ))),
            "{bad}: {problems:?}"
        );
    }
}

#[test]
fn malformed_slack_secrets_are_named() {
    let found = problems(
        "",
        &[
            ("SLACK_BOT_TOKEN", "xoxp-user-token"),
            ("SLACK_APP_TOKEN", "oops"),
            ("SLACK_SIGNING_SECRET", "not-hex"),
            ("SLACK_API_URL", "ftp://example"),
        ],
    );
    let joined = found.join("\n");
    for expected in [
        "SLACK_BOT_TOKEN: does not look like a Slack token (it should start with \"xoxb-\")",
        "SLACK_APP_TOKEN: does not look like a Slack token (it should start with \"xapp-\")",
        "SLACK_SIGNING_SECRET: does not look like a signing secret",
        "SLACK_API_URL: \"ftp://example\" is not an http(s) URL",
    ] {
        assert!(
            joined.contains(expected),
            "missing {expected:?} in:\n{joined}"
        );
    }
    assert!(
        !joined.contains("xoxp-user-token"),
        "a secret is never echoed: {joined}"
    );
}

#[test]
fn flags_override_environment_which_overrides_the_file() {
    let (_dir, mut overrides) = with_file(
        "database = \"file.db\"\nadmins = [\"U_FILE\"]\n[cadence]\ndue_after = \"2 months\"\n[cadence.frameworks.buffer-marketing]\ndue_after = \"1 month\"\n",
    );
    let variables = env(&[
        ("DATABASE_URL", "env.db"),
        ("CAREER_BOT_ADMINS", "U_A, U_B"),
    ]);
    let config = Config::resolve(&overrides, &variables).expect("valid");
    assert_eq!(config.database, "env.db");
    assert_eq!(config.admins, ["U_A", "U_B"]);
    assert_eq!(config.cadence.due_after, Period::months(2));
    let settings = Settings::from_config(&config).expect("valid settings");
    assert_eq!(
        settings.cadence_for("buffer-marketing").due_after,
        Period::months(1)
    );
    assert_eq!(
        settings.cadence_for("buffer-marketing").overdue_after,
        Period::months(6)
    );
    overrides.database = Some("flag.db".into());
    let config = Config::resolve(&overrides, &variables).expect("valid");
    assert_eq!(config.database, "flag.db");
}

#[test]
fn framework_paths_in_the_file_are_relative_to_it() {
    let (dir, overrides) = with_file("frameworks = [\"ladders\"]\n");
    let config = Config::resolve(&overrides, &env(&[])).expect("valid");
    assert_eq!(
        config.frameworks,
        [FrameworkSource::Path(dir.path().join("ladders"))]
    );
}

#[test]
fn a_framework_source_in_the_file_may_name_its_organisation() {
    let (dir, overrides) = with_file(
        "frameworks = [\"ladders\", { path = \"vendor/progression\", organisation = \"Kestrel\" }]\n",
    );
    let config = Config::resolve(&overrides, &env(&[])).expect("valid");
    assert_eq!(
        config.frameworks,
        [
            FrameworkSource::Path(dir.path().join("ladders")),
            FrameworkSource::Repository {
                path: dir.path().join("vendor/progression"),
                organisation: "Kestrel".to_owned()
            },
        ]
    );
    let report = config_check::check(&overrides, &env(&[]));
    assert!(
        report.effective.contains("organisation = \"Kestrel\" }"),
        "{}",
        report.effective
    );
}

#[test]
fn config_check_masks_secrets_and_lists_every_problem() {
    let (_dir, overrides) =
        with_file("frameworks = [\"missing-dir\"]\n[reminders]\ncron = \"bad\"\n");
    let secret = "xoxb-1234567890-abcdefghijklmnop";
    let report = config_check::check(&overrides, &env(&[("SLACK_BOT_TOKEN", secret)]));
    assert!(!report.effective.contains(secret), "{}", report.effective);
    assert!(
        report
            .effective
            .contains("SLACK_BOT_TOKEN = \"xoxb-… (32 chars)\""),
        "{}",
        report.effective
    );
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    let joined = problems.join("\n");
    assert!(joined.contains("is not a cron expression"), "{joined}");
    assert!(
        joined.contains("missing-dir: cannot read the file: no such file or directory"),
        "{joined}"
    );
    assert!(
        joined.contains("SLACK_SIGNING_SECRET: is not set, and neither is SLACK_APP_TOKEN"),
        "{joined}"
    );
}

#[test]
fn config_check_passes_on_a_complete_configuration() {
    let (_dir, overrides) = with_file("admins = [\"U1\"]\n");
    let report = config_check::check(
        &overrides,
        &env(&[
            ("SLACK_BOT_TOKEN", "xoxb-1-2"),
            ("SLACK_APP_TOKEN", "xapp-1-2"),
        ]),
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.effective.contains("serve would use: Socket Mode"));
}

#[test]
fn the_binary_exits_non_zero_on_a_problem_and_zero_without() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "tick = 3\n").expect("write");
    let run = |config: &std::path::Path, variables: &[(&str, &str)]| {
        let mut command = binary::career_bot(dir.path());
        command.args(["config", "check", "--config"]).arg(config);
        for (key, value) in variables {
            command.env(key, value);
        }
        command.output().expect("runs")
    };
    let output = run(&path, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.toml:1: unknown field `tick`"),
        "{stderr}"
    );
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "").expect("write");
    let output = run(
        &good,
        &[
            ("SLACK_BOT_TOKEN", "xoxb-a-b"),
            ("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef"),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("No problems found."));
}

#[test]
fn config_check_reports_a_cadence_for_an_unknown_framework_with_a_did_you_mean() {
    let (_dir, overrides) =
        with_file("[cadence.frameworks.buffer-marketting]\ndue_after = \"2 months\"\n");
    let report = config_check::check(&overrides, &env(&[]));
    let joined = report
        .problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        joined.contains("cadence.frameworks.buffer-marketting: no loaded framework has the id"),
        "{joined}"
    );
    assert!(
        joined.contains("did you mean \"buffer-marketing\"?"),
        "{joined}"
    );
}

#[test]
fn config_check_reports_every_type_error_in_the_file() {
    let (_dir, overrides) =
        with_file("database = 3\nadmins = \"U1\"\n[reminders]\ntick_seconds = \"often\"\n");
    let report = config_check::check(&overrides, &env(&[]));
    let sources: Vec<&str> = report
        .problems
        .iter()
        .map(|problem| problem.source.as_str())
        .filter(|source| source.contains("career-bot.toml:"))
        .collect();
    assert_eq!(sources.len(), 3, "{:?}", report.problems);
    for line in [":1", ":2", ":4"] {
        assert!(
            sources.iter().any(|source| source.ends_with(line)),
            "no problem on line {line}: {sources:?}"
        );
    }
}

#[test]
fn config_check_prints_no_effective_configuration_for_a_file_that_failed_to_parse() {
    let (_dir, overrides) = with_file("database = 3\n");
    let report = config_check::check(&overrides, &env(&[]));
    assert!(
        !report.effective.contains("database ="),
        "{}",
        report.effective
    );
    assert!(
        report.effective.contains("could not be read"),
        "{}",
        report.effective
    );
}

#[test]
fn a_plain_http_slack_api_url_off_this_machine_is_refused_unless_explicitly_allowed() {
    let refused = |url: &str, extra: &[(&str, &str)]| {
        let mut variables = vec![("SLACK_API_URL", url)];
        variables.extend_from_slice(extra);
        problems("", &variables)
            .into_iter()
            .find(|problem| problem.starts_with("SLACK_API_URL:"))
    };
    // The bot token would cross the network in clear.
    for url in [
        "http://slack.example.com/api",
        "http://10.0.0.5:8080/api",
        "http://[2001:db8::1]/api",
        "http://127.0.0.1@evil.example/api",
        "http://localhost.evil.example/api",
    ] {
        let problem = refused(url, &[]).unwrap_or_else(|| panic!("{url} is accepted"));
        assert!(
            problem.contains("would send the bot token unencrypted")
                && problem.contains("set CAREER_BOT_ALLOW_INSECURE_SLACK_URL=1"),
            "{problem}"
        );
    }
    // Loopback, or https anywhere, is fine.
    for url in [
        "http://127.0.0.1:9999/api",
        "http://127.5.6.7/api",
        "http://localhost:3001/api",
        "http://LOCALHOST/api",
        "http://[::1]:8080/api",
        "https://slack.example.com/api",
        "https://slack.com/api",
    ] {
        assert_eq!(refused(url, &[]), None, "{url}");
    }
    // Only when the operator says so explicitly.
    let allow = "CAREER_BOT_ALLOW_INSECURE_SLACK_URL";
    assert_eq!(
        refused("http://slack.example.com/api", &[(allow, "1")]),
        None
    );
    assert!(refused("http://slack.example.com/api", &[(allow, "0")]).is_some());
    let found = problems(
        "",
        &[
            ("SLACK_API_URL", "http://slack.example.com/api"),
            (allow, "please"),
        ],
    );
    let joined = found.join("\n");
    assert!(
        joined.contains("CAREER_BOT_ALLOW_INSECURE_SLACK_URL: \"please\" is not a switch"),
        "{joined}"
    );
    assert!(joined.contains("SLACK_API_URL:"), "{joined}");
    // A scheme in capitals is refused too (as it always was), whatever the host.
    assert!(refused("HTTP://127.0.0.1/api", &[]).is_some());
    // A URL without a host is no URL at all.
    assert!(refused("http://:80/api", &[]).is_some_and(|p| p.contains("not a URL with a host")));
}

#[test]
fn config_check_and_serve_refuse_a_plain_http_slack_api_url_off_this_machine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str], variables: &[(&str, &str)]| {
        let mut command = binary::career_bot(dir.path());
        command
            .args(args)
            .env(
                "DATABASE_URL",
                dir.path().join("bot.db").display().to_string(),
            )
            .env("SLACK_BOT_TOKEN", "xoxb-a-b")
            .env("SLACK_SIGNING_SECRET", "0123456789abcdef0123456789abcdef");
        for (key, value) in variables {
            command.env(key, value);
        }
        command.output().expect("runs")
    };
    // `config check` sends nothing anywhere; a documentation-only address.
    let output = run(
        &["config", "check"],
        &[("SLACK_API_URL", "http://192.0.2.1/api")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "SLACK_API_URL: \"http://192.0.2.1/api\" would send the bot token unencrypted to 192.0.2.1, which is not this machine"
        ),
        "{stderr}"
    );
    let output = run(
        &["config", "check"],
        &[
            ("SLACK_API_URL", "http://192.0.2.1/api"),
            ("CAREER_BOT_ALLOW_INSECURE_SLACK_URL", "1"),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("# CAREER_BOT_ALLOW_INSECURE_SLACK_URL = 1")
    );
    // `serve` stops before its first call. 0.0.0.0 is no loopback name, yet a connection to
    // it would stay on this machine: even without the rule, no request leaves it.
    let output = run(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("SLACK_API_URL", "http://0.0.0.0:9/api")],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "SLACK_API_URL: \"http://0.0.0.0:9/api\" would send the bot token unencrypted"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_server_built_from_a_configuration_made_in_code_applies_the_same_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config =
        crate::support::harness::config(dir.path(), "http://127.0.0.1:9/api", false, &[]);
    // Set after resolving, as code that builds a `Config` itself could; 0.0.0.0 keeps any
    // connection on this machine.
    config.slack.api_url = "http://0.0.0.0:9/api".to_owned();
    let Err(error) = career_bot::serve::Server::build(config).await else {
        panic!("the server starts with an insecure API URL");
    };
    assert!(
        error
            .to_string()
            .contains("set CAREER_BOT_ALLOW_INSECURE_SLACK_URL=1"),
        "{error}"
    );
}
