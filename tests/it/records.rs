//! Records you can trust (issue 10): ordinary input never changes or loses a record by
//! accident. Each test is one item, scripted through the shell adapter (the same handlers as
//! Slack) on a temp database with the clock set by `:now`: SQLite, and PostgreSQL too when
//! `CAREER_BOT_TEST_POSTGRES_URL` is set (see `support::databases`).

use career_bot::bot::Bot;
use career_bot::shell::Shell;

use crate::support::bot::bot_in;
use crate::support::databases;
use crate::support::shell::run;

/// The environment of every test bot here: one admin.
const ENV: &[(&str, &str)] = &[("CAREER_BOT_ADMINS", "admin")];

async fn bot(dir: &std::path::Path) -> Bot {
    bot_in(dir, ENV).await
}

async fn count(bot: &Bot, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(bot.store().pool())
        .await
        .expect("count query")
}

/// Monday 2026-06-15, 10:00 UTC; the boss has Ana on their team since January.
async fn boss_with_ana(bot: &Bot) -> Shell<'_> {
    let mut shell =
        Shell::new(bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &["add @ana marketing 2", ":now 2026-06-15T10:00:00Z"],
    )
    .await;
    shell
}

#[tokio::test]
async fn done_reads_every_accepted_date_form_and_records_that_date() {
    let cases = [
        ("done @ana yesterday", "2026-06-14"),
        ("done @ana 2026-06-01 talked about scope", "2026-06-01"),
        ("done @ana friday", "2026-06-12"),
        ("done @ana 3 days ago", "2026-06-12"),
        ("done @ana 4d ago", "2026-06-11"),
        ("done @ana June 1", "2026-06-01"),
        ("done @ana 1 jun", "2026-06-01"),
        ("done @ana today", "2026-06-15"),
    ];
    for (line, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let bot = bot(dir.path()).await;
        let mut shell = boss_with_ana(&bot).await;
        let out = run(&mut shell, &[line]).await;
        let held: Vec<String> = sqlx::query_scalar("SELECT held_on FROM checkins")
            .fetch_all(bot.store().pool())
            .await
            .expect("checkins");
        assert_eq!(held, [expected], "{line}: {out}");
        let notes: Vec<Option<String>> = sqlx::query_scalar("SELECT private_note FROM checkins")
            .fetch_all(bot.store().pool())
            .await
            .expect("notes");
        let expected_note = line
            .strip_prefix("done @ana 2026-06-01 ")
            .map(str::to_owned);
        assert_eq!(
            notes,
            [expected_note],
            "{line}: the date words are not the note"
        );
    }
}

#[tokio::test]
async fn done_refuses_dates_in_other_forms_the_future_and_more_than_a_year_back() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        for (line, says) in [
            ("done @ana 2026/06/01", "is not a date I can read"),
            ("done @ana 01.06.2026", "is not a date I can read"),
            ("done @ana 2026-06-16", "is in the future"),
            ("done @ana 2025-06-14", "more than a year ago"),
            ("done @ana 2026-02-30", "there is no such day"),
        ] {
            let out = run(&mut shell, &[line]).await;
            assert!(out.contains(says), "{line}: {out}");
            if says == "is not a date I can read" {
                assert!(
                    out.contains("YYYY-MM-DD, today, yesterday"),
                    "{line}: {out}"
                );
            }
        }
        assert_eq!(count(&bot, "SELECT COUNT(*) FROM checkins").await, 0);
    })
    .await;
}

