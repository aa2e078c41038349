//! Away, busy and holidays end to end, through the shell (the same handlers and scheduler as
//! Slack) with its simulated chat statuses (`:status`, `:dnd`), a temp database and the
//! clock set by `:now`. Each test follows one check-in due on Monday 2026-04-20 (UTC).

use career_bot::bot::Bot;
use career_bot::config::Overrides;
use career_bot::shell::Shell;

use crate::support::bot::{bot_in, config, database_in, open};
use crate::support::shell::run;

fn dms_to(output: &str, user: &str) -> usize {
    output.matches(&format!("[DM to {user}]")).count()
}

/// A shell acting as `boss`, whose report `ana` falls due on Monday 2026-04-20.
async fn with_ana_due(bot: &Bot) -> Shell<'_> {
    let mut shell =
        Shell::new(bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    let out = run(&mut shell, &["add @ana marketing 2"]).await;
    assert!(out.contains("due on 2026-04-20"), "{out}");
    shell
}

async fn reminder_rows(bot: &Bot) -> Vec<(String, String)> {
    sqlx::query_as("SELECT key, status FROM outbox WHERE kind = 'reminder' ORDER BY id")
        .fetch_all(bot.store().pool())
        .await
        .expect("outbox rows")
}

#[tokio::test]
async fn an_away_manager_gets_the_reminder_the_day_after_the_status_expires_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":status boss On vacation :palm_tree: until 2026-04-22T17:00:00Z",
            ":now 2026-04-20T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert!(
        out.contains("boss's status is now \":palm_tree: On vacation\""),
        "{out}"
    );
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(
        out.contains("1 planned, 0 sent, 0 to retry, 0 failed, 1 deferred)"),
        "{out}"
    );
    assert!(
        out.contains("for boss: deferred: away until 2026-04-23"),
        "{out}"
    );
    let out = run(&mut shell, &["team", "overdue"]).await;
    assert!(
        out.contains("reminder deferred: away until 2026-04-23"),
        "{out}"
    );
    // `overdue` names whose absence holds it: the manager's, here.
    let overdue_line = out
        .lines()
        .find(|line| line.contains("(manager ") && line.contains("· last "))
        .unwrap_or_else(|| panic!("an overdue line in {out}"));
    assert!(
        overdue_line.ends_with("· manager away until 2026-04-23"),
        "{overdue_line}"
    );
    // Still away the next days: nothing, and nothing planned again.
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-21T09:00:00Z",
            ":tick",
            ":now 2026-04-22T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(!out.contains("deferred"), "{out}");
    // The first slot after the status expired: the reminder, once.
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-23T09:00:00Z",
            ":tick",
            ":now 2026-04-23T12:00:00Z",
            ":tick",
            ":now 2026-04-24T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(
        out.contains("Time for a career conversation with @ana"),
        "{out}"
    );
    assert_eq!(
        reminder_rows(&bot).await,
        [(
            "reminder:ana:boss:2026-04-20:0".to_owned(),
            "sent".to_owned()
        )]
    );
    let metrics = bot.metrics().encode();
    assert!(
        metrics.contains("messages_deferred_total{kind=\"reminder\",reason=\"away\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_long_absence_ends_with_one_reminder_not_one_per_week() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":status boss OOO",
            ":now 2026-04-20T09:00:00Z",
            ":tick",
            ":now 2026-04-27T09:00:00Z",
            ":tick",
            ":now 2026-05-04T09:00:00Z",
            ":tick",
            ":status boss",
            ":now 2026-05-05T09:00:00Z",
            ":tick",
            ":now 2026-05-06T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("deferred: away until 2026-04-21"), "{out}");
    assert!(
        !out.contains("2 reminders"),
        "one reminder, not a list: {out}"
    );
    let sent = reminder_rows(&bot)
        .await
        .into_iter()
        .filter(|(_, status)| status == "sent")
        .count();
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn dnd_holds_the_reminder_until_it_ends_the_same_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-20T08:00:00Z",
            ":dnd boss until 2026-04-20T10:30:00Z",
            ":now 2026-04-20T09:00:00Z",
            ":tick",
            ":now 2026-04-20T10:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert!(
        out.contains("boss is in do-not-disturb until 2026-04-20T10:30:00+00:00."),
        "{out}"
    );
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(
        out.contains("deferred: do not disturb until 2026-04-20 10:30"),
        "{out}"
    );
    let out = run(&mut shell, &[":now 2026-04-20T10:30:00Z", ":tick", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
}

#[tokio::test]
async fn a_holiday_moves_the_slot_to_the_next_working_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("holidays")).expect("dir");
    std::fs::write(
        dir.path().join("holidays/test.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//career-bot tests//EN\r\nBEGIN:VEVENT\r\nUID:h1\r\nDTSTART;VALUE=DATE:20260420\r\nSUMMARY:A day off for everyone\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("holiday file");
    let file = dir.path().join("career-bot.toml");
    std::fs::write(
        &file,
        "[calendar]\nworking_days = \"Mon-Fri\"\nholidays = { default = \"holidays/test.ics\" }\n",
    )
    .expect("config file");
    let overrides = Overrides {
        config_file: Some(file),
        ..database_in(dir.path())
    };
    let bot = open(&config(&overrides, &[])).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(&mut shell, &[":now 2026-04-20T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(
        out.contains("for boss: deferred: holiday until 2026-04-21"),
        "{out}"
    );
    let out = run(&mut shell, &[":now 2026-04-21T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
}

#[tokio::test]
async fn a_report_away_defers_the_managers_reminder_and_team_says_until_when() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[("CAREER_BOT_ADMINS", "admin")]).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":status ana sick :face_with_thermometer:",
            ":now 2026-04-20T09:00:00Z",
            ":tick",
            "team",
            "overdue",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(
        out.contains("deferred: report away until 2026-04-21"),
        "{out}"
    );
    assert!(out.contains("· due · away until 2026-04-21"), "{out}");
    // `overdue` says it too, on the report's line and in the summary.
    let overdue_line = out
        .lines()
        .find(|line| line.contains("(manager ") && line.contains("· last "))
        .unwrap_or_else(|| panic!("an overdue line in {out}"));
    assert!(
        overdue_line.ends_with("· away until 2026-04-21"),
        "{overdue_line}"
    );
    assert!(
        out.contains("1 with the reminder held back (away or a day off)"),
        "{out}"
    );
    // An admin looking at the manager's team sees the same (the reminder is the manager's).
    let out = run(&mut shell, &[":as admin", "team @boss", ":as boss"]).await;
    assert!(out.contains("· due · away until 2026-04-21"), "{out}");
    let out = run(
        &mut shell,
        &[
            ":status ana",
            ":now 2026-04-21T09:00:00Z",
            ":tick",
            "team",
            "overdue",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(!out.contains("away until"), "{out}");
    assert!(!out.contains("held back"), "{out}");
}

#[tokio::test]
async fn bad_status_and_dnd_directives_say_what_would_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell = Shell::new(&bot, None, Some("2026-04-20T08:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &[
            ":status ana OOO until someday",
            ":dnd ana",
            ":dnd ana until 2026-04-20T07:00:00Z",
        ],
    )
    .await;
    assert!(out.contains("\"someday\" is not a date or time"), "{out}");
    assert!(
        out.contains("write `:status USER TEXT [EMOJI] [until DATETIME]`"),
        "{out}"
    );
    assert!(
        out.contains("`:dnd` takes `until DATETIME` after the user"),
        "{out}"
    );
    assert!(out.contains("is not after the shell's clock"), "{out}");
}

/// The holiday file's problems name the file and line, through the configuration.
#[test]
fn a_bad_holiday_file_is_reported_with_its_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ics = dir.path().join("bad.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-02-30\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .expect("ics");
    let file = dir.path().join("career-bot.toml");
    std::fs::write(
        &file,
        "[calendar]\nworking_days = \"Mon-Fry\"\nholidays = { \"Europe/Berln\" = \"bad.ics\", default = \"missing.ics\" }\n[away]\nwords = [\"OOO\", \"--\"]\n",
    )
    .expect("config");
    let overrides = Overrides {
        config_file: Some(file),
        ..database_in(dir.path())
    };
    let env = std::collections::BTreeMap::<String, String>::new();
    let problems = career_bot::config::Config::resolve(&overrides, &env)
        .expect_err("problems")
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        problems.contains("bad.ics:4: DTSTART \"2026-02-30\" is not a date"),
        "{problems}"
    );
    assert!(
        problems.contains("missing.ics: cannot read the holiday file"),
        "{problems}"
    );
    assert!(
        problems.contains("(calendar.working_days): \"Mon-Fry\" is not a list of working days"),
        "{problems}"
    );
    assert!(
        problems.contains("(away.words): every entry must hold a word"),
        "{problems}"
    );
}

#[tokio::test]
async fn a_confirmation_request_waits_while_the_report_is_away_but_not_for_a_holiday() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell = with_ana_due(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-17T10:00:00Z",
            ":status ana Out of office until 2026-04-21T00:00:00Z",
            "done @ana",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    assert!(
        out.contains("for ana: deferred: away until 2026-04-21"),
        "{out}"
    );
    let out = run(&mut shell, &[":now 2026-04-21T09:00:00Z", ":tick", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 1, "{out}");
}

#[test]
fn the_example_config_documents_the_default_away_rules_and_calendar() {
    let example =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/career-bot.example.toml");
    let env = std::collections::BTreeMap::<String, String>::new();
    let with_example = Overrides {
        config_file: Some(example),
        ..Overrides::default()
    };
    let documented = career_bot::config::Config::resolve(&with_example, &env).expect("valid");
    let defaults = career_bot::config::Config::resolve(&Overrides::default(), &env).expect("valid");
    assert_eq!(documented.away, defaults.away);
    assert_eq!(documented.calendar, defaults.calendar);
    // The example holiday files the example names are valid iCalendar.
    for name in ["de", "us"] {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("deploy/holidays/{name}.ics"));
        let text = std::fs::read_to_string(&path).expect("example holiday file");
        let holidays =
            career_bot::checkins::calendar::Holidays::parse_ics(&text).expect("valid iCalendar");
        assert!(
            holidays.contains("2026-12-25".parse().expect("date")),
            "{name}"
        );
    }
}

#[test]
fn config_check_shows_the_away_rules_and_the_holidays_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("de.ics"),
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261003\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .expect("ics");
    let file = dir.path().join("career-bot.toml");
    std::fs::write(
        &file,
        "[away]\nwords = [\"OOO\", \"Urlaub\"]\n[calendar]\nworking_days = \"Sun-Thu\"\nholidays = { \"Europe/Berlin\" = \"de.ics\" }\n[org]\nfile = \"hr/org.csv\"\n",
    )
    .expect("config");
    let overrides = Overrides {
        config_file: Some(file),
        ..database_in(dir.path())
    };
    let env = std::collections::BTreeMap::<String, String>::new();
    let report = career_bot::admin::config_check::check(&overrides, &env);
    // Only Slack's secrets are missing (no environment here).
    assert!(
        report
            .problems
            .iter()
            .all(|problem| problem.source.starts_with("SLACK_")),
        "{:?}",
        report.problems
    );
    let out = report.effective;
    assert!(out.contains("[away]\nemoji = [\":palm_tree:\""), "{out}");
    assert!(out.contains("words = [\"OOO\", \"Urlaub\"]"), "{out}");
    // The org file, relative to the config file.
    let org_file = dir.path().join("hr/org.csv").display().to_string();
    assert!(
        out.contains(&format!("[org]\nfile = \"{org_file}\"")),
        "{out}"
    );
    assert!(
        out.contains("working_days = \"Mon,Tue,Wed,Thu,Sun\""),
        "{out}"
    );
    assert!(
        out.contains("# holidays for Europe/Berlin: 1 days"),
        "{out}"
    );
}
