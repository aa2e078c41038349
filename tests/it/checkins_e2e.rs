//! Check-ins end to end, scripted through the shell adapter (the same handlers as Slack), with
//! a temp SQLite file and the clock set by `:now`. Each test reads like the session a manager
//! and a report would have.

use std::path::Path;
use std::sync::Mutex;

use career_bot::bot::Bot;
use career_bot::chat::{Chat, Delivered, Recipient, SendError};
use career_bot::ids::UserId;
use career_bot::reply::Reply;
use career_bot::shell::Shell;

use crate::support::bot::bot_in;
use crate::support::shell::run;

async fn bot(dir: &Path) -> Bot {
    bot_in(dir, &[("CAREER_BOT_ADMINS", "admin")]).await
}

fn dms_to(output: &str, user: &str) -> usize {
    output.matches(&format!("[DM to {user}]")).count()
}

async fn count(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("count query")
}

#[tokio::test]
async fn a_check_in_cycle_from_add_to_due_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    // 2026-01-20 is a Tuesday; the check-in falls due three months later, Monday 2026-04-20.
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &["timezone Europe/Berlin", "add @ana marketing 2"],
    )
    .await;
    assert!(
        out.contains("Added @ana to your team: Buffer Marketing, Level 2: Strategist."),
        "{out}"
    );
    assert!(out.contains("due on 2026-04-20"), "{out}");

    // Two months in: nothing is due.
    let out = run(&mut shell, &[":now 2026-03-20T09:00:00Z", ":tick", "team"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(out.contains("next due 2026-04-20 · ok"), "{out}");
    insta::assert_snapshot!("team_before_the_due_date", out);

    // Due day, 06:59 UTC is 08:59 in Berlin: not yet.
    let out = run(&mut shell, &[":now 2026-04-20T06:59:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    // 07:00 UTC is 09:00 in Berlin: the first slot.
    let out = run(&mut shell, &[":now 2026-04-20T07:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("Career conversation due"), "{out}");
    assert!(
        out.contains("Time for a career conversation with @ana"),
        "{out}"
    );
    assert!(
        out.contains("[We had the conversation] (type: done @ana)"),
        "{out}"
    );
    assert!(out.contains("[Snooze 1 week]"), "{out}");
    assert!(out.contains("[What does their next level need?]"), "{out}");
    insta::assert_snapshot!("first_reminder", out);

    // A second pass in the same slot, and later the same week: no repeat.
    let out = run(
        &mut shell,
        &[":tick", ":now 2026-04-24T15:00:00Z", ":tick", "team"],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(out.contains("· due"), "{out}");

    // Seven days after the first: the reminder repeats, once.
    let out = run(&mut shell, &[":now 2026-04-27T07:00:00Z", ":tick", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("Reminder 2"), "{out}");

    // The manager records the conversation; the report is asked to confirm.
    let out = run(&mut shell, &["done @ana we discussed scope", ":tick"]).await;
    assert!(
        out.contains("Recorded: a career conversation with @ana on 2026-04-27"),
        "{out}"
    );
    assert!(out.contains("The next one is due on 2026-07-27"), "{out}");
    assert_eq!(dms_to(&out, "ana"), 1, "{out}");
    assert!(out.contains("[Yes, we talked] (type: ack)"), "{out}");
    assert_eq!(
        dms_to(&out, "boss"),
        0,
        "no reminder after the conversation: {out}"
    );

    let out = run(&mut shell, &[":as ana", "ack", "me"]).await;
    assert!(out.contains("Thanks, confirmed"), "{out}");
    assert!(
        out.contains("Last conversation: 2026-04-27 (acknowledged)"),
        "{out}"
    );
    assert!(out.contains("Next conversation: due 2026-07-27"), "{out}");
    assert!(
        out.contains("Buffer Marketing: Level 2 → Level 3"),
        "me shows the next level: {out}"
    );

    // Nothing more until three months after the conversation.
    let out = run(
        &mut shell,
        &[":as boss", ":now 2026-07-24T07:00:00Z", ":tick"],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    let out = run(&mut shell, &[":now 2026-07-27T07:00:00Z", ":tick", "team"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    let metrics = bot.metrics().encode();
    assert!(
        metrics.contains("career_bot_reminders_sent_total{kind=\"reminder\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("career_bot_reminders_sent_total{kind=\"ack_request\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("career_bot_checkins_recorded_total 1"),
        "{metrics}"
    );
    assert!(
        out.contains("last conversation 2026-04-27 (acknowledged)"),
        "{out}"
    );
}

#[tokio::test]
async fn the_history_keeps_the_record_and_shows_a_private_note_to_its_author_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            ":now 2026-04-27T07:00:00Z",
            "done @ana we discussed scope",
            ":as ana",
            "ack",
            ":as boss",
        ],
    )
    .await;

    // The history keeps both the record and the private note, for its author only.
    let out = run(&mut shell, &["history @ana"]).await;
    assert!(
        out.contains("Your private note: we discussed scope"),
        "{out}"
    );
    let out = run(&mut shell, &[":as ana", "history @ana"]).await;
    assert!(
        out.contains("Report's answer: confirmed on 2026-04-27"),
        "{out}"
    );
    assert!(
        !out.contains("we discussed scope"),
        "private notes are shown only to their author: {out}"
    );
}

#[tokio::test]
async fn a_snooze_pauses_reminders_until_its_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    let out = run(&mut shell, &[":now 2026-04-20T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");

    let out = run(&mut shell, &["snooze @ana 2 weeks parental leave", "team"]).await;
    assert!(
        out.contains("Reminders about @ana are paused until 2026-05-04 (parental leave)."),
        "{out}"
    );
    assert!(out.contains("snoozed until 2026-05-04"), "{out}");
    // The weekly repeat would have fallen on 2026-04-27: paused.
    let out = run(&mut shell, &[":now 2026-04-27T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    // From the snooze date, reminders resume.
    let out = run(&mut shell, &[":now 2026-05-04T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    // Snoozing to a date, and bad periods.
    let out = run(
        &mut shell,
        &[
            "snooze @ana until 2026-06-01",
            "snooze @ana soon",
            "snooze @ana 2026-01-01",
        ],
    )
    .await;
    assert!(out.contains("paused until 2026-06-01"), "{out}");
    assert!(out.contains("\"soon\" is not a period"), "{out}");
    assert!(out.contains("is not in the future"), "{out}");
}

#[tokio::test]
async fn overdue_reminders_say_so_and_the_digest_lists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE")]).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", "add @ben infracloud 3"],
    )
    .await;
    run(&mut shell, &["done @ben"]).await;
    // Six months on, Ana is overdue; Ben (conversation on 2026-01-20) too. Monday 2026-07-20.
    // Both are boss's, due in the same slot: one DM lists them.
    let out = run(&mut shell, &[":now 2026-07-20T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("2 career conversations overdue"), "{out}");
    assert!(out.contains("overdue since 2026-07-20"), "{out}");
    assert!(out.contains("[Post to #C_PEOPLE]"), "{out}");
    assert!(out.contains("Overdue career conversations: 2"), "{out}");
    assert!(
        out.contains("@ana (manager @boss): last 2026-01-20, overdue since 2026-07-20"),
        "{out}"
    );
    insta::assert_snapshot!(out);
    // The digest is weekly: not again in the same week.
    let out = run(&mut shell, &[":now 2026-07-22T09:00:00Z", ":tick"]).await;
    assert!(!out.contains("[Post to #C_PEOPLE]"), "{out}");
    let out = run(&mut shell, &[":now 2026-07-27T09:00:00Z", ":tick", "team"]).await;
    assert_eq!(out.matches("[Post to #C_PEOPLE]").count(), 1, "{out}");
    assert!(out.contains("· overdue"), "{out}");
}

#[tokio::test]
async fn refusals_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    let before = (
        count(&bot, "SELECT count(*) FROM audit_log").await,
        count(&bot, "SELECT count(*) FROM checkins").await,
        count(&bot, "SELECT count(*) FROM snoozes").await,
        count(
            &bot,
            "SELECT count(*) FROM people WHERE manager_id = 'boss' AND level = 2",
        )
        .await,
    );
    let out = run(
        &mut shell,
        &[
            ":as mallory",
            "done @ana",
            "snooze @ana 1w",
            "move @ana @mallory",
            "level @ana 4",
            "remove @ana",
            "add @ana marketing 3",
            "history @ana",
        ],
    )
    .await;
    assert_eq!(
        out.matches("Only @ana's manager (@boss) or an admin can do that, so nothing was changed.")
            .count(),
        5,
        "{out}"
    );
    assert!(
        out.contains("@ana is already on @boss's team, so nothing was changed."),
        "{out}"
    );
    assert!(
        out.contains("Only @ana, their manager or an admin can see their conversation history."),
        "{out}"
    );
    let out = run(&mut shell, &[":as ana", "done @ana", "ack"]).await;
    assert!(
        out.contains("Only @ana's manager"),
        "a report cannot record their own: {out}"
    );
    assert!(
        out.contains("There is no conversation waiting for your confirmation"),
        "{out}"
    );
    let after = (
        count(&bot, "SELECT count(*) FROM audit_log").await,
        count(&bot, "SELECT count(*) FROM checkins").await,
        count(&bot, "SELECT count(*) FROM snoozes").await,
        count(
            &bot,
            "SELECT count(*) FROM people WHERE manager_id = 'boss' AND level = 2",
        )
        .await,
    );
    assert_eq!(before, after, "a refused command must not write anything");

    // An admin may act on anyone's report.
    let out = run(&mut shell, &[":as admin", "done @ana", "level @ana 3"]).await;
    assert!(
        out.contains("Recorded: a career conversation with @ana"),
        "{out}"
    );
    assert!(
        out.contains("@ana is now at Buffer Marketing, Level 3: Coordinator."),
        "{out}"
    );
}

#[tokio::test]
async fn bad_input_gets_a_sentence_that_says_what_would_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &[
            "add @ana markting 2",
            "add @ana marketing 9",
            "add @ana engineering 2",
            "add @boss marketing 2",
            "done @nobody",
            "done ana",
            "done @ana 2026-02-30",
            "timezone Mars/Olympus",
        ],
    )
    .await;
    for expected in [
        "I don't know the framework \"markting\". Did you mean buffer-marketing?",
        "Buffer Marketing has no level 9; its levels are 1–5.",
        "\"engineering\" is the team of several frameworks: buffer-engineering, infracloud-engineering. Use the id.",
        "You can't be your own manager.",
        "@nobody is not on anyone's team. Add them first with `add @nobody FRAMEWORK LEVEL`.",
        "\"ana\" is not a person",
        "\"2026-02-30\" is not a date",
        "\"Mars/Olympus\" is not a time zone",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    run(&mut shell, &["add @ana marketing 2"]).await;
    let out = run(&mut shell, &["done @ana 2026-02-01"]).await;
    assert!(out.contains("is in the future"), "{out}");
}

#[tokio::test]
async fn move_sends_reminders_to_the_new_manager_and_remove_stops_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", "add @ben marketing 1"],
    )
    .await;
    let out = run(
        &mut shell,
        &["move @ana @carol", ":now 2026-04-20T09:00:00Z", ":tick"],
    )
    .await;
    assert!(out.contains("Moved @ana to @carol's team."), "{out}");
    assert_eq!(dms_to(&out, "carol"), 1, "{out}");
    assert_eq!(
        dms_to(&out, "boss"),
        1,
        "only Ben's reminder goes to boss: {out}"
    );
    let out = run(
        &mut shell,
        &["remove @ben", ":now 2026-04-27T09:00:00Z", ":tick", "team"],
    )
    .await;
    assert!(out.contains("Removed @ben from your team."), "{out}");
    assert_eq!(dms_to(&out, "boss"), 0, "{out}");
    assert!(out.contains("You have no reports yet."), "{out}");
}

#[tokio::test]
async fn a_report_moved_away_and_back_before_delivery_still_gets_the_reminder_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    // Boss's reminder about Ana is planned, then cancelled by the move before it goes out.
    let due = chrono::DateTime::parse_from_rfc3339("2026-04-20T09:00:00Z")
        .expect("a valid time")
        .with_timezone(&chrono::Utc);
    let planned = career_bot::scheduler::plan(&bot, due).await.expect("plan");
    assert_eq!(planned, 1);
    let out = run(
        &mut shell,
        &["move @ana @carol", ":as admin", "move @ana @boss"],
    )
    .await;
    assert!(out.contains("Moved @ana to @boss's team."), "{out}");
    // Same slot, same manager, same key as the cancelled row: it goes out after all, once.
    let out = run(&mut shell, &[":now 2026-04-20T09:05:00Z", ":tick", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert_eq!(dms_to(&out, "carol"), 0, "{out}");
    assert_eq!(
        count(&bot, "SELECT count(*) FROM outbox WHERE kind = 'reminder'").await,
        1,
        "the cancelled row was revived, not duplicated"
    );
}

#[tokio::test]
async fn a_dispute_reaches_the_manager_and_shows_in_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-04-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2", "done @ana", ":tick"]).await;
    let out = run(
        &mut shell,
        &[
            ":as ana",
            "dispute we only talked about the release",
            "dispute again",
        ],
    )
    .await;
    assert!(out.contains("I've told @boss."), "{out}");
    assert!(out.contains("You had already disputed"), "{out}");
    let out = run(&mut shell, &[":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(
        out.contains("Their reason: \"we only talked about the release\""),
        "{out}"
    );
    let out = run(&mut shell, &[":as admin", "history @ana"]).await;
    assert!(
        out.contains("DISPUTED on 2026-04-20: \"we only talked about the release\""),
        "{out}"
    );
}

/// A chat that delivers every message and, when told, "crashes" inside `send` by never
/// returning after recording the message.
#[derive(Default)]
struct CrashingChat {
    sent: Mutex<Vec<String>>,
    hang_after_sending: Mutex<bool>,
}

impl Chat for CrashingChat {
    async fn send(
        &self,
        recipient: Recipient<'_>,
        _reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        let to = match recipient {
            Recipient::User(user) | Recipient::Channel(user) => user.to_owned(),
        };
        self.sent.lock().expect("lock").push(format!("{to} {key}"));
        let hang = *self.hang_after_sending.lock().expect("lock");
        if hang {
            // The process dies after the chat accepted the message, before we mark it sent.
            std::future::pending::<()>().await;
        }
        Ok(Delivered::default())
    }
}

#[tokio::test]
async fn a_restart_in_the_middle_of_delivery_neither_loses_nor_duplicates_beyond_the_unavoidable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = career_bot::shell::parse_datetime("2026-04-20T09:00:00Z").expect("time");
    {
        let bot = bot(dir.path()).await;
        let mut shell =
            Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
        // Three managers, so delivery is three messages (one manager's reminders for a slot
        // would be one message).
        run(
            &mut shell,
            &[
                "add @ana marketing 2",
                ":as carol",
                "add @ben marketing 1",
                ":as dan",
                "add @cem marketing 3",
            ],
        )
        .await;
        // Crash 1: after planning, before any delivery.
        let planned = career_bot::scheduler::plan(&bot, now).await.expect("plan");
        assert_eq!(planned, 3);
        bot.store().close().await;
    }
    {
        // Restart: the planned rows are delivered; planning again adds nothing.
        let bot = bot(dir.path()).await;
        career_bot::scheduler::recover(&bot, now)
            .await
            .expect("recover");
        let chat = CrashingChat::default();
        // Crash 2: the first message is accepted by the chat, then the process dies.
        *chat.hang_after_sending.lock().expect("lock") = true;
        let pass = career_bot::scheduler::tick(&bot, &chat, now);
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(300), pass).await;
        assert!(
            timed_out.is_err(),
            "the pass hangs inside send, as a crash would"
        );
        assert_eq!(chat.sent.lock().expect("lock").len(), 1);
        bot.store().close().await;
    }
    {
        let bot = bot(dir.path()).await;
        let requeued = career_bot::scheduler::recover(&bot, now)
            .await
            .expect("recover");
        assert_eq!(
            requeued, 3,
            "the claimed batch was left `sending` by the crash"
        );
        let chat = CrashingChat::default();
        let report = career_bot::scheduler::tick(&bot, &chat, now)
            .await
            .expect("tick");
        assert_eq!(
            report.sent, 3,
            "nothing lost: every reminder is delivered after the restart"
        );
        assert_eq!(report.planned, 0, "nothing planned twice");
        let again = career_bot::scheduler::tick(&bot, &chat, now)
            .await
            .expect("tick");
        assert_eq!(again.sent, 0, "delivered rows are never sent again");
        let sent = chat.sent.lock().expect("lock").clone();
        assert_eq!(sent.len(), 3, "{sent:?}");
        let sent_rows = count(&bot, "SELECT count(*) FROM outbox WHERE status = 'sent'").await;
        assert_eq!(sent_rows, 3);
    }
}

#[tokio::test]
async fn the_shell_can_be_driven_with_start_options_and_stays_usable_on_bad_directives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    assert!(Shell::new(&bot, None, Some("not a time")).is_err());
    let mut shell = Shell::new(&bot, Some("@boss".into()), Some("2026-01-20")).expect("shell");
    let out = run(
        &mut shell,
        &[":now", ":now yesterday-ish", ":as", ":frobnicate", "me"],
    )
    .await;
    assert!(out.contains("It is 2026-01-20T00:00:00+00:00."), "{out}");
    assert!(out.contains("is not a date or time"), "{out}");
    assert!(out.contains("Acting as boss."), "{out}");
    assert!(out.contains("Unknown directive `:frobnicate`"), "{out}");
    assert!(
        out.contains("You are not on a career framework yet."),
        "{out}"
    );
}

/// A chat that is always down.
struct DownChat;

impl Chat for DownChat {
    async fn send(
        &self,
        _to: Recipient<'_>,
        _reply: &Reply,
        _key: &str,
    ) -> Result<Delivered, SendError> {
        Err(SendError::Temporary("HTTP 503".into()))
    }
}

#[tokio::test]
async fn a_message_that_keeps_failing_for_a_day_is_given_up_and_reported_to_admins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(dir.path(), &[("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE")]).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    let at = |text: &str| career_bot::shell::parse_datetime(text).expect("time");
    // Due on Monday 2026-04-20; Slack is down for the whole day and more.
    let first = career_bot::scheduler::tick(&bot, &DownChat, at("2026-04-20T09:00:00Z"))
        .await
        .expect("tick");
    // The reminder only: nobody is overdue yet, so Monday's digest is not posted.
    assert_eq!((first.planned, first.sent, first.retried), (1, 0, 1));
    let row = &bot.store().outbox(Some("pending")).await.expect("outbox")[0];
    assert_eq!(row.last_error.as_deref(), Some("HTTP 503"));
    let later = career_bot::scheduler::tick(&bot, &DownChat, at("2026-04-20T20:00:00Z"))
        .await
        .expect("tick");
    assert_eq!(later.retried, 1, "still within a day: retried");
    let next_day = career_bot::scheduler::tick(&bot, &DownChat, at("2026-04-21T09:30:00Z"))
        .await
        .expect("tick");
    assert_eq!(next_day.failed, 1, "the reminder is given up after a day");
    let failed = bot.store().outbox(Some("failed")).await.expect("outbox");
    assert!(failed.iter().any(|row| row.kind == "reminder"));
    // The alert to the admin channel is queued (and retried while Slack stays down).
    let queued = bot.store().outbox(Some("pending")).await.expect("outbox");
    let alert = queued
        .iter()
        .find(|row| row.kind == "alert")
        .expect("an alert was planned");
    assert_eq!(alert.recipient, "C_PEOPLE");
    assert!(
        alert
            .payload
            .contains("could not deliver a reminder message"),
        "{}",
        alert.payload
    );
    assert!(
        bot.metrics()
            .encode()
            .contains("career_bot_reminders_failed_total{kind=\"reminder\"} 1")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_wait_for_each_other_instead_of_failing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = std::sync::Arc::new(bot(dir.path()).await);
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    let now = career_bot::shell::parse_datetime("2026-04-20T10:00:00Z").expect("time");
    let mut tasks = Vec::new();
    for round in 0..16 {
        let bot = std::sync::Arc::clone(&bot);
        tasks.push(tokio::spawn(async move {
            bot.store()
                .set_level(
                    &UserId::new("ana"),
                    1 + round % 5,
                    &UserId::new("boss"),
                    now,
                )
                .await
        }));
    }
    for task in tasks {
        task.await
            .expect("no panic")
            .expect("no 'database is locked'");
    }
    // A double click: the same submission twice at once records once, and both succeed.
    let person = career_bot::bot::mention::Mention {
        user_id: UserId::new("ana"),
        name: None,
    };
    let clicks: Vec<_> = (0..2)
        .map(|_| {
            let bot = std::sync::Arc::clone(&bot);
            let person = person.clone();
            tokio::spawn(async move {
                let recording = career_bot::bot::handlers::Recording {
                    level: None,
                    request_key: Some("cycle:ana:2026-01-20".into()),
                    opened_for: None,
                };
                career_bot::bot::handlers::done(
                    &bot,
                    &UserId::new("boss"),
                    &person,
                    None,
                    None,
                    Some(recording),
                    now,
                )
                .await
            })
        })
        .collect();
    for click in clicks {
        click.await.expect("no panic").expect("both clicks succeed");
    }
    assert_eq!(count(&bot, "SELECT count(*) FROM checkins").await, 1);
}

#[tokio::test]
async fn a_back_filled_old_conversation_keeps_the_snooze_and_the_reminders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-15T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2", "done @ana"]).await;
    let out = run(
        &mut shell,
        &[
            ":now 2026-04-20T10:00:00Z",
            "snooze @ana until 2026-06-01",
            "done @ana 2025-09-01 old notes",
            "team",
        ],
    )
    .await;
    assert!(
        out.contains("snoozed until 2026-06-01"),
        "the back-fill left the snooze alone: {out}"
    );
    let out = run(&mut shell, &[":now 2026-04-27T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "still snoozed: {out}");
    let out = run(&mut shell, &["history @ana"]).await;
    assert!(
        out.contains("2025-09-01") && out.contains("2026-01-15"),
        "both are in the history: {out}"
    );
}

#[tokio::test]
async fn after_a_long_outage_a_reminder_still_gets_a_day_of_retries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    // Due Monday 09:00; the bot comes back on Tuesday at 10:00 and Slack fails once.
    let at = career_bot::shell::parse_datetime("2026-04-21T10:00:00Z").expect("time");
    let report = career_bot::scheduler::tick(&bot, &DownChat, at)
        .await
        .expect("tick");
    assert_eq!((report.sent, report.retried, report.failed), (0, 1, 0));
}

#[tokio::test]
async fn reminder_numbers_count_the_reminders_sent_in_the_due_period() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(&mut shell, &["add @ana marketing 2"]).await;
    // Due Monday 2026-04-20; the bot was down for that slot and first runs a week later: the
    // first reminder sent is "Reminder 1", though it is the second slot.
    let out = run(&mut shell, &[":now 2026-04-27T09:00:00Z", ":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("— Reminder 1 ·"), "{out}");
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM outbox ORDER BY id")
        .fetch_all(bot.store().pool())
        .await
        .expect("keys");
    assert_eq!(
        keys,
        ["reminder:ana:boss:2026-04-20:1"],
        "the key still names the slot"
    );

    // A snooze restarts the slots, not the count.
    let out = run(
        &mut shell,
        &[
            "snooze @ana 1w",
            ":now 2026-05-04T09:00:00Z",
            ":tick",
            ":now 2026-05-11T09:00:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "boss"), 2, "{out}");
    assert!(
        out.contains("— Reminder 2 ·") && out.contains("— Reminder 3 ·"),
        "{out}"
    );

    // The conversation is recorded (dated the Friday before the last reminder): the next
    // period counts from 1 again.
    let out = run(
        &mut shell,
        &["done @ana 2026-05-08", ":now 2026-08-10T09:00:00Z", ":tick"],
    )
    .await;
    assert!(out.contains("The next one is due on 2026-08-08"), "{out}");
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(out.contains("— Reminder 1 ·"), "{out}");
    let out = run(&mut shell, &[":now 2026-08-17T09:00:00Z", ":tick"]).await;
    assert!(out.contains("— Reminder 2 ·"), "{out}");
}

/// The reminders to `manager` that went out in one message: `(report, message ts)` by row.
async fn sent_reminders(bot: &Bot, manager: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT report_id, message_ts FROM outbox
         WHERE kind = 'reminder' AND recipient = ? AND status = 'sent' ORDER BY id",
    )
    .bind(manager)
    .fetch_all(bot.store().pool())
    .await
    .expect("sent reminders")
}

#[tokio::test]
async fn a_managers_reminders_for_one_slot_are_one_dm_most_overdue_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    // Zoe is carol's at first and due since 2026-04-13; Adam is boss's, due 2026-04-20.
    let mut shell =
        Shell::new(&bot, Some("carol".into()), Some("2026-01-13T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @zoe marketing 2",
            ":as boss",
            ":now 2026-01-20T10:00:00Z",
            "add @adam marketing 1",
        ],
    )
    .await;
    // The 2026-04-20 slot is planned (Zoe's reminder to carol, Adam's to boss), then Zoe moves
    // to boss: her reminder for the same slot is planned after Adam's.
    let slot = career_bot::shell::parse_datetime("2026-04-20T09:00:00Z").expect("time");
    assert_eq!(
        career_bot::scheduler::plan(&bot, slot).await.expect("plan"),
        2
    );
    let out = run(
        &mut shell,
        &[
            ":as carol",
            "move @zoe @boss",
            ":now 2026-04-20T09:05:00Z",
            ":tick",
        ],
    )
    .await;
    assert_eq!(dms_to(&out, "carol"), 0, "{out}");
    assert_eq!(dms_to(&out, "boss"), 1, "one DM for both: {out}");
    assert!(out.contains("2 career conversations due"), "{out}");
    assert!(out.contains("1 planned, 2 sent"), "{out}");
    // Zoe has been due the longest: she comes first, though her reminder was planned last.
    let zoe = out
        .find("Time for a career conversation with @zoe")
        .expect("Zoe is listed");
    let adam = out
        .find("Time for a career conversation with @adam")
        .expect("Adam is listed");
    assert!(zoe < adam, "{out}");
    for typed in [
        "(type: done @zoe)",
        "(type: snooze @zoe 1w)",
        "(type: done @adam)",
        "(type: snooze @adam 1w)",
    ] {
        assert!(out.contains(typed), "missing {typed}: {out}");
    }
    assert_eq!(out.matches("— Reminder 1 ·").count(), 2, "{out}");
    // Each reminder is its own row, both sent as the one message.
    let sent = sent_reminders(&bot, "boss").await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].1, sent[1].1, "the same message: {sent:?}");
    let out = run(&mut shell, &[":tick"]).await;
    assert_eq!(dms_to(&out, "boss"), 0, "nothing sent twice: {out}");
}

#[tokio::test]
async fn a_report_recorded_before_the_slot_is_left_out_of_the_managers_dm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", "add @ben marketing 1"],
    )
    .await;
    // Both reminders are planned and claimed for the 2026-04-20 slot, then the process dies;
    // meanwhile Ana's conversation is recorded (the claimed rows are not cancelled by that).
    let due = career_bot::shell::parse_datetime("2026-04-20T09:00:00Z").expect("time");
    career_bot::scheduler::plan(&bot, due).await.expect("plan");
    let claimed = bot
        .store()
        .claim_ready(due, due + chrono::Duration::minutes(5), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    run(&mut shell, &[":now 2026-04-20T09:01:00Z", "done @ana"]).await;
    career_bot::scheduler::recover(&bot, due)
        .await
        .expect("recover");
    let out = run(&mut shell, &[":now 2026-04-20T09:10:00Z", ":tick"]).await;
    // Ben's reminder goes out alone, exactly as a single reminder does.
    assert_eq!(dms_to(&out, "boss"), 1, "{out}");
    assert!(
        out.contains("[DM to boss]\nCareer conversation due\n"),
        "{out}"
    );
    assert!(
        out.contains("Time for a career conversation with @ben"),
        "{out}"
    );
    assert!(!out.contains("career conversations due"), "{out}");
    assert!(!out.contains("with @ana"), "{out}");
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM outbox WHERE report_id = 'ana' AND status = 'superseded'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &bot,
            "SELECT count(*) FROM outbox WHERE report_id = 'ben' AND status = 'sent'"
        )
        .await,
        1
    );
}

/// A chat that answers 429 to its first send and records every message it accepts.
#[derive(Default)]
struct RateLimitedOnceChat {
    attempts: Mutex<usize>,
    sent: Mutex<Vec<String>>,
}

impl Chat for RateLimitedOnceChat {
    async fn send(
        &self,
        _to: Recipient<'_>,
        reply: &Reply,
        _key: &str,
    ) -> Result<Delivered, SendError> {
        let attempt = {
            let mut attempts = self.attempts.lock().expect("lock");
            *attempts += 1;
            *attempts
        };
        if attempt == 1 {
            return Err(SendError::RateLimited {
                retry_after: std::time::Duration::from_secs(30),
            });
        }
        let mut sent = self.sent.lock().expect("lock");
        sent.push(reply.to_plain_text());
        Ok(Delivered {
            channel: Some(career_bot::ids::ChannelId::new("D_BOSS")),
            ts: Some(format!("{}.0", sent.len())),
        })
    }
}

#[tokio::test]
async fn a_rate_limited_dm_listing_several_reminders_is_retried_whole_and_sent_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-01-20T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add @ana marketing 2",
            "add @ben marketing 1",
            "add @cem marketing 3",
        ],
    )
    .await;
    let at = |text: &str| career_bot::shell::parse_datetime(text).expect("time");
    let chat = RateLimitedOnceChat::default();
    let first = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:00:00Z"))
        .await
        .expect("tick");
    assert_eq!((first.planned, first.sent, first.retried), (3, 0, 3));
    // All three wait for the same time, each with its one attempt counted.
    let pending: Vec<(i64, String)> = sqlx::query_as(
        "SELECT attempts, next_attempt_at FROM outbox WHERE status = 'pending' ORDER BY id",
    )
    .fetch_all(bot.store().pool())
    .await
    .expect("pending");
    assert_eq!(
        pending,
        vec![(1, "2026-04-20T09:00:30.000Z".to_owned()); 3],
        "retried together"
    );
    let early = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:00:20Z"))
        .await
        .expect("tick");
    assert_eq!(early.sent, 0, "not before Retry-After");
    let later = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:00:31Z"))
        .await
        .expect("tick");
    assert_eq!(later.sent, 3);
    let again = career_bot::scheduler::tick(&bot, &chat, at("2026-04-20T09:05:00Z"))
        .await
        .expect("tick");
    assert_eq!(again.sent, 0);
    let sent = chat.sent.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1, "one message, sent once: {sent:?}");
    assert!(
        sent[0].starts_with("3 career conversations due"),
        "{}",
        sent[0]
    );
    for report in ["ana", "ben", "cem"] {
        assert!(
            sent[0].contains(&format!("(type: done @{report})")),
            "{}",
            sent[0]
        );
    }
    let rows = sent_reminders(&bot, "boss").await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|(_, ts)| ts == "1.0"), "{rows:?}");
}
