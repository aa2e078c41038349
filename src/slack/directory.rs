//! Emails to Slack user ids through `users.lookupByEmail` (scope `users:read.email`), for
//! `import-org` and the org file `serve` keeps in step.
//!
//! **Cache.** An email Slack knows is asked once per process (one that it does not know is
//! asked again next time: they may have joined since); `import-org` stores the answers with
//! the people, so a later import (a nightly HR export) asks only about people it has never
//! seen.
//!
//! **Pace.** Slack documents `users.lookupByEmail` as a Tier 3 method (50+ calls a minute per
//! workspace; Tier 4, which the issue names, allows 100+). [`Pace::SLACK`] stays within both:
//! a burst of up to 50 calls, then one call every 1.2 s (50 a minute), a token bucket. When
//! Slack answers 429 anyway (other apps share the limit), the bucket is emptied and the call
//! waits the `Retry-After` Slack gives (at most [`MAX_RETRY_AFTER`]) and is made again, up to
//! [`MAX_RATE_LIMITED`] times for one email. A first import of 10,000 fresh emails therefore
//! takes about 200 minutes at Slack's documented pace; that is Slack's limit, not ours, and
//! happens once.
//!
//! Other failures: `users_not_found` is "nobody has this email"; a refused token or a missing
//! scope stops the import with a sentence saying what to fix; a dropped connection or a
//! timeout is tried again twice, then stops the import. Nothing is written in either case.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::time::Instant;

use super::client::{Client, DEFAULT_API_TIMEOUT, short_error, within};
use crate::admin::import::emails::{Directory, Lookup, LookupError};
use crate::ids::UserId;

/// The longest single wait a `Retry-After` can impose.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(15 * 60);
/// How many 429 answers one email may get before the import gives up.
pub const MAX_RATE_LIMITED: u32 = 10;
/// How many times a failed connection or timeout is tried again.
const MAX_TEMPORARY_RETRIES: u32 = 2;

/// How fast lookups may go: a token bucket of `burst` calls, refilled one per `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Calls that may go at once after a quiet spell.
    pub burst: u32,
    /// One more call allowed per this long; zero means no pacing but Slack's 429s.
    pub every: Duration,
}

impl Pace {
    /// Slack's documented limit for `users.lookupByEmail` (Tier 3: 50 a minute), which is
    /// also within Tier 4.
    pub const SLACK: Pace = Pace {
        burst: 50,
        every: Duration::from_millis(1200),
    };

    /// Paced only by Slack's 429 answers (benches, and tests against a fake).
    pub const BY_RATE_LIMITS_ONLY: Pace = Pace {
        burst: 1,
        every: Duration::ZERO,
    };
}

/// The token bucket's state.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

/// `users.lookupByEmail`, cached and paced; see the module docs.
pub struct SlackDirectory {
    client: Arc<Client>,
    token: SlackApiToken,
    api_timeout: Duration,
    pace: Pace,
    bucket: tokio::sync::Mutex<Bucket>,
    cache: Mutex<HashMap<String, UserId>>,
}

impl SlackDirectory {
    /// A directory asking Slack with the bot token, at [`Pace::SLACK`].
    pub fn new(client: Arc<Client>, token: SlackApiToken) -> Self {
        Self {
            client,
            token,
            api_timeout: DEFAULT_API_TIMEOUT,
            pace: Pace::SLACK,
            bucket: tokio::sync::Mutex::new(Bucket {
                tokens: f64::from(Pace::SLACK.burst),
                refilled_at: Instant::now(),
            }),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The same directory with another pace.
    pub fn with_pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        self.bucket = tokio::sync::Mutex::new(Bucket {
            tokens: f64::from(pace.burst),
            refilled_at: Instant::now(),
        });
        self
    }

    /// The same directory with `limit` on each call instead of 10 s.
    pub fn with_api_timeout(mut self, limit: Duration) -> Self {
        self.api_timeout = limit;
        self
    }

    fn cached(&self, email: &str) -> Option<UserId> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(email).cloned()
    }

