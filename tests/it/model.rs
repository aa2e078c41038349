//! The record rules, proven on random command sequences (issues 10 and 11): several users
//! add, move, remove, change levels and frameworks, record conversations with dates in every
//! form, take them back, snooze, answer, accept or decline requests to join a team and let
//! time pass, through the real handlers on a temp database, beside a small reference model of
//! what the records must then hold.
//!
//! After every step it checks that the stored conversations are exactly the model's (nothing
//! recorded that was refused, nothing lost), that the org chart is the model's and has no
//! loop (someone who had another manager joins a team only through an admin or their own
//! `accept`), that every message sent was allowed (no reminder about someone not due,
//! snoozed, removed or already recorded, none twice for one slot; no confirmation request for
//! a conversation already answered or undone; no request to join a team that was answered or
//! whose person is on a team), that a private note reaches its author and nobody else, and
//! that a manager's `history` shows only conversations they held or recorded. A failing case
//! shrinks
//! and is printed as the shell lines that reproduce it. Sessions also export and import the
//! file back (nothing may change), and each ends by importing its export into an empty
//! database, whose export must be the same file.
//!
//! `CAREER_BOT_MODEL_CASES=2000 cargo test --test it model::` runs more cases (256 by default).
//! With `CAREER_BOT_TEST_POSTGRES_URL` set (as `.ci/run` does), the same sessions also run on
//! PostgreSQL (24 by default, `CAREER_BOT_MODEL_CASES_POSTGRES`), each on fresh databases.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use career_bot::admin::export::{self, ExportFormat};
use career_bot::admin::import;
use career_bot::bot::Bot;
use career_bot::shell::Shell;
use chrono::{Days, Months, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::bot::bot_in;
use crate::support::databases::{self, TestDatabase};
use crate::support::shell::run;

/// Everyone who takes part; `admin` is configured as an admin.
const USERS: [&str; 5] = ["ana", "bo", "cy", "di", "admin"];
/// Each report's dispute reason: two start like spreadsheet formulas, which the CSV export
/// must write inert and the import must read back as they were.
const DISPUTE_REASONS: [&str; 4] = [
    "we did not meet",
    "=1+1 is not a conversation",
    "-1 for this one",
    "@boss never asked",
];

/// One step of a session.
#[derive(Clone)]
enum Step {
    Add {
        by: usize,
        who: usize,
        level: i8,
    },
    Move {
        by: usize,
        who: usize,
        to: usize,
    },
    Remove {
        by: usize,
        who: usize,
    },
    Level {
        by: usize,
        who: usize,
        level: i8,
    },
    Framework {
        by: usize,
        who: usize,
        level: i8,
    },
    Done {
        by: usize,
        who: usize,
        date: DateForm,
        note: bool,
    },
    Undo {
        by: usize,
        who: usize,
    },
    Snooze {
        by: usize,
        who: usize,
    },
    Unsnooze {
        by: usize,
        who: usize,
    },
    Ack {
        by: usize,
    },
    Dispute {
        by: usize,
    },
    /// `who` says yes to `from`'s request to add them.
    Accept {
        who: usize,
        from: usize,
    },
    /// `who` says no to it.
    Decline {
        who: usize,
        from: usize,
    },
    Days(u8),
    Tick,
    /// Export everything and import the file back into the same database: nothing changes.
    Reimport,
}

/// How a conversation date is written after `done @x`.
#[derive(Debug, Clone, Copy)]
enum DateForm {
    Today,
    Yesterday,
    DaysAgo(u16),
    Iso(i32),
    Slashed,
}

impl DateForm {
    fn words(self, today: NaiveDate) -> String {
        match self {
            DateForm::Today => "today".to_owned(),
            DateForm::Yesterday => "yesterday".to_owned(),
            DateForm::DaysAgo(days) => format!("{days} days ago"),
            DateForm::Iso(offset) => shift(today, offset).to_string(),
            DateForm::Slashed => today.format("%Y/%m/%d").to_string(),
        }
    }

    /// The date the bot must record, or `None` when it must refuse.
    fn resolve(self, today: NaiveDate) -> Option<NaiveDate> {
        let date = match self {
            DateForm::Today => today,
            DateForm::Yesterday => today - Days::new(1),
            DateForm::DaysAgo(days) => today.checked_sub_days(Days::new(u64::from(days)))?,
            DateForm::Iso(offset) => shift(today, offset),
            DateForm::Slashed => return None,
        };
        let year_ago = today.checked_sub_months(Months::new(12))?;
        (date <= today && date >= year_ago).then_some(date)
    }
}

fn shift(date: NaiveDate, days: i32) -> NaiveDate {
    if days >= 0 {
        date + Days::new(days as u64)
    } else {
        date - Days::new(u64::from(days.unsigned_abs()))
    }
}

impl Step {
    /// The shell lines of this step at `today`.
    fn lines(&self, today: NaiveDate) -> Vec<String> {
        let user = |index: &usize| USERS[*index];
        let r#as = |by: &usize| format!(":as {}", user(by));
        match self {
            Step::Add { by, who, level } => {
                vec![r#as(by), format!("add @{} marketing {level}", user(who))]
            }
            Step::Move { by, who, to } => {
                vec![r#as(by), format!("move @{} @{}", user(who), user(to))]
            }
            Step::Remove { by, who } => vec![r#as(by), format!("remove @{}", user(who))],
            Step::Level { by, who, level } => {
                vec![r#as(by), format!("level @{} {level}", user(who))]
            }
            Step::Framework { by, who, level } => {
                vec![
                    r#as(by),
                    format!("framework @{} buffer-engineering {level}", user(who)),
                ]
            }
            Step::Done {
                by,
                who,
                date,
                note,
            } => {
                let note = if *note {
                    format!(" secret-note-by-{}", user(by))
                } else {
                    String::new()
                };
                vec![
                    r#as(by),
                    format!("done @{} {}{note}", user(who), date.words(today)),
                ]
            }
            Step::Undo { by, who } => vec![r#as(by), format!("undo @{}", user(who))],
            Step::Snooze { by, who } => vec![r#as(by), format!("snooze @{} 2w", user(who))],
            Step::Unsnooze { by, who } => vec![r#as(by), format!("unsnooze @{}", user(who))],
            Step::Ack { by } => vec![r#as(by), "ack".to_owned()],
            Step::Dispute { by } => vec![r#as(by), format!("dispute {}", DISPUTE_REASONS[*by])],
            Step::Accept { who, from } => vec![r#as(who), format!("accept @{}", user(from))],
            Step::Decline { who, from } => vec![r#as(who), format!("decline @{}", user(from))],
            Step::Days(days) => vec![format!(
                ":now {}T10:00:00Z",
                today + Days::new(u64::from(*days))
            )],
            Step::Tick => vec![":tick".to_owned()],
            Step::Reimport => {
                vec!["# career-bot export > all.csv && career-bot import-org all.csv".to_owned()]
            }
        }
    }
}

/// Printed as the shell lines that reproduce it (dates as of the session's start).
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.lines(start()).join(" / "))
    }
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date")
}

fn step() -> impl Strategy<Value = Step> {
    let person = 0..4usize;
    let anyone = 0..5usize;
    let date = prop_oneof![
        Just(DateForm::Today),
        Just(DateForm::Yesterday),
        (0u16..420).prop_map(DateForm::DaysAgo),
        (-400i32..3).prop_map(DateForm::Iso),
        Just(DateForm::Slashed),
    ];
    prop_oneof![
        3 => (anyone.clone(), person.clone(), -1i8..7).prop_map(|(by, who, level)| Step::Add { by, who, level }),
        1 => (anyone.clone(), person.clone(), anyone.clone()).prop_map(|(by, who, to)| Step::Move { by, who, to }),
        1 => (anyone.clone(), person.clone()).prop_map(|(by, who)| Step::Remove { by, who }),
        1 => (anyone.clone(), person.clone(), -1i8..7).prop_map(|(by, who, level)| Step::Level { by, who, level }),
        1 => (anyone.clone(), person.clone(), -1i8..10).prop_map(|(by, who, level)| Step::Framework { by, who, level }),
        4 => (anyone.clone(), person.clone(), date, any::<bool>()).prop_map(|(by, who, date, note)| Step::Done { by, who, date, note }),
        2 => (anyone.clone(), person.clone()).prop_map(|(by, who)| Step::Undo { by, who }),
        1 => (anyone.clone(), person.clone()).prop_map(|(by, who)| Step::Snooze { by, who }),
        1 => (anyone.clone(), person.clone()).prop_map(|(by, who)| Step::Unsnooze { by, who }),
        1 => person.clone().prop_map(|by| Step::Ack { by }),
        1 => person.clone().prop_map(|by| Step::Dispute { by }),
        1 => (person.clone(), anyone.clone()).prop_map(|(who, from)| Step::Accept { who, from }),
        1 => (person, anyone.clone()).prop_map(|(who, from)| Step::Decline { who, from }),
        2 => (1u8..120).prop_map(Step::Days),
        1 => Just(Step::Tick),
        1 => Just(Step::Reimport),
    ]
}

/// A conversation as the model knows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Conversation {
    report: String,
    held_on: NaiveDate,
    recorded_by: String,
    note: bool,
}

/// A request to join a team, as the model knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Pending,
    Accepted,
    /// Said no on that day.
    Declined(NaiveDate),
}

/// What the records must hold.
#[derive(Debug, Default)]
struct Model {
    /// Active reports and their manager.
    manager_of: BTreeMap<String, String>,
    /// Everyone each person has ever had as manager.
    managers_ever: BTreeMap<String, BTreeSet<String>>,
    /// The latest request of (person, requester).
    requests: BTreeMap<(String, String), Request>,
    /// Every conversation, in the order recorded.
    conversations: Vec<Conversation>,
    /// Snoozes known for certain to be running: set by a snooze that succeeded, dropped on
    /// anything that may end or change one (so the model is never stricter than the rules).
    snoozed_until: BTreeMap<String, NaiveDate>,
}

impl Model {
    fn may_manage(&self, by: &str, who: &str) -> bool {
        self.manager_of
            .get(who)
            .is_some_and(|manager| manager == by || by == "admin")
    }

    /// Whether `who` is `from` or above `from` in the chart.
    fn is_above_or_is(&self, who: &str, from: &str) -> bool {
        let mut current = from.to_owned();
        for _ in 0..USERS.len() + 1 {
            if current == who {
                return true;
            }
            match self.manager_of.get(&current) {
                Some(manager) => current = manager.clone(),
                None => return false,
            }
        }
        false
    }

    /// `who` joins `manager`'s team.
    fn place(&mut self, who: String, manager: String) {
        self.managers_ever
            .entry(who.clone())
            .or_default()
            .insert(manager.clone());
        self.manager_of.insert(who, manager);
    }

    fn apply(&mut self, step: &Step, today: NaiveDate) {
        let user = |index: &usize| USERS[*index].to_owned();
        match step {
            Step::Snooze { by, who } if self.may_manage(&user(by), &user(who)) => {
                self.snoozed_until.insert(user(who), today + Days::new(14));
            }
            Step::Add { who, .. }
            | Step::Accept { who, .. }
            | Step::Move { who, .. }
            | Step::Remove { who, .. }
            | Step::Done { who, .. }
            | Step::Undo { who, .. }
            | Step::Unsnooze { who, .. } => {
                self.snoozed_until.remove(&user(who));
            }
            _ => {}
        }
        match step {
            Step::Add { by, who, level } => {
                let (by, who) = (user(by), user(who));
                if by == who || !(1..=5).contains(level) || self.manager_of.contains_key(&who) {
                    return;
                }
                let had_another = self
                    .managers_ever
                    .get(&who)
                    .is_some_and(|managers| managers.iter().any(|m| *m != by));
                if had_another && by != "admin" {
                    // Asked, not added: a "no" today means not even asked.
                    let key = (who, by);
                    if self.requests.get(&key) != Some(&Request::Declined(today)) {
                        self.requests.insert(key, Request::Pending);
                    }
                } else if !self.is_above_or_is(&who, &by) {
                    self.place(who, by);
                }
            }
            Step::Accept { who, from } => {
                let key = (user(who), user(from));
                if self.requests.get(&key) == Some(&Request::Pending)
                    && !self.manager_of.contains_key(&key.0)
                    && !self.is_above_or_is(&key.0, &key.1)
                {
                    self.requests.insert(key.clone(), Request::Accepted);
                    self.place(key.0, key.1);
                }
            }
            Step::Decline { who, from } => {
                let key = (user(who), user(from));
                if self.requests.get(&key) == Some(&Request::Pending) {
                    self.requests.insert(key, Request::Declined(today));
                }
            }
            Step::Move { by, who, to } => {
                let (by, who, to) = (user(by), user(who), user(to));
                if who != to && self.may_manage(&by, &who) && !self.is_above_or_is(&who, &to) {
                    self.place(who, to);
                }
            }
            Step::Remove { by, who } => {
                let (by, who) = (user(by), user(who));
                if self.may_manage(&by, &who) {
                    self.manager_of.remove(&who);
                }
            }
            Step::Done {
                by,
                who,
                date,
                note,
            } => {
                let (by, who) = (user(by), user(who));
                let Some(held_on) = date.resolve(today) else {
                    return;
                };
                let same_day = self
                    .conversations
                    .iter()
                    .any(|c| c.report == who && c.held_on == held_on);
                if self.may_manage(&by, &who) && !same_day {
                    self.conversations.push(Conversation {
                        report: who,
                        held_on,
                        recorded_by: by,
                        note: *note,
                    });
                }
            }
            Step::Undo { by, who } => {
                let (by, who) = (user(by), user(who));
                if self.may_manage(&by, &who)
                    && let Some(index) = self
                        .conversations
                        .iter()
                        .rposition(|c| c.report == who && (c.recorded_by == by || by == "admin"))
                {
                    self.conversations.remove(index);
                }
            }
            Step::Level { .. }
            | Step::Framework { .. }
            | Step::Snooze { .. }
            | Step::Unsnooze { .. }
            | Step::Ack { .. }
            | Step::Dispute { .. }
            | Step::Days(_)
            | Step::Tick
            | Step::Reimport => {}
        }
    }
}

/// Which database a session runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Sqlite,
    Postgres,
}

/// A fresh bot on `on`, with the database to remove after it (`None` for SQLite, whose
/// directory `dir` goes with it).
async fn fresh_bot(on: On, dir: &std::path::Path) -> (Bot, Option<TestDatabase>) {
    let env = [("CAREER_BOT_ADMINS", "admin")];
    match on {
        On::Sqlite => (bot_in(dir, &env).await, None),
        On::Postgres => {
            let database = TestDatabase::postgres()
                .await
                .expect("only run when CAREER_BOT_TEST_POSTGRES_URL is set");
            let overrides = career_bot::config::Overrides {
                database: Some(database.url()),
                ..Default::default()
            };
            let bot =
                crate::support::bot::open(&crate::support::bot::config(&overrides, &env)).await;
            (bot, Some(database))
        }
    }
}

/// Runs `steps` on `on` and checks the records against the model after each one.
fn check_session(on: On, steps: &[Step]) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (bot, database) = fresh_bot(on, dir.path()).await;
        let outcome = run_session(&bot, on, steps).await;
        bot.store().close().await;
        if let Some(database) = database {
            database.remove().await;
        }
        outcome
    })
}

/// The session itself, on `bot`.
async fn run_session(bot: &Bot, on: On, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut shell =
        Shell::new(bot, Some("ana".into()), Some("2026-03-02T10:00:00Z")).expect("shell");
    let mut model = Model::default();
    let mut today = start();
    let mut seen_sent = BTreeSet::new();
    for (number, step) in steps.iter().enumerate() {
        if let Step::Reimport = step {
            reimport(bot, today).await.map_err(|problem| {
                TestCaseError::fail(format!("after step {number}: {problem}"))
            })?;
        } else {
            let lines = step.lines(today);
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            run(&mut shell, &refs).await;
        }
        model.apply(step, today);
        if let Step::Days(days) = step {
            today = today + Days::new(u64::from(*days));
        }
        check_records(bot, &model)
            .await
            .map_err(|problem| TestCaseError::fail(format!("after step {number}: {problem}")))?;
        check_messages(bot, &model, today, &mut seen_sent)
            .await
            .map_err(|problem| TestCaseError::fail(format!("after step {number}: {problem}")))?;
    }
    check_private_notes(bot, &mut shell, &model).await?;
    check_round_trip(bot, on, today)
        .await
        .map_err(TestCaseError::fail)?;
    Ok(())
}

/// The export as CSV text, as of `today` (10:00 UTC, the shell's clock).
async fn export_csv(bot: &Bot, today: NaiveDate) -> Result<String, String> {
    let now = at_ten(today);
    let collected = export::collect(bot, now)
        .await
        .map_err(|error| error.to_string())?;
    let mut bytes = Vec::new();
    export::write(&collected, ExportFormat::Csv, &mut bytes).map_err(|error| error.to_string())?;
    String::from_utf8(bytes).map_err(|error| error.to_string())
}

fn at_ten(today: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    today.and_hms_opt(10, 0, 0).expect("a time").and_utc()
}

/// Exports and imports the file back into the same database: the import is accepted and
/// changes nothing (the same export afterwards).
async fn reimport(bot: &Bot, today: NaiveDate) -> Result<(), String> {
    let before = export_csv(bot, today).await?;
    let summary = import::import_bytes(bot, before.as_bytes(), "all.csv", at_ten(today))
        .await
        .map_err(|error| format!("the export does not import back: {error:?}\n{before}"))?;
    if summary.changed != 0 || summary.history != Default::default() {
        return Err(format!(
            "importing the database's own export changed it: {summary:?}\n{before}"
        ));
    }
    let after = export_csv(bot, today).await?;
    if after != before {
        return Err(format!(
            "the export changed after importing itself:\n before {before}\n after  {after}"
        ));
    }
    Ok(())
}

/// Every conversation and answer is in the export, and export → import into an empty
/// database → export gives the same file.
async fn check_round_trip(bot: &Bot, on: On, today: NaiveDate) -> Result<(), String> {
    let original = export_csv(bot, today).await?;
    let stored: Vec<(String, String)> = sqlx::query_as::<_, (String, String)>(
        "SELECT report_id, held_on FROM checkins
         UNION ALL SELECT c.report_id, c.held_on FROM checkin_answers a JOIN checkins c ON c.id = a.checkin_id",
    )
    .fetch_all(bot.store().pool())
    .await
    .map_err(|error| error.to_string())?;
    let rows = original
        .lines()
        .filter(|line| line.starts_with("checkin,") || line.starts_with("answer,"))
        .count();
    if rows != stored.len() {
        return Err(format!(
            "the export has {rows} conversation and answer rows for {} stored:\n{original}",
            stored.len()
        ));
    }
    for (report, held_on) in &stored {
        if !original.contains(&format!(",{held_on},")) || !original.contains(report.as_str()) {
            return Err(format!(
                "{report}'s conversation of {held_on} is not in the export:\n{original}"
            ));
        }
    }
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    let (fresh, database) = fresh_bot(on, dir.path()).await;
    let imported = import::import_bytes(&fresh, original.as_bytes(), "all.csv", at_ten(today))
        .await
        .map_err(|error| format!("the export does not import: {error:?}\n{original}"));
    let copy = match imported {
        Ok(_) => export_csv(&fresh, today).await,
        Err(problem) => Err(problem),
    };
    fresh.store().close().await;
    if let Some(database) = database {
        database.remove().await;
    }
    let copy = copy?;
    if copy != original {
        return Err(format!(
            "export → import → export differs:\n original {original}\n copy     {copy}"
        ));
    }
    Ok(())
}

async fn check_records(bot: &Bot, model: &Model) -> Result<(), String> {
    let stored: BTreeSet<(String, NaiveDate, String, bool)> =
        sqlx::query_as::<_, (String, String, String, i64)>(
            "SELECT report_id, held_on, recorded_by,
                    CASE WHEN private_note IS NULL THEN 0 ELSE 1 END FROM checkins",
        )
        .fetch_all(bot.store().pool())
        .await
        .map_err(|error| error.to_string())?
        .into_iter()
        .map(|(report, held_on, by, noted)| {
            let held_on = NaiveDate::parse_from_str(&held_on, "%Y-%m-%d").expect("a stored date");
            (report, held_on, by, noted != 0)
        })
        .collect();
    let expected: BTreeSet<(String, NaiveDate, String, bool)> = model
        .conversations
        .iter()
        .map(|c| (c.report.clone(), c.held_on, c.recorded_by.clone(), c.note))
        .collect();
    if stored != expected {
        return Err(format!(
            "conversations differ:\n stored   {stored:?}\n expected {expected:?}"
        ));
    }
    let managers: BTreeMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT user_id, manager_id FROM people
         WHERE active = 1 AND manager_id IS NOT NULL AND framework_id IS NOT NULL",
    )
    .fetch_all(bot.store().pool())
    .await
    .map_err(|error| error.to_string())?
    .into_iter()
    .collect();
    if managers != model.manager_of {
        return Err(format!(
            "org chart differs:\n stored   {managers:?}\n expected {:?}",
            model.manager_of
        ));
    }
    for start in managers.keys() {
        let mut current = start;
        for _ in 0..=managers.len() {
            match managers.get(current) {
                Some(manager) if manager == start => {
                    return Err(format!("a management loop through {start}"));
                }
                Some(manager) => current = manager,
                None => break,
            }
        }
    }
    Ok(())
}

/// The messages sent since the last check went to people the rules allow: a reminder only
/// about an active report of that manager, not recorded within the last three months, not
/// snoozed, and none twice for one slot; a confirmation request only for a conversation that
/// still exists and has not been answered; a request to join a team only while it is open and
/// its person on nobody's team.
async fn check_messages(
    bot: &Bot,
    model: &Model,
    today: NaiveDate,
    seen: &mut BTreeSet<i64>,
) -> Result<(), String> {
    let sent: Vec<(i64, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, kind, recipient, report_id, key FROM outbox WHERE status = 'sent' ORDER BY id",
    )
    .fetch_all(bot.store().pool())
    .await
    .map_err(|error| error.to_string())?;
    let three_months_ago = today - Months::new(3);
    for (id, kind, recipient, report, key) in sent {
        if !seen.insert(id) {
            continue;
        }
        match kind.as_str() {
            "reminder" => {
                let report = report.unwrap_or_default();
                if model.manager_of.get(&report) != Some(&recipient) {
                    return Err(format!(
                        "{key} went to {recipient}, who is not {report}'s manager"
                    ));
                }
                if let Some(recent) = model
                    .conversations
                    .iter()
                    .find(|c| c.report == report && c.held_on > three_months_ago)
                {
                    return Err(format!(
                        "{key} was sent on {today} although {report} had a conversation on {}",
                        recent.held_on
                    ));
                }
                if let Some(until) = model.snoozed_until.get(&report)
                    && today < *until
                {
                    return Err(format!(
                        "{key} was sent on {today} although {report} is snoozed until {until}"
                    ));
                }
            }
            "ack_request" => {
                let checkin: i64 = key
                    .strip_prefix("ack:")
                    .and_then(|id| id.parse().ok())
                    .ok_or_else(|| format!("an ack request with key {key}"))?;
                let status: Option<String> =
                    sqlx::query_scalar("SELECT ack_status FROM checkins WHERE id = $1")
                        .bind(checkin)
                        .fetch_optional(bot.store().pool())
                        .await
                        .map_err(|error| error.to_string())?;
                match status.as_deref() {
                    Some("pending") => {}
                    Some(answered) => {
                        return Err(format!(
                            "{recipient} was asked to confirm conversation {checkin}, already {answered}"
                        ));
                    }
                    None => {
                        return Err(format!(
                            "{recipient} was asked to confirm conversation {checkin}, which was undone"
                        ));
                    }
                }
            }
            "add_request" => {
                let request_id: i64 = key
                    .split_once(':')
                    .and_then(|(_, id)| id.parse().ok())
                    .ok_or_else(|| format!("an add request with key {key}"))?;
                let requester: Option<String> =
                    sqlx::query_scalar("SELECT requester_id FROM add_requests WHERE id = $1")
                        .bind(request_id)
                        .fetch_optional(bot.store().pool())
                        .await
                        .map_err(|error| error.to_string())?;
                let requester = requester.ok_or_else(|| format!("{key} has no request"))?;
                let request = model.requests.get(&(recipient.clone(), requester.clone()));
                if request != Some(&Request::Pending) {
                    return Err(format!(
                        "{recipient} was asked to join {requester}'s team, a request that is {request:?}"
                    ));
                }
                if let Some(manager) = model.manager_of.get(&recipient) {
                    return Err(format!(
                        "{recipient} was asked to join {requester}'s team while on {manager}'s"
                    ));
                }
            }
            _ => {}
        }
    }
    let twice: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT report_id, planned_for, count(*) FROM outbox
         WHERE kind = 'reminder' AND status = 'sent'
         GROUP BY report_id, planned_for HAVING count(*) > 1 LIMIT 1",
    )
    .fetch_optional(bot.store().pool())
    .await
    .map_err(|error| error.to_string())?;
    if let Some((report, slot, count)) = twice {
        return Err(format!(
            "{count} reminders about {report} for the slot {slot}"
        ));
    }
    Ok(())
}

/// Every note reaches its author's `history` and nobody else's, and a manager's `history`
/// shows only the conversations they held or recorded.
async fn check_private_notes(
    _bot: &Bot,
    shell: &mut Shell<'_>,
    model: &Model,
) -> Result<(), TestCaseError> {
    for report in USERS.iter().take(4) {
        for reader in USERS {
            let out = run(
                shell,
                &[&format!(":as {reader}"), &format!("history @{report}")],
            )
            .await;
            if reader != "admin" && reader != *report {
                for line in out.lines().filter(|line| line.contains("; recorded by @")) {
                    prop_assert!(
                        line.contains(&format!("With @{reader};"))
                            || line.contains(&format!("recorded by @{reader} ")),
                        "{reader} sees someone else's conversation with {report}:\n{out}"
                    );
                }
            }
            for conversation in model.conversations.iter().filter(|c| c.report == *report) {
                let note = format!("secret-note-by-{}", conversation.recorded_by);
                if !conversation.note {
                    continue;
                }
                let shown = out.contains(&note);
                let author = conversation.recorded_by == reader;
                prop_assert!(
                    !shown || author,
                    "{reader} read {}'s private note about {report}:\n{out}",
                    conversation.recorded_by
                );
                if author {
                    prop_assert!(
                        shown,
                        "{reader} cannot read their own note about {report}:\n{out}"
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn random_sessions_keep_the_records_the_model_expects() {
    let cases = std::env::var("CAREER_BOT_MODEL_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(256);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(step(), 1..24), |steps| {
        check_session(On::Sqlite, &steps)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// The same sessions on PostgreSQL (fewer: each creates two databases), when
/// `CAREER_BOT_TEST_POSTGRES_URL` is set; `CAREER_BOT_MODEL_CASES_POSTGRES` sets how many.
#[test]
fn random_sessions_keep_the_records_the_model_expects_on_postgres() {
    if std::env::var(databases::POSTGRES_URL_VARIABLE).is_err() {
        eprintln!(
            "skipped on PostgreSQL: {} is not set",
            databases::POSTGRES_URL_VARIABLE
        );
        return;
    }
    let cases = std::env::var("CAREER_BOT_MODEL_CASES_POSTGRES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(step(), 1..24), |steps| {
        check_session(On::Postgres, &steps)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
