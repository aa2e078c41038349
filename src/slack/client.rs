//! The slack-morphism client, pointed at `SLACK_API_URL` over http or https, and how its
//! errors map onto what the scheduler needs to know (retry later, or give up).

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

/// Slack error codes that will not go away by retrying.
const PERMANENT_ERRORS: &[&str] = &[
    "user_not_found",
    "users_not_found",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_disabled",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
    "cannot_dm_bot",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
];

/// How the scheduler should treat a client error.
pub fn classify(error: &SlackClientError) -> SendError {
    match error {
        SlackClientError::RateLimitError(limit) => SendError::RateLimited {
            retry_after: limit.retry_after.unwrap_or(Duration::from_secs(30)),
        },
        SlackClientError::ApiError(api) if PERMANENT_ERRORS.contains(&api.code.as_str()) => {
            SendError::Permanent(format!("Slack refused it: {}", api.code))
        }
        SlackClientError::ApiError(api) => {
            SendError::Temporary(format!("Slack error: {}", api.code))
        }
        SlackClientError::HttpError(http) if http.status_code.is_client_error() => {
            SendError::Permanent(format!("Slack answered HTTP {}", http.status_code))
        }
        other => SendError::Temporary(short_error(other)),
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
    }
}
