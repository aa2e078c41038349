//! The slack-morphism client, pointed at `SLACK_API_URL` over http or https, the time limit
//! on every Web API call ([`within`]), and how its errors map onto what the scheduler needs to
//! know (retry later, or give up).
//!
//! slack-morphism has no request timeout of its own, and one `chat.postMessage` that never
//! answers would hold whatever awaits it forever. So every call the bot makes goes through
//! [`within`] with the configured limit (`SLACK_API_TIMEOUT`, 10 s by default); a call that
//! runs out of time is an error like a dropped connection: its outcome is unknown, and the
//! scheduler looks the message up before it tries again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::errors::*;
use slack_morphism::prelude::*;

use crate::chat::SendError;

/// The HTTP connector: https for Slack, plain http for a test double on loopback.
pub type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// The Slack Web API client.
pub type Client = SlackClient<Connector>;

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up HTTPS for the Slack API: {0}")]
pub struct ClientError(String);

/// Installs the TLS provider (ring) once per process. Without it the TLS stack panics when
/// the first client is built; calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client for the Web API at `api_url` (e.g. `https://slack.com/api`, no trailing slash).
pub fn build(api_url: &str) -> Result<Arc<Client>, ClientError> {
    install_tls_provider();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|error| ClientError(error.to_string()))?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(api_url.trim_end_matches('/'));
    Ok(Arc::new(SlackClient::new(connector)))
}

/// How long a Web API call may take when `SLACK_API_TIMEOUT` is not set.
pub const DEFAULT_API_TIMEOUT: Duration = crate::config::DEFAULT_SLACK_API_TIMEOUT;

/// The start of the message of the error [`within`] returns for a call out of time.
const NO_ANSWER: &str = "Slack did not answer";

/// Runs the Web API call `call` (to `method`, named in the error) for at most `limit`. Out of
/// time, the call is dropped (its connection closed) and the result is an error that
/// [`classify`] reads as of unknown outcome: Slack may still have acted on it (a
/// `chat.postMessage` that timed out may have been posted), so the scheduler looks for it in
/// the DM before posting again (see `crate::scheduler` on the duplicate window).
pub async fn within<T>(
    limit: Duration,
    method: &str,
    call: impl Future<Output = Result<T, SlackClientError>>,
) -> Result<T, SlackClientError> {
    match tokio::time::timeout(limit, call).await {
        Ok(result) => result,
        Err(_) => Err(SlackClientError::SystemError(
            SlackClientSystemError::new()
                .with_message(format!("{NO_ANSWER} {method} within {limit:?}")),
        )),
    }
}

/// Whether `error` is a call that ran out of time in [`within`].
pub fn is_timeout(error: &SlackClientError) -> bool {
    matches!(error, SlackClientError::SystemError(system)
        if system.message.as_deref().is_some_and(|message| message.starts_with(NO_ANSWER)))
}

/// Slack error codes that will not go away by retrying this message.
const PERMANENT_ERRORS: &[&str] = &[
    "user_not_found",
    "users_not_found",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_disabled",
    "missing_scope",
    "cannot_dm_bot",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
];

/// Slack error codes that say the bot token itself is refused: nothing can be sent until it
/// is fixed (see [`SendError::Unauthorized`]).
const AUTH_ERRORS: &[&str] = &[
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
];

/// How the scheduler should treat a client error. Only Slack's own answers (`ok: false` with
/// a code it documents as final) give up on a message at once; its other codes say the
/// message was not posted, and are [`SendError::Temporary`]. Everything else — no answer in
/// time, a dropped connection, an HTTP status without Slack's answer (a proxy or load
/// balancer talking: a 408 from a proxy, a 502 from a gateway, which may have passed the
/// request on) — is [`SendError::Unknown`]: retried with backoff after a look-up, and given
/// up only after a day of failures.
pub fn classify(error: &SlackClientError) -> SendError {
    match error {
        SlackClientError::RateLimitError(limit) => SendError::RateLimited {
            retry_after: limit.retry_after.unwrap_or(Duration::from_secs(30)),
        },
        SlackClientError::ApiError(api) if AUTH_ERRORS.contains(&api.code.as_str()) => {
            SendError::Unauthorized(format!("Slack refused the bot token: {}", api.code))
        }
        SlackClientError::ApiError(api) if PERMANENT_ERRORS.contains(&api.code.as_str()) => {
            SendError::Permanent(format!("Slack refused it: {}", api.code))
        }
        SlackClientError::ApiError(api) => {
            SendError::Temporary(format!("Slack error: {}", api.code))
        }
        other => SendError::Unknown(short_error(other)),
    }
}

/// A one-line description of a client error without response bodies (which may echo tokens
/// or message text into logs).
pub fn short_error(error: &SlackClientError) -> String {
    match error {
        SlackClientError::ApiError(api) => format!("Slack API error {}", api.code),
        SlackClientError::HttpError(http) => format!("Slack HTTP error {}", http.status_code),
        SlackClientError::RateLimitError(limit) => format!(
            "Slack rate limit (retry after {}s)",
            limit.retry_after.map_or(0, |d| d.as_secs())
        ),
        SlackClientError::HttpProtocolError(error) => format!("cannot talk to Slack: {error}"),
        SlackClientError::EndOfStream(_) => "connection to Slack closed".to_owned(),
        SlackClientError::SystemError(error)
            if error
                .message
                .as_deref()
                .is_some_and(|message| message.starts_with(NO_ANSWER)) =>
        {
            error.message.clone().unwrap_or_default()
        }
        SlackClientError::SystemError(error) => format!(
            "system error: {}",
            error.message.clone().unwrap_or_default()
        ),
        SlackClientError::ProtocolError(_) => "unexpected response from Slack".to_owned(),
        SlackClientError::SocketModeProtocolError(_) => "Socket Mode protocol error".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_for_retry() {
        let limit = SlackClientError::RateLimitError(
            SlackRateLimitError::new().with_retry_after(Duration::from_secs(7)),
        );
        assert_eq!(
            classify(&limit),
            SendError::RateLimited {
                retry_after: Duration::from_secs(7)
            }
        );
        let gone = SlackClientError::ApiError(SlackClientApiError::new("user_not_found".into()));
        assert!(matches!(classify(&gone), SendError::Permanent(_)));
        let busy = SlackClientError::ApiError(SlackClientApiError::new("internal_error".into()));
        assert!(matches!(classify(&busy), SendError::Temporary(_)));
        let revoked = SlackClientError::ApiError(SlackClientApiError::new("invalid_auth".into()));
        assert!(matches!(classify(&revoked), SendError::Unauthorized(_)));
    }

    #[test]
    fn an_http_status_without_a_slack_error_is_of_unknown_outcome_whatever_it_is() {
        for status in [400, 403, 404, 408, 409, 425, 500, 502, 503, 504] {
            let error = SlackClientError::HttpError(SlackClientHttpError::new(
                axum::http::StatusCode::from_u16(status).expect("a status"),
            ));
            assert!(
                matches!(classify(&error), SendError::Unknown(_)),
                "HTTP {status}"
            );
        }
    }

    #[tokio::test]
    async fn a_call_that_does_not_answer_in_time_is_of_unknown_outcome_naming_the_method() {
        let hung = within(
            Duration::from_millis(10),
            "chat.postMessage",
            std::future::pending::<Result<(), SlackClientError>>(),
        )
        .await
        .expect_err("out of time");
        assert!(is_timeout(&hung));
        assert_eq!(
            short_error(&hung),
            "Slack did not answer chat.postMessage within 10ms"
        );
        assert!(matches!(classify(&hung), SendError::Unknown(_)));
    }
}
