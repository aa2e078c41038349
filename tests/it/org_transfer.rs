//! `import-org` and `export`: importing an org chart from CSV (every bad row reported by line,
//! nothing half-imported, idempotent), exporting people and check-ins as JSON or CSV (never
//! private notes), the CSV round trip into a fresh database, and the binary end to end.
//!
//! Every test uses its own temporary SQLite file and fixed times.

use std::path::{Path, PathBuf};
use std::process::Output;

use career_bot::admin::export::{self, CSV_COLUMNS, ExportFormat};
use career_bot::admin::import::{self, ImportSummary};
use career_bot::admin::{ImportError, RowError};
use career_bot::bot::Bot;
use career_bot::ids::{FrameworkId, UserId};
use career_bot::reply::Reply;
use career_bot::store::checkins::{Acknowledgement, NewCheckin, Recorded};
use career_bot::store::outbox::{NewMessage, kind};
use career_bot::store::people::Person;
use chrono::{DateTime, NaiveDate, Utc};
use tempfile::TempDir;

use crate::support::binary;
use crate::support::bot::bot_in;

/// The time the fixtures are imported at: 20:00 UTC is already the next day in Kolkata.
const IMPORTED_AT: &str = "2026-03-02T20:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid test time")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("a valid test date")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/org")
        .join(name)
}

async fn import_fixture(bot: &Bot, name: &str, now: &str) -> Result<ImportSummary, ImportError> {
    import::import_file(bot, &fixture(name), at(now)).await
}

async fn import_text(bot: &Bot, text: &str, now: &str) -> Result<ImportSummary, ImportError> {
    import::import_bytes(bot, text.as_bytes(), "test.csv", at(now)).await
}

fn problems(result: Result<ImportSummary, ImportError>) -> Vec<RowError> {
    match result {
        Err(ImportError::Invalid(errors)) => errors,
        other => panic!("expected row problems, got {other:?}"),
    }
}

async fn person(bot: &Bot, user: &str) -> Person {
    bot.store()
        .person(&UserId::new(user))
        .await
        .expect("the store answers")
        .unwrap_or_else(|| panic!("{user} is stored"))
}

/// Everything stored about people, including `updated_at`, so "nothing written" is exact.
async fn people_table(bot: &Bot) -> Vec<(Person, String)> {
    let people = bot.store().people(true).await.expect("the store answers");
    let updated: Vec<(String, String)> =
        sqlx::query_as("SELECT user_id, updated_at FROM people ORDER BY user_id")
            .fetch_all(bot.store().pool())
            .await
            .expect("the query runs");
    assert_eq!(people.len(), updated.len());
    people
        .into_iter()
        .zip(updated)
        .map(|(person, (user, updated_at))| {
            assert_eq!(person.user_id, user.as_str());
            (person, updated_at)
        })
        .collect()
}

async fn audit_count(bot: &Bot) -> usize {
    bot.store().audit_log(None).await.expect("audit").len()
}

/// A person's `import-org` columns, plus whether they are active: (user, name, manager,
/// framework, level, start_date, time_zone, active).
type OrgColumns = (
    UserId,
    String,
    Option<UserId>,
    Option<FrameworkId>,
    Option<u32>,
    Option<NaiveDate>,
    Option<String>,
    bool,
);

/// The columns that `import-org` reads, as stored, for comparing databases.
fn org_columns(people: &[Person]) -> Vec<OrgColumns> {
    people
        .iter()
        .map(|p| {
            (
                p.user_id.clone(),
                p.display_name.clone(),
                p.manager_id.clone(),
                p.framework_id.clone(),
                p.level,
                p.start_date,
                p.time_zone.clone(),
                p.active,
            )
        })
        .collect()
}

/// Records a conversation with a private note, focus areas and next steps, as `done @report …
/// note --focus Ownership,Scope of influence --next …` would.
async fn record_checkin(
    bot: &Bot,
    report: &str,
    manager: &str,
    held_on: &str,
    note: &str,
    now: &str,
) -> i64 {
    let stored = person(bot, report).await;
    let framework = stored.framework_id.clone().expect("a report");
    let recorded = bot
        .store()
        .record_checkin(
            NewCheckin {
                report_id: UserId::new(report),
                manager_id: UserId::new(manager),
                held_on: date(held_on),
                framework_id: Some(framework.clone()),
                level_discussed: stored.level,
                private_note: Some(note.to_owned()),
                focus: FOCUS.iter().map(|f| (*f).to_owned()).collect(),
                next_steps: Some(NEXT_STEPS.to_owned()),
                recorded_by: UserId::new(manager),
                request_key: None,
                opened_for: None,
                cadence: bot.settings().cadence_for(framework.as_str()),
                acknowledgement_request: None,
            },
            at(now),
        )
        .await
        .expect("the check-in is recorded");
    match recorded {
        Recorded::New(id) => id,
        Recorded::AlreadyRecorded(existing) | Recorded::SameDay(existing) => existing.id,
        Recorded::Outdated { .. } => unreachable!("no form was opened"),
    }
}