#[tokio::test]
async fn adding_someone_already_on_your_team_changes_nothing_and_says_what_to_use() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell =
            Shell::new(&bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
        run(&mut shell, &["add @ana marketing 2"]).await;
        // Seven months on Ana is overdue; adding her again must not reset that.
        run(&mut shell, &[":now 2026-08-17T10:00:00Z"]).await;
        let before = run(&mut shell, &["team"]).await;
        assert!(before.contains("overdue"), "{before}");
        let out = run(&mut shell, &["add @ana marketing 3"]).await;
        assert!(
            out.contains("@ana is already on your team (Buffer Marketing, Level 2"),
            "{out}"
        );
        for pointer in [
            "`level @ana N`",
            "`framework @ana FRAMEWORK LEVEL`",
            "`move @ana @manager`",
        ] {
            assert!(out.contains(pointer), "{pointer}: {out}");
        }
        let after = run(&mut shell, &["team"]).await;
        assert_eq!(before, after, "nothing changed");
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'person.added'"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn adding_someone_who_was_removed_brings_them_back_anchored_on_their_last_conversation() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell =
            Shell::new(&bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
        run(
            &mut shell,
            &[
                "add @ana marketing 2",
                ":now 2026-03-02T10:00:00Z",
                "done @ana",
                "remove @ana",
                ":now 2026-05-04T10:00:00Z",
            ],
        )
        .await;
        let out = run(&mut shell, &["add @ana marketing 2"]).await;
        assert!(out.contains("Added @ana to your team"), "{out}");
        assert!(
            out.contains("their history is kept, and the cadence counts from 2026-03-02"),
            "{out}"
        );
        // Three months after the last conversation, not after today.
        assert!(out.contains("due on 2026-06-02"), "{out}");
        let history = run(&mut shell, &["history @ana"]).await;
        assert!(history.contains("2026-03-02"), "{history}");
    })
    .await;
}

#[tokio::test]
async fn signed_and_fractional_levels_are_refused_and_next_and_previous_move_one_step() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        for line in ["level @ana -1", "level @ana +1", "level @ana 2.5"] {
            let out = run(&mut shell, &[line]).await;
            assert!(
                out.contains("levels are whole numbers, and Buffer Marketing's are 1–5."),
                "{line}: {out}"
            );
        }
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM people WHERE user_id = 'ana' AND level = 2"
            )
            .await,
            1,
            "still at level 2"
        );
        let out = run(&mut shell, &["level @ana next"]).await;
        assert!(
            out.contains("@ana is now at Buffer Marketing, Level 3")
                && out.contains("(Before: Buffer Marketing, Level 2"),
            "{out}"
        );
        let out = run(&mut shell, &["level @ana previous"]).await;
        assert!(
            out.contains("@ana is now at Buffer Marketing, Level 2"),
            "{out}"
        );
        let out = run(&mut shell, &["level @ana 2"]).await;
        assert!(
            out.contains("@ana is already at Buffer Marketing, Level 2")
                && out.contains("nothing was changed"),
            "{out}"
        );
        let out = run(&mut shell, &["level @ana 1", "level @ana previous"]).await;
        assert!(
            out.contains("the first level of Buffer Marketing, so nothing was changed"),
            "{out}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_import_row_with_a_signed_level_is_refused() {
    databases::each_bot(ENV, async |dir: &tempfile::TempDir, bot: Bot| {
        let file = dir.path().join("org.csv");
        std::fs::write(
            &file,
            "user,name,manager,framework,level\nU_M,Mo,,,\nU_A,Al,U_M,marketing,-2\n",
        )
        .expect("write");
        let now = "2026-03-02T09:00:00Z".parse().expect("time");
        let result = career_bot::admin::import::import_file(&bot, &file, now).await;
        match result {
            Err(career_bot::admin::ImportError::Invalid(errors)) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(errors[0].line, 3);
                assert!(
                    errors[0].message.contains("levels are whole numbers"),
                    "{errors:?}"
                );
            }
            other => panic!("expected the row to be refused, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn the_same_conversation_recorded_twice_is_refused_pointing_at_undo() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(&mut shell, &["done @ana yesterday"]).await;
        let out = run(&mut shell, &["done @ana 2026-06-14 again"]).await;
        assert!(
            out.contains("A conversation with @ana on 2026-06-14 is already recorded"),
            "{out}"
        );
        assert!(out.contains("`undo @ana`"), "{out}");
        assert_eq!(count(&bot, "SELECT COUNT(*) FROM checkins").await, 1);
    })
    .await;
}

#[tokio::test]
async fn undo_takes_back_the_last_conversation_restores_the_due_date_and_withdraws_the_request() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        // Ana was added on 2026-01-12, so she was due on 2026-04-12.
        let out = run(&mut shell, &["done @ana", "undo @ana"]).await;
        assert!(
            out.contains("Took back the conversation with @ana on 2026-06-15."),
            "{out}"
        );
        assert!(
            out.contains("The request to @ana to confirm it was withdrawn."),
            "{out}"
        );
        assert!(out.contains("due on 2026-04-12 again"), "{out}");
        assert_eq!(count(&bot, "SELECT COUNT(*) FROM checkins").await, 0);
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM outbox WHERE kind = 'ack_request' AND status = 'cancelled'"
            )
            .await,
            1
        );
        // Nothing reaches Ana: the request was never sent.
        let out = run(&mut shell, &[":tick"]).await;
        assert!(!out.contains("[DM to ana]"), "{out}");
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'checkin.undone'"
            )
            .await,
            1
        );
        let out = run(&mut shell, &["undo @ana"]).await;
        assert!(out.contains("nothing to undo"), "{out}");
    })
    .await;
}

