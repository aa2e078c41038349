//! Restoring evidence and assessments from an export (`import-org`), inside the import's
//! transaction, each at most once: evidence is the same entry when the same person has the
//! same text logged at the same time; an assessment is the same when the person, side and
//! period match. The period is carried across databases by the day of the conversation it
//! follows, since row ids differ from one database to another.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::values::{AssessmentSide, Rating};
use super::{StoreError, time};
use crate::ids::{FrameworkId, UserId};

/// A piece of evidence to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvidence {
    /// The row's line.
    pub line: u64,
    /// Whose evidence.
    pub person_id: UserId,
    /// Who logged it.
    pub author_id: UserId,
    /// When (as stored).
    pub logged_at: String,
    /// Everything else, as exported.
    pub details: EvidenceDetails,
}

/// The parts of a piece of evidence an export keeps in `event_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDetails {
    /// What they did.
    pub text: String,
    /// A link to where it happened.
    pub link: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The framework of the dimension it supports.
    pub framework: Option<String>,
    /// The level whose expectation it matched.
    pub level: Option<u32>,
    /// The dimension it supports.
    pub dimension: Option<String>,
    /// When it was removed, if it was.
    pub removed_at: Option<String>,
    /// Who removed it.
    pub removed_by: Option<String>,
}

/// An assessment to restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAssessment {
    /// The row's line.
    pub line: u64,
    /// Who is assessed.
    pub person_id: UserId,
    /// Who assessed.
    pub assessor_id: UserId,
    /// When it was started (as stored).
    pub created_at: String,
    /// Everything else, as exported.
    pub details: AssessmentDetails,
}

/// The parts of an assessment an export keeps in `event_details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentDetails {
    /// `self` or `manager`.
    pub side: String,
    /// The day of the conversation the period follows; `None` before the first.
    pub after_conversation: Option<NaiveDate>,
    /// The framework.
    pub framework: String,
    /// The level assessed against.
    pub level: u32,
    /// What the person would like to talk about.
    pub topics: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<String>,
    /// Each dimension's answer.
    pub answers: Vec<AnswerDetails>,
}

/// One answer of an exported assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerDetails {
    /// The dimension.
    pub dimension: String,
    /// `not-yet`, `sometimes` or `consistently`.
    pub rating: String,
    /// A note.
    pub note: Option<String>,
    /// When it was given.
    pub answered_at: String,
}

/// Stores `evidence` unless it is already there. Returns whether it was added.
pub async fn restore_evidence_in(
    conn: &mut AnyConnection,
    evidence: &ImportedEvidence,
) -> Result<bool, StoreError> {
    let details = &evidence.details;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM evidence WHERE person_id = $1 AND logged_at = $2 AND text = $3 LIMIT 1",
    )
    .bind(&evidence.person_id)
    .bind(&evidence.logged_at)
    .bind(&details.text)
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO evidence (person_id, author_id, text, link, note, framework_id, level,
                               dimension, logged_at, removed_at, removed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&evidence.person_id)
    .bind(&evidence.author_id)
    .bind(&details.text)
    .bind(&details.link)
    .bind(&details.note)
    .bind(details.framework.clone().map(FrameworkId::new))
    .bind(details.level.map(i64::from))
    .bind(&details.dimension)
    .bind(&evidence.logged_at)
    .bind(&details.removed_at)
    .bind(&details.removed_by)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Stores `assessment` with its answers unless one for the same person, side and period is
/// already there. Returns whether it was added.
pub async fn restore_assessment_in(
    conn: &mut AnyConnection,
    assessment: &ImportedAssessment,
) -> Result<bool, StoreError> {
    let details = &assessment.details;
    let side = AssessmentSide::try_from(details.side.as_str())?;
    let after_checkin: i64 = match details.after_conversation {
        None => 0,
        Some(day) => sqlx::query_scalar(
            "SELECT id FROM checkins WHERE report_id = $1 AND held_on = $2 LIMIT 1",
        )
        .bind(&assessment.person_id)
        .bind(time::date_text(day))
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            // The import checks the conversation is stored or in the file; this is a guard.
            StoreError::Corrupt(format!(
                "an imported assessment (line {}) follows no conversation with {} on {day}",
                assessment.line, assessment.person_id
            ))
        })?,
    };
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO assessments (person_id, side, assessor_id, after_checkin, framework_id,
                                  level, topics, created_at, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (person_id, side, after_checkin) DO NOTHING
         RETURNING id",
    )
    .bind(&assessment.person_id)
    .bind(side.as_str())
    .bind(&assessment.assessor_id)
    .bind(after_checkin)
    .bind(FrameworkId::new(details.framework.clone()))
    .bind(i64::from(details.level))
    .bind(&details.topics)
    .bind(&assessment.created_at)
    .bind(&details.submitted_at)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = inserted else {
        return Ok(false);
    };
    for answer in &details.answers {
        let rating = Rating::try_from(answer.rating.as_str())?;
        sqlx::query(
            "INSERT INTO assessment_answers (assessment_id, dimension, rating, note, answered_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&answer.dimension)
        .bind(rating.as_str())
        .bind(&answer.note)
        .bind(&answer.answered_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}
