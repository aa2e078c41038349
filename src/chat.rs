//! The chat port: how the scheduler delivers a message, whatever the chat is.
//!
//! The Slack adapter implements [`Chat`] over the Web API; the shell implements it by printing
//! `[DM to USER]`; tests implement it to record, fail or rate-limit on purpose.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::checkins::away::Presence;
use crate::ids::ChannelId;
use crate::reply::Reply;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient<'a> {
    /// A direct message to a user id.
    User(&'a str),
    /// A post in a channel id.
    Channel(&'a str),
}

/// Where a delivered message landed, so it can be updated later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The conversation id.
    pub channel: Option<ChannelId>,
    /// The message id (Slack's `ts`).
    pub ts: Option<String>,
}

/// Why a delivery failed, and whether to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The chat asked us to slow down (HTTP 429); try again after the delay.
    #[error("rate limited (retry after {retry_after:?})")]
    RateLimited {
        /// The delay the chat asked for.
        retry_after: Duration,
    },
    /// A failure that may pass, where the chat said it did not deliver (Slack's own
    /// `ok: false` with a code that is not final): try again with backoff.
    #[error("{0}")]
    Temporary(String),
    /// A failure that may pass and whose outcome is unknown: no answer in time, a dropped
    /// connection, an HTTP status without the chat's own answer (a proxy's 408, a gateway's
    /// 502). The message may have been delivered, so before it is tried again the
    /// recipient's DM is looked up (see `crate::scheduler`).
    #[error("{0}")]
    Unknown(String),
    /// A failure that will not pass for this message (unknown user, the bot was removed from
    /// the channel): do not retry.
    #[error("{0}")]
    Permanent(String),
    /// The chat refused the bot's own credentials (Slack's `invalid_auth`): no message can
    /// go out until an operator fixes them. Given up at once, like [`SendError::Permanent`],
    /// and told to the admin channel and the log once rather than once per message.
    #[error("{0}")]
    Unauthorized(String),
}

/// The messages found in a DM, by the outbox keys they carry: each key with where its message
/// landed (see [`Chat::sent_since`]).
pub type SentKeys = HashMap<String, Delivered>;

/// Why the chat could not say which messages a DM holds (its history could not be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// Sends messages on the bot's own initiative.
pub trait Chat: Send + Sync {
    /// Delivers `reply` to `recipient`. `key` identifies the message (the outbox key) for logs.
    fn send(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        key: &str,
    ) -> impl Future<Output = Result<Delivered, SendError>> + Send;

    /// Delivers `reply`, one message delivering the outbox rows `keys` (several reminders
    /// listed together), so the chat can carry every key with the message and find it again
    /// after a crash (see [`Chat::sent_since`]). A chat that keeps no keys sends as
    /// [`Chat::send`] does, with the first key.
    fn send_with_keys(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        keys: &[&str],
    ) -> impl Future<Output = Result<Delivered, SendError>> + Send {
        self.send(recipient, reply, keys.first().copied().unwrap_or_default())
    }

    /// The outbox keys carried by the messages the bot posted in its DM with `user` since
    /// `since`: how the scheduler learns whether a message whose outcome is unknown (its
    /// process died while sending it) was delivered. A chat that keeps no history finds
    /// nothing, so such a message is sent again, as it always was.
    fn sent_since(
        &self,
        user: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<SentKeys, LookupError>> + Send {
        let _ = (user, since);
        std::future::ready(Ok(SentKeys::new()))
    }

    /// Whether `reply` fits in one message of this chat. The scheduler splits a DM listing
    /// several reminders where it would not (Slack: 50 blocks); a chat without limits, like
    /// the shell, takes anything.
    fn fits(&self, reply: &Reply) -> bool {
        let _ = reply;
        true
    }

    /// What the chat says about `user` at `now`: their status and do-not-disturb window, so
    /// the scheduler can hold a DM while they are away or busy (see
    /// [`crate::checkins::deferral`]). A chat that cannot tell (or fails to) says nothing is
    /// set, and the message goes out as planned: a failed look-up never holds a message.
    fn presence(&self, user: &str, now: DateTime<Utc>) -> impl Future<Output = Presence> + Send {
        let _ = (user, now);
        std::future::ready(Presence::default())
    }
}