#[tokio::test]
async fn undo_after_the_report_was_asked_tells_the_report() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        let out = run(&mut shell, &["done @ana", ":tick"]).await;
        assert!(out.contains("[DM to ana]"), "the request went out: {out}");
        let out = run(&mut shell, &["undo @ana"]).await;
        assert!(
            out.contains("@ana had already been asked to confirm it, so I'm telling them"),
            "{out}"
        );
        let out = run(&mut shell, &[":tick"]).await;
        assert!(out.contains("[DM to ana]"), "{out}");
        assert!(out.contains("took back the career conversation"), "{out}");
        // Ana can no longer confirm it.
        let out = run(&mut shell, &[":as ana", "ack"]).await;
        assert!(!out.contains("Thanks"), "{out}");
    })
    .await;
}

#[tokio::test]
async fn unsnooze_ends_a_snooze_now_and_says_when_there_was_none() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        let out = run(
            &mut shell,
            &["snooze @ana 4 weeks parental leave", "unsnooze @ana"],
        )
        .await;
        assert!(out.contains("Reminders about @ana are on again."), "{out}");
        let team = run(&mut shell, &["team"]).await;
        assert!(!team.contains("snoozed until"), "{team}");
        let out = run(&mut shell, &["unsnooze @ana"]).await;
        assert!(
            out.contains("are not paused, so nothing was changed"),
            "{out}"
        );
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'reminders.unsnoozed'"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn framework_moves_a_report_to_another_framework_with_a_checked_level() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        let out = run(&mut shell, &["framework @ana buffer-engineering 9"]).await;
        assert!(out.contains("Buffer Engineering has no level 9"), "{out}");
        let out = run(&mut shell, &["framework @ana buffer-engineering 3"]).await;
        assert!(
            out.contains("@ana is now at Buffer Engineering, Level 3"),
            "{out}"
        );
        assert!(out.contains("(Before: Buffer Marketing, Level 2"), "{out}");
        assert_eq!(
            count(&bot, "SELECT COUNT(*) FROM people WHERE user_id = 'ana' AND framework_id = 'buffer-engineering' AND level = 3").await,
            1
        );
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'person.framework_changed'"
            )
            .await,
            1
        );
        // `framework` without a person is still a question.
        let out = run(&mut shell, &["framework marketing"]).await;
        assert!(!out.contains("needs a framework and a level"), "{out}");
    })
    .await;
}

#[tokio::test]
async fn a_management_loop_is_refused_in_chat_naming_the_chain() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell =
            Shell::new(&bot, Some("a".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
        let out = run(
            &mut shell,
            &[
                "add @b marketing 2",
                ":as b",
                "add @c marketing 2",
                "add @a marketing 3",
            ],
        )
        .await;
        assert!(
            out.contains("That would make a management loop (@a → @b → @a)"),
            "{out}"
        );
        // As an admin, moving A under C closes the loop A → C → B → A: refused too.
        let out = run(
            &mut shell,
            &[":as admin", "add @a marketing 3", "move @a @c"],
        )
        .await;
        assert!(out.contains("management loop"), "{out}");
        let chain: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT user_id, manager_id FROM people ORDER BY user_id")
                .fetch_all(bot.store().pool())
                .await
                .expect("people");
        assert!(
            chain.contains(&("a".to_owned(), Some("admin".to_owned()))),
            "A stays on the admin's team: {chain:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_weekly_digest_is_not_posted_when_nobody_is_overdue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot_in(
        dir.path(),
        &[
            ("CAREER_BOT_ADMINS", "admin"),
            ("CAREER_BOT_ADMIN_CHANNEL", "C_PEOPLE"),
        ],
    )
    .await;
    let mut shell = boss_with_ana(&bot).await;
    // Monday 2026-06-15: Ana was due on 2026-04-12 but is overdue only from 2026-07-12.
    let out = run(&mut shell, &[":now 2026-06-15T10:00:00Z", ":tick"]).await;
    assert!(!out.contains("[Post to #C_PEOPLE]"), "{out}");
    // Overdue a month later: the digest goes out.
    let out = run(&mut shell, &[":now 2026-07-13T10:00:00Z", ":tick"]).await;
    assert!(out.contains("[Post to #C_PEOPLE]"), "{out}");
}

#[tokio::test]
async fn wording_says_what_happened_to_whom() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        // A snooze that ends before the due date still shows in `team`.
        let team = run(
            &mut shell,
            &[":now 2026-02-02T10:00:00Z", "snooze @ana 1w", "team"],
        )
        .await;
        assert!(team.contains("snoozed until 2026-02-09"), "{team}");
        assert!(team.contains("1 snoozed"), "{team}");
        // Removing someone who is not on a team says so, not "add them first".
        let out = run(&mut shell, &["remove @zed"]).await;
        assert!(out.contains("@zed is not on your team"), "{out}");
        assert!(!out.contains("Add them first"), "{out}");
        // An admin removing someone says whose team they left.
        let out = run(&mut shell, &[":as admin", "remove @ana"]).await;
        assert!(out.contains("Removed @ana from @boss's team."), "{out}");
        // History of someone unknown says there is no such person, not a permission refusal.
        let out = run(&mut shell, &["history @nobody"]).await;
        assert!(
            out.contains("There is no one called @nobody in the records"),
            "{out}"
        );
        // `history` alone is your own.
        let out = run(&mut shell, &[":as ana", "history"]).await;
        assert!(!out.contains("is not a person"), "{out}");
    })
    .await;
}