/// The valid fixture, a disputed conversation with Alice (with a private note), a snooze for
/// Cara; exported on 2026-05-20, when Alice is due, Bob overdue, Cara snoozed and Dev ok.
async fn populated_bot(dir: &TempDir) -> Bot {
    let bot = bot_in(dir.path(), &[]).await;
    import_fixture(&bot, "valid.csv", IMPORTED_AT)
        .await
        .expect("the valid fixture imports");
    let id = record_checkin(
        &bot,
        "U_ALICE",
        "U_MARCO",
        "2026-02-20",
        "PRIVATE: Alice is thinking about leaving",
        "2026-03-05T10:00:00Z",
    )
    .await;
    bot.store()
        .answer_checkin(
            &UserId::new("U_ALICE"),
            id,
            Acknowledgement::Disputed,
            Some("We only talked about the offsite"),
            None,
            at("2026-03-06T10:00:00Z"),
        )
        .await
        .expect("the dispute is recorded");
    bot.store()
        .snooze(
            &UserId::new("U_CARA"),
            date("2026-06-01"),
            Some("parental leave"),
            &bot.settings().cadence_for("buffer-happiness"),
            &UserId::new("U_DIANA"),
            at("2026-05-01T09:00:00Z"),
        )
        .await
        .expect("the snooze is recorded");
    bot
}

const EXPORTED_AT: &str = "2026-05-20T12:00:00Z";
/// What Alice's conversation agreed.
const FOCUS: [&str; 2] = ["Ownership", "Scope of influence"];
/// A comma inside, so a CSV that split cells wrongly would lose it.
const NEXT_STEPS: &str = "Lead the offsite, then write it up";

#[tokio::test]
async fn a_valid_file_stores_people_managers_levels_dates_and_time_zones() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let summary = import_fixture(&bot, "valid.csv", IMPORTED_AT)
        .await
        .expect("the valid fixture imports");
    assert_eq!(
        summary,
        ImportSummary {
            people: 6,
            reports: 4,
            managers_only: 2,
            changed: 6,
            history: Default::default(),
        }
    );

    let alice = person(&bot, "U_ALICE").await;
    assert_eq!(alice.display_name, "Alice Archer");
    assert_eq!(alice.manager_id, Some(UserId::new("U_MARCO")));
    assert_eq!(
        alice.framework_id,
        Some(FrameworkId::new("buffer-marketing"))
    );
    assert_eq!(alice.level, Some(2));
    assert_eq!(alice.start_date, Some(date("2026-01-15")));
    assert_eq!(alice.time_zone.as_deref(), Some("Europe/Berlin"));
    assert!(alice.active);
    // The cadence dates are computed as `add` computes them.
    assert_eq!(alice.anchor_on, Some(date("2026-01-15")));
    assert_eq!(alice.due_on, Some(date("2026-04-15")));

    // Frameworks by name or alias, levels by title or roman numeral.
    let bob = person(&bot, "U_BOB").await;
    assert_eq!(
        bob.framework_id,
        Some(FrameworkId::new("buffer-engineering"))
    );
    assert_eq!(bob.level, Some(4), "Senior Engineer is level 4");
    assert_eq!(bob.time_zone, None);
    let cara = person(&bot, "U_CARA").await;
    assert_eq!(
        cara.framework_id,
        Some(FrameworkId::new("buffer-happiness"))
    );
    assert_eq!(cara.level, Some(3));
    assert_eq!(cara.manager_id, Some(UserId::new("U_DIANA")));

    // An empty start date is today where the person is: already 3 March in Kolkata.
    let dev = person(&bot, "U_DEV").await;
    assert_eq!(dev.start_date, Some(date("2026-03-03")));
    assert_eq!(dev.manager_id, Some(UserId::new("U_ALICE")));

    // Managers only: name and time zone, no framework, no manager of record.
    let diana = person(&bot, "U_DIANA").await;
    assert_eq!(diana.display_name, "Diana Director");
    assert_eq!(diana.time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(diana.framework_id, None);
    assert_eq!(diana.due_on, None);
    let marco = person(&bot, "U_MARCO").await;
    assert_eq!(marco.time_zone.as_deref(), Some("Europe/London"));
    assert_eq!(marco.manager_id, None);

    let audit = bot.store().audit_log(None).await.expect("audit");
    assert_eq!(audit.len(), 6, "one entry per person: {audit:?}");
    assert!(
        audit
            .iter()
            .all(|entry| entry.actor == "import" && entry.action == "person.imported")
    );
    let mut subjects: Vec<&str> = audit
        .iter()
        .filter_map(|entry| entry.subject.as_deref())
        .collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        ["U_ALICE", "U_BOB", "U_CARA", "U_DEV", "U_DIANA", "U_MARCO"]
    );
    let alice_entry = audit
        .iter()
        .find(|entry| entry.subject.as_deref() == Some("U_ALICE"))
        .expect("Alice's entry");
    let details: serde_json::Value = serde_json::from_str(&alice_entry.details).expect("JSON");
    assert_eq!(details["line"], 4);
    assert_eq!(details["framework"], "buffer-marketing");
    assert_eq!(details["changed"], true);
}

