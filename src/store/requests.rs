//! Requests to add someone to a team who has had another manager before: the person is
//! asked first (a DM through the outbox) and added only when they say yes.
//!
//! Each step is one transaction with its audit entry: asking (the request row, its DM),
//! accepting (the person added under the requester, the request closed, the requester told)
//! and declining (the request closed, the requester told). At most one request per person
//! and requester is open at a time: asking again updates it, and its DM if that has not gone
//! out. After a "no", the same requester may ask again only a day later.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::outbox::{self, NewMessage};
use super::people::{NewReport, Person, add_report_in, added_details, person_in, refuse_loop_in};
pub use super::values::RequestStatus;
use super::{Store, StoreError, audit, time};
use crate::ids::{FrameworkId, UserId};

/// How long after a "no" the same requester must wait before asking the same person again.
pub const ASK_AGAIN_AFTER: Duration = Duration::days(1);

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AddRequest {
    /// Row id.
    pub id: i64,
    /// Who would be added.
    pub person_id: UserId,
    /// Who asked to become their manager.
    pub requester_id: UserId,
    /// The framework asked for.
    pub framework_id: FrameworkId,
    /// The level asked for.
    #[sqlx(try_from = "i64")]
    pub level: u32,
    /// The name the request mentioned, if any.
    pub display_name: Option<String>,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it was made (or last updated).
    pub requested_at: String,
    /// When it was answered.
    pub answered_at: Option<String>,
}

const REQUEST_COLUMNS: &str = "id, person_id, requester_id, framework_id, level, display_name, \
     status, requested_at, answered_at";

/// A request to make.
#[derive(Debug, Clone)]
pub struct NewAddRequest {
    /// Who would be added.
    pub person_id: UserId,
    /// Who asks to become their manager.
    pub requester_id: UserId,
    /// The framework (already validated).
    pub framework_id: FrameworkId,
    /// The level (already validated).
    pub level: u32,
    /// A name to store with the person when they accept.
    pub display_name: Option<String>,
}

/// What asking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// A new request; its DM is planned.
    New(AddRequest),
    /// The requester's open request now asks for this (its DM too, if not yet sent).
    Updated(AddRequest),
    /// The person said no to this requester less than [`ASK_AGAIN_AFTER`] ago: nothing was
    /// written.
    RecentlyDeclined(AddRequest),
}

/// What answering did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The answer was recorded (and, for a yes, the person added).
    Done(AddRequest),
    /// There is no open request with that id for this person: nothing was written.
    NotOpen,
    /// The person is on a team already (someone else added them meanwhile): nothing was
    /// written.
    AlreadyTracked(Person),
}

/// The message to send when a request is made or updated, built once its row is known.
pub type RequestMessage<'a> = &'a (dyn Fn(&AddRequest) -> NewMessage + Send + Sync);

/// The key of the DM asking about request `id` (the number after the first `:` is what
/// `Store::superseded_among` reads).
pub fn request_key(id: i64) -> String {
    format!("add_request:{id}")
}

