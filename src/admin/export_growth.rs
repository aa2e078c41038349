//! The evidence and assessments of an export (issue 13): one `evidence` row per entry
//! (removed ones too, marked) and one `assessment` row per assessment with its answers, each
//! keeping its parts as a JSON object in `event_details`, as events do. `import-org` reads
//! them back ([`crate::store::restore_growth`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::store::assessments::{Assessment, AssessmentAnswer};
use crate::store::checkins::Checkin;
use crate::store::evidence::Evidence;
use crate::store::restore_growth::{AnswerDetails, AssessmentDetails, EvidenceDetails};

/// The `record` word of an evidence row.
pub const EVIDENCE_RECORD: &str = "evidence";
/// The `record` word of an assessment row.
pub const ASSESSMENT_RECORD: &str = "assessment";

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedEvidence {
    /// Whose evidence.
    pub user: String,
    /// Who logged it.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Its text, link, note, dimension and removal.
    pub details: EvidenceDetails,
}

/// One side's assessment for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedAssessment {
    /// Who is assessed.
    pub user: String,
    /// Who assessed.
    pub by: String,
    /// When it was started (RFC 3339, UTC).
    pub at: String,
    /// Its side, period, level, topics, submission and answers.
    pub details: AssessmentDetails,
}

/// Every piece of evidence, by person then as logged.
pub fn evidence(entries: &[Evidence]) -> Vec<ExportedEvidence> {
    let mut exported: Vec<ExportedEvidence> = entries
        .iter()
        .map(|entry| ExportedEvidence {
            user: entry.person_id.to_string(),
            by: entry.author_id.to_string(),
            at: entry.logged_at.clone(),
            details: EvidenceDetails {
                text: entry.text.clone(),
                link: entry.link.clone(),
                note: entry.note.clone(),
                framework: entry.framework_id.as_ref().map(ToString::to_string),
                level: entry.level,
                dimension: entry.dimension.clone(),
                removed_at: entry.removed_at.clone(),
                removed_by: entry.removed_by.as_ref().map(ToString::to_string),
            },
        })
        .collect();
    // Stable: one person's entries stay in the order they were logged.
    exported.sort_by(|a, b| a.user.cmp(&b.user));
    exported
}

/// Every assessment, by person then as started; the period is named by the day of the
/// conversation it follows.
pub fn assessments(
    stored: &[(Assessment, Vec<AssessmentAnswer>)],
    checkins: &[Checkin],
) -> Vec<ExportedAssessment> {
    let held_on: HashMap<i64, chrono::NaiveDate> = checkins
        .iter()
        .map(|checkin| (checkin.id, checkin.held_on))
        .collect();
    let mut exported: Vec<ExportedAssessment> = stored
        .iter()
        .map(|(assessment, answers)| ExportedAssessment {
            user: assessment.person_id.to_string(),
            by: assessment.assessor_id.to_string(),
            at: assessment.created_at.clone(),
            details: AssessmentDetails {
                side: assessment.side.as_str().to_owned(),
                after_conversation: held_on.get(&assessment.after_checkin).copied(),
                framework: assessment.framework_id.to_string(),
                level: assessment.level,
                topics: assessment.topics.clone(),
                submitted_at: assessment.submitted_at.clone(),
                answers: answers
                    .iter()
                    .map(|answer| AnswerDetails {
                        dimension: answer.dimension.clone(),
                        rating: answer.rating.as_str().to_owned(),
                        note: answer.note.clone(),
                        answered_at: answer.answered_at.clone(),
                    })
                    .collect(),
            },
        })
        .collect();
    exported.sort_by(|a, b| a.user.cmp(&b.user));
    exported
}
