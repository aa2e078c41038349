//! Socket Mode: Slack reaches the bot over a WebSocket the bot opens, so no public URL is
//! needed. The callbacks are the same as the HTTP routes', and note each delivery the same way
//! (see [`super::deliveries`]): Slack sends an envelope again when its acknowledgement was
//! late, perhaps to another replica's connection. The listener does not pass the envelope's
//! retry number on, so the log says only that a delivery was already handled. With no raw
//! body, the key's fingerprint is of the payload as parsed and written again.

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::app::SlackApp;
use super::client::Connector;
use super::deliveries::{Admit, DeliveryKey, Noting, RetryHeaders};

/// Connects with the app-level token (`xapp-…`) and serves until `shutdown` resolves.
pub async fn run(
    app: SlackApp,
    app_token: SlackApiToken,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), slack_morphism::errors::SlackClientError> {
    let callbacks = SlackSocketModeListenerCallbacks::<Connector>::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push_event);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(Arc::clone(&app.client))
            .with_error_handler(on_error)
            .with_user_state(app.clone()),
    );
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new(),
        environment,
        callbacks,
    );
    listener.listen_for(&app_token).await?;
    listener.start().await;
    tracing::info!("connected to Slack in Socket Mode");
    shutdown.await;
    listener.shutdown().await;
    Ok(())
}

async fn app_of(states: &SlackClientEventsUserState) -> Option<SlackApp> {
    states.read().await.get_user_state::<SlackApp>().cloned()
}

fn missing_state() -> Box<dyn std::error::Error + Send + Sync> {
    "the Socket Mode listener has no app state".into()
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let app = app_of(&states).await.ok_or_else(missing_state)?;
    let payload = serde_json::to_string(&event).unwrap_or_default();
    let key = DeliveryKey::of_command(&event, &payload);
    let noting = Noting::new(&app, "socket:slash_commands", key, RetryHeaders::default());
    Ok(app
        .command_admitted(event, Some(noting))
        .await
        .unwrap_or_else(|| SlackCommandEventResponse::new(SlackMessageContent::new())))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    let app = app_of(&states).await.ok_or_else(missing_state)?;
    let payload = serde_json::to_string(&event).unwrap_or_default();
    let key = DeliveryKey::of_interaction(&event, &payload);
    let noting = Noting::new(&app, "socket:interactive", key, RetryHeaders::default());
    // Without the database a click is handled anyway, as over HTTP (see `http`).
    if matches!(event, SlackInteractionEvent::ViewSubmission(_)) {
        if noting.admit(true).await != Admit::Handle {
            return Ok(SlackInteractionResponse::Empty);
        }
        return Ok(app.interaction(event).await);
    }
    // Acknowledge at once; the work (views.open, chat.update…) follows.
    tokio::spawn(async move {
        if noting.admit(true).await == Admit::Handle {
            app.interaction(event).await;
        }
    });
    Ok(SlackInteractionResponse::Empty)
}

async fn on_push_event(
    event: SlackPushEventCallback,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let app = app_of(&states).await.ok_or_else(missing_state)?;
    let noting = Noting::new(
        &app,
        "socket:events_api",
        DeliveryKey::of_event(&event),
        RetryHeaders::default(),
    );
    tokio::spawn(async move {
        if noting.admit(true).await == Admit::Handle {
            app.push_event(event).await;
        }
    });
    Ok(())
}

fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackClient<Connector>>,
    _states: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::warn!(%error, "Socket Mode listener error");
    HttpStatusCode::OK
}
