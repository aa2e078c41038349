//! Claimed outbox rows read packed on SQLite: the claim's rows come back as one JSON text (an
//! array of rows, each an array of [`CLAIMED_COLUMNS`]) instead of one sqlx row each.
//!
//! Why: a pass claims 10,000 rows of about 1 KB. sqlx's SQLite driver hands each row over
//! from its worker thread on its own and copies every value into an `Any` row, which cost the
//! claims of a pass about as much as the statements themselves (see `BENCHMARKS.md`, "One
//! scheduler pass over 100,000 people"). PostgreSQL keeps `UPDATE … RETURNING`: its rows
//! arrive in batches over the socket, and its claim must lock with `FOR UPDATE SKIP LOCKED`,
//! which no aggregate allows.

use serde::Deserialize;

use super::outbox::OutboxRow;
use super::values::{MessageKind, OutboxStatus, StoredWord};
use super::{Backend, StoreError, dialect};
use crate::ids::{ChannelId, UserId};

/// The columns of a claimed row as the claim leaves it: `sending`, one attempt more, leased
/// until `$1`. In the order of [`PackedRow`]'s fields.
const CLAIMED_COLUMNS: &[&str] = &[
    "id",
    "key",
    "kind",
    "recipient",
    "report_id",
    "payload",
    "planned_for",
    "'sending'",
    "attempts + 1",
    "last_error",
    "$1",
    "sent_at",
    "channel",
    "message_ts",
    "created_at",
    "deferred_reason",
    "deferred_until",
];

/// One claimed row as packed: the fields of [`OutboxRow`], words and ids not yet read.
#[derive(Deserialize)]
struct PackedRow(
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

impl PackedRow {
    /// The row, its kind and status read as [`OutboxRow`]'s `FromRow` reads them (a word
    /// outside the set is corrupt, never a default).
    fn into_row(self) -> Result<OutboxRow, StoreError> {
        let PackedRow(
            id,
            key,
            kind,
            recipient,
            report_id,
            payload,
            planned_for,
            status,
            attempts,
            last_error,
            next_attempt_at,
            sent_at,
            channel,
            message_ts,
            created_at,
            deferred_reason,
            deferred_until,
        ) = self;
        Ok(OutboxRow {
            id,
            key,
            kind: MessageKind::from_stored(&kind)?,
            recipient,
            report_id: report_id.map(UserId::new),
            payload,
            planned_for,
            status: OutboxStatus::from_stored(&status)?,
            attempts,
            last_error,
            next_attempt_at,
            sent_at,
            channel: channel.map(ChannelId::new),
            message_ts,
            created_at,
            deferred_reason,
            deferred_until,
        })
    }
}

/// The `SELECT` packing the rows of `outbox` whose id `ids_sql` lists, as the claim leaves
/// them (binds `$1`, the lease's end).
pub(super) fn select_claimed(ids_sql: &str) -> String {
    format!(
        "SELECT {} FROM outbox WHERE id IN ({ids_sql})",
        dialect::json_array_agg(Backend::Sqlite, CLAIMED_COLUMNS)
    )
}

/// The rows packed by [`select_claimed`].
pub(super) fn read_claimed(text: &str) -> Result<Vec<OutboxRow>, StoreError> {
    let packed: Vec<PackedRow> = serde_json::from_str(text).map_err(|error| {
        StoreError::Corrupt(format!("claimed outbox rows do not read: {error}"))
    })?;
    packed.into_iter().map(PackedRow::into_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_row_reads_as_the_outbox_row_it_was() {
        let text = r#"[[7,"reminder:U1:M1:2026-06-01:0","reminder","M1","U1","{\"blocks\":[]}",
            "2026-06-17T09:00:00.000Z","sending",2,null,"2026-06-17T18:05:00.000Z",null,
            "D1","1.2","2026-06-17T08:00:00.000Z",null,null]]"#;
        let rows = read_claimed(text).expect("reads");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.id, 7);
        assert_eq!(row.kind, MessageKind::Reminder);
        assert_eq!(row.status, OutboxStatus::Sending);
        assert_eq!(row.report_id, Some(UserId::new("U1")));
        assert_eq!(row.channel, Some(ChannelId::new("D1")));
        assert_eq!(row.payload, r#"{"blocks":[]}"#);
        assert_eq!(row.attempts, 2);
        assert_eq!(row.next_attempt_at, "2026-06-17T18:05:00.000Z");
    }

    #[test]
    fn an_unknown_kind_is_corrupt() {
        let text = r#"[[7,"k","pigeon","M1",null,"{}","t","sending",1,null,"t",null,null,null,
            "t",null,null]]"#;
        match read_claimed(text) {
            Err(StoreError::Corrupt(message)) => assert!(message.contains("pigeon"), "{message}"),
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn the_columns_match_the_packed_fields() {
        assert_eq!(CLAIMED_COLUMNS.len(), 17);
        assert!(select_claimed("1").contains("json_group_array(json_array(id, key, kind"));
    }
}
