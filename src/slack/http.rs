//! The HTTP side: Slack's routes (`POST /slack/commands`, `/slack/interactions`,
//! `/slack/events`) and the operational ones (`GET /healthz`, `/readyz`, `/metrics`).
//!
//! Every Slack request's signature and timestamp are verified (HMAC-SHA256 with the signing
//! secret, 5-minute window) before anything is parsed; a bad one gets 401 and a log line that
//! names the route and the reason, never the secret, the signature or the body. A verified
//! request whose signature was already seen is a replay (see [`super::replay`]): it gets an
//! empty 200 and does nothing. A verified delivery some replica already handled (a retry
//! Slack signed anew, see [`super::deliveries`]) gets the same.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError as VerifierError,
};

use super::app::SlackApp;
use super::deliveries::{Admit, DeliveryKey, Noting, RetryHeaders};
use super::replay::Replays;
use crate::ids::UserId;
use crate::metrics::Metrics;
use crate::store::Store;

/// How long `/readyz` waits for the database before calling it unreachable: well inside a
/// load balancer's probe timeout (Kubernetes' default is one second).
const DATABASE_PING_LIMIT: std::time::Duration = std::time::Duration::from_millis(800);

/// What the HTTP routes need.
#[derive(Clone)]
pub struct HttpState {
    slack: Option<SlackRoutes>,
    metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
    /// The database `/readyz` checks, when set (see [`HttpState::with_database`]).
    database: Option<Store>,
}

#[derive(Clone)]
struct SlackRoutes {
    app: SlackApp,
    verifier: SlackEventSignatureVerifier,
    replays: Arc<Replays>,
}

impl HttpState {
    /// Routes without Slack (Socket Mode serves Slack over its WebSocket): health and metrics.
    pub fn operational(metrics: Arc<Metrics>, ready: Arc<AtomicBool>) -> Self {
        Self {
            slack: None,
            metrics,
            ready,
            database: None,
        }
    }

    /// Routes with Slack's endpoints, verifying requests with `signing_secret`.
    pub fn with_slack(
        app: SlackApp,
        signing_secret: &str,
        metrics: Arc<Metrics>,
        ready: Arc<AtomicBool>,
    ) -> Self {
        Self {
            slack: Some(SlackRoutes {
                app,
                verifier: SlackEventSignatureVerifier::new(&signing_secret.to_owned().into()),
                replays: Arc::default(),
            }),
            metrics,
            ready,
            database: None,
        }
    }

    /// `/readyz` also answers "not ready" while `store` cannot be reached: a load balancer
    /// then sends Slack's requests to a replica that can record them. The Slack routes keep
    /// answering meanwhile (questions need no database).
    #[must_use]
    pub fn with_database(mut self, store: Store) -> Self {
        self.database = Some(store);
        self
    }
}

/// The router. The state is shared behind an `Arc`, so a request clones one pointer.
pub fn router(state: HttpState) -> Router {
    let state = Arc::new(state);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/events", post(events))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            timed,
        ))
        .with_state(state)
}

/// Records how long each request took to handle, by route, in `/metrics`.
async fn timed(
    State(state): State<Arc<HttpState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .http_request(&route, started.elapsed().as_secs_f64());
    response
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<Arc<HttpState>>) -> Response {
    if !state.ready.load(Ordering::Acquire) {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting\n").into_response();
    }
    if let Some(store) = &state.database
        && let Err(error) = store.ping(DATABASE_PING_LIMIT).await
    {
        tracing::warn!(%error, "not ready: the database cannot be reached");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response();
    }
    (StatusCode::OK, "ready\n").into_response()
}

