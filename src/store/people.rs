//! The org chart: who is on which framework and level, and who manages whom. Also keeps each
//! report's cadence dates (`anchor_on`, `due_on`) current, so "who is due" is an index scan.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyConnection;

use super::columns::{Day, MaybeDay, MaybeLevel};
use super::outbox::ReminderBatch;
use super::reminders::restart_reminders_in;
use super::{Backend, Store, StoreError, audit, dialect, time};
use crate::checkins::{Cadence, Timeline, due_on};
use crate::ids::{FrameworkId, UserId};

/// One person as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    /// Chat user id.
    pub user_id: UserId,
    /// Name to show; may be empty.
    pub display_name: String,
    /// IANA time zone, if known.
    pub time_zone: Option<String>,
    /// The framework they are on (managers-only have none).
    pub framework_id: Option<FrameworkId>,
    /// Their level in that framework.
    #[sqlx(try_from = "crate::store::columns::MaybeLevel")]
    pub level: Option<u32>,
    /// Their manager of record.
    pub manager_id: Option<UserId>,
    /// When they joined the framework or were added.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub start_date: Option<NaiveDate>,
    /// Whether they are still tracked (`remove` deactivates, keeping history).
    #[sqlx(try_from = "crate::store::flag::Flag")]
    pub active: bool,
    /// The last conversation, else the start date.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub anchor_on: Option<NaiveDate>,
    /// Reminders paused until this date.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub snoozed_until: Option<NaiveDate>,
    /// Why they were paused.
    pub snooze_reason: Option<String>,
    /// The first day reminders may go out.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub due_on: Option<NaiveDate>,
}

const PERSON_COLUMNS: &str = "user_id, display_name, time_zone, framework_id, level, manager_id, \
     start_date, active, anchor_on, snoozed_until, snooze_reason, due_on";

impl Person {
    /// The name to show: the display name, else the user id.
    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            self.user_id.as_str()
        } else {
            &self.display_name
        }
    }

    /// The cadence inputs, when the person is a tracked report.
    pub fn timeline(&self) -> Option<Timeline> {
        Some(Timeline {
            anchor: self.anchor_on?,
            snoozed_until: self.snoozed_until,
        })
    }
}

/// A report as `team` shows it: the person plus their latest conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportRow {
    /// The report.
    #[sqlx(flatten)]
    pub person: Person,
    /// The date of their latest conversation, if any.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub last_held_on: Option<NaiveDate>,
    /// That conversation's acknowledgement: pending, acknowledged or disputed.
    pub last_ack_status: Option<String>,
}

/// What the scheduler needs about a report whose reminders may have started.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueCandidate {
    /// The report.
    pub user_id: UserId,
    /// Their name.
    pub display_name: String,
    /// Their framework.
    pub framework_id: FrameworkId,
    /// Their level.
    #[sqlx(try_from = "crate::store::columns::MaybeLevel")]
    pub level: Option<u32>,
    /// Their manager.
    pub manager_id: UserId,
    /// The manager's time zone, if known.
    pub manager_time_zone: Option<String>,
    /// The last conversation (or start).
    #[sqlx(try_from = "crate::store::columns::Day")]
    pub anchor_on: NaiveDate,
    /// Paused until.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub snoozed_until: Option<NaiveDate>,
    /// Whether any conversation is on record (else `anchor_on` is the start date).
    #[sqlx(try_from = "crate::store::flag::Flag")]
    pub has_checkin: bool,
    /// The key of the last reminder planned about them.
    pub last_reminder_key: Option<String>,
}

/// A report whose cadence the digest looks at.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TrackedReport {
    /// The report.
    pub user_id: UserId,
    /// Their framework.
    pub framework_id: FrameworkId,
    /// Their manager.
    pub manager_id: UserId,
    /// The last conversation (or start).
    #[sqlx(try_from = "crate::store::columns::Day")]
    pub anchor_on: NaiveDate,
    /// Paused until.
    #[sqlx(try_from = "crate::store::columns::MaybeDay")]
    pub snoozed_until: Option<NaiveDate>,
}

