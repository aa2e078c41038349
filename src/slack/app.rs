//! The Slack application's shared state and the small Web API helpers every handler uses.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::blocks;
use super::chat::SlackChat;
use super::client::{Client, DEFAULT_API_TIMEOUT, short_error};
use super::profiles::Profiles;
use crate::bot::Bot;
use crate::reply::{Reply, Text};

/// Everything a Slack request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct SlackApp {
    pub(super) bot: Arc<Bot>,
    pub(super) client: Arc<Client>,
    pub(super) token: SlackApiToken,
    pub(super) chat: SlackChat,
    pub(super) profiles: Profiles,
    pub(super) answers: Arc<super::answers::AnswerCache>,
    pub(super) item_messages: Arc<ItemMessages>,
    /// The count of deliveries noted, for pruning (see [`super::deliveries`]); shared by the
    /// HTTP routes and Socket Mode.
    pub(super) deliveries: Arc<super::deliveries::Deliveries>,
    /// The time limit of each Web API call (see [`super::client::within`]).
    pub(super) api_timeout: Duration,
}

/// How many messages [`ItemMessages`] keeps; it starts over when it is full.
const ITEM_MESSAGES_CAPACITY: usize = 1024;

/// The latest blocks seen of messages whose buttons are settled one item at a time (a DM
/// listing several reminders), by channel and ts. The record form's submission carries no
/// message, so it settles the clicked person's buttons in the blocks remembered when the
/// form was opened, or since. Lost on restart: a submission then leaves the message as it
/// is (its buttons still work, and a click on the recorded person's says it is out of date).
#[derive(Default)]
pub struct ItemMessages {
    entries: std::sync::Mutex<std::collections::HashMap<(String, String), Vec<SlackBlock>>>,
}

impl ItemMessages {
    /// Remembers `blocks` as the message `ts` in `channel`.
    pub fn remember(&self, channel: &str, ts: &SlackTs, blocks: Vec<SlackBlock>) {
        let mut entries = self.lock();
        if entries.len() >= ITEM_MESSAGES_CAPACITY {
            entries.clear();
        }
        entries.insert((channel.to_owned(), ts.to_string()), blocks);
    }

    /// The blocks last remembered for the message `ts` in `channel`.
    pub fn blocks(&self, channel: &str, ts: &SlackTs) -> Option<Vec<SlackBlock>> {
        self.lock()
            .get(&(channel.to_owned(), ts.to_string()))
            .cloned()
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(String, String), Vec<SlackBlock>>>
    {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// The position in `blocks` of the actions block whose block id is `block_id`, when that is
/// an item block id (see [`blocks::ITEM_BLOCK_PREFIX`]).
pub(super) fn item_actions(blocks: &[SlackBlock], block_id: Option<&str>) -> Option<usize> {
    let block_id = block_id.filter(|id| id.starts_with(blocks::ITEM_BLOCK_PREFIX))?;
    blocks.iter().position(|block| {
        matches!(block, SlackBlock::Actions(actions)
            if actions.block_id.as_ref().is_some_and(|id| id.0 == block_id))
    })
}

impl SlackApp {
    /// An app acting with the bot token on behalf of `bot`.
    pub fn new(bot: Arc<Bot>, client: Arc<Client>, token: SlackApiToken) -> Self {
        let chat = SlackChat::new(Arc::clone(&client), token.clone(), bot.metrics());
        let profiles = Profiles::new(Arc::clone(&client), token.clone(), bot.metrics());
        Self {
            bot,
            client,
            token,
            chat,
            profiles,
            answers: Arc::default(),
            item_messages: Arc::default(),
            deliveries: Arc::default(),
            api_timeout: DEFAULT_API_TIMEOUT,
        }
    }

    /// The same app with `limit` on each Web API call (its chat's and profile fetches'
    /// too) instead of 10 s.
    pub fn with_api_timeout(mut self, limit: Duration) -> Self {
        self.api_timeout = limit;
        self.chat = self.chat.with_api_timeout(limit);
        self.profiles = self.profiles.with_api_timeout(limit);
        self
    }

    /// Runs the Web API call `call` to `method` within this app's time limit.
    pub(super) async fn within<T>(
        &self,
        method: &str,
        call: impl Future<Output = Result<T, SlackClientError>>,
    ) -> Result<T, SlackClientError> {
        super::client::within(self.api_timeout, method, call).await
    }

    /// The bot behind the app.
    pub fn bot(&self) -> &Arc<Bot> {
        &self.bot
    }

    /// The chat the scheduler delivers through.
    pub fn chat(&self) -> SlackChat {
        self.chat.clone()
    }

    /// The profile cache (users.info).
    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    pub(super) fn session(&self) -> SlackClientSession<'_, super::client::Connector> {
        self.client.open_session(&self.token)
    }

    /// Posts `reply` to a `response_url` (ephemeral to the user who acted), replacing the
    /// message the action came from when `replace` is set.
    pub(super) async fn respond(
        &self,
        response_url: &SlackResponseUrl,
        reply: &Reply,
        replace: bool,
    ) {
        let rendered = blocks::render(reply, 0, None);
        let request = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new()
                .with_text(rendered.fallback)
                .with_blocks(rendered.blocks),
        )
        .with_replace_original(replace);
        let started = Instant::now();
        let result = self
            .within(
                "response_url",
                self.client.respond_to_event(response_url, &request),
            )
            .await;
        self.bot
            .metrics()
            .slack_call("response_url", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %short_error(&error), "cannot answer through response_url");
        }
    }

    /// Replaces a message's buttons with a line saying what was done, so nobody clicks them
    /// again. `original` are the message's blocks as the interaction payload carried them.
    /// When the click came from one item's buttons (`clicked`, an item block id: one person
    /// in a DM listing several), only those are replaced, in place, and the others stay;
    /// otherwise every button goes and the line is added at the end.
    pub(super) async fn settle_message(
        &self,
        channel: &str,
        ts: &SlackTs,
        original: Option<&[SlackBlock]>,
        clicked: Option<&str>,
        outcome: &Text,
    ) {
        let original = original.unwrap_or_default();
        let line: SlackBlock = SlackContextBlock::new(vec![md!(blocks::mrkdwn(outcome))]).into();
        let item = clicked.filter(|id| id.starts_with(blocks::ITEM_BLOCK_PREFIX));
        let mut kept: Vec<SlackBlock> = match (item, item_actions(original, item)) {
            (_, Some(position)) => {
                let mut kept = original.to_vec();
                kept[position] = line;
                self.item_messages.remember(channel, ts, kept.clone());
                kept
            }
            // That person's buttons were settled already (say, a second submission of the
            // form): the other people's stay as they are.
            (Some(_), None) => return,
            (None, None) => {
                let mut kept: Vec<SlackBlock> = original
                    .iter()
                    .filter(|block| !matches!(block, SlackBlock::Actions(_)))
                    .cloned()
                    .collect();
                kept.push(line);
                kept
            }
        };
        kept.truncate(blocks::MAX_BLOCKS);
        let request = SlackApiChatUpdateRequest::new(
            channel.to_owned().into(),
            SlackMessageContent::new()
                .with_text(blocks::mrkdwn(outcome))
                .with_blocks(kept),
            ts.clone(),
        );
        let started = Instant::now();
        let result: Result<_, SlackClientError> = self
            .within("chat.update", self.session().chat_update(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("chat.update", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %short_error(&error), "cannot update the original message");
        }
    }
}
