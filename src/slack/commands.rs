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
use super::deliveries::Admit;
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
        self.command_admitted(event, None)
            .await
            .unwrap_or_else(|| ephemeral(blocks::render(&Reply::new(), 0, None)))
    }

    /// [`Self::command`], noting the delivery first with `noting` (see
    /// [`super::deliveries`]), inside the handler's task, so a busy database delays the
    /// answer (which Slack then gets through the `response_url`) but not the acknowledgement.
    /// `None` for a retry already handled (Slack gets an empty 200) or, once Slack was told
    /// "Working on it…", for any answer not sent.
    pub async fn command_admitted(
        &self,
        event: SlackCommandEvent,
        noting: Option<super::deliveries::Noting>,
    ) -> Option<SlackCommandEventResponse> {
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
        let mut task = tokio::spawn(async move {
            if let Some(noting) = noting {
                // A question or a command that only shows things is answered even when the
                // database cannot say whether it was handled (a usage error records nothing).
                let only_asks = crate::bot::command::parse(&request.text)
                    .map_or(true, |command| command.is_read_only());
                match noting.admit(only_asks).await {
                    Admit::Handle => {}
                    Admit::Ignore => return None,
                    Admit::Refuse => return Some(Reply::paragraph(INTERNAL_ERROR_REPLY)),
                }
            }
            Some(app.answer(&request).await)
        });
        match tokio::time::timeout(DEADLINE, &mut task).await {
            Ok(Ok(reply)) => reply.map(|reply| ephemeral(render_answer(&text, &reply, 0))),
            Ok(Err(error)) => {
                tracing::error!(%error, "a slash command handler panicked");
                Some(ephemeral(blocks::render(
                    &Reply::paragraph(INTERNAL_ERROR_REPLY),
                    0,
                    None,
                )))
            }
            Err(_) => {
                let app = self.clone();
                let response_url = event.response_url.clone();
                tokio::spawn(async move {
                    let reply = task.await.unwrap_or_else(|error| {
                        tracing::error!(%error, "a slow slash command handler panicked");
                        Some(Reply::paragraph(INTERNAL_ERROR_REPLY))
                    });
                    if let Some(reply) = reply {
                        app.respond(&response_url, &reply, true).await;
                    }
                });
                Some(ephemeral(blocks::render(
                    &Reply::paragraph("Working on it…"),
                    0,
                    None,
                )))
            }
        }
    }
}
