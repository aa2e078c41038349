//! The outbox key a message carries in Slack message metadata, and reading it back from a
//! DM's history: how the bot recognises, after a crash, a message Slack already accepted.
//!
//! A message carries `{"event_type": "career_bot_outbox", "event_payload": {"key": KEY}}`;
//! one message delivering several outbox rows (a manager's reminders of one slot) also
//! carries `keys`, every key separated by a space (Slack's metadata payload holds strings,
//! and no outbox key holds a space). History is read with `include_all_metadata`, one page of
//! [`HISTORY_PAGE`] messages from the claim time on: the bot's own DMs with one person within
//! minutes of a claim are far fewer.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::chat::{Delivered, SentKeys};

/// The metadata event type of the bot's outbox messages.
pub const EVENT_TYPE: &str = "career_bot_outbox";

/// How many messages one history look-up reads.
pub const HISTORY_PAGE: u16 = 200;

/// The metadata carrying `keys` (the first as `key`); `None` without keys.
pub fn carrying(keys: &[&str]) -> Option<SlackMessageMetadata> {
    let first = keys.first()?;
    let mut payload = std::collections::HashMap::from([("key".to_owned(), (*first).to_owned())]);
    if keys.len() > 1 {
        payload.insert("keys".to_owned(), keys.join(" "));
    }
    Some(SlackMessageMetadata::new(EVENT_TYPE.to_owned()).with_event_payload(payload))
}

/// The outbox keys carried by `messages` of `channel`, each with where its message is.
/// Messages without the bot's metadata are ignored.
pub fn keys_in(channel: &str, messages: &[SlackHistoryMessage]) -> SentKeys {
    let mut found = SentKeys::new();
    for message in messages {
        let Some(metadata) = &message.content.metadata else {
            continue;
        };
        if metadata.event_type != EVENT_TYPE {
            continue;
        }
        let Some(payload) = &metadata.event_payload else {
            continue;
        };
        let delivered = Delivered {
            channel: Some(crate::ids::ChannelId::new(channel)),
            ts: Some(message.origin.ts.to_string()),
        };
        let keys = payload
            .get("keys")
            .into_iter()
            .flat_map(|keys| keys.split(' '));
        for key in payload
            .get("key")
            .map(String::as_str)
            .into_iter()
            .chain(keys)
        {
            if !key.is_empty() {
                found.insert(key.to_owned(), delivered.clone());
            }
        }
    }
    found
}

/// `at` as a Slack timestamp (`SECONDS.MICROS`), for `oldest`.
pub fn slack_ts(at: DateTime<Utc>) -> SlackTs {
    SlackTs(format!(
        "{}.{:06}",
        at.timestamp(),
        at.timestamp_subsec_micros()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(json: serde_json::Value) -> Vec<SlackHistoryMessage> {
        serde_json::from_value(json).expect("history messages")
    }

    #[test]
    fn one_key_is_carried_alone_and_several_are_listed_too() {
        assert_eq!(carrying(&[]), None);
        let one = carrying(&["ack:7"]).expect("metadata");
        assert_eq!(one.event_type, EVENT_TYPE);
        let payload = one.event_payload.expect("payload");
        assert_eq!(payload.get("key").map(String::as_str), Some("ack:7"));
        assert!(!payload.contains_key("keys"));
        let two = carrying(&["reminder:a", "reminder:b"]).expect("metadata");
        let payload = two.event_payload.expect("payload");
        assert_eq!(payload.get("key").map(String::as_str), Some("reminder:a"));
        assert_eq!(
            payload.get("keys").map(String::as_str),
            Some("reminder:a reminder:b")
        );
    }

    #[test]
    fn keys_are_read_back_from_the_bot_s_metadata_only() {
        let messages = history(serde_json::json!([
            {"type": "message", "ts": "1.000100", "text": "hi",
             "metadata": {"event_type": EVENT_TYPE, "event_payload": {"key": "ack:7"}}},
            {"type": "message", "ts": "1.000200", "text": "listed",
             "metadata": {"event_type": EVENT_TYPE,
                          "event_payload": {"key": "r:a", "keys": "r:a r:b"}}},
            {"type": "message", "ts": "1.000300", "text": "other app",
             "metadata": {"event_type": "something_else", "event_payload": {"key": "ack:8"}}},
            {"type": "message", "ts": "1.000400", "text": "a person typed this"},
        ]));
        let found = keys_in("D1", &messages);
        let mut keys: Vec<&str> = found.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["ack:7", "r:a", "r:b"]);
        assert_eq!(found["r:b"].ts.as_deref(), Some("1.000200"));
        assert_eq!(
            found["ack:7"].channel.as_ref().map(|c| c.as_str()),
            Some("D1")
        );
    }

    #[test]
    fn a_time_is_a_slack_timestamp_with_microseconds() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T09:00:00.25Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(slack_ts(at).0, "1772442000.250000");
    }
}
