//! Self-assessment and prepared conversations end to end, scripted through the shell adapter
//! (the same handlers as Slack): both sides assess, each sees the other's answers only once
//! both submitted, `prep` shows levels, both sides, evidence and what was agreed, `done
//! --focus` keeps the focus areas and the next `prep` starts from them. Also the privacy
//! matrix of the assessment and prep views.

use std::path::Path;

use career_bot::bot::Bot;
use career_bot::ids::UserId;
use career_bot::shell::Shell;
use career_bot::store::evidence::{EvidenceTag, NewEvidence};

use crate::support::bot::bot_in;
use crate::support::shell::run;

async fn bot(dir: &Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

/// Logs evidence through the store (the `log` command is built separately).
async fn log(bot: &Bot, person: &str, author: &str, text: &str, dimension: Option<&str>, at: &str) {
    bot.store()
        .log_evidence(
            &NewEvidence {
                person_id: UserId::new(person),
                author_id: UserId::new(author),
                text: text.to_owned(),
                link: None,
                note: None,
                tag: dimension.map(|d| EvidenceTag {
                    framework_id: career_bot::ids::FrameworkId::new("marketing"),
                    level: 3,
                    dimension: d.to_owned(),
                }),
                request_key: None,
            },
            at.parse().expect("time"),
        )
        .await
        .expect("log evidence");
}

#[tokio::test]
async fn both_sides_assess_prep_shows_them_and_the_next_prep_starts_from_the_focus() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    log(
        &bot,
        "ana",
        "ana",
        "Ran the spring campaign end to end",
        Some("Ownership"),
        "2026-02-02T10:00:00Z",
    )
    .await;
    log(
        &bot,
        "ana",
        "boss",
        "Coached the new hire",
        Some("How work is conducted"),
        "2026-02-03T10:00:00Z",
    )
    .await;
    log(
        &bot,
        "ana",
        "ana",
        "Wrote a blog post",
        None,
        "2026-02-04T10:00:00Z",
    )
    .await;

    // The report sees the dimensions of their next level and the syntax.
    let out = run(
        &mut shell,
        &[":now 2026-04-06T09:00:00Z", ":as ana", "assess"],
    )
    .await;
    assert!(
        out.contains("Your self-assessment against Buffer Marketing, Level 3: Coordinator"),
        "{out}"
    );
    assert!(out.contains("Scope of influence"), "{out}");
    assert!(out.contains("Your whole area."), "{out}");
    assert!(
        out.contains("assess DIMENSION not-yet|sometimes|consistently"),
        "{out}"
    );

    // Ratings by name, prefix, typo, with a note; "Not Yet" in two words.
    let out = run(
        &mut shell,
        &[
            "assess scope Not Yet still inside my own projects",
            "assess how work sometimes",
            "assess ownrship consistently",
            "assess topics moving towards Level 3",
        ],
    )
    .await;
    assert!(
        out.contains("Noted: Scope of influence, not yet (still inside my own projects)"),
        "{out}"
    );
    assert!(
        out.contains("Noted: Ownership, consistently. 3 of 3 dimensions rated"),
        "{out}"
    );

    // Bad input: one sentence, nothing changes.
    let out = run(
        &mut shell,
        &["assess leadership sometimes", "assess ownership always"],
    )
    .await;
    assert!(
        out.contains("\"leadership\" is not a dimension of this level"),
        "{out}"
    );
    assert!(out.contains("\"always\" is not a rating"), "{out}");
    let out = run(&mut shell, &["assess @boss ownership sometimes"]).await;
    assert!(out.contains("@boss is not your report"), "{out}");

    let out = run(&mut shell, &["assess done"]).await;
    assert!(
        out.contains("Submitted (3 of 3 dimensions). You will see @boss's answers"),
        "{out}"
    );
    let out = run(&mut shell, &["assess ownership sometimes"]).await;
    assert!(out.contains("so it no longer changes"), "{out}");

    // The manager's side: before they submit, the report's answers are hidden from them,
    // and theirs from the report.
    let out = run(
        &mut shell,
        &[
            ":as boss",
            "assess @ana scope consistently",
            "assess @ana ownership consistently",
            "prep @ana",
        ],
    )
    .await;
    assert!(
        out.contains("Preparing the conversation with @ana"),
        "{out}"
    );
    assert!(
        out.contains("Current level: Buffer Marketing, Level 2: Strategist"),
        "{out}"
    );
    assert!(
        out.contains("Next level: Buffer Marketing, Level 3: Coordinator"),
        "{out}"
    );
    assert!(
        out.contains("Scope of influence: @ana hidden until both submit · you consistently"),
        "{out}"
    );
    assert!(!out.contains("still inside my own projects"), "{out}");
    assert!(
        out.contains("What @ana would like to talk about: moving towards Level 3"),
        "{out}"
    );
    assert!(out.contains("Evidence so far: 3"), "{out}");
    assert!(out.contains("Ran the spring campaign end to end"), "{out}");
    assert!(out.contains("Untagged (1)"), "{out}");
    let out = run(&mut shell, &[":as ana", "prep"]).await;
    assert!(
        out.contains("Preparing your conversation with @boss"),
        "{out}"
    );
    assert!(out.contains("Scope of influence: you not yet (still inside my own projects) · @boss hidden until both submit"), "{out}");

    // Both submitted: side by side, and a gap of two steps is flagged.
    let out = run(&mut shell, &[":as boss", "assess @ana done", "prep @ana"]).await;
    assert!(out.contains("Both sides have now submitted"), "{out}");
    assert!(
        out.contains("Scope of influence: @ana not yet (still inside my own projects) · you consistently ⚠ two steps apart"),
        "{out}"
    );
    assert!(
        out.contains("Ownership: @ana consistently · you consistently"),
        "{out}"
    );
    assert!(
        !out.contains("Ownership: @ana consistently · you consistently ⚠"),
        "{out}"
    );

    // The conversation records focus areas (validated) and next steps.
    let out = run(&mut shell, &["done @ana --focus scope,ownrship,leadership"]).await;
    assert!(
        out.contains("\"leadership\" is not a dimension of this framework"),
        "{out}"
    );
    let out = run(
        &mut shell,
        &["done @ana good talk --focus scope, ownership --next \"lead the Q3 launch\""],
    )
    .await;
    assert!(
        out.contains("Focus areas: Scope of influence, Ownership."),
        "{out}"
    );
    let stored: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT focus, next_steps, private_note FROM checkins WHERE report_id = 'ana'",
    )
    .fetch_one(bot.store().pool())
    .await
    .expect("checkin");
    assert_eq!(
        stored.0.as_deref(),
        Some(r#"["Scope of influence","Ownership"]"#)
    );
    assert_eq!(stored.1.as_deref(), Some("lead the Q3 launch"));
    assert_eq!(stored.2.as_deref(), Some("good talk"));

    // The next prep starts from the focus; a new period has no assessments yet.
    let out = run(
        &mut shell,
        &[":now 2026-05-10T09:00:00Z", ":as ana", "prep", "me"],
    )
    .await;
    assert!(out.contains("Focus areas agreed on 2026-04-06"), "{out}");
    assert!(out.contains("• Scope of influence"), "{out}");
    assert!(
        out.contains("Next steps agreed: lead the Q3 launch"),
        "{out}"
    );
    assert!(
        out.contains("Assessments: you not started · @boss not started"),
        "{out}"
    );
    assert!(
        out.contains("No evidence logged since 2026-04-06."),
        "{out}"
    );
    assert!(
        out.contains("Focus areas: Scope of influence, Ownership"),
        "me shows them: {out}"
    );
    // And the new period's assessment starts empty.
    let out = run(&mut shell, &["assess"]).await;
    assert!(out.contains("Status: not started"), "{out}");
}