/// A report to add or re-add.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The report's user id.
    pub user_id: UserId,
    /// A name to store, when known (Slack mentions carry one).
    pub display_name: Option<String>,
    /// Their framework id (already validated).
    pub framework_id: FrameworkId,
    /// Their level (already validated).
    pub level: u32,
    /// Their new manager.
    pub manager_id: UserId,
    /// When they start on the framework.
    pub start_date: NaiveDate,
    /// Their time zone, when known.
    pub time_zone: Option<String>,
    /// The cadence for their framework.
    pub cadence: Cadence,
}

/// Stops tracking a report inside a transaction (no audit entry: the caller writes it): no
/// due date, reminders already planned cancelled, history kept.
pub async fn deactivate_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET active = 0, due_on = NULL, updated_at = $1 WHERE user_id = $2")
        .bind(time::to_text(now))
        .bind(report_id)
        .execute(&mut *conn)
        .await?;
    restart_reminders_in(conn, report_id).await?;
    Ok(())
}

/// Inserts a bare row for `user_id` if there is none (a manager, or someone who only asks).
pub async fn ensure_person(
    conn: &mut AnyConnection,
    user_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = time::to_text(now);
    sqlx::query(
        "INSERT INTO people (user_id, created_at, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(&now)
    .bind(&now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the key of the last reminder planned about `report_id`, so the next pass plans
/// whatever is due now, even a reminder with a cancelled one's key.
pub async fn forget_last_reminder_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET last_reminder_key = NULL WHERE user_id = $1")
        .bind(report_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Remembers, for each report of `batch`, the key of the reminder planned about them, under
/// the same guard as [`super::outbox::plan_reminders_in`]: only while the report is still
/// active, with the manager, anchor and snooze the reminder was computed from.
pub async fn remember_last_reminders_in(
    conn: &mut AnyConnection,
    batch: &ReminderBatch,
) -> Result<(), StoreError> {
    let backend = Backend::of_connection(conn);
    let field = |name| dialect::json_text(backend, "batch.value", name);
    let sql = format!(
        "UPDATE people SET last_reminder_key = planned.key
         FROM (SELECT {report} AS report, {key} AS key, {recipient} AS recipient,
                      {anchor_on} AS anchor_on, {snoozed_until} AS snoozed_until
               FROM {rows}) AS planned
         WHERE people.user_id = planned.report AND people.active = 1
           AND people.manager_id = planned.recipient
           AND people.anchor_on = planned.anchor_on
           AND people.snoozed_until IS NOT DISTINCT FROM planned.snoozed_until",
        report = field("report_id"),
        key = field("key"),
        recipient = field("recipient"),
        anchor_on = field("anchor_on"),
        snoozed_until = field("snoozed_until"),
        rows = dialect::json_rows(backend, "$1", "batch"),
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch.keys_json())
        .execute(conn)
        .await?;
    Ok(())
}

/// Reads one person inside a transaction.
pub async fn person_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
) -> Result<Option<Person>, StoreError> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE user_id = $1");
    Ok(sqlx::query_as::<_, Person>(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_optional(conn)
        .await?)
}

/// Recomputes and stores a report's `due_on` after a change to its cadence inputs.
pub async fn refresh_due_on(
    conn: &mut AnyConnection,
    user_id: &UserId,
    cadence: &Cadence,
) -> Result<(), StoreError> {
    let Some(person) = person_in(conn, user_id).await? else {
        return Ok(());
    };
    let due = if person.manager_id.is_some() && person.framework_id.is_some() && person.active {
        due_on(cadence, person.anchor_on, person.snoozed_until)
    } else {
        None
    };
    sqlx::query("UPDATE people SET due_on = $1 WHERE user_id = $2")
        .bind(due.map(time::date_text))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// `user_id`, their manager, their manager's manager… up the active org chart, stopping at
/// the top, at a repeat, or after 1,000 steps.
pub async fn chain_in(
    conn: &mut AnyConnection,
    user_id: &UserId,
) -> Result<Vec<UserId>, StoreError> {
    let mut chain = vec![user_id.clone()];
    while chain.len() < 1_000 {
        let current = chain.last().unwrap_or(user_id);
        let manager: Option<UserId> =
            sqlx::query_scalar("SELECT manager_id FROM people WHERE user_id = $1 AND active = 1")
                .bind(current)
                .fetch_optional(&mut *conn)
                .await?
                .flatten();
        match manager {
            Some(manager) if !chain.contains(&manager) => chain.push(manager),
            _ => break,
        }
    }
    Ok(chain)
}

/// Refuses (with [`StoreError::Loop`]) to put `report_id` under `manager_id` when
/// `report_id` is `manager_id` or above them in the org chart.
pub(super) async fn refuse_loop_in(
    conn: &mut AnyConnection,
    report_id: &UserId,
    manager_id: &UserId,
) -> Result<(), StoreError> {
    let chain = chain_in(conn, manager_id).await?;
    match chain.iter().position(|id| id == report_id) {
        Some(position) => Err(StoreError::Loop(chain[..=position].to_vec())),
        None => Ok(()),
    }
}

/// Adds (or re-adds) a report inside the caller's transaction, without an audit entry: the
/// caller writes the one that says why (`add` in chat, `import-org` from a file). Stores the
/// framework, level, manager and start date, the name and time zone when given (`None` keeps
/// the stored ones), reactivates, ends any snooze, and recomputes the cadence dates.
pub async fn add_report_in(
    conn: &mut AnyConnection,
    report: &NewReport,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ensure_person(conn, &report.manager_id, now).await?;
    ensure_person(conn, &report.user_id, now).await?;
    let MaybeDay(last_checkin) =
        sqlx::query_scalar("SELECT max(held_on) FROM checkins WHERE report_id = $1")
            .bind(&report.user_id)
            .fetch_one(&mut *conn)
            .await?;
    let anchor = last_checkin.map_or(report.start_date, |last| last.max(report.start_date));
    sqlx::query(
        "UPDATE people SET
            display_name = coalesce($1, display_name),
            time_zone = coalesce($2, time_zone),
            framework_id = $3, level = $4, manager_id = $5, start_date = $6, active = 1,
            anchor_on = $7, snoozed_until = NULL, snooze_reason = NULL, updated_at = $8
         WHERE user_id = $9",
    )
    .bind(&report.display_name)
    .bind(&report.time_zone)
    .bind(&report.framework_id)
    .bind(i64::from(report.level))
    .bind(&report.manager_id)
    .bind(time::date_text(report.start_date))
    .bind(time::date_text(anchor))
    .bind(time::to_text(now))
    .bind(&report.user_id)
    .execute(&mut *conn)
    .await?;
    // Reminders already planned may be addressed to a previous manager or cycle.
    restart_reminders_in(conn, &report.user_id).await?;
    refresh_due_on(conn, &report.user_id, &report.cadence).await
}

/// The details of a `person.added` audit entry: the manager, framework, level and start date.
pub(super) fn added_details(report: &NewReport) -> serde_json::Value {
    json!({
        "manager": report.manager_id,
        "framework": report.framework_id,
        "level": report.level,
        "start_date": time::date_text(report.start_date),
    })
}

impl Store {
    /// One person, active or not.
    pub async fn person(&self, user_id: &UserId) -> Result<Option<Person>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        person_in(&mut conn, user_id).await
    }

    /// The active reports of `manager_id` with their latest conversation, by name.
    pub async fn reports_of(&self, manager_id: &UserId) -> Result<Vec<ReportRow>, StoreError> {
        let rows = sqlx::query_as::<_, ReportRow>(
            "SELECT p.user_id, p.display_name, p.time_zone, p.framework_id, p.level, p.manager_id,
                    p.start_date, p.active, p.anchor_on, p.snoozed_until, p.snooze_reason, p.due_on,
                    c.held_on AS last_held_on, c.ack_status AS last_ack_status
             FROM people p
             LEFT JOIN checkins c ON c.id = (
                 SELECT id FROM checkins WHERE report_id = p.user_id
                 ORDER BY held_on DESC, id DESC LIMIT 1)
             WHERE p.manager_id = $1 AND p.active = 1",
        )
        .bind(manager_id)
        .fetch_all(self.pool())
        .await?;
        let mut rows = rows;
        // Sorted here: SQLite's lower() folds ASCII only, so "Émile" would follow "zed".
        rows.sort_by_cached_key(|row| row.person.name().to_lowercase());
        Ok(rows)
    }

    /// Every person (reports and managers-only; inactive ones too when asked), by user id.
    pub async fn people(&self, include_inactive: bool) -> Result<Vec<Person>, StoreError> {
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE ($1 OR active = 1) ORDER BY user_id"
        );
        Ok(sqlx::query_as::<_, Person>(sqlx::AssertSqlSafe(sql))
            .bind(include_inactive)
            .fetch_all(self.pool())
            .await?)
    }

    /// The user ids of everyone who manages an active report (for the daily profile refresh).
    pub async fn active_manager_ids(&self) -> Result<Vec<UserId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT manager_id FROM people WHERE active = 1 AND manager_id IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds (or re-adds) a report under a manager, in one transaction with its audit entry.
    pub async fn add_report(
        &self,
        report: &NewReport,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        refuse_loop_in(&mut tx, &report.user_id, &report.manager_id).await?;
        add_report_in(&mut tx, report, now).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "person.added",
            Some(&report.user_id),
            added_details(report),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everyone `user_id` has had as a manager, by their record: their manager of record (kept
    /// after a `remove`), the managers of their conversations, and every manager named by an
    /// addition, a move or an import in the audit log. Sorted, each once.
    pub async fn managers_ever(&self, user_id: &UserId) -> Result<Vec<UserId>, StoreError> {
        let field = |name| dialect::json_text(self.backend(), "details", name);
        let sql = format!(
            "SELECT manager_id FROM people WHERE user_id = $1 AND manager_id IS NOT NULL
             UNION SELECT manager_id FROM checkins WHERE report_id = $1
             UNION SELECT {manager} FROM audit_log
                   WHERE subject = $1 AND action IN ('person.added', 'person.imported')
                     AND {manager} IS NOT NULL
             UNION SELECT {from} FROM audit_log
                   WHERE subject = $1 AND action = 'person.moved' AND {from} IS NOT NULL
             UNION SELECT {to} FROM audit_log
                   WHERE subject = $1 AND action = 'person.moved' AND {to} IS NOT NULL",
            manager = field("manager"),
            from = field("from"),
            to = field("to"),
        );
        let mut managers: Vec<UserId> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        managers.sort();
        managers.dedup();
        Ok(managers)
    }

    /// Moves a report to a new manager.
    pub async fn move_report(
        &self,
        report_id: &UserId,
        new_manager: &UserId,
        cadence: &Cadence,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        refuse_loop_in(&mut tx, report_id, new_manager).await?;
        ensure_person(&mut tx, new_manager, now).await?;
        let old: Option<Option<String>> =
            sqlx::query_scalar("SELECT manager_id FROM people WHERE user_id = $1")
                .bind(report_id)
                .fetch_optional(&mut *tx)
                .await?;
        let changed =
            sqlx::query("UPDATE people SET manager_id = $1, updated_at = $2 WHERE user_id = $3")
                .bind(new_manager)
                .bind(time::to_text(now))
                .bind(report_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Ok(());
        }
        refresh_due_on(&mut tx, report_id, cadence).await?;
        // Reminders already planned were addressed to the old manager.
        restart_reminders_in(&mut tx, report_id).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "person.moved",
            Some(report_id),
            json!({ "from": old.flatten(), "to": new_manager }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops tracking a report; their history stays.
    pub async fn deactivate(
        &self,
        report_id: &UserId,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        deactivate_in(&mut tx, report_id, now).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "person.removed",
            Some(report_id),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a report's level.
    pub async fn set_level(
        &self,
        report_id: &UserId,
        level: u32,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let old: Option<Option<u32>> =
            sqlx::query_scalar::<_, MaybeLevel>("SELECT level FROM people WHERE user_id = $1")
                .bind(report_id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|level| level.0);
        let changed =
            sqlx::query("UPDATE people SET level = $1, updated_at = $2 WHERE user_id = $3")
                .bind(i64::from(level))
                .bind(time::to_text(now))
                .bind(report_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Ok(());
        }
        audit::record(
            &mut tx,
            now,
            actor,
            "person.level_changed",
            Some(report_id),
            json!({ "from": old.flatten(), "to": level }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a person's name and time zone (from the chat profile or the person themself).
    /// Writes, and audits, only what changed.
    pub async fn update_profile(
        &self,
        user_id: &UserId,
        display_name: Option<&str>,
        time_zone: Option<&str>,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        ensure_person(&mut tx, user_id, now).await?;
        let changed = sqlx::query(
            "UPDATE people SET
                display_name = coalesce($1, display_name),
                time_zone = coalesce($2, time_zone),
                updated_at = $3
             WHERE user_id = $4
               AND (coalesce($1, display_name) IS DISTINCT FROM display_name
                    OR coalesce($2, time_zone) IS DISTINCT FROM time_zone)",
        )
        .bind(display_name)
        .bind(time_zone)
        .bind(time::to_text(now))
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if changed {
            audit::record(
                &mut tx,
                now,
                actor,
                "person.profile_updated",
                Some(user_id),
                json!({ "display_name": display_name, "time_zone": time_zone }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Reports whose reminders may have started by `until` (inclusive), with their manager's
    /// time zone. Uses the partial index on `due_on`.
    pub async fn due_candidates(&self, until: NaiveDate) -> Result<Vec<DueCandidate>, StoreError> {
        Ok(sqlx::query_as::<_, DueCandidate>(DUE_CANDIDATES_SQL)
            .bind(time::date_text(until))
            .fetch_all(self.pool())
            .await?)
    }

    /// Every active report with a framework and a manager (for the overdue digest).
    pub async fn tracked_reports(&self) -> Result<Vec<TrackedReport>, StoreError> {
        Ok(sqlx::query_as::<_, TrackedReport>(
            "SELECT user_id, framework_id, manager_id, anchor_on, snoozed_until FROM people
             WHERE active = 1 AND framework_id IS NOT NULL AND manager_id IS NOT NULL
               AND anchor_on IS NOT NULL
             ORDER BY anchor_on, user_id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Recomputes every report's `due_on` from `cadence_for(framework)`, e.g. after the
    /// configured periods changed. Returns how many rows changed.
    pub async fn recompute_due_dates(
        &self,
        cadence_for: &(dyn Fn(&str) -> Cadence + Sync),
    ) -> Result<usize, StoreError> {
        let mut tx = self.write().await?;
        let rows: Vec<DueInputs> = sqlx::query_as(
            "SELECT user_id, framework_id, anchor_on, snoozed_until, due_on FROM people
                 WHERE active = 1 AND framework_id IS NOT NULL AND manager_id IS NOT NULL
                   AND anchor_on IS NOT NULL",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = 0;
        for (user_id, framework, Day(anchor), MaybeDay(snoozed_until), MaybeDay(stored)) in rows {
            let fresh = due_on(
                &cadence_for(framework.as_str()),
                Some(anchor),
                snoozed_until,
            );
            if fresh != stored {
                sqlx::query("UPDATE people SET due_on = $1 WHERE user_id = $2")
                    .bind(fresh.map(time::date_text))
                    .bind(&user_id)
                    .execute(&mut *tx)
                    .await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}

/// `(user_id, framework_id, anchor_on, snoozed_until, due_on)` of a report.
type DueInputs = (UserId, FrameworkId, Day, MaybeDay, MaybeDay);

/// The due query; `EXPLAIN QUERY PLAN` of it is in BENCHMARKS.md.
pub const DUE_CANDIDATES_SQL: &str = "SELECT p.user_id, p.display_name, p.framework_id, p.level,
        p.manager_id, m.time_zone AS manager_time_zone, p.anchor_on, p.snoozed_until,
        EXISTS (SELECT 1 FROM checkins c WHERE c.report_id = p.user_id) AS has_checkin,
        p.last_reminder_key
 FROM people p JOIN people m ON m.user_id = p.manager_id
 WHERE p.active = 1 AND p.due_on IS NOT NULL AND p.due_on <= $1
 ORDER BY p.due_on, p.user_id";
