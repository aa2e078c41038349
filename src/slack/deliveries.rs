//! Slack's retries recognised across replicas.
//!
//! Slack delivers an event, an interaction or a slash command again when the first delivery
//! was not acknowledged in time (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`). The retry is
//! signed anew, so [`super::replay`] (which remembers signatures, in memory, per replica)
//! does not catch it; and with several replicas it may reach another one. So each delivery
//! is named by a [`DeliveryKey`] derived from what Slack sent, and noted in the database
//! ([`crate::store::Store::first_delivery`]) after the signature check and before it is
//! handled: a key some replica noted already is a retry, answered with an empty 200 and not
//! handled. This holds with or without the retry header: the same key twice acts once.
//!
//! The replay memory stays the fast path for a request captured and sent again verbatim (no
//! database round trip); this table is the one that spans signatures and replicas.
//!
//! Keys: an event by its `event_id`; a slash command by its `trigger_id`; an interaction by
//! its `trigger_id`, or, without one, by its first action's `action_ts`, the user and the
//! `action_id`. A delivery with none of these (a view closed without a trigger, a suggestion)
//! is handled without a key. Commands and interactions also carry a fingerprint of the body
//! Slack signed (FNV-1a, 64 bits): a retry is the same body, so it changes nothing for Slack,
//! whose trigger ids are unique anyway; but a client that reuses a trigger id for different
//! requests (this project's own test fixtures do) still has each of them handled. Keys hold
//! Slack's ids and a number, never the words typed.
//!
//! Rows are pruned after an hour ([`crate::store::retries::DELIVERY_MEMORY`]), by the replica
//! noting a delivery: at its first note and every [`PRUNE_EVERY`] notes after, not on every
//! request.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::store::{Store, StoreError};

/// A replica prunes old keys at its first note and then once per this many notes.
pub const PRUNE_EVERY: u64 = 256;

/// The name of one delivery, the same on every replica and every retry of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey(String);

impl DeliveryKey {
    /// An Events API delivery: `event:EVENT_ID`.
    pub fn of_event(callback: &SlackPushEventCallback) -> Option<Self> {
        Self::from_parts("event", &[callback.event_id.0.as_str()])
    }

    /// A slash command whose signed body is `body`: `command:TRIGGER_ID:FINGERPRINT`.
    pub fn of_command(event: &SlackCommandEvent, body: &str) -> Option<Self> {
        Self::from_parts(
            "command",
            &[event.trigger_id.0.as_str(), &fingerprint(body)],
        )
    }

    /// An interaction whose signed body is `body`: `interaction:TRIGGER_ID:FINGERPRINT`, or
    /// `action:ACTION_TS:USER:ACTION_ID:FINGERPRINT` for block actions without a trigger;
    /// `None` when the payload carries neither.
    pub fn of_interaction(event: &SlackInteractionEvent, body: &str) -> Option<Self> {
        let print = fingerprint(body);
        let trigger = match event {
            SlackInteractionEvent::BlockActions(actions) => Some(&actions.trigger_id),
            SlackInteractionEvent::MessageAction(action) => Some(&action.trigger_id),
            SlackInteractionEvent::Shortcut(shortcut) => Some(&shortcut.trigger_id),
            SlackInteractionEvent::ViewSubmission(submission) => submission.trigger_id.as_ref(),
            SlackInteractionEvent::ViewClosed(closed) => closed.trigger_id.as_ref(),
            _ => None,
        };
        if let Some(key) = trigger.and_then(|id| Self::from_parts("interaction", &[&id.0, &print]))
        {
            return Some(key);
        }
        let SlackInteractionEvent::BlockActions(actions) = event else {
            return None;
        };
        let user = actions.user.as_ref()?;
        let action = actions.actions.as_ref()?.first()?;
        let action_ts = action.action_ts.as_ref()?;
        Self::from_parts(
            "action",
            &[
                &action_ts.0,
                &user.id.0,
                action.action_id.0.as_str(),
                &print,
            ],
        )
    }