#[tokio::test]
async fn a_private_note_stays_readable_by_its_author_after_a_move_and_by_nobody_else() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(
            &mut shell,
            &["done @ana wants to lead the Q3 launch", "move @ana @carol"],
        )
        .await;
        let out = run(&mut shell, &["history @ana"]).await;
        assert!(
            out.contains("Your private note: wants to lead the Q3 launch"),
            "the author still reads it: {out}"
        );
        for reader in ["carol", "ana", "admin"] {
            let out = run(&mut shell, &[&format!(":as {reader}"), "history @ana"]).await;
            // The new manager sees the move, not the conversation held before it.
            let sees_conversation = reader != "carol";
            assert_eq!(
                out.contains("Level discussed"),
                sees_conversation,
                "{reader}: {out}"
            );
            assert!(
                !out.contains("Q3 launch"),
                "{reader} must not read the note: {out}"
            );
        }
        let out = run(&mut shell, &[":as stranger", "history @ana"]).await;
        assert!(
            out.contains("Only @ana, their manager or an admin"),
            "{out}"
        );
    })
    .await;
}

#[tokio::test]
async fn one_user_id_rule_in_the_shell_with_names_case_insensitive() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        assert!(
            Shell::new(&bot, Some(String::new()), None).is_err(),
            "--as \"\""
        );
        assert!(Shell::new(&bot, Some("ana bob".into()), None).is_err());
        let mut shell =
            Shell::new(&bot, Some("Boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
        let out = run(&mut shell, &[":as ana bob"]).await;
        assert!(out.contains("`:as` takes one user"), "{out}");
        assert!(out.contains("Still acting as boss"), "{out}");
        run(&mut shell, &["add @Ana marketing 2"]).await;
        let out = run(&mut shell, &["add @ana marketing 2"]).await;
        assert!(out.contains("already on your team"), "@Ana is @ana: {out}");
        assert_eq!(
            count(&bot, "SELECT COUNT(*) FROM people WHERE user_id = 'ana'").await,
            1
        );
        assert_eq!(
            count(&bot, "SELECT COUNT(*) FROM people WHERE user_id = 'Ana'").await,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn a_line_naming_someone_gets_a_did_you_mean_among_commands_not_a_framework_lookup() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        let out = run(&mut shell, &["promote @ana"]).await;
        assert!(
            out.contains("`promote` is not a command; did you mean `level`?"),
            "{out}"
        );
        assert!(out.contains("level @person N|next|previous"), "{out}");
        let out = run(&mut shell, &["snoze @ana 1w"]).await;
        assert!(out.contains("did you mean `snooze`?"), "{out}");
        let out = run(&mut shell, &["team @carol"]).await;
        assert!(
            out.contains("Only admins and the managers above @carol can see their team"),
            "{out}"
        );
        let out = run(&mut shell, &["snooze @ana off"]).await;
        assert!(out.contains("use `unsnooze`"), "{out}");
        assert!(!out.contains("framework or title"), "{out}");
        assert_eq!(
            count(&bot, "SELECT COUNT(*) FROM people WHERE level = 2").await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_dispute_then_a_confirmation_keeps_both_answers_in_history_and_export() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(
            &mut shell,
            &[
                "done @ana",
                ":as ana",
                "dispute we only talked about the sprint",
                ":now 2026-06-17T10:00:00Z",
                "ack",
            ],
        )
        .await;
        let out = run(&mut shell, &[":as boss", "history @ana"]).await;
        assert!(
            out.contains(
                "DISPUTED on 2026-06-15: \"we only talked about the sprint\", then confirmed on 2026-06-17"
            ),
            "{out}"
        );
        let export =
            career_bot::admin::export::collect(&bot, "2026-06-18T10:00:00Z".parse().expect("time"))
                .await
                .expect("export");
        let answers: Vec<&str> = export.checkins[0]
            .answers
            .iter()
            .map(|answer| answer.answer.as_str())
            .collect();
        assert_eq!(answers, ["disputed", "acknowledged"]);
        assert_eq!(
            export.checkins[0].answers[0].reason.as_deref(),
            Some("we only talked about the sprint")
        );
    })
    .await;
}

#[tokio::test]
async fn a_message_whose_purpose_is_gone_is_superseded_not_sent() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        // Ana answers before the request to confirm goes out, then disputes and confirms again
        // before the dispute notice goes out.
        let out = run(
            &mut shell,
            &[
                "done @ana",
                ":as ana",
                "ack",
                "dispute not really",
                "ack",
                ":tick",
            ],
        )
        .await;
        assert!(
            !out.contains("[DM to ana]"),
            "no 'please confirm' after confirming: {out}"
        );
        assert!(
            !out.contains("[DM to boss]"),
            "no 'disputed' after confirming: {out}"
        );
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM outbox WHERE status = 'superseded'"
            )
            .await,
            2
        );
        assert_eq!(
            count(&bot, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await,
            0
        );
        assert!(
            bot.metrics()
                .encode()
                .contains("career_bot_messages_superseded_total{kind=\"ack_request\"} 1")
        );
    })
    .await;
}

