//! Evidence (issue 13): `log`, `evidence` and `unlog` through the shell adapter (the same
//! handlers as Slack), and who sees which entries.

use career_bot::bot::Bot;
use career_bot::shell::Shell;

use crate::support::bot::bot_in;
use crate::support::shell::run;

async fn bot(dir: &std::path::Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

async fn count(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("count query")
}

/// The boss adds Ana (Buffer Marketing, Level 2) on 2026-01-12; the shell is then Ana on
/// 2026-02-02.
async fn ana_on_marketing_2(bot: &Bot) -> Shell<'_> {
    let mut shell =
        Shell::new(bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &[
            "add @ana marketing 2",
            ":as ana",
            ":now 2026-02-02T10:00:00Z",
        ],
    )
    .await;
    assert!(out.contains("Added @ana"), "{out}");
    shell
}

#[tokio::test]
async fn log_tags_the_dimension_its_text_best_supports_and_quotes_the_expectation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    let out = run(
        &mut shell,
        &["log Measured the impact of the spring campaign and connected it to results"],
    )
    .await;
    assert!(
        out.contains(
            "Logged E1 for you, as evidence of How work is conducted (Level 3: Coordinator)."
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "It matches: \"Connects projects to results and measures the impact of everything you do.\""
        ),
        "{out}"
    );
    assert!(out.contains("`unlog E1`"), "{out}");
    let stored: (String, String, i64, String) =
        sqlx::query_as("SELECT person_id, author_id, level, dimension FROM evidence WHERE id = 1")
            .fetch_one(bot.store().pool())
            .await
            .expect("stored");
    assert_eq!(
        stored,
        (
            "ana".to_owned(),
            "ana".to_owned(),
            3,
            "How work is conducted".to_owned()
        )
    );
    // The current level counts too: "owns an area completely" is Level 2's Ownership.
    let out = run(
        &mut shell,
        &["log Owns the newsletter channel completely now"],
    )
    .await;
    assert!(
        out.contains("as evidence of Ownership (Level 2: Strategist)"),
        "{out}"
    );
}

#[tokio::test]
async fn a_hash_dimension_is_read_whole_by_prefix_or_with_a_typo_and_an_unknown_one_writes_nothing()
{
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    for (line, dimension) in [
        ("log Ran the offsite #ownership", "Ownership"),
        ("log Ran the offsite #scope", "Scope of influence"),
        (
            "log Ran the offsite #\"scope of influence\"",
            "Scope of influence",
        ),
        (
            "log Ran the offsite #scope-of-influence",
            "Scope of influence",
        ),
        ("log Ran the offsite #ownrship", "Ownership"),
    ] {
        let out = run(&mut shell, &[line]).await;
        assert!(
            out.contains(&format!("as evidence of {dimension} (")),
            "{line}: {out}"
        );
        assert!(!out.contains("Another dimension?"), "{line}: {out}");
    }
    let texts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT text FROM evidence")
        .fetch_all(bot.store().pool())
        .await
        .expect("texts");
    assert_eq!(
        texts,
        ["Ran the offsite"],
        "the tag is not part of the text"
    );
    let before = count(&bot, "SELECT count(*) FROM evidence").await;
    let out = run(&mut shell, &["log Ran the offsite #ownershipp-x"]).await;
    assert!(
        out.contains(
            "Buffer Marketing has no dimension \"ownershipp x\"; did you mean \"Ownership\"?"
        ),
        "{out}"
    );
    assert!(out.contains("Nothing was logged."), "{out}");
    let out = run(&mut shell, &["log Ran the offsite #salary"]).await;
    assert!(out.contains("its dimensions are"), "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM evidence").await, before);
}

#[tokio::test]
async fn log_without_a_framework_is_untagged_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("zed".into()), Some("2026-02-02T10:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &["log Gave the intro talk https://talks.test/intro."],
    )
    .await;
    assert!(
        out.contains("Logged E1 for you, untagged: you are not on a framework yet."),
        "{out}"
    );
    let row: (Option<String>, Option<String>, String) =
        sqlx::query_as("SELECT dimension, link, text FROM evidence")
            .fetch_one(bot.store().pool())
            .await
            .expect("row");
    assert_eq!(
        row,
        (
            None,
            Some("https://talks.test/intro".to_owned()),
            "Gave the intro talk https://talks.test/intro.".to_owned()
        ),
        "the text is kept as written and its first link is kept as the link"
    );
    let out = run(&mut shell, &["log Gave the intro talk #ownership"]).await;
    assert!(out.contains("You are not on a framework"), "{out}");
    assert_eq!(count(&bot, "SELECT count(*) FROM evidence").await, 1);
}

