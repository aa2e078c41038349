//! The people team's view (issue 14): `overdue` for admins and for managers' whole reporting
//! lines, `team @manager` for admins and the managers above, and `stats` (figures checked
//! against a small org counted by hand, and the chart written by `stats --png`). Scripted
//! through the shell adapter, the same handlers as Slack, on a temp database with the clock
//! set by `:now`; one test pipes the shell through the binary.

use std::os::unix::fs::PermissionsExt;

use career_bot::bot::{Bot, Request};
use career_bot::ids::UserId;
use career_bot::shell::Shell;

use crate::support::binary;
use crate::support::bot::bot_in;
use crate::support::shell::run;

async fn bot(dir: &std::path::Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

/// The org, on 2026-08-01 (everyone started 2026-01-05, so overdue from 2026-07-05):
///
/// ```text
/// dir ─┬─ lead ─┬─ ana   talked 2026-06-01 (on time), confirmed
///      │        └─ bo    never: overdue
///      └─ cy             talked 2026-07-20 (16 days late), disputed
/// other ─┬─ zed          talked 2026-07-15 (11 days late), not answered
///        └─ yan          started 2026-03-01: due, not overdue
/// ```
/// `lead` themselves has had no conversation and is snoozed by `dir`.
const ORG: &[&str] = &[
    ":now 2026-01-05T10:00:00Z",
    ":as dir",
    "add @lead marketing 3",
    "add @cy marketing 2",
    ":as lead",
    "add @ana marketing 2",
    "add @bo marketing 2",
    ":as other",
    "add @zed marketing 1",
    ":now 2026-03-01T10:00:00Z",
    "add @yan marketing 1",
    ":now 2026-08-01T10:00:00Z",
    ":as lead",
    "done @ana 2026-06-01",
    ":as dir",
    "done @cy 2026-07-20",
    "snooze @lead 2w",
    ":as other",
    "done @zed 2026-07-15",
    ":as ana",
    "ack",
    ":as cy",
    "dispute we only talked about the roadmap",
];

async fn org(bot: &Bot) -> Shell<'_> {
    let mut shell = Shell::new(bot, None, None).expect("shell");
    let out = run(&mut shell, ORG).await;
    assert!(!out.contains("Something went wrong"), "{out}");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM checkins")
        .fetch_one(bot.store().pool())
        .await
        .expect("count");
    assert_eq!(held, 3, "{out}");
    shell
}

/// What `line` prints, typed by `user`.
async fn as_user(shell: &mut Shell<'_>, user: &str, line: &str) -> String {
    run(shell, &[&format!(":as {user}")]).await;
    run(shell, &[line]).await
}

#[tokio::test]
async fn overdue_shows_an_admin_everyone_and_a_manager_their_whole_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = org(&bot).await;

    let admin = as_user(&mut shell, "admin", "overdue").await;
    assert!(admin.contains("Conversations waiting (3)"), "{admin}");
    assert!(
        admin.contains("@bo (manager @lead): overdue since 2026-07-05"),
        "{admin}"
    );
    assert!(
        admin.contains("@lead (manager @dir): snoozed until 2026-08-15"),
        "{admin}"
    );
    assert!(admin.contains("@yan (manager @other): due"), "{admin}");
    assert!(
        admin.contains("1 overdue · 1 due · 1 snoozed across the organisation"),
        "{admin}"
    );
    // Overdue first, then due, then snoozed.
    let (bo, yan, lead) = (
        admin.find("@bo (").expect("bo"),
        admin.find("@yan (").expect("yan"),
        admin.find("@lead (").expect("lead"),
    );
    assert!(bo < yan && yan < lead, "{admin}");

    // A director sees the reports of their reports, and nobody outside their org.
    let director = as_user(&mut shell, "dir", "overdue").await;
    assert!(
        director.contains("@bo (manager @lead): overdue"),
        "{director}"
    );
    assert!(
        director.contains("@lead (manager @dir): snoozed"),
        "{director}"
    );
    assert!(!director.contains("@yan"), "{director}");
    assert!(director.contains("in your reporting line"), "{director}");

    let lead = as_user(&mut shell, "lead", "overdue").await;
    assert!(lead.contains("Conversations waiting (1)"), "{lead}");
    assert!(lead.contains("@bo"), "{lead}");
    assert!(!lead.contains("@lead ("), "{lead}");

    let other = as_user(&mut shell, "other", "overdue").await;
    assert!(other.contains("@yan"), "{other}");
    assert!(!other.contains("@bo"), "{other}");

    let stranger = as_user(&mut shell, "ana", "overdue").await;
    assert_eq!(
        stranger.trim(),
        "Only admins and managers can see this: nobody reports to you, so there is nobody to show."
    );
}

#[tokio::test]
async fn nobody_waiting_is_said_in_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = Shell::new(&bot, Some("boss".into()), Some("2026-01-05")).expect("shell");
    let out = run(&mut shell, &["add @ana marketing 2", "overdue"]).await;
    assert!(
        out.contains("Nobody in your reporting line is due, overdue or snoozed."),
        "{out}"
    );
}