#[tokio::test]
async fn a_reminder_interrupted_mid_send_is_superseded_once_the_conversation_is_recorded() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell =
            Shell::new(&bot, Some("boss".into()), Some("2026-01-12T10:00:00Z")).expect("shell");
        run(&mut shell, &["add @ana marketing 2"]).await;
        // Due on 2026-04-13 (a Monday). A pass claims the reminder and the process dies mid-send.
        let due = "2026-04-13T10:00:00Z".parse().expect("time");
        career_bot::scheduler::plan(&bot, due).await.expect("plan");
        let lease = due + chrono::Duration::minutes(5);
        let claimed = bot
            .store()
            .claim_ready(due, lease, 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        // Meanwhile the conversation is recorded; the claimed row is not cancelled by that.
        run(&mut shell, &[":now 2026-04-13T10:01:00Z", "done @ana"]).await;
        career_bot::scheduler::recover(&bot, due)
            .await
            .expect("recover");
        let out = run(&mut shell, &[":now 2026-04-13T10:10:00Z", ":tick"]).await;
        assert!(
            !out.contains("[DM to boss]"),
            "a stale reminder was sent: {out}"
        );
        assert_eq!(
            count(
                &bot,
                "SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND status = 'superseded'"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn history_is_a_timeline_of_conversations_and_changes_with_snoozes_for_managers_only() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(
            &mut shell,
            &[
                "done @ana 2026-06-01",
                "level @ana 3",
                "snooze @ana 2w parental leave",
                "unsnooze @ana",
                "framework @ana buffer-engineering 2",
                "undo @ana",
                "move @ana @carol",
            ],
        )
        .await;
        let out = run(&mut shell, &[":as admin", "history @ana"]).await;
        for expected in [
            "Added to @boss's team",
            "Level changed from Level 2 to Level 3, by @boss",
            "Reminders snoozed until 2026-06-29 (\"parental leave\"), by @boss",
            "Snooze until 2026-06-29 ended early, by @boss",
            "Framework changed from",
            "Conversation of 2026-06-01 undone, by @boss",
            "Moved from @boss's team to @carol's, by @boss",
        ] {
            assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
        }
        // Oldest first: added in January comes before everything of June.
        let added = out.find("Added to").expect("added");
        let moved = out.find("Moved from").expect("moved");
        assert!(added < moved, "{out}");
        // The report sees their own timeline, but not their manager's snoozes.
        let own = run(&mut shell, &[":as ana", "history"]).await;
        assert!(own.contains("Level changed"), "{own}");
        assert!(!own.contains("snoozed"), "{own}");
        assert!(!own.contains("parental leave"), "{own}");
        // The new manager sees what happened since Ana joined their team, not the snoozes (or
        // anything else) from before.
        let carol = run(&mut shell, &[":as carol", "history @ana"]).await;
        assert!(
            carol.contains("Moved from @boss's team to @carol's"),
            "{carol}"
        );
        assert!(!carol.contains("parental leave"), "{carol}");
    })
    .await;
}