#[tokio::test]
async fn every_bad_row_is_reported_with_its_line_and_a_sentence_and_nothing_is_written() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    import_fixture(&bot, "valid.csv", IMPORTED_AT)
        .await
        .expect("the valid fixture imports");
    let before = people_table(&bot).await;
    let audit_before = audit_count(&bot).await;

    let errors = problems(import_fixture(&bot, "invalid.csv", "2026-03-10T09:00:00Z").await);
    let lines: Vec<u64> = errors.iter().map(|error| error.line).collect();
    // Line 2 and the two-line row at 14–15 are fine; 13 is short of fields.
    assert_eq!(
        lines,
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17],
        "{errors:#?}"
    );
    let expected = [
        (
            3,
            "I don't know the framework \"markting\". Did you mean buffer-marketing?",
        ),
        (4, "Buffer Marketing has no level 7; its levels are 1–5."),
        (
            5,
            "\"15/01/2026\" is not a date; write start_date as YYYY-MM-DD",
        ),
        (6, "\"Mars/Olympus\" is not a time zone; write an IANA name"),
        (
            7,
            "U_ALICE is listed twice (first on line 2); keep one row per person.",
        ),
        (
            8,
            "the manager U_NOBODY is neither in this file nor in the database",
        ),
        (9, "U_GUS can't be their own manager"),
        (10, "U_HAL → U_IVY → U_HAL"),
        (11, "U_IVY → U_HAL → U_IVY"),
        (
            12,
            "framework is \"buffer-marketing\" but level is empty; give both",
        ),
        (13, "this row has 5 field(s) but the header has 7"),
        (
            16,
            "user is empty; every row needs the person's chat user id",
        ),
        (17, "U_LEE has a framework and level but no manager"),
    ];
    for (error, (line, sentence)) in errors.iter().zip(expected) {
        assert_eq!(error.line, line);
        assert!(
            error.message.contains(sentence),
            "line {line}: expected \"{sentence}\" in \"{}\"",
            error.message
        );
    }

    assert_eq!(people_table(&bot).await, before, "nothing was written");
    assert_eq!(audit_count(&bot).await, audit_before, "nothing was audited");
}

#[tokio::test]
async fn a_file_whose_only_bad_row_is_the_last_one_writes_nothing() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let text = "user,name,manager,framework,level\n\
                U_MARCO,Marco Manager,,,\n\
                U_ALICE,Alice Archer,U_MARCO,marketing,2\n\
                U_BOB,Bob Baker,U_MARCO,buffer-engineering,9\n";
    let errors = problems(import_text(&bot, text, IMPORTED_AT).await);
    assert_eq!(
        errors,
        [RowError {
            line: 4,
            message: "Buffer Engineering has no level 9; its levels are 1–8.".to_owned()
        }]
    );
    assert!(people_table(&bot).await.is_empty(), "no one was added");
    assert_eq!(audit_count(&bot).await, 0);
}