#[tokio::test]
async fn the_top_level_is_assessed_against_itself_and_no_framework_means_nothing_to_assess() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 5"]).await;
    let out = run(&mut shell, &[":as ana", "assess"]).await;
    assert!(
        out.contains("is the top level of Buffer Marketing, so this assesses against it"),
        "{out}"
    );
    let out = run(
        &mut shell,
        &[":as zed", "assess", "assess ownership sometimes", "prep"],
    )
    .await;
    assert!(
        out.contains(
            "You are not on a career framework yet, so there is nothing to assess against"
        ),
        "{out}"
    );
    assert!(out.contains("there is no conversation to prepare"), "{out}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessments")
        .fetch_one(bot.store().pool())
        .await
        .expect("count");
    assert_eq!(count, 0);
}

/// Who sees what of `assess @ana` and `prep @ana`: the person, their manager, their previous
/// manager, another manager, an admin and a stranger.
#[tokio::test]
async fn privacy_matrix_of_the_assessment_and_prep_views() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("old".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            "assess @ana ownership not-yet",
            "move @ana @boss",
            ":as other",
            "add @bo marketing 1",
        ],
    )
    .await;
    log(
        &bot,
        "ana",
        "old",
        "Old manager's note on the launch",
        Some("Ownership"),
        "2026-01-25T10:00:00Z",
    )
    .await;
    log(
        &bot,
        "ana",
        "ana",
        "Secret sauce campaign",
        Some("Ownership"),
        "2026-02-01T10:00:00Z",
    )
    .await;
    log(
        &bot,
        "ana",
        "admin",
        "Admin-logged entry",
        None,
        "2026-02-02T10:00:00Z",
    )
    .await;
    run(
        &mut shell,
        &[
            ":as ana",
            "assess ownership sometimes",
            "assess topics a raise",
            "assess done",
            ":as boss",
            "assess @ana ownership consistently",
        ],
    )
    .await;

    // The person: everything of theirs; the manager's draft hidden.
    let out = run(&mut shell, &[":as ana", "prep"]).await;
    assert!(
        out.contains("Secret sauce campaign") && out.contains("Old manager's note"),
        "{out}"
    );
    assert!(out.contains("a raise"), "{out}");
    assert!(out.contains("@boss hidden until both submit"), "{out}");
    // The current manager: evidence and topics (submitted), the report's answers hidden.
    let out = run(&mut shell, &[":as boss", "prep @ana"]).await;
    assert!(
        out.contains("Secret sauce campaign") && out.contains("Admin-logged entry"),
        "{out}"
    );
    assert!(out.contains("a raise"), "{out}");
    assert!(out.contains("@ana hidden until both submit"), "{out}");
    assert!(!out.contains("sometimes"), "{out}");

    for stranger in ["old", "other", "stranger"] {
        let out = run(
            &mut shell,
            &[
                &format!(":as {stranger}"),
                "prep @ana",
                "assess @ana",
                "assess @ana ownership sometimes",
            ],
        )
        .await;
        assert!(
            out.contains("Only @ana and their manager can see their preparation"),
            "{stranger}: {out}"
        );
        assert!(
            out.contains("@ana is not your report, so you cannot assess them"),
            "{stranger}: {out}"
        );
        assert!(
            !out.contains("Secret sauce") && !out.contains("a raise"),
            "{stranger}: {out}"
        );
    }
    // An admin: levels and statuses, only the evidence they logged, no answers or topics.
    let out = run(
        &mut shell,
        &[":as admin", "prep @ana", "assess @ana ownership sometimes"],
    )
    .await;
    assert!(
        out.contains("Preparing the conversation with @ana"),
        "{out}"
    );
    assert!(
        out.contains("Assessments: @ana submitted · @boss in progress"),
        "{out}"
    );
    assert!(out.contains("Admin-logged entry"), "{out}");
    assert!(
        !out.contains("Secret sauce") && !out.contains("Old manager") && !out.contains("a raise"),
        "{out}"
    );
    assert!(!out.contains("Side by side"), "{out}");
    assert!(
        out.contains("@ana is not your report, so you cannot assess them"),
        "{out}"
    );
    // The old manager's own draft from before the move stays theirs: the new manager's side
    // is the one in the period (one manager side per period).
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessment_answers")
        .fetch_one(bot.store().pool())
        .await
        .expect("count");
    assert_eq!(answers, 2, "no refused change was written");
}