#[tokio::test]
async fn an_export_imports_into_an_empty_database_with_every_conversation_answer_and_event() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(
            &mut shell,
            &[
                "add @bo marketing 1",
                "done @ana 2026-06-01 private words",
                "done @bo yesterday",
                ":as ana",
                "dispute we did not meet",
                "ack",
                ":as boss",
                "level @ana next",
                "snooze @bo 1w holiday",
                "remove @bo",
            ],
        )
        .await;
        let now = "2026-06-15T10:00:00Z".parse().expect("a time");
        let original = export_csv(&bot, now).await;
        assert!(!original.contains("private words"), "{original}");
        let fresh_dir = tempfile::tempdir().expect("temp dir");
        let fresh =
            crate::support::bot::bot_in(fresh_dir.path(), &[("CAREER_BOT_ADMINS", "admin")]).await;
        let summary =
            career_bot::admin::import::import_bytes(&fresh, original.as_bytes(), "all.csv", now)
                .await
                .expect("the export imports");
        assert_eq!(summary.history.conversations, 2, "{summary:?}");
        assert_eq!(summary.history.answers, 2, "{summary:?}");
        assert!(summary.history.events >= 5, "{summary:?}");
        assert_eq!(
            export_csv(&fresh, now).await,
            original,
            "export → import → export"
        );
        // Nobody became overdue: Ana's cadence counts from her conversation, not from zero.
        let mut copy =
            Shell::new(&fresh, Some("boss".into()), Some("2026-06-15T10:00:00Z")).expect("shell");
        let team = run(&mut copy, &["team"]).await;
        assert!(team.contains("2026-06-01"), "{team}");
        assert!(team.contains("· ok"), "{team}");
        let history = run(&mut copy, &["history @ana"]).await;
        assert!(
            history.contains(
                "DISPUTED on 2026-06-15: \"we did not meet\", then confirmed on 2026-06-15"
            ),
            "{history}"
        );
        assert!(
            history.contains("Level changed from Level 2 to Level 3"),
            "{history}"
        );
        // The same file again changes nothing.
        let again =
            career_bot::admin::import::import_bytes(&fresh, original.as_bytes(), "all.csv", now)
                .await
                .expect("the export imports again");
        assert_eq!((again.changed, again.history), (0, Default::default()));
        assert_eq!(export_csv(&fresh, now).await, original);
    })
    .await;
}

