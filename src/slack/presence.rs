//! Whether someone is there, from Slack: their profile status (`users.info`: `status_text`,
//! `status_emoji`, `status_expiration`) and do-not-disturb (`dnd.info`), cached for an hour
//! per person so a scheduler pass over many reminders asks Slack about each person at most
//! once an hour. Both calls go through the client's rate control with their tiers (Tier 4
//! and Tier 3). A failed look-up is not cached and says nothing is set: the message goes out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use slack_morphism::prelude::*;

use super::client::{Client, short_error, within};
use crate::checkins::away::{DndWindow, Presence, ProfileStatus};
use crate::metrics::Metrics;

/// How long a person's presence is trusted.
pub const PRESENCE_TTL: Duration = Duration::from_secs(60 * 60);

/// The presence cache.
#[derive(Clone)]
pub struct Presences {
    client: Arc<Client>,
    token: SlackApiToken,
    cached: Arc<Mutex<HashMap<String, (Instant, Presence)>>>,
    metrics: Arc<Metrics>,
    api_timeout: Duration,
}

/// What `dnd.info` answers (the fields used).
#[derive(Debug, Default, Deserialize)]
struct DndInfo {
    #[serde(default)]
    dnd_enabled: bool,
    next_dnd_start_ts: Option<i64>,
    next_dnd_end_ts: Option<i64>,
    #[serde(default)]
    snooze_enabled: bool,
    snooze_endtime: Option<i64>,
}

impl Presences {
    /// A cache asking Slack with the bot token, each call limited to `api_timeout`.
    pub fn new(
        client: Arc<Client>,
        token: SlackApiToken,
        metrics: Arc<Metrics>,
        api_timeout: Duration,
    ) -> Self {
        Self {
            client,
            token,
            cached: Arc::new(Mutex::new(HashMap::new())),
            metrics,
            api_timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Presence)>> {
        match self.cached.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `user`'s presence: from the cache when under an hour old, else from Slack.
    pub async fn presence(&self, user: &str, now: DateTime<Utc>) -> Presence {
        if let Some((at, presence)) = self.lock().get(user)
            && at.elapsed() < PRESENCE_TTL
        {
            return presence.clone();
        }
        let Some(status) = self.status(user).await else {
            return Presence::default();
        };
        let Some(dnd) = self.dnd(user, now).await else {
            return Presence::default();
        };
        let presence = Presence { status, dnd };
        self.lock()
            .insert(user.to_owned(), (Instant::now(), presence.clone()));
        presence
    }

    /// The profile status; `None` when Slack could not be asked.
    async fn status(&self, user: &str) -> Option<Option<ProfileStatus>> {
        let started = Instant::now();
        let request = SlackApiUsersInfoRequest::new(user.to_owned().into());
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
                tracing::warn!(user, error = %short_error(&error), "cannot read a Slack status; sending as planned");
                return None;
            }
        };
        let profile = info.profile?;
        let text = profile.status_text.unwrap_or_default();
        let emoji = profile
            .status_emoji
            .map(|emoji| emoji.to_string())
            .unwrap_or_default();
        if text.is_empty() && emoji.is_empty() {
            return Some(None);
        }
        // Slack writes 0 for "does not expire".
        let expires = profile
            .status_expiration
            .map(|at| at.0.as_second())
            .filter(|seconds| *seconds > 0)
            .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0));
        Some(Some(ProfileStatus {
            text,
            emoji,
            expires,
        }))
    }

    /// The do-not-disturb window that `now` may fall in; `None` when Slack could not be asked.
    async fn dnd(&self, user: &str, now: DateTime<Utc>) -> Option<Option<DndWindow>> {
        let started = Instant::now();
        let session = self.client.open_session(&self.token);
        let params = vec![("user", Some(user.to_owned()))];
        let response: Result<DndInfo, _> = within(
            self.api_timeout,
            "dnd.info",
            session.http_session_api.http_get(
                "dnd.info",
                &params,
                Some(&SLACK_TIER3_METHOD_CONFIG),
            ),
        )
        .await;
        self.metrics
            .slack_call("dnd.info", started, response.is_ok());
        let info = match response {
            Ok(info) => info,
            Err(error) => {
                tracing::warn!(user, error = %short_error(&error), "cannot read Slack do-not-disturb; sending as planned");
                return None;
            }
        };
        Some(dnd_window(&info, now))
    }
}

/// The window `dnd.info` describes: a snooze runs from now to its end; a schedule from its
/// next start to its next end.
fn dnd_window(info: &DndInfo, now: DateTime<Utc>) -> Option<DndWindow> {
    let at = |seconds: i64| DateTime::<Utc>::from_timestamp(seconds, 0);
    if info.snooze_enabled
        && let Some(end) = info.snooze_endtime.and_then(at)
        && end > now
    {
        return Some(DndWindow { start: now, end });
    }
    if !info.dnd_enabled {
        return None;
    }
    let start = info.next_dnd_start_ts.and_then(at)?;
    let end = info.next_dnd_end_ts.and_then(at)?;
    (end > start).then_some(DndWindow { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snooze_or_a_schedule_makes_the_window() {
        let now = DateTime::<Utc>::from_timestamp(1_000, 0).expect("time");
        let snooze = DndInfo {
            snooze_enabled: true,
            snooze_endtime: Some(2_000),
            ..DndInfo::default()
        };
        assert_eq!(
            dnd_window(&snooze, now).map(|w| (w.start.timestamp(), w.end.timestamp())),
            Some((1_000, 2_000))
        );
        let scheduled = DndInfo {
            dnd_enabled: true,
            next_dnd_start_ts: Some(500),
            next_dnd_end_ts: Some(1_500),
            ..DndInfo::default()
        };
        assert_eq!(
            dnd_window(&scheduled, now).map(|w| (w.start.timestamp(), w.end.timestamp())),
            Some((500, 1_500))
        );
        assert_eq!(dnd_window(&DndInfo::default(), now), None);
    }
}
