//! The Slack application's shared state and the small Web API helpers every handler uses.

use std::sync::Arc;
use std::time::Instant;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::blocks;
use super::chat::SlackChat;
use super::client::{Client, short_error};
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
        }
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
        let result = self.client.respond_to_event(response_url, &request).await;
        self.bot
            .metrics()
            .slack_call("response_url", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %short_error(&error), "cannot answer through response_url");
        }
    }

    /// Replaces a message's buttons with a line saying what was done, so nobody clicks them
    /// again. `original` are the message's blocks as the interaction payload carried them.
    pub(super) async fn settle_message(
        &self,
        channel: &str,
        ts: &SlackTs,
        original: Option<&[SlackBlock]>,
        outcome: &Text,
    ) {
        let mut kept: Vec<SlackBlock> = original
            .unwrap_or_default()
            .iter()
            .filter(|block| !matches!(block, SlackBlock::Actions(_)))
            .cloned()
            .collect();
        kept.push(SlackContextBlock::new(vec![md!(blocks::mrkdwn(outcome))]).into());
        kept.truncate(blocks::MAX_BLOCKS);
        let request = SlackApiChatUpdateRequest::new(
            channel.to_owned().into(),
            SlackMessageContent::new()
                .with_text(blocks::mrkdwn(outcome))
                .with_blocks(kept),
            ts.clone(),
        );
        let started = Instant::now();
        let result: Result<_, SlackClientError> = self.session().chat_update(&request).await;
        self.bot
            .metrics()
            .slack_call("chat.update", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %short_error(&error), "cannot update the original message");
        }
    }
}