#[tokio::test]
async fn history_rows_with_mistakes_are_refused_by_line_and_nothing_is_imported() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let file = "record,user,name,manager,framework,level,held_on,checkin_manager,recorded_by,recorded_at,acknowledgement,acknowledged_at,event_at,event_by,event_details
    person,U_ANA,Ana,U_BOSS,marketing,2,,,,,,,,,
    person,U_BOSS,Boss,,,,,,,,,,,,
    checkin,U_ANA,,,,,2026/06/01,U_BOSS,U_BOSS,2026-06-01T10:00:00Z,,,,,
    checkin,U_ANA,,,,,2026-06-02,U_BOSS,U_BOSS,yesterday,maybe,,,,
    answer,U_ANA,,,,,2026-05-01,,,,acknowledged,2026-05-02T10:00:00Z,,,
    level_changed,U_ANA,,,,,,,,,,,2026-06-03T10:00:00Z,U_BOSS,not json
    promoted,U_ANA,,,,,,,,,,,,,
    checkin,U_NOBODY,,,,,2026-06-02,U_BOSS,U_BOSS,2026-06-02T10:00:00Z,,,,,
    ";
        let now = "2026-06-15T10:00:00Z".parse().expect("a time");
        let error = career_bot::admin::import::import_bytes(&bot, file.as_bytes(), "bad.csv", now)
            .await
            .expect_err("the file has mistakes");
        let career_bot::admin::import::ImportError::Invalid(errors) = error else {
            panic!("expected row errors, got {error:?}");
        };
        let lines: Vec<(u64, String)> = errors.iter().map(|e| (e.line, e.message.clone())).collect();
        let on = |line: u64, words: &str| {
            assert!(
                lines.iter().any(|(l, m)| *l == line && m.contains(words)),
                "no problem on line {line} saying {words:?}: {lines:#?}"
            );
        };
        on(4, "\"2026/06/01\" is not a date");
        on(5, "\"yesterday\" is not a time");
        on(5, "\"maybe\" is not an acknowledgement");
        on(6, "neither stored nor on an earlier checkin row");
        on(7, "event_details is not a JSON object");
        on(8, "record \"promoted\" is not a kind of row");
        on(9, "U_NOBODY is neither in this file nor in the database");
        assert_eq!(count(&bot, "SELECT count(*) FROM people").await, 0);
        assert_eq!(count(&bot, "SELECT count(*) FROM checkins").await, 0);
    })
    .await;
}

/// The CSV export of `bot` as of `now`.
async fn export_csv(bot: &Bot, now: chrono::DateTime<chrono::Utc>) -> String {
    use career_bot::admin::export;
    let collected = export::collect(bot, now).await.expect("export");
    let mut out = Vec::new();
    export::write(&collected, export::ExportFormat::Csv, &mut out).expect("CSV");
    String::from_utf8(out).expect("UTF-8")
}

#[tokio::test]
async fn undo_brings_back_the_snooze_that_recording_the_conversation_ended() {
    databases::each_bot(ENV, async |_dir: &tempfile::TempDir, bot: Bot| {
        let mut shell = boss_with_ana(&bot).await;
        run(&mut shell, &["snooze @ana 2w parental leave", "done @ana"]).await;
        let snoozed = || async {
            sqlx::query_as::<_, (Option<String>, Option<String>)>(
                "SELECT snoozed_until, snooze_reason FROM people WHERE user_id = 'ana'",
            )
            .fetch_one(bot.store().pool())
            .await
            .expect("ana")
        };
        assert_eq!(snoozed().await, (None, None), "recording ends the snooze");
        let out = run(&mut shell, &["undo @ana"]).await;
        assert!(
            out.contains(
                "The snooze that recording it had ended is back: no reminders until 2026-06-29."
            ),
            "{out}"
        );
        assert_eq!(
            snoozed().await,
            (
                Some("2026-06-29".to_owned()),
                Some("parental leave".to_owned())
            )
        );
        let team = run(&mut shell, &["team"]).await;
        assert!(team.contains("snoozed until 2026-06-29"), "{team}");

        // A snooze that has run out by the time of the undo stays ended.
        run(
            &mut shell,
            &["done @ana", ":now 2026-07-20T10:00:00Z", "undo @ana"],
        )
        .await;
        assert_eq!(snoozed().await.0, None);
    })
    .await;
}

#[tokio::test]
async fn a_removed_person_still_naming_their_last_manager_does_not_make_an_export_a_loop() {
    // Found by the model test: bo adds di, removes di, then di adds bo. Chat allows it (a
    // removed person is out of the chart); the export must import back as well.
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("bo".into()), Some("2026-03-02T10:00:00Z")).expect("shell");
    let out = run(
        &mut shell,
        &[
            "add @di marketing 1",
            "remove @di",
            ":as di",
            "add @bo marketing 1",
        ],
    )
    .await;
    assert!(out.contains("Added"), "{out}");
    let now = "2026-03-02T10:00:00Z".parse().expect("a time");
    let original = export_csv(&bot, now).await;
    let fresh_dir = tempfile::tempdir().expect("temp dir");
    let fresh = bot_in(fresh_dir.path(), &[("CAREER_BOT_ADMINS", "admin")]).await;
    career_bot::admin::import::import_bytes(&fresh, original.as_bytes(), "all.csv", now)
        .await
        .expect("the export imports");
    assert_eq!(export_csv(&fresh, now).await, original);
}