async fn metrics(State(state): State<Arc<HttpState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// Verifies the request and that it is not a replay; `Err` is the response to send instead.
fn verified<'a>(
    state: &'a HttpState,
    route: &str,
    headers: &HeaderMap,
    body: &'a Bytes,
) -> Result<(&'a SlackRoutes, &'a str), Box<Response>> {
    let Some(slack) = &state.slack else {
        return Err(Box::new(
            (
                StatusCode::NOT_FOUND,
                "Slack routes are off: this bot runs in Socket Mode\n",
            )
                .into_response(),
        ));
    };
    let header_text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let rejection = |reason: &str| {
        tracing::warn!(route, reason, "rejected a Slack request");
        Err(Box::new(
            (StatusCode::UNAUTHORIZED, "invalid Slack signature\n").into_response(),
        ))
    };
    let Some(signature) = header_text(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER) else {
        return rejection("no signature header");
    };
    let Some(timestamp) = header_text(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP) else {
        return rejection("no timestamp header");
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return rejection("body is not UTF-8");
    };
    if let Err(error) = slack.verifier.verify(signature, text, timestamp) {
        let reason = match error {
            VerifierError::WrongSignatureError(_) => "signature does not match",
            VerifierError::AbsentSignatureError(_) => "no signature",
            VerifierError::CryptoInitError(_) => "cannot compute the signature",
            VerifierError::IncorrectOrExpiredTimestampError(_) => {
                "timestamp outside the 5-minute window or malformed"
            }
        };
        return rejection(reason);
    }
    // The verifier checked the timestamp against the clock; the replay memory keeps the
    // signature until then. Now is read here, at the edge, and passed on as a value.
    let now = chrono::Utc::now().timestamp();
    let signed_at = timestamp.parse::<i64>().unwrap_or(now);
    if !slack.replays.first_time(signature, signed_at, now) {
        tracing::warn!(
            route,
            "ignored a replayed Slack request (its signature was already used)"
        );
        return Err(Box::new(StatusCode::OK.into_response()));
    }
    Ok((slack, text))
}

fn bad_request(route: &str, what: &str) -> Response {
    tracing::warn!(route, what, "malformed Slack request");
    (StatusCode::BAD_REQUEST, format!("malformed {what}\n")).into_response()
}

async fn commands(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (slack, text) = match verified(&state, "/slack/commands", &headers, &body) {
        Ok(verified) => verified,
        Err(response) => return *response,
    };
    let app = &slack.app;
    // Questions are answered from the cache with just these two fields; the full event
    // (whose response_url is parsed as a URL) is read only for other commands.
    if let Some((user, question)) = quick_fields(text)
        && let Some(body) = app.cached_answer(&UserId::new(user), &question)
    {
        return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    let Ok(event) = serde_urlencoded::from_str::<SlackCommandEvent>(text) else {
        return bad_request("/slack/commands", "slash command");
    };
    // A cached question above acts on nothing, so only the rest is noted: a command acting
    // twice would record twice, and a read-only one may still post (the `stats` chart).
    let key = DeliveryKey::of_command(&event, text);
    let noting = Noting::new(app, "/slack/commands", key, RetryHeaders::read(&headers));
    match app.command_admitted(event, Some(noting)).await {
        Some(response) => Json(response).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// The user and the text of a slash command's form, decoding only those two of its fields:
/// the others, `response_url` above all, cost more to decode than answering a cached
/// question does. `None` without a user, or when either field appears twice (the full
/// parse then rejects the form, cached or not).
fn quick_fields(form: &str) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    let mut user = None;
    let mut question = None;
    let wanted = form
        .split('&')
        .filter(|pair| pair.starts_with("user_id=") || pair.starts_with("text="));
    for (name, value) in wanted.flat_map(|pair| form_urlencoded::parse(pair.as_bytes())) {
        let field = if name == "user_id" {
            &mut user
        } else {
            &mut question
        };
        if field.replace(value).is_some() {
            return None;
        }
    }
    Some((user?, question.unwrap_or_default()))
}

#[derive(Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interactions(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (slack, text) = match verified(&state, "/slack/interactions", &headers, &body) {
        Ok(verified) => verified,
        Err(response) => return *response,
    };
    let Ok(form) = serde_urlencoded::from_str::<InteractionForm>(text) else {
        return bad_request("/slack/interactions", "interaction form");
    };
    let Ok(event) = serde_json::from_str::<SlackInteractionEvent>(&form.payload) else {
        return bad_request("/slack/interactions", "interaction payload");
    };
    // Without the database, a click is handled anyway: what it records fails the same way
    // (and says so), and what it only answers needs no database.
    let key = DeliveryKey::of_interaction(&event, text);
    let noting = Noting::new(
        &slack.app,
        "/slack/interactions",
        key,
        RetryHeaders::read(&headers),
    );
    interaction_admitted(&slack.app, event, Some(noting)).await
}

