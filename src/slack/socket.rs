//! Socket Mode: Slack reaches the bot over a WebSocket the bot opens, so no public URL is
//! needed. The callbacks are the same as the HTTP routes'.

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::app::SlackApp;
use super::client::Connector;

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
    Ok(app.command(event).await)
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    let app = app_of(&states).await.ok_or_else(missing_state)?;
    if matches!(event, SlackInteractionEvent::ViewSubmission(_)) {
        return Ok(app.interaction(event).await);
    }
    // Acknowledge at once; the work (views.open, chat.update…) follows.
    tokio::spawn(async move {
        app.interaction(event).await;
    });
    Ok(SlackInteractionResponse::Empty)
}

async fn on_push_event(
    event: SlackPushEventCallback,
    _client: Arc<SlackClient<Connector>>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let app = app_of(&states).await.ok_or_else(missing_state)?;
    tokio::spawn(async move { app.push_event(event).await });
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
