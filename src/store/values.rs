//! The closed sets of words stored in text columns: an outbox message's kind and status, a
//! check-in's acknowledgement status, and where a request to join a team stands.
//!
//! Each is an enum that reads its column through sqlx (so a `FromRow` field can have the
//! enum's type) and is written with [`as_str`](OutboxStatus::as_str). A stored word outside
//! the set (a database edited by hand) is never read as a default: it fails with
//! [`UnknownValue`], which the store reports as [`StoreError::Corrupt`] naming the table,
//! the column and the value.

use std::fmt;

use sqlx::Any;
use sqlx::any::{AnyTypeInfo, AnyValueRef};

use super::StoreError;

/// A stored word that is not one of its column's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {table} table's {column} column holds \"{value}\", which is not one of: {expected}")]
pub struct UnknownValue {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// What was stored.
    pub value: String,
    /// The words the column may hold, comma-separated.
    pub expected: String,
}

impl From<UnknownValue> for StoreError {
    fn from(unknown: UnknownValue) -> Self {
        StoreError::Corrupt(unknown.to_string())
    }
}

/// A set of words stored in one column.
pub trait StoredWord: Copy + Sized + 'static {
    /// The table of the column.
    const TABLE: &'static str;
    /// The column.
    const COLUMN: &'static str;
    /// Every value, in the order of the schema's `CHECK` (or its comment).
    const ALL: &'static [Self];

    /// The word as stored.
    fn as_str(self) -> &'static str;

    /// The value stored as `word`.
    fn from_stored(word: &str) -> Result<Self, UnknownValue> {
        Self::ALL
            .iter()
            .copied()
            .find(|value| value.as_str() == word)
            .ok_or_else(|| UnknownValue {
                table: Self::TABLE,
                column: Self::COLUMN,
                value: word.to_owned(),
                expected: Self::ALL
                    .iter()
                    .map(|value| value.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Implements, for a [`StoredWord`] enum: reading it from a text column through sqlx,
/// comparing it with a word, showing it as its word, and `TryFrom<&str>`.
macro_rules! stored_word_conversions {
    ($name:ty) => {
        impl sqlx::Type<Any> for $name {
            fn type_info() -> AnyTypeInfo {
                <str as sqlx::Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <str as sqlx::Type<Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, Any> for $name {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let word = <&str as sqlx::Decode<'r, Any>>::decode(value)?;
                Ok(<$name as StoredWord>::from_stored(word)?)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = StoreError;

            fn try_from(word: &str) -> Result<Self, StoreError> {
                Ok(<$name as StoredWord>::from_stored(word)?)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, word: &str) -> bool {
                self.as_str() == word
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, word: &&str) -> bool {
                self.as_str() == *word
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Where an outbox message is in its delivery (`outbox.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its slot or its next attempt.
    Pending,
    /// Claimed by a delivery pass, under a lease.
    Sending,
    /// Delivered.
    Sent,
    /// Given up.
    Failed,
    /// Withdrawn before it went out.
    Cancelled,
    /// Not sent because its purpose was gone when its turn came (see
    /// `Store::superseded_among`).
    Superseded,
}

impl StoredWord for OutboxStatus {
    const TABLE: &'static str = "outbox";
    const COLUMN: &'static str = "status";
    const ALL: &'static [Self] = &[
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Cancelled,
        Self::Superseded,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Superseded => "superseded",
        }
    }
}

impl OutboxStatus {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }
}

stored_word_conversions!(OutboxStatus);

/// What an outbox message is (`outbox.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A check-in reminder to a manager.
    Reminder,
    /// A request to a report to acknowledge a conversation.
    AckRequest,
    /// A dispute, told to the manager.
    Dispute,
    /// The weekly digest of overdue check-ins to the admin channel.
    Digest,
    /// A problem reported to the admin channel.
    Alert,
    /// A DM telling someone about a change to their record (a conversation taken back, an
    /// answer to their request to add someone).
    Notice,
    /// A request to someone to say whether they may be added to a team (see
    /// `Store::request_add`).
    AddRequest,
    /// An invitation to a report to prepare their coming conversation (`[prep] days_before`).
    Prep,
}

impl StoredWord for MessageKind {
    const TABLE: &'static str = "outbox";
    const COLUMN: &'static str = "kind";
    const ALL: &'static [Self] = &[
        Self::Reminder,
        Self::AckRequest,
        Self::Dispute,
        Self::Digest,
        Self::Alert,
        Self::Notice,
        Self::AddRequest,
        Self::Prep,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::AckRequest => "ack_request",
            Self::Dispute => "dispute",
            Self::Digest => "digest",
            Self::Alert => "alert",
            Self::Notice => "notice",
            Self::AddRequest => "add_request",
            Self::Prep => "prep",
        }
    }
}

impl MessageKind {
    /// The word as stored (and the metrics' `kind` label).
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }

    /// Whether it is posted in a channel (the admin channel) rather than sent as a DM.
    pub fn goes_to_a_channel(self) -> bool {
        matches!(self, Self::Digest | Self::Alert)
    }
}

stored_word_conversions!(MessageKind);

/// Where a report's answer to "did this conversation happen?" stands (`checkins.ack_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Not answered yet.
    Pending,
    /// "Yes, we talked."
    Acknowledged,
    /// "That didn't happen."
    Disputed,
}

impl StoredWord for AckStatus {
    const TABLE: &'static str = "checkins";
    const COLUMN: &'static str = "ack_status";
    const ALL: &'static [Self] = &[Self::Pending, Self::Acknowledged, Self::Disputed];

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Acknowledged => "acknowledged",
            Self::Disputed => "disputed",
        }
    }
}

impl AckStatus {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }
}

stored_word_conversions!(AckStatus);

/// Where a request to add someone to a team stands (`add_requests.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Not answered yet.
    Pending,
    /// The person said yes: they were added.
    Accepted,
    /// The person said no.
    Declined,
}

impl StoredWord for RequestStatus {
    const TABLE: &'static str = "add_requests";
    const COLUMN: &'static str = "status";
    const ALL: &'static [Self] = &[Self::Pending, Self::Accepted, Self::Declined];

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
}

impl RequestStatus {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }
}

stored_word_conversions!(RequestStatus);

/// Which side an assessment is from (`assessments.side`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentSide {
    /// The person assessing themselves.
    #[serde(rename = "self")]
    Own,
    /// Their manager.
    Manager,
}

