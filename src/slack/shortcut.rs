//! The "Log as evidence" message shortcut: opens [`super::evidence_modal`] on any message (in a
//! channel, a DM or a thread), and logs the submission through the same `log` handler as the
//! typed command. The original message is never changed: the confirmation is ephemeral,
//! through the shortcut's `response_url` (or a DM from the bot when there is none).

use chrono::Utc;
use slack_morphism::prelude::*;

use super::app::SlackApp;
use super::blocks;
use super::evidence_modal::{
    self, EvidenceContext, EvidenceModal, SHORTCUT_CALLBACK_ID, Suggested, TEXT_BLOCK,
};
use crate::bot::command::Command;
use crate::bot::handlers::{self, EvidenceForm, Extras};
use crate::bot::mention::Mention;
use crate::ids::UserId;
use crate::reply::Reply;

impl SlackApp {
    /// A message shortcut: "Log as evidence" opens the form; others are ignored.
    pub(super) async fn message_action(&self, event: SlackInteractionMessageActionEvent) {
        if event.callback_id.to_string() != SHORTCUT_CALLBACK_ID {
            tracing::debug!("ignoring an unknown message shortcut");
            return;
        }
        let user = UserId::from(&event.user.id);
        self.profiles.refresh_if_stale(&self.bot, &user);
        let message = event.message.as_ref();
        let text = evidence_modal::readable(
            message
                .and_then(|m| m.content.text.as_deref())
                .unwrap_or_default(),
        );
        let link = match (message, event.channel.as_ref()) {
            (Some(message), Some(channel)) => {
                self.permalink(
                    &channel.id,
                    &message.origin.ts,
                    message.origin.thread_ts.as_ref(),
                    event.team.domain.as_deref(),
                )
                .await
            }
            _ => None,
        };
        let context = EvidenceContext {
            response_url: Some(event.response_url.clone()),
        };
        let view = match self
            .evidence_view(&user, &text, link.as_deref(), &context)
            .await
        {
            Ok(view) => view,
            Err(error) => {
                let reply = handlers::unlogged_error_reply(&error);
                self.respond(&event.response_url, &reply, false).await;
                return;
            }
        };
        let started = std::time::Instant::now();
        let request = SlackApiViewsOpenRequest::new(event.trigger_id.clone(), view);
        let result = self
            .within("views.open", self.session().views_open(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("views.open", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %super::client::short_error(&error), "cannot open the evidence form");
        }
    }

    /// "Log evidence" on the home: the same form, empty, for the person who clicked; the
    /// confirmation comes by DM (a home tab has no `response_url`).
    pub(super) async fn open_evidence_form(&self, user: &UserId, trigger: &SlackTriggerId) {
        let context = EvidenceContext { response_url: None };
        let view = match self.evidence_view(user, "", None, &context).await {
            Ok(view) => view,
            Err(error) => {
                self.confirm(user, &handlers::unlogged_error_reply(&error), &context)
                    .await;
                return;
            }
        };
        let started = std::time::Instant::now();
        let request = SlackApiViewsOpenRequest::new(trigger.clone(), view);
        let result = self
            .within("views.open", self.session().views_open(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("views.open", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %super::client::short_error(&error), "cannot open the evidence form");
        }
    }

    /// The form for `user`: their framework's dimensions and their reports' (the one their
    /// text best supports chosen), and their reports.
    async fn evidence_view(
        &self,
        user: &UserId,
        text: &str,
        link: Option<&str>,
        context: &EvidenceContext,
    ) -> Result<SlackView, crate::bot::HandlerError> {
        let engine = self.bot.engine();
        let me = self.bot.store().person(user).await?;
        let reports: Vec<_> = self
            .bot
            .store()
            .reports_of(user)
            .await?
            .into_iter()
            .map(|row| row.person)
            .filter(|person| handlers::manages_now(user, person))
            .collect();
        let mut frameworks = Vec::new();
        for person in me.iter().filter(|me| me.active).chain(reports.iter()) {
            if let Some(framework) = person
                .framework_id
                .as_ref()
                .and_then(|id| engine.library().get(id.as_str()))
                && !frameworks
                    .iter()
                    .any(|known: &&crate::frameworks::Framework| known.id == framework.id)
            {
                frameworks.push(framework);
            }
        }
        let suggested = me.as_ref().filter(|me| me.active).and_then(|me| {
            let framework = engine.library().get(me.framework_id.as_ref()?.as_str())?;
            let level = me.level?;
            let mut levels = vec![level];
            levels.extend(framework.next_level(level).map(|next| next.number));
            let found = engine.best_dimension(text, &framework.id, &levels, None)?;
            Some(Suggested {
                framework: framework.id.clone(),
                dimension: found.dimension,
            })
        });
        let reports = reports
            .iter()
            .map(|person| (person.user_id.clone(), person.name().to_owned()))
            .collect();
        Ok(evidence_modal::view(
            &EvidenceModal {
                text,
                link,
                frameworks,
                suggested,
                reports,
                caller: user,
            },
            context,
        ))
    }

    /// The message's permalink from Slack, or made from the workspace's domain when Slack
    /// will not say (a conversation the bot cannot see).
    async fn permalink(
        &self,
        channel: &SlackChannelId,
        ts: &SlackTs,
        thread_ts: Option<&SlackTs>,
        domain: Option<&str>,
    ) -> Option<String> {
        let request = SlackApiChatGetPermalinkRequest::new(channel.clone(), ts.clone());
        let started = std::time::Instant::now();
        let result = self
            .within(
                "chat.getPermalink",
                self.session().chat_get_permalink(&request),
            )
            .await;
        self.bot
            .metrics()
            .slack_call("chat.getPermalink", started, result.is_ok());
        match result {
            Ok(found) => Some(found.permalink.to_string()),
            Err(error) => {
                tracing::info!(error = %super::client::short_error(&error), "no permalink from Slack; making one");
                domain.map(|domain| {
                    evidence_modal::fallback_permalink(
                        domain,
                        channel.as_ref(),
                        ts.as_ref(),
                        thread_ts.map(AsRef::as_ref),
                    )
                })
            }
        }
    }

    /// A submission of the evidence form: logged through `log`, once per form (its view id
    /// is the key), and confirmed to the submitter alone.
    pub(super) async fn evidence_submission(
        &self,
        user: &UserId,
        submission: evidence_modal::Submission,
    ) -> SlackInteractionResponse {
        let person = submission
            .person
            .filter(|person| person != user)
            .map(|user_id| Mention {
                user_id,
                name: None,
            });
        let command = Command::Log {
            person,
            text: submission.text,
            dimension: None,
        };
        let extras = Extras {
            evidence: Some(EvidenceForm {
                link: submission.link,
                note: submission.note,
                request_key: Some(format!("view:{}", submission.view_id)),
                dimension: submission.dimension,
            }),
            ..Extras::default()
        };
        match handlers::run(&self.bot, user, command, extras, Utc::now()).await {
            Ok(reply) => {
                self.confirm(user, &reply, &submission.context).await;
                SlackInteractionResponse::Empty
            }
            Err(error) => {
                let message = handlers::error_reply(&error)
                    .first_line()
                    .map_or_else(|| "That did not work.".to_owned(), blocks::unescaped);
                let errors = [(TEXT_BLOCK.to_owned(), blocks::shorten(&message, 150))]
                    .into_iter()
                    .collect();
                SlackInteractionResponse::ViewSubmission(SlackViewSubmissionResponse::Errors(
                    SlackViewSubmissionErrorsResponse::new(errors),
                ))
            }
        }
    }

    /// Tells `user` what was logged: ephemerally where the shortcut was used, else by DM.
    async fn confirm(&self, user: &UserId, reply: &Reply, context: &EvidenceContext) {
        if let Some(url) = &context.response_url {
            self.respond(url, reply, false).await;
            return;
        }
        match self.chat.dm_channel(user.as_str()).await {
            Ok(channel) => {
                if let Err(error) = self.chat.post(&channel, reply).await {
                    tracing::warn!(error = %super::client::short_error(&error), "cannot confirm in a DM");
                }
            }
            Err(error) => {
                tracing::warn!(error = %super::client::short_error(&error), "cannot open a DM to confirm")
            }
        }
    }
}