#[tokio::test]
async fn a_header_without_a_user_column_is_reported_on_line_1() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let errors = problems(import_text(&bot, "name,level,level\nAlice,2,2\n", IMPORTED_AT).await);
    let lines: Vec<u64> = errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [1, 1], "{errors:#?}");
    assert!(errors[0].message.contains("\"level\" appears twice"));
    assert!(
        errors[1]
            .message
            .starts_with("the header has no \"user\" column")
    );
    assert!(people_table(&bot).await.is_empty());
}

#[tokio::test]
async fn columns_are_found_by_name_in_any_order_and_case_and_unknown_ones_are_ignored() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    // A byte-order mark, as spreadsheets write, spaced and capitalised names, an extra column.
    let text = "\u{feff} Time Zone ,LEVEL,User,Notes,framework,Manager,Start Date,Name\n\
                Europe/Paris,Strategist,U_ALICE,likes tea,Marketing,U_MARCO,2026-01-15, Alice Archer \n\
                ,,U_MARCO,,,,,Marco\n";
    let summary = import_text(&bot, text, IMPORTED_AT)
        .await
        .expect("the file imports");
    assert_eq!((summary.reports, summary.managers_only), (1, 1));
    let alice = person(&bot, "U_ALICE").await;
    assert_eq!(alice.display_name, "Alice Archer");
    assert_eq!(alice.time_zone.as_deref(), Some("Europe/Paris"));
    assert_eq!(
        alice.framework_id,
        Some(FrameworkId::new("buffer-marketing"))
    );
    assert_eq!(alice.level, Some(2));
    assert_eq!(alice.start_date, Some(date("2026-01-15")));
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing_but_the_audit_log() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    import_fixture(&bot, "valid.csv", IMPORTED_AT)
        .await
        .expect("the first import");
    // A snooze set in chat after the import must survive a re-import of the same file.
    bot.store()
        .snooze(
            &UserId::new("U_CARA"),
            date("2026-06-01"),
            None,
            &bot.settings().cadence_for("buffer-happiness"),
            &UserId::new("U_DIANA"),
            at("2026-03-05T09:00:00Z"),
        )
        .await
        .expect("snooze");
    let before = people_table(&bot).await;
    let audit_before = audit_count(&bot).await;

    // A week later: Dev's empty start date must not become the new "today".
    let summary = import_fixture(&bot, "valid.csv", "2026-03-09T09:00:00Z")
        .await
        .expect("the second import");
    assert_eq!(summary.people, 6);
    assert_eq!(summary.changed, 0);
    assert_eq!(people_table(&bot).await, before);
    assert_eq!(audit_count(&bot).await, audit_before + 6);
    assert_eq!(
        person(&bot, "U_CARA").await.snoozed_until,
        Some(date("2026-06-01"))
    );
}

#[tokio::test]
async fn a_changed_row_updates_that_person_only_and_cancels_reminders_to_the_old_manager() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    import_fixture(&bot, "valid.csv", IMPORTED_AT)
        .await
        .expect("the first import");
    // A reminder about Alice already planned for Marco, her manager until this import.
    bot.store()
        .plan(
            &NewMessage {
                key: "reminder:U_ALICE:2026-04-15:0".to_owned(),
                kind: kind::REMINDER,
                recipient: "U_MARCO".to_owned(),
                report_id: Some(UserId::new("U_ALICE")),
                payload: Reply::paragraph("Time for a career conversation with Alice."),
                planned_for: at("2026-04-15T09:00:00Z"),
            },
            at(IMPORTED_AT),
        )
        .await
        .expect("the reminder is planned");
    let text = std::fs::read_to_string(fixture("valid.csv"))
        .expect("fixture")
        .replace(
            "U_ALICE,Alice Archer,U_MARCO,buffer-marketing,2,",
            "U_ALICE,Alice Archer,U_DIANA,buffer-marketing,3,",
        );
    let summary = import_text(&bot, &text, "2026-03-09T09:00:00Z")
        .await
        .expect("the second import");
    assert_eq!(summary.changed, 1);
    let alice = person(&bot, "U_ALICE").await;
    assert_eq!(alice.level, Some(3));
    assert_eq!(alice.manager_id, Some(UserId::new("U_DIANA")));
    let outbox = bot.store().outbox(None).await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].status, "cancelled");
}

