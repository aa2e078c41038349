//! Timeline events: the changes to a person's record that are not conversations (added,
//! removed, moved, level and framework changes, snoozes, undone conversations), read back from
//! the audit log as types.
//!
//! The audit log is the one source: every change already writes its entry in the same
//! transaction, so the timeline can never miss a change or show one that did not happen.
//! Entries that are bookkeeping rather than a change to the person (an import's
//! `person.imported`, a profile refresh, the conversation entries that `checkins` and
//! `checkin_answers` already hold) are not events.

use serde_json::Value;
use sqlx::AnyConnection;

use super::{Store, StoreError};
use crate::ids::UserId;

/// What kind of change an event is. Each has its audit action and its word in exports (the
/// `record` column), so one table says both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Added to a team (or added back).
    Added,
    /// Removed: history kept, no more reminders.
    Removed,
    /// Moved to another manager.
    Moved,
    /// Level changed.
    LevelChanged,
    /// Moved to another framework.
    FrameworkChanged,
    /// Reminders paused.
    Snoozed,
    /// A snooze ended early.
    Unsnoozed,
    /// A recorded conversation was taken back.
    Undone,
}

impl EventKind {
    /// Every kind, in the order help and documentation list them.
    pub const ALL: [EventKind; 8] = [
        EventKind::Added,
        EventKind::Removed,
        EventKind::Moved,
        EventKind::LevelChanged,
        EventKind::FrameworkChanged,
        EventKind::Snoozed,
        EventKind::Unsnoozed,
        EventKind::Undone,
    ];

    /// The audit action that records it.
    pub fn action(self) -> &'static str {
        match self {
            EventKind::Added => "person.added",
            EventKind::Removed => "person.removed",
            EventKind::Moved => "person.moved",
            EventKind::LevelChanged => "person.level_changed",
            EventKind::FrameworkChanged => "person.framework_changed",
            EventKind::Snoozed => "reminders.snoozed",
            EventKind::Unsnoozed => "reminders.unsnoozed",
            EventKind::Undone => "checkin.undone",
        }
    }

    /// Its word in the `record` column of an export.
    pub fn record(self) -> &'static str {
        match self {
            EventKind::Added => "added",
            EventKind::Removed => "removed",
            EventKind::Moved => "moved",
            EventKind::LevelChanged => "level_changed",
            EventKind::FrameworkChanged => "framework_changed",
            EventKind::Snoozed => "snoozed",
            EventKind::Unsnoozed => "unsnoozed",
            EventKind::Undone => "undone",
        }
    }

    /// The kind an audit action records, if it is an event.
    pub fn from_action(action: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.action() == action)
    }

    /// The kind an export's `record` word names (case-insensitive).
    pub fn from_record(word: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.record().eq_ignore_ascii_case(word))
    }

    /// Whether only the person's manager and admins may see it: a snooze's reason is about
    /// the manager's planning, not the report's record.
    pub fn is_managers_only(self) -> bool {
        matches!(self, EventKind::Snoozed | EventKind::Unsnoozed)
    }
}

/// One change to a person's record.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonEvent {
    /// What changed.
    pub kind: EventKind,
    /// Whose record.
    pub subject: UserId,
    /// When (RFC 3339, UTC, as stored).
    pub at: String,
    /// Who made the change.
    pub actor: UserId,
    /// The details as written at the time (from/to values, a reason); a JSON object.
    pub details: Value,
}

impl PersonEvent {
    /// The day it happened (the first ten characters of `at`).
    pub fn day(&self) -> &str {
        &self.at[..10.min(self.at.len())]
    }

    /// A text detail, e.g. `details["reason"]`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.details.get(key).and_then(Value::as_str)
    }

    /// A number detail, e.g. `details["to"]` of a level change.
    pub fn number(&self, key: &str) -> Option<u64> {
        self.details.get(key).and_then(Value::as_u64)
    }
}

/// From one point of a person's record on, who manages them: read from the audit log's
/// additions, moves, removals and imports, so management periods can be told from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagementChange {
    /// Where it is in the audit log.
    pub id: i64,
    /// When (RFC 3339, UTC, as stored).
    pub at: String,
    /// The manager from then on; `None` when the person stopped being tracked.
    pub manager: Option<UserId>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: String,
    actor: UserId,
    action: String,
    subject: Option<UserId>,
    details: String,
}