    /// `KIND:PART:PART…`, or `None` if any part is empty (Slack sent no id).
    fn from_parts(kind: &str, parts: &[&str]) -> Option<Self> {
        if parts.iter().any(|part| part.trim().is_empty()) {
            return None;
        }
        Some(Self(format!("{kind}:{}", parts.join(":"))))
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind of delivery (`event`, `command`, `interaction`, `action`), for the log.
    pub fn kind(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }
}

/// FNV-1a over `body`, as 16 hex digits: stable across builds and machines (unlike std's
/// hasher), so every replica derives the same key.
fn fingerprint(body: &str) -> String {
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

impl fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What noting a delivery found.
#[derive(Debug)]
pub enum Noted {
    /// No replica had it: handle it.
    First,
    /// Some replica had it already: acknowledge it and do nothing.
    Retry,
    /// The database could not say (unreachable, read-only): the caller decides whether the
    /// delivery is safe to handle anyway (it only asks something) or is refused.
    Unknown(StoreError),
}

/// The notes of one replica: the database does the deduplication; this only counts notes
/// so old keys are pruned now and then.
#[derive(Debug, Default)]
pub struct Deliveries {
    noted: AtomicU64,
}

impl Deliveries {
    /// Notes `key` at `now` in `store`.
    pub async fn note(&self, store: &Store, key: &DeliveryKey, now: DateTime<Utc>) -> Noted {
        let noted = match store.first_delivery(key.as_str(), now).await {
            Ok(true) => Noted::First,
            Ok(false) => return Noted::Retry,
            Err(error) => return Noted::Unknown(error),
        };
        if self
            .noted
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
        {
            match store.prune_handled_deliveries(now).await {
                Ok(pruned) => {
                    tracing::debug!(pruned, "pruned Slack deliveries handled over an hour ago")
                }
                Err(error) => tracing::warn!(%error, "cannot prune the Slack deliveries handled"),
            }
        }
        noted
    }
}

/// Whether a delivery, once noted, is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Handle it.
    Handle,
    /// A retry of a delivery already handled: acknowledge it, do nothing.
    Ignore,
    /// The database could not say, and the delivery would change something: refuse it, so a
    /// retry can never act twice.
    Refuse,
}

/// Notes `key` (if the delivery has one) at `now` and says whether to handle it. A retry is
/// logged at info with Slack's retry number and reason; when the database cannot say, a
/// delivery that `only_asks` is handled anyway (answers need no database) and any other is
/// refused. Runs where the delivery is handled (in the background for anything Slack does
/// not wait on), so a database busy for seconds never delays Slack's acknowledgement.
pub async fn admit(
    deliveries: &Deliveries,
    store: &Store,
    route: &str,
    key: Option<&DeliveryKey>,
    retry: &RetryHeaders,
    only_asks: bool,
    now: DateTime<Utc>,
) -> Admit {
    let Some(key) = key else {
        return Admit::Handle;
    };
    match deliveries.note(store, key, now).await {
        Noted::First => Admit::Handle,
        Noted::Retry => {
            tracing::info!(
                route,
                delivery = key.kind(),
                retry_num = retry.number,
                retry_reason = retry.reason.as_deref(),
                "ignored a Slack delivery already handled (by this or another replica)"
            );
            Admit::Ignore
        }
        Noted::Unknown(error) if only_asks => {
            tracing::warn!(route, delivery = key.kind(), %error, "cannot note a Slack delivery; handling it anyway, as it only asks");
            Admit::Handle
        }
        Noted::Unknown(error) => {
            tracing::error!(route, delivery = key.kind(), %error, "cannot note a Slack delivery; refusing it, so a retry cannot act twice");
            Admit::Refuse
        }
    }
}

/// What noting one delivery needs, owned, so it can happen in the task that handles the
/// delivery (HTTP and Socket Mode alike).
#[derive(Clone)]
pub struct Noting {
    deliveries: std::sync::Arc<Deliveries>,
    store: Store,
    route: &'static str,
    key: Option<DeliveryKey>,
    retry: RetryHeaders,
}

impl Noting {
    /// Noting `key`, which reached `app` through `route` (`retry` says what Slack told of it).
    pub fn new(
        app: &super::SlackApp,
        route: &'static str,
        key: Option<DeliveryKey>,
        retry: RetryHeaders,
    ) -> Self {
        Self {
            deliveries: std::sync::Arc::clone(&app.deliveries),
            store: app.bot().store().clone(),
            route,
            key,
            retry,
        }
    }