#[tokio::test]
async fn log_longer_than_the_limit_is_refused_with_the_limit_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    let long = format!("log {}", "a".repeat(3_001));
    let out = run(&mut shell, &[&long]).await;
    assert!(
        out.contains(
            "Evidence can be at most 3,000 characters and this is 3,001, so nothing was logged."
        ),
        "{out}"
    );
    assert_eq!(count(&bot, "SELECT count(*) FROM evidence").await, 0);
    let exact = format!("log {}", "a".repeat(3_000));
    let out = run(&mut shell, &[&exact]).await;
    assert!(out.contains("Logged E1"), "{out}");
}

#[tokio::test]
async fn evidence_lists_yours_since_the_last_conversation_newest_first_and_all_with_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    run(
        &mut shell,
        &[
            "log Wrote the Q1 plan #ownership",
            ":as boss",
            ":now 2026-03-02T10:00:00Z",
            "done @ana",
            ":as ana",
            ":now 2026-03-03T10:00:00Z",
            "log Ran the launch retro #how",
            ":now 2026-03-04T10:00:00Z",
            "log Mentored the new hire",
        ],
    )
    .await;
    let out = run(&mut shell, &["evidence"]).await;
    assert!(
        out.contains("Evidence: yours (2, since the conversation on 2026-03-02)"),
        "{out}"
    );
    let newest = out.find("E3 · 2026-03-04").expect("E3 listed");
    let older = out
        .find("E2 · 2026-03-03 · How work is conducted: Ran the launch retro")
        .expect("E2 listed");
    assert!(newest < older, "newest first: {out}");
    assert!(!out.contains("E1 "), "before the conversation: {out}");
    let out = run(&mut shell, &["evidence --all"]).await;
    assert!(out.contains("(3, all of it)"), "{out}");
    assert!(
        out.contains("E1 · 2026-02-02 · Ownership: Wrote the Q1 plan"),
        "{out}"
    );
}

#[tokio::test]
async fn unlog_removes_your_own_entry_and_refuses_anyone_elses_in_one_sentence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    run(
        &mut shell,
        &[
            "log Wrote the Q1 plan #ownership",
            "log Ran the retro #how",
            ":as boss",
            "log @ana Handled the press enquiry alone #ownership",
        ],
    )
    .await;
    // Someone else's entry, and one that does not exist: the same sentence, nothing changed.
    let out = run(&mut shell, &["unlog E1"]).await;
    assert_eq!(
        out.trim(),
        "You have no entry E1 to remove (`evidence` lists yours), so nothing was changed."
    );
    let out = run(&mut shell, &["unlog 99"]).await;
    assert!(out.contains("You have no entry E99"), "{out}");
    // The person learns who may remove an entry logged for them.
    run(&mut shell, &[":as ana"]).await;
    let out = run(&mut shell, &["unlog e3"]).await;
    assert_eq!(
        out.trim(),
        "E3 was logged by @boss, so only they can remove it; nothing was changed."
    );
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM evidence WHERE removed_at IS NOT NULL"
        )
        .await,
        0
    );
    for typed in ["unlog E1", "unlog 2"] {
        let out = run(&mut shell, &[typed]).await;
        assert!(out.starts_with("Removed E"), "{typed}: {out}");
    }
    let out = run(&mut shell, &["unlog E1"]).await;
    assert!(out.contains("You have no entry E1"), "removed once: {out}");
    let out = run(&mut shell, &["evidence --all"]).await;
    assert!(out.contains("(1, all of it)"), "{out}");
    assert!(out.contains("E3 ·"), "{out}");
    assert!(out.contains("(logged by @boss)"), "{out}");
    assert_eq!(
        count(&bot, "SELECT count(*) FROM evidence").await,
        3,
        "removed rows are kept for the timeline"
    );
}

