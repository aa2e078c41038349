//! Buttons and the record modal.
//!
//! - "We had the conversation" opens the modal; submitting it records the check-in.
//! - "Snooze 1 week", "Yes, we talked", "That didn't happen" act at once, as do "Yes, add me"
//!   and "No" on a request to join a team.
//! - "What does their next level need?" (and any `ask` button) answers a question, or shows
//!   what a read-only command shows; a value that would change anything is refused.
//! - "Show more" shows the next part of a long answer.
//! - The "Log as evidence" message shortcut opens its form, and its submission logs
//!   (`super::shortcut`).
//!
//! A click never records twice: the modal's submission carries a key for the conversation
//! cycle the reminder was about, acknowledgements are idempotent, and a click on a reminder
//! whose conversation has since been recorded is recognised as stale. After an action, the
//! original message's buttons are replaced by a line saying what was done and by whom; in a
//! DM listing several people, only that person's buttons are, and the others stay.

use chrono::Utc;
use slack_morphism::prelude::*;
use tracing::Instrument;

use super::app::{self, SlackApp};
use super::blocks::{self, MoreValue, render_answer};
use super::modal::{self, ModalContext};
use crate::bot::command::{Command, DateWords, SnoozeUntil};
use crate::bot::handlers::{self, Extras, Recording, require_manager};
use crate::bot::mention::Mention;
use crate::bot::messages::{parse_cycle_value, parse_request_value};
use crate::bot::{HandlerError, Request};
use crate::checkins::Period;
use crate::ids::UserId;
use crate::reply::{Reply, Text, actions};

/// Where a clicked button lives.
#[derive(Clone)]
struct Origin {
    channel: Option<String>,
    ts: Option<SlackTs>,
    blocks: Option<Vec<SlackBlock>>,
    /// The block the button is in.
    block_id: Option<String>,
    response_url: Option<SlackResponseUrl>,
    in_home_tab: bool,
}

impl SlackApp {
    /// Handles one interaction (HTTP and Socket Mode alike).
    pub async fn interaction(&self, event: SlackInteractionEvent) -> SlackInteractionResponse {
        match event {
            SlackInteractionEvent::BlockActions(event) => {
                self.block_actions(event).await;
                SlackInteractionResponse::Empty
            }
            SlackInteractionEvent::ViewSubmission(event) => {
                let span = tracing::info_span!(
                    "interaction",
                    user = %event.user.id,
                    action = "view_submission",
                );
                self.view_submission(event).instrument(span).await
            }
            SlackInteractionEvent::MessageAction(event) => {
                let span = tracing::info_span!(
                    "interaction",
                    user = %event.user.id,
                    action = %event.callback_id,
                );
                self.message_action(event).instrument(span).await;
                SlackInteractionResponse::Empty
            }
            _ => SlackInteractionResponse::Empty,
        }
    }

