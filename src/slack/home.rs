//! The App Home tab, published with `views.publish` when someone opens it and after they act
//! from it.

use chrono::Utc;
use slack_morphism::prelude::*;
use tracing::Instrument;

use super::app::SlackApp;
use super::blocks;
use crate::bot::handlers;
use crate::ids::UserId;

impl SlackApp {
    /// Publishes `user`'s home tab.
    pub async fn publish_home(&self, user: &UserId) {
        let reply = match handlers::home(&self.bot, user, Utc::now()).await {
            Ok(reply) => reply,
            Err(error) => handlers::unlogged_error_reply(&error),
        };
        let rendered = blocks::render(&reply, 0, None);
        let view = SlackView::Home(SlackHomeView::new(rendered.blocks));
        let started = std::time::Instant::now();
        let request = SlackApiViewsPublishRequest::new(user.into(), view);
        let result = self
            .within("views.publish", self.session().views_publish(&request))
            .await;
        self.bot
            .metrics()
            .slack_call("views.publish", started, result.is_ok());
        if let Err(error) = result {
            tracing::warn!(user = user.as_str(), error = %super::client::short_error(&error), "cannot publish the home tab");
        }
    }

    /// Handles an Events API event (HTTP and Socket Mode alike): the home tab being opened.
    pub async fn push_event(&self, event: SlackPushEventCallback) {
        if let SlackEventCallbackBody::AppHomeOpened(opened) = event.event {
            let user = UserId::from(&opened.user);
            let span = tracing::info_span!("event", user = %user, kind = "app_home_opened");
            async {
                self.profiles.refresh_if_stale(&self.bot, &user);
                self.publish_home(&user).await;
            }
            .instrument(span)
            .await;
        }
    }
}