fn dms_to(output: &str, user: &str) -> usize {
    output.matches(&format!("[DM to {user}]")).count()
}

/// The invitation to prepare goes out once, `[prep] days_before` (14) the conversation is
/// due, at the report's reminder slot; a conversation recorded before it is sent drops it,
/// and the next due period gets its own.
#[tokio::test]
async fn the_prep_dm_goes_out_once_fourteen_days_before_and_never_stale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    // Due 2026-04-20: the invitation is for 2026-04-06.
    run(&mut shell, &["add @ana marketing 2"]).await;
    let out = run(&mut shell, &[":now 2026-04-05T12:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    let out = run(&mut shell, &[":now 2026-04-06T09:00:00Z", ":tick", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 1, "{out}");
    assert!(
        out.contains("Your conversation with @boss is due on 2026-04-20"),
        "{out}"
    );
    assert!(
        out.contains("Rate yourself against your next level, Level 3: Coordinator"),
        "{out}"
    );
    assert!(out.contains("[Prepare] (type: assess)"), "{out}");
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-13T09:00:00Z",
            ":tick",
            ":now 2026-04-20T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(
        dms_to(&out, "ana"),
        0,
        "never twice for one due period: {out}"
    );
    // The manager's reminder has a Prepare button too.
    assert!(out.contains("[Prepare] (type: assess @ana)"), "{out}");

    // Recorded: the next one is due 2026-07-20, its invitation on 2026-07-06. Planned but
    // not yet sent when the conversation is recorded early, it is dropped.
    run(&mut shell, &["done @ana", ":tick"]).await;
    let out = run(&mut shell, &[":now 2026-07-05T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    let at: chrono::DateTime<chrono::Utc> = "2026-07-06T09:00:00Z".parse().expect("time");
    career_bot::scheduler::plan(&bot, at).await.expect("plan");
    let out = run(
        &mut shell,
        &[":now 2026-07-06T09:00:00Z", "done @ana", ":tick"],
    )
    .await;
    assert_eq!(
        dms_to(&out, "ana"),
        1,
        "only the confirmation request: {out}"
    );
    assert!(!out.contains("Prepare your career conversation"), "{out}");
    let superseded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'prep' AND status = 'superseded'",
    )
    .fetch_one(bot.store().pool())
    .await
    .expect("count");
    assert_eq!(superseded, 1);
    let sent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'prep' AND status = 'sent'")
            .fetch_one(bot.store().pool())
            .await
            .expect("count");
    assert_eq!(sent, 1);
}

/// The invitation goes out at the reminder slot of the report's own time zone: a report in
/// Tokyo has it at 09:00 there (00:00 UTC), while a report with no zone set, due the same
/// day, waits for 09:00 UTC.
#[tokio::test]
async fn the_prep_dm_follows_the_reports_own_time_zone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            "add @bob marketing 2",
            ":as ana",
            "timezone Asia/Tokyo",
            ":as boss",
        ],
    )
    .await;
    // Both are due 2026-04-20; their invitations are for 2026-04-06.
    let out = run(&mut shell, &[":now 2026-04-06T00:30:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 1, "09:30 in Tokyo: {out}");
    assert_eq!(dms_to(&out, "bob"), 0, "00:30 UTC: {out}");
    let out = run(&mut shell, &[":now 2026-04-06T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "ana"), 0, "never twice: {out}");
    assert_eq!(dms_to(&out, "bob"), 1, "09:00 UTC: {out}");
}

/// A report snoozed or removed before their invitation is sent gets none.
#[tokio::test]
async fn a_snooze_or_removal_drops_a_planned_prep_dm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2", "add @bo marketing 2"]).await;
    let at: chrono::DateTime<chrono::Utc> = "2026-04-06T09:00:00Z".parse().expect("time");
    career_bot::scheduler::plan(&bot, at).await.expect("plan");
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-06T09:00:00Z",
            "snooze @ana 4 weeks",
            "remove @bo",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "ana"), 0, "{out}");
    assert_eq!(dms_to(&out, "bo"), 0, "{out}");
}