    fn remember(&self, email: &str, id: UserId) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(email.to_owned(), id);
    }

    /// Waits until the bucket allows one more call, and takes it.
    async fn take_turn(&self) {
        if self.pace.every.is_zero() {
            return;
        }
        let mut bucket = self.bucket.lock().await;
        let now = Instant::now();
        let earned =
            now.duration_since(bucket.refilled_at).as_secs_f64() / self.pace.every.as_secs_f64();
        bucket.tokens = (bucket.tokens + earned).min(f64::from(self.pace.burst));
        bucket.refilled_at = now;
        if bucket.tokens < 1.0 {
            let wait = self.pace.every.mul_f64(1.0 - bucket.tokens);
            // Holding the lock while waiting keeps callers in order.
            tokio::time::sleep(wait).await;
            bucket.tokens = 1.0;
            bucket.refilled_at = Instant::now();
        }
        bucket.tokens -= 1.0;
    }

    /// After a 429: no more calls until Slack's `Retry-After` has passed.
    async fn back_off(&self, retry_after: Duration) {
        let mut bucket = self.bucket.lock().await;
        tokio::time::sleep(retry_after.min(MAX_RETRY_AFTER)).await;
        bucket.tokens = 0.0;
        bucket.refilled_at = Instant::now();
    }

    async fn ask_slack(&self, email: &str) -> Result<Option<UserId>, LookupError> {
        let mut rate_limited = 0;
        let mut temporary = 0;
        loop {
            self.take_turn().await;
            let request = SlackApiUsersLookupByEmailRequest::new(EmailAddress(email.to_owned()));
            let answer = within(
                self.api_timeout,
                "users.lookupByEmail",
                self.client
                    .open_session(&self.token)
                    .users_lookup_by_email(&request),
            )
            .await;
            match answer {
                Ok(found) => return Ok(Some(UserId::new(found.user.id.to_string()))),
                Err(SlackClientError::ApiError(api)) if api.code == "users_not_found" => {
                    return Ok(None);
                }
                Err(SlackClientError::RateLimitError(limit)) if rate_limited < MAX_RATE_LIMITED => {
                    rate_limited += 1;
                    let wait = limit.retry_after.unwrap_or(Duration::from_secs(30));
                    tracing::info!(
                        wait_secs = wait.as_secs(),
                        "Slack asked to slow down email lookups; waiting"
                    );
                    self.back_off(wait).await;
                }
                Err(SlackClientError::ApiError(api)) => {
                    return Err(LookupError(refusal(&api.code)));
                }
                Err(error @ SlackClientError::RateLimitError(_)) => {
                    return Err(LookupError(format!(
                        "Slack kept rate-limiting users.lookupByEmail ({}); try again later",
                        short_error(&error)
                    )));
                }
                Err(error) if temporary < MAX_TEMPORARY_RETRIES => {
                    temporary += 1;
                    tracing::warn!(error = %short_error(&error), "email lookup failed; trying again");
                    tokio::time::sleep(Duration::from_secs(u64::from(temporary))).await;
                }
                Err(error) => {
                    return Err(LookupError(format!(
                        "cannot ask Slack who has an email ({}); try again when Slack answers",
                        short_error(&error)
                    )));
                }
            }
        }
    }
}

/// The sentence for a Slack error code that stops every lookup.
fn refusal(code: &str) -> String {
    match code {
        "missing_scope" => "Slack refused users.lookupByEmail (missing_scope): add the bot scope users:read.email to the app (deploy/slack-app-manifest.yaml) and reinstall it".to_owned(),
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" => format!(
            "Slack refused the bot token ({code}); set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…)"
        ),
        other => format!("Slack refused users.lookupByEmail ({other})"),
    }
}

impl Directory for SlackDirectory {
    fn lookup<'a>(&'a self, email: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            if let Some(known) = self.cached(email) {
                return Ok(Some(known));
            }
            let found = self.ask_slack(email).await?;
            // Only answers found are kept: someone unknown today may join Slack tomorrow,
            // and `serve` keeps one directory for as long as it runs.
            if let Some(id) = &found {
                self.remember(email, id.clone());
            }
            Ok(found)
        })
    }
}

impl super::SlackApp {
    /// A directory asking Slack with this app's client and token, at [`Pace::SLACK`].
    pub fn directory(&self) -> SlackDirectory {
        SlackDirectory::new(Arc::clone(&self.client), self.token.clone())
            .with_api_timeout(self.api_timeout)
    }
}
