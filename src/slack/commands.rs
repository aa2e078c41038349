//! `/career …`: the same words as the shell, answered ephemerally in Block Kit.
//!
//! Slack wants an answer within 3 seconds. The handler runs as a task; if it has not finished
//! after [`DEADLINE`], Slack gets "Working on it…" at once and the real answer follows through
//! the command's `response_url`. A long answer carries a "Show more" button that re-runs the
//! command (only read-only commands) and shows the next part.

use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use super::app::SlackApp;
use super::blocks;
use crate::bot::Request;
use crate::bot::command;
use crate::bot::error::INTERNAL_ERROR_REPLY;
use crate::reply::Reply;

/// How long a slash command may take before Slack is answered "Working on it…".
pub const DEADLINE: Duration = Duration::from_millis(2500);

/// The value of a "Show more" button: which command, which part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoreValue {
    /// The words after `/career`.
    pub text: String,
    /// The part to show (0 is the first).
    pub page: usize,
}

/// Renders `reply` for Slack, with a "Show more" button when `text` is a read-only command
/// whose answer does not fit.
pub fn render_answer(text: &str, reply: &Reply, page: usize) -> blocks::Rendered {
    let read_only = command::parse(text).is_ok_and(|command| command.is_read_only());
    let more = |next: usize| {
        serde_json::to_string(&MoreValue {
            text: text.to_owned(),
            page: next,
        })
        .unwrap_or_default()
    };
    if read_only {
        blocks::render(reply, page, Some(&more))
    } else {
        blocks::render(reply, page, None)
    }
}

/// An ephemeral slash-command response.
pub fn ephemeral(rendered: blocks::Rendered) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(rendered.fallback)
            .with_blocks(rendered.blocks),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

impl SlackApp {
    /// The finished response body when the command is a question (see [`super::answers`]).
    pub fn cached_answer(&self, user: &str, text: &str) -> Option<axum::body::Bytes> {
        let body = self.answers.answer(&self.bot, text)?;
        self.profiles.refresh_if_stale(&self.bot, user);
        Some(body)
    }

    /// Answers one slash command (HTTP and Socket Mode alike).
    pub async fn command(&self, event: SlackCommandEvent) -> SlackCommandEventResponse {
        let user = event.user_id.to_string();
        self.profiles.refresh_if_stale(&self.bot, &user);
        let text = event.text.unwrap_or_default();
        let request = Request {
            user,
            text: text.clone(),
            now: Utc::now(),
        };
        let bot = std::sync::Arc::clone(&self.bot);
        let mut task = tokio::spawn(async move { bot.handle(&request).await });
        match tokio::time::timeout(DEADLINE, &mut task).await {
            Ok(Ok(reply)) => ephemeral(render_answer(&text, &reply, 0)),
            Ok(Err(error)) => {
                tracing::error!(%error, "a slash command handler panicked");
                ephemeral(blocks::render(
                    &Reply::paragraph(INTERNAL_ERROR_REPLY),
                    0,
                    None,
                ))
            }
            Err(_) => {
                let app = self.clone();
                let response_url = event.response_url.clone();
                tokio::spawn(async move {
                    let reply = task.await.unwrap_or_else(|error| {
                        tracing::error!(%error, "a slow slash command handler panicked");
                        Reply::paragraph(INTERNAL_ERROR_REPLY)
                    });
                    app.respond(&response_url, &reply, true).await;
                });
                ephemeral(blocks::render(&Reply::paragraph("Working on it…"), 0, None))
            }
        }
    }
}