#[tokio::test]
async fn cells_a_spreadsheet_would_run_as_formulas_are_exported_inert_and_import_back_as_they_were()
{
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell =
        Shell::new(&bot, Some("boss".into()), Some("2026-06-01T10:00:00Z")).expect("shell");
    run(
        &mut shell,
        &[
            "add <@ana|=HYPERLINK(\"x\")> marketing 2",
            "add <@bo|'=already-quoted> marketing 1",
            "done @ana",
            ":as ana",
            "dispute -1+2",
            ":now 2026-06-08T10:00:00Z",
            ":as boss",
            "done @ana",
            ":as ana",
            "dispute @evil",
        ],
    )
    .await;
    let now = "2026-06-15T10:00:00Z".parse().expect("a time");
    let original = export_csv(&bot, now).await;
    assert!(original.contains(r#","'=HYPERLINK(""x"")","#), "{original}");
    assert!(original.contains(",'-1+2,"), "{original}");
    assert!(original.contains(",'@evil,"), "{original}");
    assert!(original.contains(",''=already-quoted,"), "{original}");
    // No cell of the file starts a formula.
    let mut reader = csv::Reader::from_reader(original.as_bytes());
    for record in reader.records() {
        for cell in &record.expect("a CSV row") {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in\n{original}"
            );
        }
    }

    let fresh_dir = tempfile::tempdir().expect("temp dir");
    let fresh =
        crate::support::bot::bot_in(fresh_dir.path(), &[("CAREER_BOT_ADMINS", "admin")]).await;
    career_bot::admin::import::import_bytes(&fresh, original.as_bytes(), "all.csv", now)
        .await
        .expect("the export imports");
    assert_eq!(
        export_csv(&fresh, now).await,
        original,
        "export → import → export"
    );
    let names: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, display_name FROM people WHERE user_id IN ('ana', 'bo') ORDER BY user_id",
    )
    .fetch_all(fresh.store().pool())
    .await
    .expect("names");
    assert_eq!(
        names,
        [
            ("ana".to_owned(), "=HYPERLINK(\"x\")".to_owned()),
            ("bo".to_owned(), "'=already-quoted".to_owned())
        ]
    );
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM checkin_answers ORDER BY answered_at")
            .fetch_all(fresh.store().pool())
            .await
            .expect("reasons");
    assert_eq!(reasons, ["-1+2", "@evil"]);
}

#[tokio::test]
async fn history_shows_evidence_to_the_person_their_manager_and_its_author_and_submitted_assessments()
 {
    use career_bot::ids::{FrameworkId, UserId};
    use career_bot::store::assessments::{AssessmentChange, AssessmentKey, AssessmentSide};
    use career_bot::store::evidence::NewEvidence;
    let dir = tempfile::tempdir().expect("temp dir");
    let bot = bot(dir.path()).await;
    let mut shell = boss_with_ana(&bot).await;
    let at = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&chrono::Utc)
    };
    let logged = bot
        .store()
        .log_evidence(
            &NewEvidence {
                person_id: UserId::new("ana"),
                author_id: UserId::new("ana"),
                text: "*ran* the <launch>".to_owned(),
                link: None,
                note: None,
                tag: None,
                request_key: None,
            },
            at("2026-06-01T09:00:00Z"),
        )
        .await
        .expect("logged");
    let key = AssessmentKey {
        person_id: UserId::new("ana"),
        side: AssessmentSide::Own,
        assessor_id: UserId::new("ana"),
        after_checkin: 0,
        framework_id: FrameworkId::new("buffer-marketing"),
        level: 3,
    };
    bot.store()
        .change_assessment(&key, &AssessmentChange::Submit, at("2026-06-02T09:00:00Z"))
        .await
        .expect("submitted");
    let line = format!(
        "Evidence {} (untagged), logged by @ana: *ran* the <launch>",
        logged.short_id()
    );
    for reader in ["boss", "ana"] {
        let out = run(&mut shell, &[&format!(":as {reader}"), "history @ana"]).await;
        assert!(out.contains(&line), "{reader}: {out}");
        assert!(out.contains("2026-06-01"), "{reader}: {out}");
        assert!(
            out.contains("Self-assessment submitted against Level 3, by @ana"),
            "{reader}: {out}"
        );
    }
    let out = run(&mut shell, &[":as admin", "history @ana"]).await;
    assert!(
        !out.contains("*ran*"),
        "evidence is not an admin's to read: {out}"
    );
    assert!(!out.contains("Self-assessment"), "{out}");
}
