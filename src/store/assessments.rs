//! Assessments before a conversation: the person and their manager each rate the dimensions
//! of the person's next level (not yet / sometimes / consistently), with notes, and the person
//! says what they would like to talk about.
//!
//! An assessment belongs to one period between conversations, named by the conversation it
//! follows (`after_checkin`, 0 before the first), and to one side; there is at most one per
//! person, side and period. Each answer and each submission is one transaction with its audit
//! entry. Whether a side may see the other's answers (only once both submitted, or once the
//! conversation is recorded) is decided by the caller from [`Assessment::submitted_at`] and
//! the period.

use chrono::{DateTime, Utc};
use serde_json::json;

pub use super::values::{AssessmentSide, Rating};
use super::{Backend, Store, StoreError, audit, time};
use crate::ids::{FrameworkId, UserId};

/// One side's assessment for one period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Assessment {
    /// Row id.
    pub id: i64,
    /// Who is assessed.
    pub person_id: UserId,
    /// Which side.
    pub side: AssessmentSide,
    /// Who assessed.
    pub assessor_id: UserId,
    /// The conversation the period follows (0 before the first).
    pub after_checkin: i64,
    /// The framework.
    pub framework_id: FrameworkId,
    /// The level assessed against (the person's next level).
    #[sqlx(try_from = "i64")]
    pub level: u32,
    /// What the person would like to talk about.
    pub topics: Option<String>,
    /// When it was started.
    pub created_at: String,
    /// When it was submitted; `None` while a draft.
    pub submitted_at: Option<String>,
}

/// One answer of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AssessmentAnswer {
    /// The assessment.
    pub assessment_id: i64,
    /// The dimension, as the framework spells it.
    pub dimension: String,
    /// The rating.
    pub rating: Rating,
    /// A note.
    pub note: Option<String>,
    /// When it was given (or last changed).
    pub answered_at: String,
}

/// Which assessment an answer goes to: the person, the side and the period, with what it is
/// assessed against (used when the assessment is started).
#[derive(Debug, Clone)]
pub struct AssessmentKey {
    /// Who is assessed.
    pub person_id: UserId,
    /// Which side.
    pub side: AssessmentSide,
    /// Who is assessing.
    pub assessor_id: UserId,
    /// The period: the conversation it follows (0 before the first).
    pub after_checkin: i64,
    /// The framework.
    pub framework_id: FrameworkId,
    /// The level assessed against.
    pub level: u32,
}

const ASSESSMENT_COLUMNS: &str = "id, person_id, side, assessor_id, after_checkin, framework_id, \
     level, topics, created_at, submitted_at";

/// What a change to an assessment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssessmentChange {
    /// Rate one dimension.
    Answer {
        /// The dimension.
        dimension: String,
        /// The rating.
        rating: Rating,
        /// A note.
        note: Option<String>,
    },
    /// Set what the person would like to talk about.
    Topics(String),
    /// Submit it.
    Submit,
}