    /// Notes the delivery now (the clock is read here, at the edge) and says whether to
    /// handle it (see [`admit`]).
    pub async fn admit(&self, only_asks: bool) -> Admit {
        admit(
            &self.deliveries,
            &self.store,
            self.route,
            self.key.as_ref(),
            &self.retry,
            only_asks,
            Utc::now(),
        )
        .await
    }
}

/// `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, for the log: Slack's numbers and words,
/// never anything a user typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetryHeaders {
    /// Which retry this is (1, 2, 3), when Slack says.
    pub number: Option<u32>,
    /// Why Slack retried (`http_timeout`, `http_error`…), when Slack says; at most 40
    /// characters of letters, digits and `_` are kept.
    pub reason: Option<String>,
}

impl RetryHeaders {
    /// Reads the two headers; anything malformed is left out.
    pub fn read(headers: &axum::http::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        Self {
            number: text("x-slack-retry-num").and_then(|n| n.trim().parse().ok()),
            reason: text("x-slack-retry-reason")
                .map(|reason| {
                    reason
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .take(40)
                        .collect::<String>()
                })
                .filter(|reason| !reason.is_empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn interaction(payload: serde_json::Value) -> SlackInteractionEvent {
        serde_json::from_value(payload).expect("a valid interaction")
    }

    fn block_actions(trigger: &str) -> serde_json::Value {
        json!({
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "api_app_id": "A1",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "D1"},
            "trigger_id": trigger,
            "actions": [{
                "type": "button",
                "action_id": "checkin.ack",
                "action_ts": "1700000000.000001",
            }],
        })
    }

    #[test]
    fn an_interaction_is_named_by_its_trigger() {
        let key = DeliveryKey::of_interaction(&interaction(block_actions("13.42.abc")), "body");
        let key = key.expect("a key");
        assert!(key.as_str().starts_with("interaction:13.42.abc:"), "{key}");
        // The same delivery again is the same key; another body with that trigger is not.
        let again = DeliveryKey::of_interaction(&interaction(block_actions("13.42.abc")), "body");
        assert_eq!(again.as_ref(), Some(&key));
        let other = DeliveryKey::of_interaction(&interaction(block_actions("13.42.abc")), "other");
        assert_ne!(other.as_ref(), Some(&key));
    }

    #[test]
    fn block_actions_without_a_trigger_are_named_by_action_ts_user_and_action() {
        let key = DeliveryKey::of_interaction(&interaction(block_actions("")), "");
        let key = key.expect("a key");
        assert_eq!(
            key.as_str(),
            format!(
                "action:1700000000.000001:U1:checkin.ack:{}",
                fingerprint("")
            )
        );
        assert_eq!(key.kind(), "action");
    }

    #[test]
    fn a_view_closed_without_a_trigger_has_no_key() {
        let closed = interaction(json!({
            "type": "view_closed",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "view": {"id": "V1", "team_id": "T1", "type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [], "hash": "h", "state": {"values": {}}},
        }));
        assert_eq!(DeliveryKey::of_interaction(&closed, "body"), None);
    }

    #[test]
    fn the_fingerprint_is_fnv1a_and_fixed_width() {
        // FNV-1a's published value for the empty input and for "a".
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn retry_headers_keep_numbers_and_plain_words_only() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-slack-retry-num", "2".parse().expect("header"));
        headers.insert(
            "x-slack-retry-reason",
            "http_timeout <script>".parse().expect("header"),
        );
        let read = RetryHeaders::read(&headers);
        assert_eq!(read.number, Some(2));
        assert_eq!(read.reason.as_deref(), Some("http_timeoutscript"));
        assert_eq!(
            RetryHeaders::read(&axum::http::HeaderMap::new()),
            RetryHeaders::default()
        );
    }
}