#[tokio::test]
async fn export_json_is_one_object_with_exactly_the_documented_keys() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    let mut out = Vec::new();
    export::write(&collected, ExportFormat::Json, &mut out).expect("JSON written");
    let text = String::from_utf8(out).expect("UTF-8");
    let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    let value = stream.next().expect("one value").expect("valid JSON");
    assert!(stream.next().is_none(), "exactly one JSON value");

    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        keys.sort_unstable();
        keys
    };
    assert_eq!(
        keys(&value),
        [
            "assessments",
            "checkins",
            "events",
            "evidence",
            "exported_at",
            "people"
        ]
    );
    let events = value["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "Cara's snooze: {events:?}");
    assert_eq!(keys(&events[0]), ["at", "by", "details", "event", "user"]);
    assert_eq!(events[0]["event"], "snoozed");
    assert_eq!(events[0]["user"], "U_CARA");
    assert_eq!(value["exported_at"], "2026-05-20T12:00:00.000Z");
    let people = value["people"].as_array().expect("people");
    assert_eq!(people.len(), 6);
    for person in people {
        assert_eq!(
            keys(person),
            [
                "active",
                "email",
                "framework",
                "last_conversation",
                "level",
                "manager",
                "name",
                "next_due",
                "snoozed_until",
                "start_date",
                "status",
                "time_zone",
                "user"
            ]
        );
    }
    let users: Vec<&str> = people.iter().filter_map(|p| p["user"].as_str()).collect();
    assert_eq!(
        users,
        ["U_ALICE", "U_BOB", "U_CARA", "U_DEV", "U_DIANA", "U_MARCO"]
    );
    let status: Vec<&serde_json::Value> = people.iter().map(|p| &p["status"]).collect();
    assert_eq!(
        status,
        [
            &serde_json::json!("due"),
            &serde_json::json!("overdue"),
            &serde_json::json!("snoozed"),
            &serde_json::json!("ok"),
            &serde_json::Value::Null,
            &serde_json::Value::Null
        ]
    );
    assert_eq!(people[0]["last_conversation"], "2026-02-20");
    assert_eq!(people[0]["next_due"], "2026-05-20");
    assert_eq!(people[0]["level"], 2);
    assert_eq!(people[2]["snoozed_until"], "2026-06-01");

    let checkins = value["checkins"].as_array().expect("checkins");
    assert_eq!(checkins.len(), 1);
    assert_eq!(
        keys(&checkins[0]),
        [
            "acknowledged_at",
            "acknowledgement",
            "answers",
            "dispute_reason",
            "focus",
            "framework",
            "held_on",
            "id",
            "level_discussed",
            "manager",
            "next_steps",
            "recorded_at",
            "recorded_by",
            "user"
        ]
    );
    assert_eq!(checkins[0]["user"], "U_ALICE");
    assert_eq!(checkins[0]["held_on"], "2026-02-20");
    assert_eq!(checkins[0]["acknowledgement"], "disputed");
    assert_eq!(
        checkins[0]["dispute_reason"],
        "We only talked about the offsite"
    );
    assert_eq!(checkins[0]["acknowledged_at"], "2026-03-06T10:00:00.000Z");
    assert_eq!(checkins[0]["focus"], serde_json::json!(FOCUS));
    assert_eq!(checkins[0]["next_steps"], NEXT_STEPS);
}

#[tokio::test]
async fn private_notes_are_never_exported_in_either_format() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    // The note is stored, for its author…
    let history = bot
        .store()
        .history(&UserId::new("U_ALICE"))
        .await
        .expect("history");
    assert!(
        history[0]
            .private_note
            .as_deref()
            .is_some_and(|n| n.starts_with("PRIVATE"))
    );
    // …and in no export.
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    for format in [ExportFormat::Json, ExportFormat::Csv] {
        let mut out = Vec::new();
        export::write(&collected, format, &mut out).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(
            !text.contains("PRIVATE"),
            "{format:?} leaks the note:\n{text}"
        );
        assert!(!text.contains("thinking about leaving"), "{format:?}");
        assert!(!text.contains("private_note"), "{format:?}");
        assert!(
            !text.contains("note"),
            "{format:?} has no note column at all"
        );
    }
}