impl StoredWord for AssessmentSide {
    const TABLE: &'static str = "assessments";
    const COLUMN: &'static str = "side";
    const ALL: &'static [Self] = &[Self::Own, Self::Manager];

    fn as_str(self) -> &'static str {
        match self {
            Self::Own => "self",
            Self::Manager => "manager",
        }
    }
}

impl AssessmentSide {
    /// The word as stored.
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }

    /// The other side.
    pub fn other(self) -> Self {
        match self {
            Self::Own => Self::Manager,
            Self::Manager => Self::Own,
        }
    }
}

stored_word_conversions!(AssessmentSide);

/// How consistently someone shows a dimension of their next level
/// (`assessment_answers.rating`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Rating {
    /// Not yet.
    #[serde(rename = "not-yet")]
    NotYet,
    /// Sometimes.
    #[serde(rename = "sometimes")]
    Sometimes,
    /// Consistently.
    #[serde(rename = "consistently")]
    Consistently,
}

impl StoredWord for Rating {
    const TABLE: &'static str = "assessment_answers";
    const COLUMN: &'static str = "rating";
    const ALL: &'static [Self] = &[Self::NotYet, Self::Sometimes, Self::Consistently];

    fn as_str(self) -> &'static str {
        match self {
            Self::NotYet => "not-yet",
            Self::Sometimes => "sometimes",
            Self::Consistently => "consistently",
        }
    }
}

