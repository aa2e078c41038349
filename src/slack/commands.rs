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
use super::client::short_error;
use super::entities;
use super::files::Image;
use crate::bot::Request;
use crate::bot::command::Command;
use crate::bot::error::INTERNAL_ERROR_REPLY;
use crate::bot::handlers::stats;
use crate::ids::UserId;
use crate::reply::Reply;

/// How long a slash command may take before Slack is answered "Working on it…".
pub const DEADLINE: Duration = Duration::from_millis(2500);

impl SlackApp {
    /// The reply to one command. `stats` also posts its chart, in the caller's DM.
    async fn answer(&self, request: &Request) -> Reply {
        match crate::bot::command::parse(&request.text) {
            Ok(Command::Stats { months, png: None }) => self.stats(request, months).await,
            _ => self.bot.handle(request).await,
        }
    }

    /// `stats`: the table as the reply; the chart is uploaded in the background and shared
    /// in the caller's DM (an image cannot be part of an ephemeral reply).
    async fn stats(&self, request: &Request, months: u32) -> Reply {
        let view = match stats::view(&self.bot, &request.user, months, request.now, true).await {
            Ok(view) => view,
            Err(error) => return crate::bot::handlers::unlogged_error_reply(&error),
        };
        let Some(png) = view.png else {
            return view.reply;
        };
        let chat = self.chat.clone();
        let user = request.user.to_string();
        let image = Image {
            filename: "career-conversations-on-time.png".to_owned(),
            title: format!("Career conversations held on time, last {months} months"),
            png,
        };
        tokio::spawn(async move {
            if let Err(error) = chat.share_image(&user, image).await {
                tracing::warn!(error = %short_error(&error), "cannot post the stats chart");
            }
        });
        view.reply
            .with_context("The chart of the on-time share per month follows in our DM.")
    }

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
        let app = self.clone();
        let mut task = tokio::spawn(async move { app.answer(&request).await });
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
