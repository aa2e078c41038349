//! `/career …`: the same words as the shell, answered ephemerally in Block Kit.
//!
//! Slack wants an answer within 3 seconds. The handler runs as a task; if it has not finished
//! after [`DEADLINE`], Slack gets "Working on it…" at once and the real answer follows through
//! the command's `response_url`. A long answer carries a "Show more" button that re-runs the
//! command (only read-only commands) and shows the next part.

use std::time::Duration;

use chrono::Utc;
use slack_morphism::prelude::*;

use super::app::SlackApp;
use super::blocks::{self, ephemeral, render_answer};
use super::entities;
use crate::bot::Request;
use crate::bot::error::INTERNAL_ERROR_REPLY;
use crate::ids::UserId;
use crate::reply::Reply;

/// How long a slash command may take before Slack is answered "Working on it…".
pub const DEADLINE: Duration = Duration::from_millis(2500);

impl SlackApp {
    /// The finished response body when the command is a question whose answer does not
    /// depend on who asks (see [`super::answers`]).
    /// `text` is as Slack sent it (entities and all).
    pub fn cached_answer(&self, user: &UserId, text: &str) -> Option<axum::body::Bytes> {
        let body = self.answers.answer(&self.bot, &entities::decode(text))?;
        self.profiles.refresh_if_stale(&self.bot, user);
        Some(body)
    }

    /// Answers one slash command (HTTP and Socket Mode alike).
    pub async fn command(&self, event: SlackCommandEvent) -> SlackCommandEventResponse {
        let user = UserId::from(&event.user_id);
        self.profiles.refresh_if_stale(&self.bot, &user);
        // Slack sends `&`, `<`, `>` as entities; the bot reads the words as typed.
        let text = entities::decode(event.text.as_deref().unwrap_or_default()).into_owned();
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