impl EventRow {
    fn into_event(self) -> Result<Option<(i64, PersonEvent)>, StoreError> {
        let (Some(kind), Some(subject)) = (EventKind::from_action(&self.action), self.subject)
        else {
            return Ok(None);
        };
        let details = serde_json::from_str(&self.details).map_err(|error| {
            StoreError::Corrupt(format!(
                "audit_log.details of a {} entry at {} is not JSON ({error})",
                self.action, self.at
            ))
        })?;
        Ok(Some((
            self.id,
            PersonEvent {
                kind,
                subject,
                at: self.at,
                actor: self.actor,
                details,
            },
        )))
    }
}

/// The actions that are events, as an SQL list.
fn actions_sql() -> String {
    EventKind::ALL
        .iter()
        .map(|kind| format!("'{}'", kind.action()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The events of `subject` (everyone's when `None`), oldest first.
    pub async fn events(&self, subject: Option<&UserId>) -> Result<Vec<PersonEvent>, StoreError> {
        Ok(self
            .numbered_events(subject)
            .await?
            .into_iter()
            .map(|(_, event)| event)
            .collect())
    }

    /// The events of `subject` (everyone's when `None`) with their audit log ids, oldest
    /// first, to compare with [`Store::management_changes`].
    pub async fn numbered_events(
        &self,
        subject: Option<&UserId>,
    ) -> Result<Vec<(i64, PersonEvent)>, StoreError> {
        let sql = format!(
            "SELECT id, at, actor, action, subject, details FROM audit_log
             WHERE action IN ({}) AND ($1 IS NULL OR subject = $1) ORDER BY id",
            actions_sql()
        );
        let rows = sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql))
            .bind(subject)
            .fetch_all(self.pool())
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(event) = row.into_event()? {
                events.push(event);
            }
        }
        Ok(events)
    }

    /// Who managed `subject` from when, in the order it happened (by time, then by audit log
    /// id: an import brings back older changes after newer entries): an addition starts its
    /// manager's period, a move ends one and starts the next, a removal ends it, and an
    /// import sets the manager its row named (or none for an inactive row).
    pub async fn management_changes(
        &self,
        subject: &UserId,
    ) -> Result<Vec<ManagementChange>, StoreError> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, at, action, details FROM audit_log
             WHERE subject = $1 AND action IN
                 ('person.added', 'person.moved', 'person.removed', 'person.imported')
             ORDER BY id",
        )
        .bind(subject)
        .fetch_all(self.pool())
        .await?;
        let mut changes = Vec::with_capacity(rows.len());
        for (id, at, action, details) in rows {
            let details: Value = serde_json::from_str(&details).map_err(|error| {
                StoreError::Corrupt(format!(
                    "audit_log.details of a {action} entry at {at} is not JSON ({error})"
                ))
            })?;
            let named = |key: &str| details.get(key).and_then(Value::as_str).map(UserId::new);
            let manager = match action.as_str() {
                "person.added" => named("manager"),
                "person.moved" => named("to"),
                "person.removed" => None,
                // A manager-only row (no framework) says nothing about being managed.
                _ if details.get("framework").is_none_or(Value::is_null) => continue,
                _ if details.get("active") == Some(&Value::Bool(false)) => None,
                _ => named("manager"),
            };
            changes.push(ManagementChange { id, at, manager });
        }
        changes.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        Ok(changes)
    }
}

/// Appends `event` to the audit log inside the caller's transaction, unless the very same
/// entry (time, actor, action, subject and details) is already there: importing the same
/// file twice adds nothing. Returns whether it was added.
pub async fn import_event_in(
    conn: &mut AnyConnection,
    event: &PersonEvent,
) -> Result<bool, StoreError> {
    let details = event.details.to_string();
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM audit_log
         WHERE at = $1 AND actor = $2 AND action = $3 AND subject = $4 AND details = $5 LIMIT 1",
    )
    .bind(&event.at)
    .bind(&event.actor)
    .bind(event.kind.action())
    .bind(&event.subject)
    .bind(&details)
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&event.at)
    .bind(&event.actor)
    .bind(event.kind.action())
    .bind(&event.subject)
    .bind(&details)
    .execute(conn)
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_action_and_its_record_word() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_action(kind.action()), Some(kind));
            assert_eq!(EventKind::from_record(kind.record()), Some(kind));
            assert_eq!(
                EventKind::from_record(&kind.record().to_uppercase()),
                Some(kind)
            );
        }
        assert_eq!(EventKind::from_action("person.imported"), None);
        assert_eq!(EventKind::from_action("checkin.recorded"), None);
        assert_eq!(EventKind::from_record("person"), None);
    }
}