/// Answers an interaction: view submissions in the response (Slack shows validation errors
/// from it), everything else acknowledged at once and handled in the background.
pub async fn interaction_response(app: &SlackApp, event: SlackInteractionEvent) -> Response {
    interaction_admitted(app, event, None).await
}

/// [`interaction_response`], noting the delivery first with `noting` (a retry is not
/// handled): a view submission before it is handled, anything else in the background.
async fn interaction_admitted(
    app: &SlackApp,
    event: SlackInteractionEvent,
    noting: Option<Noting>,
) -> Response {
    if matches!(event, SlackInteractionEvent::ViewSubmission(_)) {
        if let Some(noting) = &noting
            && noting.admit(true).await != Admit::Handle
        {
            return StatusCode::OK.into_response();
        }
        return match app.interaction(event).await {
            SlackInteractionResponse::ViewSubmission(response) => Json(response).into_response(),
            _ => StatusCode::OK.into_response(),
        };
    }
    let app = app.clone();
    tokio::spawn(async move {
        if let Some(noting) = &noting
            && noting.admit(true).await != Admit::Handle
        {
            return;
        }
        app.interaction(event).await;
    });
    StatusCode::OK.into_response()
}

async fn events(State(state): State<Arc<HttpState>>, headers: HeaderMap, body: Bytes) -> Response {
    let (slack, text) = match verified(&state, "/slack/events", &headers, &body) {
        Ok(verified) => verified,
        Err(response) => return *response,
    };
    match serde_json::from_str::<SlackPushEvent>(text) {
        Ok(SlackPushEvent::UrlVerification(verification)) => {
            Json(serde_json::json!({ "challenge": verification.challenge })).into_response()
        }
        Ok(SlackPushEvent::EventCallback(callback)) => {
            // The only event handled publishes the home tab, which records nothing.
            let key = DeliveryKey::of_event(&callback);
            let noting = Noting::new(
                &slack.app,
                "/slack/events",
                key,
                RetryHeaders::read(&headers),
            );
            let app = slack.app.clone();
            tokio::spawn(async move {
                if noting.admit(true).await == Admit::Handle {
                    app.push_event(callback).await;
                }
            });
            StatusCode::OK.into_response()
        }
        Ok(SlackPushEvent::AppRateLimited(limited)) => {
            tracing::warn!(?limited, "Slack is rate-limiting events to this app");
            StatusCode::OK.into_response()
        }
        // Event types this bot does not know: acknowledge so Slack does not retry them.
        Err(_) => StatusCode::OK.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::quick_fields;

    #[test]
    fn quick_fields_decode_the_user_and_the_text_only() {
        let form = "team_id=T1&user_id=U%2D1&command=%2Fcareer&text=level+3+%26+more&response_url=https%3A%2F%2Fx";
        let (user, text) = quick_fields(form).expect("a user");
        assert_eq!(user, "U-1");
        assert_eq!(text, "level 3 & more");
    }

    #[test]
    fn quick_fields_without_text_ask_the_empty_question() {
        let (user, text) = quick_fields("user_id=U1&command=%2Fcareer").expect("a user");
        assert_eq!((user.as_ref(), text.as_ref()), ("U1", ""));
    }

    #[test]
    fn quick_fields_need_a_user() {
        assert!(quick_fields("text=senior+engineer&texture=x").is_none());
        assert!(quick_fields("").is_none());
    }

    #[test]
    fn quick_fields_refuse_a_field_given_twice() {
        assert!(quick_fields("user_id=U1&text=a&text=b").is_none());
        assert!(quick_fields("user_id=U1&user_id=U2&text=a").is_none());
    }

    #[test]
    fn quick_fields_match_whole_field_names() {
        let (_, text) = quick_fields("user_id=U1&text_extra=no&text=yes").expect("a user");
        assert_eq!(text, "yes");
    }
}