#[tokio::test]
async fn export_csv_has_the_documented_columns_with_people_first_then_check_ins() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    let mut out = Vec::new();
    export::write(&collected, ExportFormat::Csv, &mut out).expect("CSV written");
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CSV_COLUMNS);
    assert_eq!(
        header.join(","),
        "record,user,name,manager,framework,level,start_date,time_zone,active,last_conversation,next_due,status,held_on,level_discussed,checkin_manager,recorded_by,recorded_at,acknowledgement,acknowledged_at,dispute_reason,snoozed_until,event_at,event_by,event_details,focus,next_steps,email"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (&r[0], &r[1])).collect();
    assert_eq!(
        kinds,
        [
            ("person", "U_ALICE"),
            ("person", "U_BOB"),
            ("person", "U_CARA"),
            ("person", "U_DEV"),
            ("person", "U_DIANA"),
            ("person", "U_MARCO"),
            ("checkin", "U_ALICE"),
            ("answer", "U_ALICE"),
            ("snoozed", "U_CARA"),
        ]
    );
    // Alice's dispute, as its own row under the conversation.
    assert_eq!(&rows[7][17], "disputed");
    let alice: Vec<&str> = rows[0].iter().collect();
    assert_eq!(
        alice,
        [
            "person",
            "U_ALICE",
            "Alice Archer",
            "U_MARCO",
            "buffer-marketing",
            "2",
            "2026-01-15",
            "Europe/Berlin",
            "true",
            "2026-02-20",
            "2026-05-20",
            "due",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            ""
        ]
    );
    let checkin: Vec<&str> = rows[6].iter().collect();
    assert_eq!(
        checkin,
        [
            "checkin",
            "U_ALICE",
            "",
            "",
            "buffer-marketing",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "2026-02-20",
            "2",
            "U_MARCO",
            "U_MARCO",
            "2026-03-05T10:00:00.000Z",
            "disputed",
            "2026-03-06T10:00:00.000Z",
            "We only talked about the offsite",
            "",
            "",
            "",
            "",
            r#"["Ownership","Scope of influence"]"#,
            NEXT_STEPS,
            ""
        ]
    );
}

#[tokio::test]
async fn an_exported_csv_imports_into_a_fresh_database_with_the_same_people() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    // A removed person is exported with active=false and comes back removed.
    bot.store()
        .deactivate(
            &UserId::new("U_BOB"),
            &UserId::new("U_MARCO"),
            at("2026-04-01T09:00:00Z"),
        )
        .await
        .expect("Bob is removed");
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    let mut csv_bytes = Vec::new();
    export::write(&collected, ExportFormat::Csv, &mut csv_bytes).expect("CSV written");

    let fresh_dir = TempDir::new().expect("temp dir");
    let fresh = bot_in(fresh_dir.path(), &[]).await;
    let summary = import::import_bytes(&fresh, &csv_bytes, "export.csv", at(EXPORTED_AT))
        .await
        .expect("the export imports");
    assert_eq!(summary.people, 6);
    assert_eq!(
        (summary.history.conversations, summary.history.answers),
        (1, 1),
        "the check-in row and its answer row are restored"
    );
    let again = export::collect(&fresh, at(EXPORTED_AT))
        .await
        .expect("export of the copy");
    let mut again_bytes = Vec::new();
    export::write(&again, ExportFormat::Csv, &mut again_bytes).expect("CSV written");
    assert_eq!(
        String::from_utf8_lossy(&again_bytes),
        String::from_utf8_lossy(&csv_bytes),
        "export, import into an empty database, export gives the same file"
    );
    let twice = import::import_bytes(&fresh, &csv_bytes, "export.csv", at(EXPORTED_AT))
        .await
        .expect("the export imports again");
    assert_eq!(
        twice.changed, 0,
        "importing the same file twice changes nobody"
    );
    assert_eq!(twice.history, Default::default(), "and adds no history");

    let original = bot.store().people(true).await.expect("people");
    let copied = fresh.store().people(true).await.expect("people");
    assert_eq!(org_columns(&copied), org_columns(&original));
    // What the conversation agreed came back with it (the file comparison above checks it
    // too; this says which part was lost if it fails).
    let agreed = fresh
        .store()
        .agreed_last(&UserId::new("U_ALICE"))
        .await
        .expect("read")
        .expect("a conversation");
    assert_eq!(agreed.focus, FOCUS);
    assert_eq!(agreed.next_steps.as_deref(), Some(NEXT_STEPS));
    let bob = person(&fresh, "U_BOB").await;
    assert!(!bob.active);
    assert_eq!(bob.due_on, None, "a removed person gets no reminders");
}

