//! Delivering the scheduler's messages through Slack: a DM is `conversations.open` (cached)
//! then `chat.postMessage`; a channel post is `chat.postMessage` alone.
//!
//! Every message the scheduler sends carries its outbox key in Slack message metadata
//! (`{"event_type": "career_bot_outbox", "event_payload": {"key": KEY}}`, with `keys` listing
//! every key, space-separated, when one message delivers several rows), so that after a
//! crash [`SlackChat::sent_since`] can read the DM's history (`conversations.history`,
//! scope `im:history`) and tell which of them Slack already has.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use slack_morphism::errors::*;
use slack_morphism::prelude::*;

use super::blocks;
use super::client::{Client, DEFAULT_API_TIMEOUT, classify, short_error, within};
use crate::chat::{Chat, Delivered, LookupError, Recipient, SendError, SentKeys};
use crate::checkins::away::Presence;
use crate::reply::Reply;

/// Sends messages with the bot token.
#[derive(Clone)]
pub struct SlackChat {
    client: Arc<Client>,
    token: SlackApiToken,
    dm_channels: Arc<Mutex<HashMap<String, String>>>,
    metrics: Arc<crate::metrics::Metrics>,
    /// The time limit of each Web API call (see [`within`]).
    api_timeout: Duration,
    /// Recipients' statuses and do-not-disturb, cached for an hour.
    presences: super::presence::Presences,
}

impl SlackChat {
    /// A chat over `client` with the bot token.
    pub fn new(
        client: Arc<Client>,
        token: SlackApiToken,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Self {
        let presences = super::presence::Presences::new(
            Arc::clone(&client),
            token.clone(),
            Arc::clone(&metrics),
            DEFAULT_API_TIMEOUT,
        );
        Self {
            client,
            token,
            dm_channels: Arc::new(Mutex::new(HashMap::new())),
            metrics,
            api_timeout: DEFAULT_API_TIMEOUT,
            presences,
        }
    }

    /// The same chat with `limit` on each Web API call instead of 10 s.
    pub fn with_api_timeout(mut self, limit: Duration) -> Self {
        self.api_timeout = limit;
        self.presences = super::presence::Presences::new(
            Arc::clone(&self.client),
            self.token.clone(),
            Arc::clone(&self.metrics),
            limit,
        );
        self
    }

    /// The Web API client (for [`super::files`]).
    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    /// The bot token.
    pub(super) fn token(&self) -> &SlackApiToken {
        &self.token
    }

    /// The metrics Web API calls are counted in.
    pub(super) fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The time limit of each Web API call.
    pub(super) fn api_timeout(&self) -> Duration {
        self.api_timeout
    }

    /// The DM channel with `user`, opened once and remembered.
    pub async fn dm_channel(&self, user: &str) -> Result<String, SlackClientError> {
        if let Some(channel) = self.lock().get(user).cloned() {
            return Ok(channel);
        }
        let started = Instant::now();
        let request =
            SlackApiConversationsOpenRequest::new().with_users(vec![user.to_owned().into()]);
        let response = within(
            self.api_timeout,
            "conversations.open",
            self.client
                .open_session(&self.token)
                .conversations_open(&request),
        )
        .await;
        self.metrics
            .slack_call("conversations.open", started, response.is_ok());
        let channel = response?.channel.id.to_string();
        self.lock().insert(user.to_owned(), channel.clone());
        Ok(channel)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        match self.dm_channels.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Posts `reply` in `channel`.
    pub async fn post(&self, channel: &str, reply: &Reply) -> Result<Delivered, SlackClientError> {
        self.post_keyed(channel, reply, &[]).await
    }

    /// Posts `reply` in `channel`, carrying the outbox `keys` it delivers in its metadata
    /// (none: no metadata).
    async fn post_keyed(
        &self,
        channel: &str,
        reply: &Reply,
        keys: &[&str],
    ) -> Result<Delivered, SlackClientError> {
        let rendered = blocks::render(reply, 0, None);
        let mut content = SlackMessageContent::new()
            .with_text(rendered.fallback)
            .with_blocks(rendered.blocks);
        if let Some(metadata) = super::outbox_metadata::carrying(keys) {
            content = content.with_metadata(metadata);
        }
        let request = SlackApiChatPostMessageRequest::new(channel.to_owned().into(), content);
        let started = Instant::now();
        let response = within(
            self.api_timeout,
            "chat.postMessage",
            self.client
                .open_session(&self.token)
                .chat_post_message(&request),
        )
        .await;
        self.metrics
            .slack_call("chat.postMessage", started, response.is_ok());
        let response = response?;
        Ok(Delivered {
            channel: Some(response.channel.into()),
            ts: Some(response.ts.to_string()),
        })
    }
}

impl Chat for SlackChat {
    async fn send(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        self.send_with_keys(recipient, reply, &[key]).await
    }

    async fn send_with_keys(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        keys: &[&str],
    ) -> Result<Delivered, SendError> {
        let key = keys.first().copied().unwrap_or_default();
        let channel = match recipient {
            Recipient::User(user) => self.dm_channel(user).await.map_err(|error| {
                tracing::warn!(key, user, error = %short_error(&error), "cannot open a DM");
                classify(&error)
            })?,
            Recipient::Channel(channel) => channel.to_owned(),
        };
        self.post_keyed(&channel, reply, keys)
            .await
            .map_err(|error| {
                tracing::warn!(key, channel, error = %short_error(&error), "cannot post a message");
                classify(&error)
            })
    }

    fn fits(&self, reply: &Reply) -> bool {
        blocks::fits(reply)
    }

    async fn sent_since(
        &self,
        user: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<SentKeys, LookupError> {
        let lookup_error = |error: SlackClientError| LookupError(short_error(&error));
        let channel = self.dm_channel(user).await.map_err(lookup_error)?;
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.clone().into())
            .with_oldest(super::outbox_metadata::slack_ts(since))
            .with_limit(super::outbox_metadata::HISTORY_PAGE)
            .with_include_all_metadata(true);
        let started = Instant::now();
        let response = within(
            self.api_timeout,
            "conversations.history",
            self.client
                .open_session(&self.token)
                .conversations_history(&request),
        )
        .await;
        self.metrics
            .slack_call("conversations.history", started, response.is_ok());
        let response = response.map_err(lookup_error)?;
        Ok(super::outbox_metadata::keys_in(
            &channel,
            &response.messages,
        ))
    }

    async fn presence(&self, user: &str, now: chrono::DateTime<chrono::Utc>) -> Presence {
        self.presences.presence(user, now).await
    }
}