impl Rating {
    /// The word as stored and typed.
    pub fn as_str(self) -> &'static str {
        StoredWord::as_str(self)
    }

    /// Steps between two ratings (0–2): two steps apart is a gap worth talking about.
    pub fn steps_from(self, other: Rating) -> u8 {
        (self as u8).abs_diff(other as u8)
    }
}

stored_word_conversions!(Rating);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: StoredWord + fmt::Debug + PartialEq + for<'a> TryFrom<&'a str>>() {
        for value in T::ALL {
            assert_eq!(T::from_stored(value.as_str()), Ok(*value));
            assert!(T::try_from(value.as_str()).is_ok_and(|read| read == *value));
        }
    }

    fn unknown_is_corrupt<T>(table: &str, column: &str)
    where
        T: StoredWord + fmt::Debug + for<'a> TryFrom<&'a str, Error = StoreError>,
    {
        match T::try_from("sideways") {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains(table), "{message}");
                assert!(message.contains(column), "{message}");
                assert!(message.contains("\"sideways\""), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(T::try_from("").is_err());
    }

    #[test]
    fn outbox_statuses_round_trip_and_reject_unknown_words() {
        round_trips::<OutboxStatus>();
        unknown_is_corrupt::<OutboxStatus>("outbox", "status");
        assert_eq!(OutboxStatus::Cancelled, "cancelled");
        assert_eq!(OutboxStatus::Sending.to_string(), "sending");
    }

    #[test]
    fn message_kinds_round_trip_and_reject_unknown_words() {
        round_trips::<MessageKind>();
        unknown_is_corrupt::<MessageKind>("outbox", "kind");
        assert_eq!(MessageKind::AckRequest, "ack_request");
        assert!(MessageKind::Digest.goes_to_a_channel());
        assert!(!MessageKind::Dispute.goes_to_a_channel());
    }

    #[test]
    fn ack_statuses_round_trip_and_reject_unknown_words() {
        round_trips::<AckStatus>();
        unknown_is_corrupt::<AckStatus>("checkins", "ack_status");
        // Words are exact: the schema stores lower case.
        assert!(AckStatus::try_from("Pending").is_err());
    }

    #[test]
    fn request_statuses_round_trip_and_reject_unknown_words() {
        round_trips::<RequestStatus>();
        unknown_is_corrupt::<RequestStatus>("add_requests", "status");
        assert_eq!(MessageKind::AddRequest, "add_request");
        assert!(!MessageKind::AddRequest.goes_to_a_channel());
    }

    #[test]
    fn the_serialised_form_is_the_stored_word() {
        for kind in MessageKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).expect("serialises"),
                serde_json::Value::from(kind.as_str())
            );
        }
        for status in AckStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).expect("serialises"),
                serde_json::Value::from(status.as_str())
            );
        }
    }

    #[tokio::test]
    async fn an_unknown_word_read_by_a_query_is_corrupt() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bot.db");
        let store = crate::store::Store::open(&path.to_string_lossy())
            .await
            .expect("open");
        // `outbox.kind` has no CHECK constraint: a hand edit can store any word.
        sqlx::query(
            "INSERT INTO outbox (key, kind, recipient, payload, planned_for, next_attempt_at,
                                 created_at)
             VALUES ('k', 'carrier_pigeon', 'U1', '{\"blocks\":[]}', 'soon', 'soon', 'now')",
        )
        .execute(store.pool())
        .await
        .expect("insert");
        match store.outbox(None).await {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains("outbox"), "{message}");
                assert!(message.contains("kind"), "{message}");
                assert!(message.contains("\"carrier_pigeon\""), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        sqlx::query("UPDATE outbox SET kind = 'alert'")
            .execute(store.pool())
            .await
            .expect("update");
        let row = &store.outbox(None).await.expect("readable now")[0];
        assert_eq!(row.kind, MessageKind::Alert);
        match row.planned_for_time() {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains("planned_for"), "{message}");
                assert!(message.contains("\"soon\""), "{message}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        store.close().await;
    }
}