    async fn block_actions(&self, event: SlackInteractionBlockActionsEvent) {
        let Some(user) = event.user.as_ref().map(|user| UserId::from(&user.id)) else {
            return;
        };
        self.profiles.refresh_if_stale(&self.bot, &user);
        let (channel, ts, in_home_tab) = match &event.container {
            SlackInteractionActionContainer::Message(message) => (
                message.channel_id.as_ref().map(ToString::to_string),
                Some(message.message_ts.clone()),
                false,
            ),
            SlackInteractionActionContainer::MessageAttachment(message) => (
                message.channel_id.as_ref().map(ToString::to_string),
                Some(message.message_ts.clone()),
                false,
            ),
            SlackInteractionActionContainer::View(_) => (None, None, true),
        };
        let message = Origin {
            channel: channel.or_else(|| event.channel.as_ref().map(|c| c.id.to_string())),
            ts,
            blocks: event
                .message
                .as_ref()
                .and_then(|m| m.content.blocks.clone()),
            block_id: None,
            response_url: event.response_url.clone(),
            in_home_tab,
        };
        for action in event.actions.clone().unwrap_or_default() {
            let origin = Origin {
                block_id: action.block_id.as_ref().map(|id| id.0.clone()),
                ..message.clone()
            };
            let value = action.value.clone().unwrap_or_default();
            let action_id = action.action_id.to_string();
            // The user and the button; never the value, which can hold a question.
            let span = tracing::info_span!("interaction", user = %user, action = %action_id);
            async {
                match action_id.as_str() {
                    actions::ASK => self.answer_question(&user, &value, &origin).await,
                    actions::SHOW_MORE => self.show_more(&user, &value, &origin).await,
                    actions::RECORD => {
                        self.open_record_modal(&user, &value, &event.trigger_id, &origin)
                            .await
                    }
                    actions::SNOOZE_WEEK => self.snooze_week(&user, &value, &origin).await,
                    actions::PREPARE => {
                        self.open_assessment_form(&user, &value, &event.trigger_id, &origin)
                            .await
                    }
                    actions::LOG_EVIDENCE => {
                        self.open_evidence_form(&user, &event.trigger_id).await
                    }
                    actions::ACKNOWLEDGE | actions::DISPUTE => {
                        let dispute = action_id == actions::DISPUTE;
                        self.answer_checkin(&user, &value, dispute, &origin).await;
                    }
                    actions::ACCEPT_ADD | actions::DECLINE_ADD => {
                        let decline = action_id == actions::DECLINE_ADD;
                        self.answer_add_request(&user, &value, decline, &origin)
                            .await;
                    }
                    other => tracing::debug!(action = other, "ignoring an unknown action"),
                }
            }
            .instrument(span)
            .await;
        }
    }

    /// Shows `reply` to the user who clicked, without touching the message.
    async fn tell(&self, user: &UserId, reply: &Reply, origin: &Origin) {
        match &origin.response_url {
            Some(url) => self.respond(url, reply, false).await,
            None => {
                // The home tab has no response_url: answer in the DM with the bot.
                if let Ok(channel) = self.chat.dm_channel(user.as_str()).await
                    && let Err(error) = self.chat.post(&channel, reply).await
                {
                    tracing::warn!(error = %super::client::short_error(&error), "cannot answer in a DM");
                }
            }
        }
    }

    /// Marks the message as done with `outcome`, or refreshes the home tab.
    async fn settle(&self, user: &UserId, outcome: &Text, origin: &Origin) {
        if origin.in_home_tab {
            self.publish_home(user).await;
            return;
        }
        if let (Some(channel), Some(ts)) = (&origin.channel, &origin.ts) {
            self.settle_message(
                channel,
                ts,
                origin.blocks.as_deref(),
                origin.block_id.as_deref(),
                outcome,
            )
            .await;
        }
    }

    /// An `ask` button answers a question, or runs a command that only shows things: its
    /// value is not trusted to be the bot's own, so anything that would change a record is
    /// refused and nothing runs.
    async fn answer_question(&self, user: &UserId, question: &str, origin: &Origin) {
        let read_only = crate::bot::command::parse(question).is_ok_and(|c| c.is_read_only());
        if !read_only {
            tracing::warn!("refusing an ask button whose value is not a question");
            let refusal = Reply::paragraph(
                "That button only answers questions, so nothing was done. Type the command yourself if you meant it.",
            );
            self.tell(user, &refusal, origin).await;
            return;
        }
        let reply = self.bot.handle(&self.request(user, question)).await;
        self.tell(user, &reply, origin).await;
    }