async fn request_in(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Option<AddRequest>, StoreError> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM add_requests WHERE id = $1");
    Ok(sqlx::query_as::<_, AddRequest>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

impl Store {
    /// Asks `request.person_id` whether `request.requester_id` may add them (see
    /// [`Requested`]); `message` builds the DM from the stored request.
    pub async fn request_add(
        &self,
        request: &NewAddRequest,
        message: RequestMessage<'_>,
        now: DateTime<Utc>,
    ) -> Result<Requested, StoreError> {
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM add_requests
             WHERE person_id = $1 AND requester_id = $2 ORDER BY id DESC LIMIT 1"
        );
        let latest = sqlx::query_as::<_, AddRequest>(sqlx::AssertSqlSafe(sql))
            .bind(&request.person_id)
            .bind(&request.requester_id)
            .fetch_optional(&mut *tx)
            .await?;
        let now_text = time::to_text(now);
        let id = match &latest {
            Some(open) if open.status == RequestStatus::Pending => {
                sqlx::query(
                    "UPDATE add_requests SET framework_id = $1, level = $2,
                         display_name = coalesce($3, display_name), requested_at = $4
                     WHERE id = $5",
                )
                .bind(&request.framework_id)
                .bind(i64::from(request.level))
                .bind(&request.display_name)
                .bind(&now_text)
                .bind(open.id)
                .execute(&mut *tx)
                .await?;
                open.id
            }
            Some(declined)
                if declined.status == RequestStatus::Declined
                    && declined
                        .answered_at
                        .as_deref()
                        .is_some_and(|at| at > time::to_text(now - ASK_AGAIN_AFTER).as_str()) =>
            {
                return Ok(Requested::RecentlyDeclined(declined.clone()));
            }
            _ => {
                sqlx::query_scalar(
                    "INSERT INTO add_requests (person_id, requester_id, framework_id, level,
                                               display_name, requested_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&request.person_id)
                .bind(&request.requester_id)
                .bind(&request.framework_id)
                .bind(i64::from(request.level))
                .bind(&request.display_name)
                .bind(&now_text)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let stored = request_in(&mut tx, id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("add_requests row {id} vanished inside its write"))
        })?;
        let updated = latest.is_some_and(|open| open.id == id);
        // An update replaces the DM's words if it has not gone out; one already sent is not
        // sent again (the person answers the open request, whatever it now says).
        outbox::plan_latest_in(&mut tx, &message(&stored), now).await?;
        audit::record(
            &mut tx,
            now,
            &request.requester_id,
            "person.add_requested",
            Some(&request.person_id),
            json!({
                "request": id,
                "framework": request.framework_id,
                "level": request.level,
                "updated": updated,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(if updated {
            Requested::Updated(stored)
        } else {
            Requested::New(stored)
        })
    }

    /// The request `id`.
    pub async fn add_request(&self, id: i64) -> Result<Option<AddRequest>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        request_in(&mut conn, id).await
    }

    /// The latest request of `requester_id` to add `person_id` (the open one, if any: at
    /// most one is open, and it is the latest).
    pub async fn latest_add_request(
        &self,
        person_id: &UserId,
        requester_id: &UserId,
    ) -> Result<Option<AddRequest>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM add_requests
             WHERE person_id = $1 AND requester_id = $2 ORDER BY id DESC LIMIT 1"
        );
        Ok(sqlx::query_as::<_, AddRequest>(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .bind(requester_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The person says yes to request `id`: in one transaction they are added as `report`
    /// says (its manager is the requester), the request is closed, `notice` tells the
    /// requester, and the addition is audited with the person as its actor and the requester
    /// named. A management loop is refused ([`StoreError::Loop`]); nothing is written unless
    /// the request is still open and the person on nobody's team.
    pub async fn accept_add_request(
        &self,
        id: i64,
        report: &NewReport,
        notice: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Answered, StoreError> {
        let mut tx = self.write().await?;
        let open = request_in(&mut tx, id).await?.filter(|request| {
            request.status == RequestStatus::Pending
                && request.person_id == report.user_id
                && request.requester_id == report.manager_id
        });
        let Some(open) = open else {
            return Ok(Answered::NotOpen);
        };
        if let Some(person) = person_in(&mut tx, &report.user_id).await?
            && person.active
            && person.framework_id.is_some()
            && person.manager_id.is_some()
        {
            return Ok(Answered::AlreadyTracked(person));
        }
        refuse_loop_in(&mut tx, &report.user_id, &report.manager_id).await?;
        add_report_in(&mut tx, report, now).await?;
        let mut details = added_details(report);
        details["requested_by"] = json!(open.requester_id);
        details["request"] = json!(open.id);
        audit::record(
            &mut tx,
            now,
            &report.user_id,
            "person.added",
            Some(&report.user_id),
            details,
        )
        .await?;
        let closed = close_in(&mut tx, &open, RequestStatus::Accepted, notice, now).await?;
        tx.commit().await?;
        Ok(Answered::Done(closed))
    }

    /// The person says no to request `id`: the request is closed and `notice` tells the
    /// requester, with an audit entry. Nothing is written unless it is open and theirs.
    pub async fn decline_add_request(
        &self,
        id: i64,
        person_id: &UserId,
        notice: &NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Answered, StoreError> {
        let mut tx = self.write().await?;
        let open = request_in(&mut tx, id).await?.filter(|request| {
            request.status == RequestStatus::Pending && request.person_id == *person_id
        });
        let Some(open) = open else {
            return Ok(Answered::NotOpen);
        };
        let closed = close_in(&mut tx, &open, RequestStatus::Declined, notice, now).await?;
        audit::record(
            &mut tx,
            now,
            person_id,
            "person.add_declined",
            Some(person_id),
            json!({ "request": open.id, "requested_by": open.requester_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(Answered::Done(closed))
    }
}

/// Closes `open` with `status` and plans `notice` to the requester, inside the caller's
/// transaction. Returns the closed request.
async fn close_in(
    conn: &mut sqlx::AnyConnection,
    open: &AddRequest,
    status: RequestStatus,
    notice: &NewMessage,
    now: DateTime<Utc>,
) -> Result<AddRequest, StoreError> {
    sqlx::query("UPDATE add_requests SET status = $1, answered_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(time::to_text(now))
        .bind(open.id)
        .execute(&mut *conn)
        .await?;
    outbox::plan_in(conn, notice, now).await?;
    Ok(AddRequest {
        status,
        answered_at: Some(time::to_text(now)),
        ..open.clone()
    })
}
