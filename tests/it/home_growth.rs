//! The home view's growth content (issue 13), through the same handler Slack's App Home
//! renders, with time passed in: a person's evidence count, focus areas, "Log evidence" and,
//! in the prep window, "Prepare"; a manager's per-report evidence count and both sides'
//! assessment state.

use career_bot::bot::Bot;
use career_bot::bot::handlers;
use career_bot::ids::UserId;
use career_bot::reply::{Action, Block, Reply, actions};
use career_bot::shell::Shell;

use crate::support::bot::bot_in;
use crate::support::shell::run;

async fn home(bot: &Bot, user: &str, now: &str) -> (String, Vec<(String, String)>) {
    let reply = handlers::home(bot, &UserId::new(user), now.parse().expect("time"))
        .await
        .expect("home");
    (career_bot::reply::text::render(&reply), buttons(&reply))
}

/// Every button's action id and value, in order.
fn buttons(reply: &Reply) -> Vec<(String, String)> {
    reply
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Actions { actions, .. } => Some(actions),
            _ => None,
        })
        .flatten()
        .filter_map(|action| match action {
            Action::Button {
                action_id, value, ..
            } => Some((action_id.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

fn has(buttons: &[(String, String)], action: &str, value: &str) -> bool {
    buttons.iter().any(|(a, v)| a == action && v == value)
}

#[tokio::test]
async fn the_home_shows_evidence_focus_and_prepare_in_the_window_for_both_sides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    // Ana's first conversation is due on 2026-04-20; the prep window opens 14 days before.
    let out = run(
        &mut shell,
        &[
            "add @ana marketing 2",
            ":as ana",
            ":now 2026-02-02T10:00:00Z",
            "log Ran the spring campaign end to end #ownership",
            "log Wrote a blog post about it",
        ],
    )
    .await;
    assert!(out.contains("Logged E2"), "{out}");

    // Before the window: evidence counted, "Log evidence", no "Prepare".
    let (text, buttons) = home(&bot, "ana", "2026-03-01T10:00:00Z").await;
    assert!(
        text.contains("2 pieces of evidence since your last conversation."),
        "{text}"
    );
    assert!(has(&buttons, actions::LOG_EVIDENCE, "ana"), "{buttons:?}");
    assert!(
        !buttons.iter().any(|(a, _)| a == actions::PREPARE),
        "{buttons:?}"
    );
    let (text, buttons) = home(&bot, "boss", "2026-03-01T10:00:00Z").await;
    assert!(
        text.contains("2 pieces of evidence since the last conversation · assessed by @ana: not yet · by you: not yet"),
        "{text}"
    );
    assert!(
        !buttons.iter().any(|(a, _)| a == actions::PREPARE),
        "{buttons:?}"
    );

    // In the window: "Prepare" for Ana (her own form) and for her manager (his of her).
    let (_, buttons) = home(&bot, "ana", "2026-04-07T10:00:00Z").await;
    assert!(has(&buttons, actions::PREPARE, "ana"), "{buttons:?}");
    let (_, buttons) = home(&bot, "boss", "2026-04-07T10:00:00Z").await;
    assert!(has(&buttons, actions::PREPARE, "ana"), "{buttons:?}");

    // Ana starts, then submits; her manager sees how far she is, never her answers.
    run(
        &mut shell,
        &[
            ":now 2026-04-07T10:00:00Z",
            "assess ownership consistently led it alone",
        ],
    )
    .await;
    let (text, _) = home(&bot, "boss", "2026-04-07T11:00:00Z").await;
    assert!(
        text.contains("assessed by @ana: started · by you: not yet"),
        "{text}"
    );
    assert!(!text.contains("led it alone"), "{text}");
    run(&mut shell, &["assess done"]).await;
    let (text, buttons) = home(&bot, "ana", "2026-04-07T12:00:00Z").await;
    assert!(
        text.contains("Your assessment for the coming conversation is submitted."),
        "{text}"
    );
    assert!(
        !buttons.iter().any(|(a, _)| a == actions::PREPARE),
        "a submitted assessment is not offered again: {buttons:?}"
    );
    let (text, _) = home(&bot, "boss", "2026-04-07T12:00:00Z").await;
    assert!(
        text.contains("assessed by @ana: submitted · by you: not yet"),
        "{text}"
    );

    // The conversation agrees focus areas: the count starts again and the focus is shown.
    let out = run(
        &mut shell,
        &[
            ":as boss",
            ":now 2026-04-15T10:00:00Z",
            "done @ana --focus ownership, scope --next \"Lead the autumn launch\"",
        ],
    )
    .await;
    assert!(out.contains("Recorded"), "{out}");
    let (text, buttons) = home(&bot, "ana", "2026-04-16T10:00:00Z").await;
    assert!(
        text.contains(
            "0 pieces of evidence since your last conversation. Focus areas: Ownership, Scope of influence."
        ),
        "{text}"
    );
    assert!(
        !buttons.iter().any(|(a, _)| a == actions::PREPARE),
        "the next conversation is months away: {buttons:?}"
    );
    let (text, _) = home(&bot, "boss", "2026-04-16T10:00:00Z").await;
    assert!(
        text.contains("0 pieces of evidence since the last conversation · assessed by @ana: not yet · by you: not yet"),
        "{text}"
    );
}

#[tokio::test]
async fn someone_on_no_framework_can_still_log_evidence_from_the_home() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let (text, buttons) = home(&bot, "newcomer", "2026-03-01T10:00:00Z").await;
    assert!(text.contains("not on a career framework yet"), "{text}");
    assert_eq!(
        buttons,
        [(actions::LOG_EVIDENCE.to_owned(), "newcomer".to_owned())]
    );
}