    async fn show_more(&self, user: &UserId, value: &str, origin: &Origin) {
        let Ok(more) = serde_json::from_str::<MoreValue>(value) else {
            return;
        };
        let read_only = crate::bot::command::parse(&more.text).is_ok_and(|c| c.is_read_only());
        if !read_only {
            return;
        }
        let reply = self.bot.handle(&self.request(user, &more.text)).await;
        let Some(url) = &origin.response_url else {
            return;
        };
        let rendered = render_answer(&more.text, &reply, more.page);
        let request = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new()
                .with_text(rendered.fallback)
                .with_blocks(rendered.blocks),
        )
        .with_replace_original(true);
        if let Err(error) = self
            .within("response_url", self.client.respond_to_event(url, &request))
            .await
        {
            tracing::warn!(error = %super::client::short_error(&error), "cannot show more");
        }
    }

    fn request(&self, user: &UserId, text: &str) -> Request {
        Request {
            user: user.clone(),
            text: text.to_owned(),
            now: Utc::now(),
        }
    }

    async fn open_record_modal(
        &self,
        user: &UserId,
        value: &str,
        trigger: &SlackTriggerId,
        origin: &Origin,
    ) {
        let Some((report_id, anchor)) = parse_cycle_value(value) else {
            return;
        };
        let report = match require_manager(&self.bot, user, &report_id).await {
            Ok(report) => report,
            Err(error) => {
                self.tell(user, &handlers::unlogged_error_reply(&error), origin)
                    .await;
                return;
            }
        };
        if report.anchor_on != Some(anchor) {
            let outcome = Text::from("A conversation with ")
                .mention(report_id)
                .push(format!(
                    " was already recorded ({}); this reminder is out of date.",
                    report.anchor_on.map(|d| d.to_string()).unwrap_or_default()
                ));
            self.settle(user, &outcome, origin).await;
            self.tell(user, &Reply::paragraph(outcome), origin).await;
            return;
        }
        let engine = self.bot.engine();
        let framework = report
            .framework_id
            .as_ref()
            .and_then(|id| engine.library().get(id.as_str()));
        let today = match self.bot.local_date(user, Utc::now()).await {
            Ok(today) => today,
            Err(error) => {
                self.tell(user, &handlers::unlogged_error_reply(&error), origin)
                    .await;
                return;
            }
        };
        // In a DM listing several people, the submission settles only this person's buttons,
        // in the message's blocks as they are now (the submission does not carry them).
        let item_block = match (&origin.channel, &origin.ts, &origin.blocks) {
            (Some(channel), Some(ts), Some(blocks))
                if app::item_actions(blocks, origin.block_id.as_deref()).is_some() =>
            {
                self.item_messages.remember(channel, ts, blocks.clone());
                origin.block_id.clone()
            }
            _ => None,
        };
        let context = ModalContext {
            report: report_id.clone(),
            anchor,
            channel: origin.channel.clone(),
            ts: origin.ts.as_ref().map(ToString::to_string),
            block_id: item_block,
        };
        let view = modal::view(
            &context,
            &blocks::mention(report_id.as_str()),
            framework,
            report.level,
            &handlers::focus_choices(&self.bot, &report),
            today,
        );
        let started = std::time::Instant::now();
        let request = SlackApiViewsOpenRequest::new(trigger.clone(), view);
        let result = self
            .within("views.open", self.session().views_open(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("views.open", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %super::client::short_error(&error), "cannot open the record modal");
        }
    }

    async fn view_submission(
        &self,
        event: SlackInteractionViewSubmissionEvent,
    ) -> SlackInteractionResponse {
        let user = UserId::from(&event.user.id);
        if let Some(submission) = super::evidence_modal::submission(&event.view) {
            return self.evidence_submission(&user, submission).await;
        }
        if let Some(page) = super::assess_modal::submission(&event.view) {
            return self.assessment_page(&user, page).await;
        }
        let Some(submission) = modal::submission(&event.view) else {
            return SlackInteractionResponse::Empty;
        };
        let context = submission.context.clone();
        let person = Mention {
            user_id: context.report.clone(),
            name: None,
        };
        let command = Command::Done {
            person,
            date: submission.date.map(DateWords::Exact),
            note: submission.note,
            focus: submission.focus,
            next_steps: submission.next_steps,
        };
        let extras = Extras {
            recording: Some(Recording {
                level: submission.level,
                // One record per conversation cycle, however many times the modal is submitted.
                request_key: Some(format!("cycle:{}:{}", context.report, context.anchor)),
                // Refused if a conversation was recorded another way since the form opened.
                opened_for: Some(context.anchor),
            }),
            ..Extras::default()
        };
        let outcome = handlers::run(&self.bot, &user, command, extras, Utc::now()).await;
        match outcome {
            Ok(reply) => {
                let line = reply
                    .first_line()
                    .cloned()
                    .unwrap_or_else(|| "Recorded.".into());
                if let (Some(channel), Some(ts)) = (&context.channel, &context.ts) {
                    let ts: SlackTs = ts.clone().into();
                    let settled = line.push(" (by ").mention(&user).push(")");
                    match &context.block_id {
                        // One person's buttons in a DM listing several: settled in the blocks
                        // remembered since the form was opened.
                        Some(block_id) => match self.item_messages.blocks(channel, &ts) {
                            Some(blocks) => {
                                self.settle_message(
                                    channel,
                                    &ts,
                                    Some(&blocks),
                                    Some(block_id),
                                    &settled,
                                )
                                .await;
                            }
                            None => tracing::info!(
                                "the message's blocks are no longer known (a restart); leaving its buttons"
                            ),
                        },
                        None => {
                            self.settle_message(channel, &ts, None, None, &settled)
                                .await
                        }
                    }
                } else {
                    self.publish_home(&user).await;
                }
                SlackInteractionResponse::Empty
            }
            Err(error) => {
                let message = handlers::error_reply(&error)
                    .first_line()
                    .map_or_else(|| "That did not work.".to_owned(), blocks::unescaped);
                let errors = [(
                    modal::date_block().to_owned(),
                    super::blocks::shorten(&message, 150),
                )]
                .into_iter()
                .collect();
                SlackInteractionResponse::ViewSubmission(SlackViewSubmissionResponse::Errors(
                    SlackViewSubmissionErrorsResponse::new(errors),
                ))
            }
        }
    }

    /// "Prepare": the caller's side of the assessment of the person the button is about.
    async fn open_assessment_form(
        &self,
        user: &UserId,
        value: &str,
        trigger: &SlackTriggerId,
        origin: &Origin,
    ) {
        let person = UserId::new(value);
        let form = match handlers::assessment_form(&self.bot, user, &person).await {
            Ok(form) => form,
            Err(error) => {
                self.tell(user, &handlers::unlogged_error_reply(&error), origin)
                    .await;
                return;
            }
        };
        if let Some(at) = &form.submitted_at {
            let prep = if form.own { "`prep`" } else { "`prep @person`" };
            let reply = Reply::paragraph(format!(
                "This assessment was submitted on {}; {prep} shows it.",
                &at[..at.len().min(10)]
            ));
            self.tell(user, &reply, origin).await;
            return;
        }
        let view = super::assess_modal::view(&form, 0);
        let started = std::time::Instant::now();
        let request = SlackApiViewsOpenRequest::new(trigger.clone(), view);
        let result = self
            .within("views.open", self.session().views_open(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("views.open", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(error = %super::client::short_error(&error), "cannot open the assessment form");
        }
    }

    /// A page of the assessment form: its answers are recorded (one change, through the same
    /// handler as `assess`); "Next" shows the next page, the last page submits. Answers are
    /// upserts per dimension, so the same page submitted twice records the same thing.
    async fn assessment_page(
        &self,
        user: &UserId,
        page: super::assess_modal::FormSubmission,
    ) -> SlackInteractionResponse {
        let person = page.context.person.clone();
        let error_response = |message: String, block: String| {
            SlackInteractionResponse::ViewSubmission(SlackViewSubmissionResponse::Errors(
                SlackViewSubmissionErrorsResponse::new(
                    [(block, super::blocks::shorten(&message, 150))]
                        .into_iter()
                        .collect(),
                ),
            ))
        };
        let first_block = format!(
            "r{}",
            page.context.page * super::assess_modal::DIMENSIONS_PER_PAGE
        );
        let form = match handlers::assessment_form(&self.bot, user, &person).await {
            Ok(form) => form,
            Err(error) => {
                let message = handlers::unlogged_error_reply(&error)
                    .first_line()
                    .map_or_else(|| "That did not work.".to_owned(), blocks::unescaped);
                return error_response(message, first_block);
            }
        };
        let pages = super::assess_modal::page_count(form.dimensions.len());
        let last = page.context.page + 1 >= pages;
        let answers = page
            .answers
            .into_iter()
            .filter_map(|(index, rating, note)| {
                form.dimensions
                    .get(index)
                    .map(|d| (d.name.clone(), rating, note))
            })
            .collect();
        let command = Command::Assess {
            person: Some(Mention {
                user_id: person.clone(),
                name: None,
            }),
            action: crate::bot::command::AssessAction::Form {
                answers,
                topics: page.topics,
                submit: last,
            },
        };
        match handlers::run(&self.bot, user, command, Extras::default(), Utc::now()).await {
            Ok(_) if !last => match handlers::assessment_form(&self.bot, user, &person).await {
                Ok(form) => SlackInteractionResponse::ViewSubmission(
                    SlackViewSubmissionResponse::Update(SlackViewSubmissionUpdateResponse::new(
                        super::assess_modal::view(&form, page.context.page + 1),
                    )),
                ),
                Err(error) => error_response(
                    handlers::unlogged_error_reply(&error)
                        .first_line()
                        .map_or_else(|| "That did not work.".to_owned(), blocks::unescaped),
                    first_block,
                ),
            },
            Ok(_) => {
                self.publish_home(user).await;
                SlackInteractionResponse::Empty
            }
            Err(error) => error_response(
                handlers::error_reply(&error)
                    .first_line()
                    .map_or_else(|| "That did not work.".to_owned(), blocks::unescaped),
                first_block,
            ),
        }
    }

    async fn snooze_week(&self, user: &UserId, value: &str, origin: &Origin) {
        let Some((report_id, _)) = parse_cycle_value(value) else {
            return;
        };
        let person = Mention {
            user_id: report_id,
            name: None,
        };
        let command = Command::Snooze {
            person,
            until: SnoozeUntil::For(Period::days(7)),
            reason: None,
        };
        let result = handlers::run(&self.bot, user, command, Extras::default(), Utc::now()).await;
        self.finish(user, result, origin).await;
    }

    async fn answer_checkin(&self, user: &UserId, value: &str, dispute: bool, origin: &Origin) {
        let Ok(checkin) = value.parse::<i64>() else {
            return;
        };
        let command = if dispute {
            Command::Dispute { reason: None }
        } else {
            Command::Ack
        };
        let extras = Extras {
            checkin_id: Some(checkin),
            ..Extras::default()
        };
        let result = handlers::run(&self.bot, user, command, extras, Utc::now()).await;
        self.finish(user, result, origin).await;
    }

    async fn answer_add_request(&self, user: &UserId, value: &str, decline: bool, origin: &Origin) {
        let Some((request, requester)) = parse_request_value(value) else {
            return;
        };
        let manager = Mention {
            user_id: requester,
            name: None,
        };
        let command = if decline {
            Command::Decline { manager }
        } else {
            Command::Accept { manager }
        };
        let extras = Extras {
            request_id: Some(request),
            ..Extras::default()
        };
        let result = handlers::run(&self.bot, user, command, extras, Utc::now()).await;
        self.finish(user, result, origin).await;
    }

    /// Settles the message on success; shows the reason on refusal (the buttons stay).
    async fn finish(&self, user: &UserId, result: Result<Reply, HandlerError>, origin: &Origin) {
        match result {
            Ok(reply) => {
                let line = reply
                    .first_line()
                    .cloned()
                    .unwrap_or_else(|| "Done.".into());
                let outcome = line.push(" (by ").mention(user).push(")");
                self.settle(user, &outcome, origin).await;
            }
            Err(error) => {
                self.tell(user, &handlers::error_reply(&error), origin)
                    .await
            }
        }
    }
}
