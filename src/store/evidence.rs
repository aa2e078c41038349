//! Evidence: what someone did, logged for themselves or by their manager, tagged with the
//! framework dimension it supports (or untagged).
//!
//! Logging and removing are each one transaction with their audit entry. `unlog` marks the
//! row removed instead of deleting it, so the timeline keeps it and nothing is lost; only its
//! author may remove an entry. Who may *see* an entry is decided by the caller (the person
//! and their current manager, and the author), not here.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::outbox::{self, NewMessage};
use super::{Store, StoreError, audit, time};
use crate::ids::{FrameworkId, UserId};

/// The longest evidence text stored, in characters.
pub const MAX_EVIDENCE_CHARS: usize = 3_000;

/// A piece of evidence as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Evidence {
    /// Row id, shown as `E<id>`.
    pub id: i64,
    /// Whose evidence it is.
    pub person_id: UserId,
    /// Who logged it.
    pub author_id: UserId,
    /// What they did.
    pub text: String,
    /// A link to where it happened (a message permalink).
    pub link: Option<String>,
    /// A note added when logging.
    pub note: Option<String>,
    /// The framework of the dimension it supports.
    pub framework_id: Option<FrameworkId>,
    /// The level whose expectation it matched.
    #[sqlx(try_from = "crate::store::columns::MaybeLevel")]
    pub level: Option<u32>,
    /// The dimension it supports; `None` when untagged.
    pub dimension: Option<String>,
    /// When it was logged.
    pub logged_at: String,
    /// When it was removed with `unlog`, if it was.
    pub removed_at: Option<String>,
    /// Who removed it.
    pub removed_by: Option<UserId>,
}

const EVIDENCE_COLUMNS: &str = "id, person_id, author_id, text, link, note, framework_id, level, \
     dimension, logged_at, removed_at, removed_by";

/// The dimension a piece of evidence supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceTag {
    /// The framework.
    pub framework_id: FrameworkId,
    /// The level whose expectation it matched.
    pub level: u32,
    /// The dimension's name, as the framework spells it.
    pub dimension: String,
}

/// Evidence to log.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// Whose evidence it is.
    pub person_id: UserId,
    /// Who logs it.
    pub author_id: UserId,
    /// What they did (at most [`MAX_EVIDENCE_CHARS`]; the caller checks).
    pub text: String,
    /// A link to where it happened.
    pub link: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The dimension it supports, if any.
    pub tag: Option<EvidenceTag>,
    /// Set by interactive submissions: the same key twice logs once.
    pub request_key: Option<String>,
}

/// Makes the message that tells someone about a new entry.
pub type Tell = Box<dyn FnOnce(&Evidence) -> NewMessage + Send>;

/// What `unlog` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unlogged {
    /// The entry is removed.
    Removed(Evidence),
    /// No entry with that id (or it was already removed).
    NotFound,
    /// The entry was logged by someone else: nothing was changed.
    NotYours(Evidence),
}

impl Evidence {
    /// The id people type: `E12`.
    pub fn short_id(&self) -> String {
        format!("E{}", self.id)
    }
}

impl Store {
    /// Logs a piece of evidence with its audit entry; a request key seen before returns the
    /// entry it logged.
    pub async fn log_evidence(
        &self,
        evidence: &NewEvidence,
        now: DateTime<Utc>,
    ) -> Result<Evidence, StoreError> {
        Ok(self.log_evidence_telling(evidence, None, now).await?.0)
    }

    /// [`Store::log_evidence`], planning the message `tell` makes of the new entry (a DM to
    /// the person when their manager logged it) in the same transaction, so it is neither lost
    /// nor planned without the entry. Also says whether the entry is new (`false`: its request
    /// key was seen before, and nothing was written).
    pub async fn log_evidence_telling(
        &self,
        evidence: &NewEvidence,
        tell: Option<Tell>,
        now: DateTime<Utc>,
    ) -> Result<(Evidence, bool), StoreError> {
        let mut tx = self.write().await?;
        if let Some(key) = &evidence.request_key {
            let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE request_key = $1");
            if let Some(existing) = sqlx::query_as::<_, Evidence>(sqlx::AssertSqlSafe(sql))
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
            {
                return Ok((existing, false));
            }
        }
        let tag = evidence.tag.as_ref();
        let sql = format!(
            "INSERT INTO evidence (person_id, author_id, text, link, note, framework_id, level,
                                   dimension, logged_at, request_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {EVIDENCE_COLUMNS}"
        );
        let stored = sqlx::query_as::<_, Evidence>(sqlx::AssertSqlSafe(sql))
            .bind(&evidence.person_id)
            .bind(&evidence.author_id)
            .bind(&evidence.text)
            .bind(&evidence.link)
            .bind(&evidence.note)
            .bind(tag.map(|tag| &tag.framework_id))
            .bind(tag.map(|tag| i64::from(tag.level)))
            .bind(tag.map(|tag| &tag.dimension))
            .bind(time::to_text(now))
            .bind(&evidence.request_key)
            .fetch_one(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            now,
            &evidence.author_id,
            "evidence.logged",
            Some(&evidence.person_id),
            json!({
                "evidence": stored.id,
                "dimension": stored.dimension,
                "framework": stored.framework_id,
                "level": stored.level,
            }),
        )
        .await?;
        if let Some(tell) = tell {
            outbox::plan_in(&mut tx, &tell(&stored), now).await?;
        }
        tx.commit().await?;
        Ok((stored, true))
    }

    /// Removes one of `actor`'s own entries (marks it removed; the row stays).
    pub async fn unlog_evidence(
        &self,
        id: i64,
        actor: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Unlogged, StoreError> {
        let mut tx = self.write().await?;
        let sql =
            format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id = $1 AND removed_at IS NULL");
        let Some(found) = sqlx::query_as::<_, Evidence>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Unlogged::NotFound);
        };
        if &found.author_id != actor {
            return Ok(Unlogged::NotYours(found));
        }
        sqlx::query("UPDATE evidence SET removed_at = $1, removed_by = $2 WHERE id = $3")
            .bind(time::to_text(now))
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            "evidence.removed",
            Some(&found.person_id),
            json!({ "evidence": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(Unlogged::Removed(Evidence {
            removed_at: Some(time::to_text(now)),
            removed_by: Some(actor.clone()),
            ..found
        }))
    }

    /// A person's evidence that is not removed, newest first; only entries logged at or after
    /// `since` (a stored time) when given.
    pub async fn evidence_of(
        &self,
        person_id: &UserId,
        since: Option<&str>,
    ) -> Result<Vec<Evidence>, StoreError> {
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence
             WHERE person_id = $1 AND removed_at IS NULL AND ($2 IS NULL OR logged_at >= $2)
             ORDER BY logged_at DESC, id DESC"
        );
        Ok(sqlx::query_as::<_, Evidence>(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .bind(since)
            .fetch_all(self.pool())
            .await?)
    }

    /// Every entry, removed ones included, oldest first (for export).
    pub async fn all_evidence(&self) -> Result<Vec<Evidence>, StoreError> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence ORDER BY id");
        Ok(sqlx::query_as::<_, Evidence>(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?)
    }
}