#[tokio::test]
async fn team_of_a_manager_is_for_admins_and_the_managers_above_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = org(&bot).await;

    for viewer in ["admin", "dir"] {
        let out = as_user(&mut shell, viewer, "team @lead").await;
        assert!(out.contains("Reports of @lead (2)"), "{viewer}: {out}");
        assert!(out.contains("@ana: "), "{viewer}: {out}");
        assert!(out.contains("@bo: "), "{viewer}: {out}");
        assert!(
            out.contains("1 ok · 0 due · 1 overdue · 0 snoozed."),
            "{viewer}: {out}"
        );
    }
    // Asking for your own team is `team`.
    let own = as_user(&mut shell, "lead", "team @lead").await;
    assert!(own.contains("Your reports (2)"), "{own}");

    let refusal =
        "Only admins and the managers above @lead can see their team; `team` alone shows yours.";
    for stranger in ["other", "ana", "zed"] {
        let out = as_user(&mut shell, stranger, "team @lead").await;
        assert_eq!(out.trim(), refusal, "{stranger}");
    }
    // Below is not above.
    let out = as_user(&mut shell, "lead", "team @dir").await;
    assert!(
        out.contains("Only admins and the managers above @dir"),
        "{out}"
    );
}

#[tokio::test]
async fn stats_figures_match_the_org_counted_by_hand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = org(&bot).await;

    let admin = as_user(&mut shell, "admin", "stats").await;
    assert!(
        admin.contains("Career conversations, last 12 months"),
        "{admin}"
    );
    assert!(
        admin.contains("2025-08-02 to 2026-08-01, across the organisation"),
        "{admin}"
    );
    // Three held: one on time; 16 and 11 days late (median 13.5); one dispute; one confirmed.
    for figure in [
        "Held: 3",
        "On time: 33%",
        "Median days late: 13.5",
        "Disputes: 1",
        "Confirmed: 33%",
    ] {
        assert!(admin.contains(figure), "{figure}: {admin}");
    }
    assert!(
        admin.contains(
            "@dir: 1 held · 0% on time · median 16 days late · 1 disputed · 0% confirmed"
        ),
        "{admin}"
    );
    assert!(
        admin.contains(
            "@lead: 1 held · 100% on time · median – days late · 0 disputed · 100% confirmed"
        ),
        "{admin}"
    );

    let director = as_user(&mut shell, "dir", "stats").await;
    for figure in [
        "Held: 2",
        "On time: 50%",
        "Median days late: 16",
        "Disputes: 1",
        "Confirmed: 50%",
    ] {
        assert!(director.contains(figure), "{figure}: {director}");
    }
    assert!(!director.contains("@other"), "{director}");

    // A shorter window leaves out what came before it.
    let recent = as_user(&mut shell, "admin", "stats --months 1").await;
    assert!(recent.contains("Held: 2"), "{recent}");

    let stranger = as_user(&mut shell, "ana", "stats").await;
    assert!(
        stranger.contains("Only admins and managers can see this"),
        "{stranger}"
    );
    let bad = as_user(&mut shell, "admin", "stats --months 0").await;
    assert!(
        bad.contains("`--months` takes a whole number of months from 1 to 120"),
        "{bad}"
    );
}

/// The width and height in a PNG's header, or `None` when the bytes are not a PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let signature = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if bytes.len() < 24 || bytes[..8] != signature || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    Some((number(16), number(20)))
}

#[tokio::test]
async fn stats_png_writes_the_chart_readable_only_by_its_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = org(&bot).await;
    let path = dir.path().join("chart.png");
    let out = as_user(
        &mut shell,
        "admin",
        &format!("stats --png {}", path.display()),
    )
    .await;
    assert!(out.contains("Held: 3"), "{out}");
    assert!(out.contains("Chart written to"), "{out}");
    let bytes = std::fs::read(&path).expect("the chart");
    assert_eq!(png_size(&bytes), Some((900, 450)));
    let mode = std::fs::metadata(&path)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Someone who may not see the figures gets no file.
    let refused = dir.path().join("refused.png");
    let out = as_user(
        &mut shell,
        "ana",
        &format!("stats --png {}", refused.display()),
    )
    .await;
    assert!(out.contains("Only admins and managers"), "{out}");
    assert!(!refused.exists());

    // In chat (Slack), `--png` writes nothing on the server.
    let reply = bot
        .handle(&Request {
            user: UserId::new("admin"),
            text: "stats --png /tmp/should-not-exist.png".into(),
            now: shell.now(),
        })
        .await
        .to_plain_text();
    assert!(
        reply.contains("only the shell and the command line"),
        "{reply}"
    );
}

#[test]
fn the_piped_shell_and_the_command_line_write_the_chart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script: String = ORG
        .iter()
        .chain(&[":as admin", "stats --png chart.png"])
        .map(|line| format!("{line}\n"))
        .collect();
    let mut child = binary::career_bot(dir.path())
        .args(["shell", "--db", "bot.db"])
        .env("CAREER_BOT_ADMINS", "admin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("career-bot shell");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script");
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("Chart written to chart.png"), "{stdout}");
    let bytes = std::fs::read(dir.path().join("chart.png")).expect("the chart");
    assert_eq!(png_size(&bytes), Some((900, 450)));

    // `career-bot stats`: the same figures across the organisation, and the same chart. The
    // window ends today, so it is a long one to reach back to the scripted 2026 dates.
    let output = binary::career_bot(dir.path())
        .args([
            "--db", "bot.db", "stats", "--months", "120", "--png", "cli.png",
        ])
        .output()
        .expect("career-bot stats");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("Held: 3"), "{stdout}");
    assert!(stdout.contains("Chart written to cli.png"), "{stdout}");
    let chart = dir.path().join("cli.png");
    assert_eq!(
        png_size(&std::fs::read(&chart).expect("chart")),
        Some((900, 450))
    );
    let mode = std::fs::metadata(&chart)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let output = binary::career_bot(dir.path())
        .args(["--db", "bot.db", "stats", "--months", "0"])
        .output()
        .expect("career-bot stats");
    assert_eq!(output.status.code(), Some(2));
}
