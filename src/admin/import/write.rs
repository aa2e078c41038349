//! Step 3 of an import: writing the checked entries in one transaction, with an audit entry
//! per person, so that a file is imported entirely or not at all.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

use super::history::{HistoryCounts, HistoryEntries};
use super::{ACTION, ACTOR, OrgEntry, Role};
use crate::bot::Settings;
use crate::ids::{FrameworkId, UserId};
use crate::store::people::{self, NewReport, Person};
use crate::store::{
    Store, StoreError, audit, emails, events, reminders, restore, restore_growth, time,
};

/// The audit action written once per import that added history.
pub const HISTORY_ACTION: &str = "history.imported";

/// The audit action of an email stored for a person.
pub const EMAIL_ACTION: &str = "person.email";

/// What an import writes besides the rows: emails resolved, and `--sync`'s removals.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Each person's work email, lower-cased.
    pub emails: HashMap<UserId, String>,
    /// Tracked reports the file does not list (`--sync`): removed, history kept.
    pub removals: Vec<UserId>,
}

/// Writes `entries`, then the history, in one transaction: all of it or, on any database
/// error, none. A person whose stored record already matches their row is not written again
/// (so a re-import keeps snoozes and timestamps), but every person gets an audit entry.
/// Returns how many people changed and how much history was added.
pub async fn apply(
    store: &Store,
    settings: &Settings,
    entries: &[OrgEntry],
    history: &HistoryEntries,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(usize, HistoryCounts), StoreError> {
    apply_with(
        store,
        settings,
        entries,
        history,
        &Extras::default(),
        source,
        now,
    )
    .await
}

/// [`apply`], also storing `extras`' emails and removing its people, in the same
/// transaction, each change with its audit entry (actor `import`).
pub async fn apply_with(
    store: &Store,
    settings: &Settings,
    entries: &[OrgEntry],
    history: &HistoryEntries,
    extras: &Extras,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(usize, HistoryCounts), StoreError> {
    let mut tx = store.write().await?;
    let mut changed = 0;
    for entry in entries {
        let before = people::person_in(&mut tx, &entry.user_id).await?;
        let wrote = match &entry.role {
            Role::Report { .. } => {
                apply_report(&mut tx, settings, entry, before.as_ref(), now).await?
            }
            Role::ManagerOnly => apply_manager_only(&mut tx, entry, before.as_ref(), now).await?,
        };
        changed += usize::from(wrote);
        audit::record(
            &mut tx,
            now,
            &UserId::new(ACTOR),
            ACTION,
            Some(&entry.user_id),
            audit_details(entry, source, wrote),
        )
        .await?;
    }
    let mut with_email: Vec<(&UserId, &String)> = extras.emails.iter().collect();
    with_email.sort();
    for (user_id, email) in with_email {
        if people::person_in(&mut tx, user_id).await?.is_some()
            && emails::set_email_in(&mut tx, user_id, email, now).await?
        {
            audit::record(
                &mut tx,
                now,
                &UserId::new(ACTOR),
                EMAIL_ACTION,
                Some(user_id),
                json!({ "file": source, "email": email }),
            )
            .await?;
        }
    }
    for user_id in &extras.removals {
        people::deactivate_in(&mut tx, user_id, now).await?;
        // The same action as `remove` in chat, so the timeline shows it as a removal.
        audit::record(
            &mut tx,
            now,
            &UserId::new(ACTOR),
            "person.removed",
            Some(user_id),
            json!({ "file": source, "sync": true }),
        )
        .await?;
    }
    // People whose cadence dates must be counted again.
    let mut reanchor: BTreeSet<UserId> = BTreeSet::new();
    for entry in entries {
        if let Some(until) = entry.snoozed_until
            && apply_snooze(&mut tx, &entry.user_id, until, now).await?
        {
            reanchor.insert(entry.user_id.clone());
        }
    }
    let counts = apply_history(&mut tx, history, &mut reanchor).await?;
    for user_id in &reanchor {
        let framework = people::person_in(&mut tx, user_id)
            .await?
            .and_then(|person| person.framework_id);
        let cadence = settings.cadence_for(framework.as_ref().map_or("", FrameworkId::as_str));
        restore::reanchor_in(&mut tx, user_id, &cadence).await?;
    }
    if counts != HistoryCounts::default() {
        audit::record(
            &mut tx,
            now,
            &UserId::new(ACTOR),
            HISTORY_ACTION,
            None,
            json!({
                "file": source,
                "conversations": counts.conversations,
                "answers": counts.answers,
                "events": counts.events,
                "evidence": counts.evidence,
                "assessments": counts.assessments,
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((changed, counts))
}

/// Restores the conversations, answers and events that are not stored yet; every report who
/// got a conversation is added to `reanchor`.
async fn apply_history(
    conn: &mut AnyConnection,
    history: &HistoryEntries,
    reanchor: &mut BTreeSet<UserId>,
) -> Result<HistoryCounts, StoreError> {
    let mut counts = HistoryCounts::default();
    for checkin in &history.checkins {
        restore::restore_checkin_in(conn, checkin).await?;
        reanchor.insert(checkin.report_id.clone());
        counts.conversations += 1;
    }
    for answer in &history.answers {
        counts.answers += usize::from(restore::restore_answer_in(conn, answer).await?);
    }
    for event in &history.events {
        counts.events += usize::from(events::import_event_in(conn, event).await?);
    }
    for evidence in &history.evidence {
        counts.evidence += usize::from(restore_growth::restore_evidence_in(conn, evidence).await?);
    }
    for assessment in &history.assessments {
        counts.assessments +=
            usize::from(restore_growth::restore_assessment_in(conn, assessment).await?);
    }
    Ok(counts)
}

/// Sets the file's snooze on a person whose stored one differs; returns whether it changed.
async fn apply_snooze(
    conn: &mut AnyConnection,
    user_id: &UserId,
    until: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let before = people::person_in(conn, user_id).await?;
    if before.is_some_and(|person| person.snoozed_until == Some(until)) {
        return Ok(false);
    }
    sqlx::query("UPDATE people SET snoozed_until = $1, snooze_reason = NULL, updated_at = $2 WHERE user_id = $3")
        .bind(crate::store::time::date_text(until))
        .bind(time::to_text(now))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(true)
}

/// Stores a report as `add` does; returns whether anything changed.
async fn apply_report(
    conn: &mut AnyConnection,
    settings: &Settings,
    entry: &OrgEntry,
    before: Option<&Person>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Role::Report {
        framework_id,
        level,
        manager_id,
        start_date,
        active,
    } = &entry.role
    else {
        return Ok(false);
    };
    let unchanged = before.is_some_and(|person| {
        person.framework_id.as_ref() == Some(framework_id)
            && person.level == Some(*level)
            && person.manager_id.as_ref() == Some(manager_id)
            && person.start_date == Some(*start_date)
            && person.active == *active
            && profile_unchanged(entry, person)
    });
    if unchanged {
        return Ok(false);
    }
    people::add_report_in(
        conn,
        &NewReport {
            user_id: entry.user_id.clone(),
            display_name: entry.name.clone(),
            framework_id: framework_id.clone(),
            level: *level,
            manager_id: manager_id.clone(),
            start_date: *start_date,
            time_zone: entry.time_zone.clone(),
            cadence: settings.cadence_for(framework_id.as_str()),
        },
        now,
    )
    .await?;
    let moved = before.is_some_and(|person| person.manager_id.as_ref() != Some(manager_id));
    if moved || !active {
        // Reminders already planned were addressed to the old manager, or are now pointless.
        reminders::restart_reminders_in(conn, &entry.user_id).await?;
    }
    if !active {
        // As `remove` does: history kept, no due date, no reminders.
        sqlx::query(
            "UPDATE people SET active = 0, due_on = NULL, updated_at = $1 WHERE user_id = $2",
        )
        .bind(time::to_text(now))
        .bind(&entry.user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Stores a manager-only person's name and time zone; their framework, manager and tracking
/// are left as they are. Returns whether anything changed.
async fn apply_manager_only(
    conn: &mut AnyConnection,
    entry: &OrgEntry,
    before: Option<&Person>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if before.is_some_and(|person| profile_unchanged(entry, person)) {
        return Ok(false);
    }
    people::ensure_person(conn, &entry.user_id, now).await?;
    sqlx::query(
        "UPDATE people SET
            display_name = coalesce($1, display_name),
            time_zone = coalesce($2, time_zone),
            updated_at = $3
         WHERE user_id = $4",
    )
    .bind(&entry.name)
    .bind(&entry.time_zone)
    .bind(time::to_text(now))
    .bind(&entry.user_id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Whether storing the row's name and time zone would leave `person` as it is (an empty value
/// in the file keeps the stored one).
fn profile_unchanged(entry: &OrgEntry, person: &Person) -> bool {
    entry
        .name
        .as_ref()
        .is_none_or(|name| *name == person.display_name)
        && entry
            .time_zone
            .as_ref()
            .is_none_or(|zone| person.time_zone.as_ref() == Some(zone))
}

/// The audit details of one imported person.
fn audit_details(entry: &OrgEntry, source: &str, changed: bool) -> serde_json::Value {
    let (framework, level, manager, start_date, active) = match &entry.role {
        Role::Report {
            framework_id,
            level,
            manager_id,
            start_date,
            active,
        } => (
            Some(framework_id.as_str()),
            Some(*level),
            Some(manager_id.as_str()),
            Some(time::date_text(*start_date)),
            Some(*active),
        ),
        Role::ManagerOnly => (None, None, None, None, None),
    };
    json!({
        "file": source,
        "line": entry.line,
        "changed": changed,
        "name": entry.name,
        "time_zone": entry.time_zone,
        "framework": framework,
        "level": level,
        "manager": manager,
        "start_date": start_date,
        "active": active,
    })
}
