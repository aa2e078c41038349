//! The store of what happens between conversations (issue 13): evidence logged and removed,
//! and assessments answered and submitted, each with its audit entry, against a temp SQLite
//! file with fixed timestamps.

use chrono::{DateTime, Utc};

use career_bot::ids::{FrameworkId, UserId};
use career_bot::store::Store;
use career_bot::store::assessments::{AssessmentChange, AssessmentKey, AssessmentSide, Rating};
use career_bot::store::evidence::{EvidenceTag, NewEvidence, Unlogged};

use crate::support::databases;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid timestamp")
        .with_timezone(&Utc)
}

fn evidence(person: &str, author: &str, text: &str) -> NewEvidence {
    NewEvidence {
        person_id: UserId::new(person),
        author_id: UserId::new(author),
        text: text.to_owned(),
        link: None,
        note: None,
        tag: Some(EvidenceTag {
            framework_id: FrameworkId::new("buffer-marketing"),
            level: 3,
            dimension: "Ownership".to_owned(),
        }),
        request_key: None,
    }
}

async fn actions(store: &Store, subject: &str) -> Vec<String> {
    store
        .audit_log(Some(&UserId::new(subject)))
        .await
        .expect("audit")
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

#[tokio::test]
async fn evidence_is_listed_newest_first_and_only_its_author_can_remove_it() {
    databases::each(async |store: Store| {
        let first = store
            .log_evidence(
                &evidence("U1", "U1", "shipped the launch"),
                at("2026-01-05T10:00:00Z"),
            )
            .await
            .expect("log");
        let second = store
            .log_evidence(
                &evidence("U1", "M1", "great demo"),
                at("2026-01-06T10:00:00Z"),
            )
            .await
            .expect("log");
        assert_eq!(first.short_id(), format!("E{}", first.id));
        assert_eq!(second.dimension.as_deref(), Some("Ownership"));
        let listed = store
            .evidence_of(&UserId::new("U1"), None)
            .await
            .expect("list");
        assert_eq!(listed, [second.clone(), first.clone()]);

        let refused = store
            .unlog_evidence(second.id, &UserId::new("U1"), at("2026-01-07T10:00:00Z"))
            .await
            .expect("unlog");
        assert_eq!(refused, Unlogged::NotYours(second.clone()));
        let removed = store
            .unlog_evidence(first.id, &UserId::new("U1"), at("2026-01-07T10:00:00Z"))
            .await
            .expect("unlog");
        assert!(matches!(removed, Unlogged::Removed(ref entry) if entry.id == first.id));
        assert_eq!(
            store
                .unlog_evidence(first.id, &UserId::new("U1"), at("2026-01-08T10:00:00Z"))
                .await
                .expect("unlog"),
            Unlogged::NotFound
        );
        let listed = store
            .evidence_of(&UserId::new("U1"), None)
            .await
            .expect("list");
        assert_eq!(listed, [second]);
        // The removed row stays, for the timeline and the export.
        assert_eq!(store.all_evidence().await.expect("all").len(), 2);
        assert_eq!(
            actions(&store, "U1").await,
            ["evidence.logged", "evidence.logged", "evidence.removed"]
        );
    })
    .await;
}

#[tokio::test]
async fn evidence_since_a_time_leaves_out_what_came_before_and_a_submission_logs_once() {
    databases::each(async |store: Store| {
        store
            .log_evidence(&evidence("U1", "U1", "old"), at("2026-01-05T10:00:00Z"))
            .await
            .expect("log");
        let keyed = NewEvidence {
            request_key: Some("view-1".to_owned()),
            ..evidence("U1", "U1", "new")
        };
        let once = store
            .log_evidence(&keyed, at("2026-03-05T10:00:00Z"))
            .await
            .expect("log");
        let twice = store
            .log_evidence(&keyed, at("2026-03-05T10:00:01Z"))
            .await
            .expect("log");
        assert_eq!(once, twice);
        let since = store
            .evidence_of(&UserId::new("U1"), Some("2026-02-01T00:00:00Z"))
            .await
            .expect("list");
        assert_eq!(since, [once]);
    })
    .await;
}

fn key(side: AssessmentSide, assessor: &str, after: i64) -> AssessmentKey {
    AssessmentKey {
        person_id: UserId::new("U1"),
        side,
        assessor_id: UserId::new(assessor),
        after_checkin: after,
        framework_id: FrameworkId::new("buffer-marketing"),
        level: 4,
    }
}

#[tokio::test]
async fn an_assessment_keeps_one_answer_per_dimension_and_is_submitted_once() {
    databases::each(async |store: Store| {
        let own = key(AssessmentSide::Own, "U1", 0);
        let answer = |rating| AssessmentChange::Answer {
            dimension: "Ownership".to_owned(),
            rating,
            note: Some("see E1".to_owned()),
        };
        store
            .change_assessment(&own, &answer(Rating::NotYet), at("2026-01-05T10:00:00Z"))
            .await
            .expect("answer");
        store
            .change_assessment(&own, &answer(Rating::Sometimes), at("2026-01-05T10:01:00Z"))
            .await
            .expect("answer again");
        store
            .change_assessment(
                &own,
                &AssessmentChange::Topics("my next project".to_owned()),
                at("2026-01-05T10:02:00Z"),
            )
            .await
            .expect("topics");
        let submitted = store
            .change_assessment(&own, &AssessmentChange::Submit, at("2026-01-05T10:03:00Z"))
            .await
            .expect("submit");
        let again = store
            .change_assessment(&own, &AssessmentChange::Submit, at("2026-01-06T10:00:00Z"))
            .await
            .expect("submit again");
        assert_eq!(
            submitted.submitted_at.as_deref(),
            Some("2026-01-05T10:03:00.000Z")
        );
        assert_eq!(
            again.submitted_at, submitted.submitted_at,
            "the first submission counts"
        );
        store
            .change_assessment(
                &key(AssessmentSide::Manager, "M1", 0),
                &answer(Rating::Consistently),
                at("2026-01-07T10:00:00Z"),
            )
            .await
            .expect("manager");
        let both = store
            .assessments_for(&UserId::new("U1"), 0)
            .await
            .expect("read");
        assert_eq!(both.len(), 2);
        let side = |wanted: AssessmentSide| {
            both.iter()
                .find(|(row, _)| row.side == wanted)
                .expect("both sides")
        };
        let (own_row, own_answers) = side(AssessmentSide::Manager.other());
        assert_eq!(own_row.topics.as_deref(), Some("my next project"));
        assert_eq!(own_answers.len(), 1);
        assert_eq!(own_answers[0].rating, Rating::Sometimes);
        assert_eq!(
            side(AssessmentSide::Manager).1[0].rating,
            Rating::Consistently
        );
        assert_eq!(Rating::Consistently.steps_from(Rating::NotYet), 2);
        // Another period starts empty.
        assert!(
            store
                .assessments_for(&UserId::new("U1"), 7)
                .await
                .expect("read")
                .is_empty()
        );
        assert_eq!(actions(&store, "U1").await.len(), 6);
        assert_eq!(
            store
                .current_period(&UserId::new("U1"))
                .await
                .expect("period"),
            0
        );
    })
    .await;
}