impl Store {
    /// Applies one change to the assessment `key` names (starting it if needed), with its
    /// audit entry, and returns the assessment as it now is.
    pub async fn change_assessment(
        &self,
        key: &AssessmentKey,
        change: &AssessmentChange,
        now: DateTime<Utc>,
    ) -> Result<Assessment, StoreError> {
        let mut tx = self.write().await?;
        let at = time::to_text(now);
        sqlx::query(
            "INSERT INTO assessments (person_id, side, assessor_id, after_checkin, framework_id,
                                      level, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (person_id, side, after_checkin) DO NOTHING",
        )
        .bind(&key.person_id)
        .bind(key.side.as_str())
        .bind(&key.assessor_id)
        .bind(key.after_checkin)
        .bind(&key.framework_id)
        .bind(i64::from(key.level))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments
             WHERE person_id = $1 AND side = $2 AND after_checkin = $3"
        );
        let assessment = sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql))
            .bind(&key.person_id)
            .bind(key.side.as_str())
            .bind(key.after_checkin)
            .fetch_one(&mut *tx)
            .await?;
        let details = match change {
            AssessmentChange::Answer {
                dimension,
                rating,
                note,
            } => {
                sqlx::query(
                    "INSERT INTO assessment_answers (assessment_id, dimension, rating, note,
                                                     answered_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (assessment_id, dimension)
                     DO UPDATE SET rating = $3, note = $4, answered_at = $5",
                )
                .bind(assessment.id)
                .bind(dimension)
                .bind(rating.as_str())
                .bind(note)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                json!({ "action": "answered", "dimension": dimension, "rating": rating.as_str() })
            }
            AssessmentChange::Topics(topics) => {
                sqlx::query("UPDATE assessments SET topics = $1 WHERE id = $2")
                    .bind(topics)
                    .bind(assessment.id)
                    .execute(&mut *tx)
                    .await?;
                json!({ "action": "topics" })
            }
            AssessmentChange::Submit => {
                sqlx::query(
                    "UPDATE assessments SET submitted_at = COALESCE(submitted_at, $1) WHERE id = $2",
                )
                .bind(&at)
                .bind(assessment.id)
                .execute(&mut *tx)
                .await?;
                json!({ "action": "submitted" })
            }
        };
        let mut details = details;
        details["assessment"] = json!(assessment.id);
        details["side"] = json!(key.side.as_str());
        audit::record(
            &mut tx,
            now,
            &key.assessor_id,
            "assessment.changed",
            Some(&key.person_id),
            details,
        )
        .await?;
        let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE id = $1");
        let assessment = sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql))
            .bind(assessment.id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(assessment)
    }

    /// Hands a draft to another assessor, emptied: the person moved to a new manager during
    /// the period, and the previous manager's unsubmitted answers are not the new one's.
    /// A submitted assessment is left as it is (returns `false`).
    pub async fn restart_assessment(
        &self,
        id: i64,
        assessor_id: &UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().await?;
        let row: Option<(UserId, Option<String>)> =
            sqlx::query_as("SELECT person_id, submitted_at FROM assessments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((person_id, None)) = row else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM assessment_answers WHERE assessment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE assessments SET assessor_id = $1, topics = NULL, created_at = $2 WHERE id = $3",
        )
        .bind(assessor_id)
        .bind(time::to_text(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now,
            assessor_id,
            "assessment.changed",
            Some(&person_id),
            json!({ "action": "restarted", "assessment": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Both sides' assessments of a person for one period, with their answers.
    pub async fn assessments_for(
        &self,
        person_id: &UserId,
        after_checkin: i64,
    ) -> Result<Vec<(Assessment, Vec<AssessmentAnswer>)>, StoreError> {
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments
             WHERE person_id = $1 AND after_checkin = $2 ORDER BY side"
        );
        let assessments = sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .bind(after_checkin)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(assessments.len());
        for assessment in assessments {
            let answers = self.answers_of_assessment(assessment.id).await?;
            out.push((assessment, answers));
        }
        Ok(out)
    }

    async fn answers_of_assessment(&self, id: i64) -> Result<Vec<AssessmentAnswer>, StoreError> {
        // In the order first answered: SQLite's rowid, PostgreSQL's `seq` (an upsert that
        // changes an answer keeps either).
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT assessment_id, dimension, rating, note, answered_at FROM assessment_answers
                 WHERE assessment_id = $1 ORDER BY rowid"
            }
            Backend::Postgres => {
                "SELECT assessment_id, dimension, rating, note, answered_at FROM assessment_answers
                 WHERE assessment_id = $1 ORDER BY seq"
            }
        };
        Ok(sqlx::query_as::<_, AssessmentAnswer>(sql)
            .bind(id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Every assessment with its answers, oldest first (for export).
    pub async fn all_assessments(
        &self,
    ) -> Result<Vec<(Assessment, Vec<AssessmentAnswer>)>, StoreError> {
        let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM assessments ORDER BY id");
        let assessments = sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(assessments.len());
        for assessment in assessments {
            let answers = self.answers_of_assessment(assessment.id).await?;
            out.push((assessment, answers));
        }
        Ok(out)
    }

    /// Every assessment of a person, over all periods, oldest first (without answers).
    pub async fn all_assessments_of(
        &self,
        person_id: &UserId,
    ) -> Result<Vec<Assessment>, StoreError> {
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE person_id = $1 ORDER BY id"
        );
        Ok(sqlx::query_as::<_, Assessment>(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The period a person is in now: the id of their latest conversation (by date, then
    /// id), or 0 before the first.
    pub async fn current_period(&self, person_id: &UserId) -> Result<i64, StoreError> {
        let latest: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM checkins WHERE report_id = $1 ORDER BY held_on DESC, id DESC LIMIT 1",
        )
        .bind(person_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(latest.unwrap_or(0))
    }
}