fn career_bot(dir: &Path, args: &[&str]) -> Output {
    binary::career_bot(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_binary_rejects_a_bad_file_with_file_and_line_and_imports_a_good_one() {
    let dir = TempDir::new().expect("temp dir");
    let db = dir.path().join("bot.db").display().to_string();
    let invalid = fixture("invalid.csv").display().to_string();
    let valid = fixture("valid.csv").display().to_string();

    let output = career_bot(dir.path(), &["--db", &db, "import-org", &invalid]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reported: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix(&format!("{invalid}:")))
        .filter_map(|rest| rest.split_once(": ").map(|(line, _)| line))
        .collect();
    assert_eq!(
        reported,
        [
            "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "16", "17"
        ],
        "{stderr}"
    );
    assert!(stderr.contains(&format!(
        "{invalid}:4: Buffer Marketing has no level 7; its levels are 1–5."
    )));
    assert!(stderr.contains("nothing was imported"));
    assert!(output.stdout.is_empty());

    let output = career_bot(dir.path(), &["--db", &db, "import-org", &valid]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().next(),
        Some(format!("Imported 6 people (4 reports, 2 managers only) from {valid}.").as_str())
    );

    let output = career_bot(dir.path(), &["--db", &db, "export", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(value["people"].as_array().map(Vec::len), Some(6));

    let output = career_bot(dir.path(), &["--db", &db, "export", "--format", "xml"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown format is a usage error"
    );
}

#[tokio::test]
async fn import_refuses_two_digit_years_and_dates_outside_a_sane_range_by_line() {
    let dir = TempDir::new().expect("temp dir");
    let bot = bot_in(dir.path(), &[]).await;
    let text = "user,name,manager,framework,level,start_date\n\
                U_MARCO,Marco Manager,,,,\n\
                U_ALICE,Alice Archer,U_MARCO,marketing,2,26-01-01\n\
                U_BOB,Bob Baker,U_MARCO,marketing,2,0001-01-01\n\
                U_CARA,Cara Cole,U_MARCO,marketing,2,9999-12-31\n\
                U_DAN,Dan Dorn,U_MARCO,marketing,2,2026-01-01\n";
    let errors = problems(import_text(&bot, text, IMPORTED_AT).await);
    let lines: Vec<u64> = errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [3, 4, 5], "{errors:#?}");
    assert!(
        errors[0].message.contains("\"26-01-01\" is not a date"),
        "{errors:#?}"
    );
    assert!(errors[1].message.contains("out of range"), "{errors:#?}");
    assert!(errors[2].message.contains("out of range"), "{errors:#?}");
    assert!(people_table(&bot).await.is_empty(), "nothing was written");
}

/// Alice's evidence (one entry removed) and both sides' assessments: the self-assessment
/// after her conversation of 2026-02-20, her manager's from before it.
async fn add_growth(bot: &Bot) {
    use career_bot::store::assessments::{AssessmentChange, AssessmentKey, AssessmentSide, Rating};
    use career_bot::store::evidence::{EvidenceTag, NewEvidence};
    let alice = UserId::new("U_ALICE");
    let marco = UserId::new("U_MARCO");
    let logged = |author: &UserId, text: &str| NewEvidence {
        person_id: alice.clone(),
        author_id: author.clone(),
        text: text.to_owned(),
        link: Some("https://example.slack.com/archives/C1/p1".to_owned()),
        note: None,
        tag: Some(EvidenceTag {
            framework_id: FrameworkId::new("buffer-marketing"),
            level: 3,
            dimension: "Ownership".to_owned(),
        }),
        request_key: None,
    };
    bot.store()
        .log_evidence(
            &logged(&alice, "=SUM(A1) ran the launch"),
            at("2026-03-10T09:00:00Z"),
        )
        .await
        .expect("logged");
    let removed = bot
        .store()
        .log_evidence(&logged(&marco, "great demo"), at("2026-03-11T09:00:00Z"))
        .await
        .expect("logged");
    bot.store()
        .unlog_evidence(removed.id, &marco, at("2026-03-12T09:00:00Z"))
        .await
        .expect("removed");
    let period = bot.store().current_period(&alice).await.expect("period");
    let key = |side, assessor: &UserId, after| AssessmentKey {
        person_id: alice.clone(),
        side,
        assessor_id: assessor.clone(),
        after_checkin: after,
        framework_id: FrameworkId::new("buffer-marketing"),
        level: 3,
    };
    let own = key(AssessmentSide::Own, &alice, period);
    for change in [
        AssessmentChange::Answer {
            dimension: "Ownership".to_owned(),
            rating: Rating::Sometimes,
            note: Some("the launch".to_owned()),
        },
        AssessmentChange::Topics("my next area".to_owned()),
        AssessmentChange::Submit,
    ] {
        bot.store()
            .change_assessment(&own, &change, at("2026-04-01T09:00:00Z"))
            .await
            .expect("assessed");
    }
    bot.store()
        .change_assessment(
            &key(AssessmentSide::Manager, &marco, 0),
            &AssessmentChange::Answer {
                dimension: "Scope of influence".to_owned(),
                rating: Rating::NotYet,
                note: None,
            },
            at("2026-02-01T09:00:00Z"),
        )
        .await
        .expect("assessed");
}

#[tokio::test]
async fn evidence_and_assessments_go_through_an_export_and_back_unchanged() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    add_growth(&bot).await;
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    assert_eq!(
        collected.evidence.len(),
        2,
        "the removed entry is exported, marked"
    );
    assert_eq!(collected.assessments.len(), 2);
    let mut csv_bytes = Vec::new();
    export::write(&collected, ExportFormat::Csv, &mut csv_bytes).expect("CSV written");
    let csv = String::from_utf8_lossy(&csv_bytes).into_owned();
    assert!(csv.contains("\nevidence,U_ALICE,"), "{csv}");
    assert!(csv.contains("\nassessment,U_ALICE,"), "{csv}");
    assert!(
        csv.contains("\"\"after_conversation\"\":\"\"2026-02-20\"\""),
        "{csv}"
    );

    let fresh_dir = TempDir::new().expect("temp dir");
    let fresh = bot_in(fresh_dir.path(), &[]).await;
    let summary = import::import_bytes(&fresh, &csv_bytes, "export.csv", at(EXPORTED_AT))
        .await
        .expect("the export imports");
    assert_eq!(
        (summary.history.evidence, summary.history.assessments),
        (2, 2)
    );
    let again = export::collect(&fresh, at(EXPORTED_AT))
        .await
        .expect("export of the copy");
    assert_eq!(again.evidence, collected.evidence);
    assert_eq!(again.assessments, collected.assessments);
    let mut again_bytes = Vec::new();
    export::write(&again, ExportFormat::Csv, &mut again_bytes).expect("CSV written");
    assert_eq!(String::from_utf8_lossy(&again_bytes), csv);
    let twice = import::import_bytes(&fresh, &csv_bytes, "export.csv", at(EXPORTED_AT))
        .await
        .expect("the export imports again");
    assert_eq!(twice.history, Default::default(), "nothing is added twice");
    // The removed entry stays removed; the self-assessment keeps its period.
    let alice = UserId::new("U_ALICE");
    assert_eq!(
        fresh
            .store()
            .evidence_of(&alice, None)
            .await
            .expect("list")
            .len(),
        1
    );
    let period = fresh.store().current_period(&alice).await.expect("period");
    let own = fresh
        .store()
        .assessments_for(&alice, period)
        .await
        .expect("read");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].0.topics.as_deref(), Some("my next area"));
    assert!(own[0].0.submitted_at.is_some());
}

#[tokio::test]
async fn a_bad_evidence_or_assessment_row_is_refused_by_line_and_nothing_is_written() {
    let dir = TempDir::new().expect("temp dir");
    let bot = populated_bot(&dir).await;
    add_growth(&bot).await;
    let collected = export::collect(&bot, at(EXPORTED_AT))
        .await
        .expect("export");
    let mut csv_bytes = Vec::new();
    export::write(&collected, ExportFormat::Csv, &mut csv_bytes).expect("CSV written");
    let csv = String::from_utf8_lossy(&csv_bytes)
        .replace("\"\"sometimes\"\"", "\"\"often\"\"")
        .replace(
            "\"\"text\"\":\"\"great demo\"\"",
            "\"\"words\"\":\"\"great demo\"\"",
        );
    let fresh_dir = TempDir::new().expect("temp dir");
    let fresh = bot_in(fresh_dir.path(), &[]).await;
    let Err(ImportError::Invalid(errors)) =
        import::import_bytes(&fresh, csv.as_bytes(), "export.csv", at(EXPORTED_AT)).await
    else {
        panic!("the file must be refused");
    };
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\"often\" is not a rating")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("event_details of an evidence row")),
        "{messages:?}"
    );
    assert!(fresh.store().people(true).await.expect("people").is_empty());
}