#[tokio::test]
async fn a_manager_logs_for_a_report_who_is_told_once_and_only_for_their_own_reports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    let out = run(
        &mut shell,
        &[
            ":as boss",
            "log @ana Handled the press enquiry alone, see https://news.test/1 #ownership",
        ],
    )
    .await;
    assert!(
        out.contains("Logged E1 for @ana, as evidence of Ownership"),
        "{out}"
    );
    assert!(out.contains("I've told @ana"), "{out}");
    let out = run(&mut shell, &[":tick"]).await;
    assert!(out.contains("[DM to ana]"), "{out}");
    assert!(out.contains("@boss logged E1 (Ownership) for you"), "{out}");
    assert!(out.contains("Handled the press enquiry alone"), "{out}");
    let out = run(&mut shell, &[":tick"]).await;
    assert!(!out.contains("[DM to ana]"), "told once: {out}");
    // Taken back before the DM went out: it is not sent.
    let out = run(
        &mut shell,
        &["log @ana Wrong person, sorry", "unlog E2", ":tick"],
    )
    .await;
    assert!(out.contains("Removed E2"), "{out}");
    assert!(!out.contains("[DM to ana]"), "{out}");
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM outbox WHERE key = 'evidence:2' AND status = 'superseded'"
        )
        .await,
        1
    );
    // Not a report of the caller, nor an admin's to log for: one sentence, nothing written.
    for (who, line) in [
        ("carol", "log @ana Great work #ownership"),
        ("admin", "log @ana Great work"),
        ("ana", "log @boss Ran the planning"),
    ] {
        let out = run(&mut shell, &[&format!(":as {who}"), line]).await;
        assert!(
            out.contains("You can log evidence for yourself, or for someone on your team;"),
            "{who}: {out}"
        );
    }
    assert_eq!(count(&bot, "SELECT count(*) FROM evidence").await, 2);
    run(&mut shell, &[":as ana"]).await;
    let out = run(&mut shell, &["evidence"]).await;
    assert!(out.contains("(logged by @boss)"), "{out}");
}

/// Who sees what of Ana's evidence: Ana, her manager (Bo, since the boss moved her), her
/// previous manager (the boss: only what the boss logged), another manager, an admin and a
/// stranger (one sentence each).
#[tokio::test]
async fn every_evidence_view_shows_each_viewer_only_what_they_may_see() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = ana_on_marketing_2(&bot).await;
    let out = run(
        &mut shell,
        &[
            "log Ana's own entry #ownership",
            ":as boss",
            "log @ana The boss's entry #ownership",
            "move @ana @bo",
            ":as bo",
            "log @ana Bo's entry #ownership",
            ":as carol",
            "add @dan marketing 1",
        ],
    )
    .await;
    assert!(out.contains("Added @dan"), "{out}");
    let entries = ["Ana's own entry", "The boss's entry", "Bo's entry"];
    let refusal = "Only @ana and their manager can see their evidence.";
    for view in [
        "evidence @ana",
        "evidence @ana --all",
        "evidence --all @ana",
    ] {
        for (viewer, sees) in [
            ("ana", &entries[..]),
            ("bo", &entries[..]),
            ("boss", &entries[1..2]),
        ] {
            let line = if viewer == "ana" && view == "evidence @ana" {
                "evidence"
            } else {
                view
            };
            let out = run(&mut shell, &[&format!(":as {viewer}"), line]).await;
            for entry in entries {
                assert_eq!(
                    out.contains(entry),
                    sees.contains(&entry),
                    "{viewer} `{line}` and {entry:?}: {out}"
                );
            }
        }
        for viewer in ["carol", "admin", "stranger"] {
            run(&mut shell, &[&format!(":as {viewer}")]).await;
            let out = run(&mut shell, &[view]).await;
            assert_eq!(out.trim(), refusal, "{viewer} `{view}`");
        }
    }
    // Once removed from the records, the last manager is a previous manager too.
    let out = run(
        &mut shell,
        &[":as bo", "remove @ana", "evidence @ana --all"],
    )
    .await;
    assert!(out.contains("Bo's entry"), "{out}");
    assert!(!out.contains("Ana's own entry"), "{out}");
    assert!(!out.contains("The boss's entry"), "{out}");
}
