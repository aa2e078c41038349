//! People's names and time zones from `users.info`, cached for a day.
//!
//! Reminders go out at 09:00 in each manager's own time zone, so the zone Slack knows is the
//! one that counts. A profile is fetched when someone uses the bot and it is more than a day
//! old; [`Profiles::refresh_managers`] also refreshes every manager daily, for managers who
//! never type a command.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use slack_morphism::prelude::*;

use super::client::{Client, DEFAULT_API_TIMEOUT, short_error, within};
use crate::bot::Bot;
use crate::ids::UserId;
use crate::metrics::Metrics;

/// How long a fetched profile is trusted.
pub const PROFILE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The users.info cache.
#[derive(Clone)]
pub struct Profiles {
    client: Arc<Client>,
    token: SlackApiToken,
    fetched: Arc<Mutex<HashMap<String, Instant>>>,
    metrics: Arc<Metrics>,
    /// The time limit of each `users.info` call.
    api_timeout: Duration,
}

impl Profiles {
    /// A cache fetching with the bot token.
    pub fn new(client: Arc<Client>, token: SlackApiToken, metrics: Arc<Metrics>) -> Self {
        Self {
            client,
            token,
            fetched: Arc::new(Mutex::new(HashMap::new())),
            metrics,
            api_timeout: DEFAULT_API_TIMEOUT,
        }
    }

    /// The same cache with `limit` on each `users.info` call instead of 10 s.
    pub fn with_api_timeout(mut self, limit: Duration) -> Self {
        self.api_timeout = limit;
        self
    }

    fn is_fresh(&self, user: &str) -> bool {
        let fetched = match self.fetched.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        fetched
            .get(user)
            .is_some_and(|at| at.elapsed() < PROFILE_TTL)
    }

    fn mark(&self, user: &str) {
        let mut fetched = match self.fetched.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        fetched.insert(user.to_owned(), Instant::now());
    }

    /// Fetches `user`'s profile now and stores their name and time zone.
    pub async fn refresh(&self, bot: &Bot, user: &UserId) {
        let started = Instant::now();
        let request = SlackApiUsersInfoRequest::new(user.into());
        let response = within(
            self.api_timeout,
            "users.info",
            self.client.open_session(&self.token).users_info(&request),
        )
        .await;
        self.metrics
            .slack_call("users.info", started, response.is_ok());
        let info = match response {
            Ok(info) => info.user,
            Err(error) => {
                tracing::warn!(user = user.as_str(), error = %short_error(&error), "cannot read a Slack profile");
                return;
            }
        };
        self.mark(user.as_str());
        let name = info
            .profile
            .as_ref()
            .and_then(|profile| {
                profile
                    .display_name
                    .clone()
                    .filter(|name| !name.is_empty())
                    .or_else(|| profile.real_name.clone())
            })
            .or(info.real_name.clone())
            .or(info.name.clone());
        let zone = info
            .tz
            .clone()
            .filter(|zone| zone.parse::<chrono_tz::Tz>().is_ok());
        if let Err(error) = bot
            .store()
            .update_profile(
                user,
                name.as_deref(),
                zone.as_deref(),
                &UserId::new("slack"),
                Utc::now(),
            )
            .await
        {
            tracing::error!(user = user.as_str(), %error, "cannot store a Slack profile");
        }
    }

    /// Marks `user` as fetched now; false when their profile is already fresh (or a fetch is
    /// under way). One lock for both, so a burst of requests fetches once.
    fn claim_refresh(&self, user: &str) -> bool {
        let mut fetched = match self.fetched.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if fetched
            .get(user)
            .is_some_and(|at| at.elapsed() < PROFILE_TTL)
        {
            return false;
        }
        fetched.insert(user.to_owned(), Instant::now());
        true
    }

    /// Refreshes `user` in the background when their profile is more than a day old. Never
    /// delays the caller (a slash command must be answered within 3 seconds).
    pub fn refresh_if_stale(&self, bot: &Arc<Bot>, user: &UserId) {
        if !self.claim_refresh(user.as_str()) {
            return;
        }
        let profiles = self.clone();
        let bot = Arc::clone(bot);
        let user = user.clone();
        tokio::spawn(async move { profiles.refresh(&bot, &user).await });
    }

    /// Refreshes every manager whose profile is stale (run daily by `serve`).
    pub async fn refresh_managers(&self, bot: &Bot) {
        let managers = match bot.store().active_manager_ids().await {
            Ok(managers) => managers,
            Err(error) => {
                tracing::error!(%error, "cannot list managers for the profile refresh");
                return;
            }
        };
        for manager in managers {
            if !self.is_fresh(manager.as_str()) {
                self.refresh(bot, &manager).await;
            }
        }
    }
}
