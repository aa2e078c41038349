//! Proves `support::FakeSlack` speaks what the real slack-morphism client expects: every
//! served method parses, scripted failures surface as slack-morphism errors, and Socket Mode
//! acks carry a slash command's response.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use support::{BOT_USER_ID, Failure, FakeSlack, TEAM_ID};

const BOT_TOKEN: &str = "xoxb-fake-bot-token";
const APP_TOKEN: &str = "xapp-fake-app-token";
const WAIT: Duration = Duration::from_secs(5);

fn bot_token() -> SlackApiToken {
    SlackApiToken::new(BOT_TOKEN.into())
}

fn app_token() -> SlackApiToken {
    SlackApiToken::new(APP_TOKEN.into())
}

fn section(text: &str) -> SlackBlock {
    SlackBlock::Section(SlackSectionBlock::new().with_text(SlackBlockText::MarkDown(
        SlackBlockMarkDownText::new(text.into()),
    )))
}

#[tokio::test]
async fn web_api_methods_parse_and_are_recorded() {
    let fake = FakeSlack::start().await;
    fake.set_user("U1", "ada", "Europe/London");
    let client = fake.slack_client();
    let token = bot_token();
    let session = client.open_session(&token);

    // auth.test (GET)
    let auth = session.auth_test().await.expect("auth.test");
    assert_eq!(auth.user_id.0, BOT_USER_ID);
    assert_eq!(auth.team_id.0, TEAM_ID);
    let rec = fake.expect_one("auth.test");
    assert_eq!(rec.token.as_deref(), Some(BOT_TOKEN));
    assert_eq!(rec.http_method, "GET");

    // conversations.open (POST JSON) and its return_im variant
    let open = session
        .conversations_open(&SlackApiConversationsOpenRequest::new().with_users(vec!["U1".into()]))
        .await
        .expect("conversations.open");
    assert_eq!(open.channel.id.0, "DU1");
    let full = session
        .conversations_open_full(
            &SlackApiConversationsOpenRequest::new().with_users(vec!["U1".into()]),
        )
        .await
        .expect("conversations.open return_im");
    assert_eq!(full.channel.id.0, "DU1");
    assert_eq!(full.channel.flags.is_im, Some(true));
    let opens = fake.take("conversations.open");
    assert_eq!(opens.len(), 2);
    assert_eq!(opens[0].params["users"], json!(["U1"]));
    assert_eq!(opens[1].params["return_im"], json!(true));

    // chat.postMessage: fresh, increasing ts; blocks recorded as sent
    let post = |text: &str| {
        SlackApiChatPostMessageRequest::new(
            "DU1".into(),
            SlackMessageContent::new()
                .with_text(text.into())
                .with_blocks(vec![section(text)]),
        )
    };
    let first = session
        .chat_post_message(&post("*hello*"))
        .await
        .expect("chat.postMessage");
    let second = session
        .chat_post_message(&post("again").with_thread_ts(first.ts.clone()))
        .await
        .expect("chat.postMessage");
    assert_eq!(first.channel.0, "DU1");
    assert_eq!(first.ts.0, "1700000000.000100");
    assert_eq!(second.ts.0, "1700000000.000200");
    assert_eq!(first.message.origin.ts, first.ts);
    assert_eq!(first.message.content.text.as_deref(), Some("*hello*"));
    assert_eq!(first.message.content.blocks, Some(vec![section("*hello*")]));
    let posts = fake.take("chat.postMessage");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].str_param("channel"), Some("DU1"));
    assert_eq!(posts[0].params["blocks"][0]["type"], "section");
    assert_eq!(posts[0].params["blocks"][0]["text"]["text"], "*hello*");
    assert_eq!(posts[1].str_param("thread_ts"), Some("1700000000.000100"));

    // chat.update
    let updated = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            "DU1".into(),
            SlackMessageContent::new().with_text("edited".into()),
            first.ts.clone(),
        ))
        .await
        .expect("chat.update");
    assert_eq!(updated.ts, first.ts);
    assert_eq!(updated.message.content.text.as_deref(), Some("edited"));
    let rec = fake.expect_one("chat.update");
    assert_eq!(rec.str_param("ts"), Some("1700000000.000100"));
    assert_eq!(rec.str_param("text"), Some("edited"));

    // users.info (GET with a query string): tz from the table
    let user = session
        .users_info(&SlackApiUsersInfoRequest::new("U1".into()))
        .await
        .expect("users.info");
    assert_eq!(user.user.id.0, "U1");
    assert_eq!(user.user.tz.as_deref(), Some("Europe/London"));
    assert!(user.user.tz_offset.is_some());
    assert_eq!(fake.expect_one("users.info").str_param("user"), Some("U1"));

    // views.publish (home) and views.open (modal)
    let home = SlackHomeView::new(vec![section("home")]);
    let published = session
        .views_publish(&SlackApiViewsPublishRequest::new(
            "U1".into(),
            SlackView::Home(home.clone()),
        ))
        .await
        .expect("views.publish");
    assert_eq!(published.view.state_params.team_id.0, TEAM_ID);
    assert_eq!(published.view.view, SlackView::Home(home));
    let rec = fake.expect_one("views.publish");
    assert_eq!(rec.str_param("user_id"), Some("U1"));
    assert_eq!(rec.params["view"]["type"], "home");

    let modal = SlackModalView::new("Check-in".into(), vec![section("notes")])
        .with_callback_id("checkin".into());
    let opened = session
        .views_open(&SlackApiViewsOpenRequest::new(
            "trigger-1".into(),
            SlackView::Modal(modal.clone()),
        ))
        .await
        .expect("views.open");
    assert_eq!(opened.view.view, SlackView::Modal(modal));
    assert_ne!(opened.view.state_params.id, published.view.state_params.id);
    let rec = fake.expect_one("views.open");
    assert_eq!(rec.str_param("trigger_id"), Some("trigger-1"));
    assert_eq!(rec.params["view"]["callback_id"], "checkin");

    // apps.connections.open with the app-level token
    let app_token = app_token();
    let conn = client
        .open_session(&app_token)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .expect("apps.connections.open");
    assert_eq!(conn.url.0.as_str(), fake.ws_url());
    assert_eq!(
        fake.expect_one("apps.connections.open").token.as_deref(),
        Some(APP_TOKEN)
    );
}

#[tokio::test]
async fn unknown_user_is_an_api_error() {
    let fake = FakeSlack::start().await;
    let client = fake.slack_client();
    let token = bot_token();
    let err = client
        .open_session(&token)
        .users_info(&SlackApiUsersInfoRequest::new("U404".into()))
        .await
        .expect_err("unknown user");
    match err {
        SlackClientError::ApiError(e) => assert_eq!(e.code, "user_not_found"),
        other => panic!("unexpected error {other:?}"),
    }
    fake.expect_one("users.info");
}

#[tokio::test]
async fn scripted_failures_surface_as_slack_morphism_errors() {
    let fake = FakeSlack::start().await;
    let client = fake.slack_client();
    let token = bot_token();
    let session = client.open_session(&token);
    let req = SlackApiChatPostMessageRequest::new(
        "C1".into(),
        SlackMessageContent::new().with_text("hi".into()),
    );

    fake.fail_next(
        "chat.postMessage",
        Failure::RateLimited {
            retry_after_secs: 7,
        },
    );
    fake.fail_next("chat.postMessage", Failure::SlackError("channel_not_found"));
    fake.fail_next("chat.postMessage", Failure::Status(500));

    match session.chat_post_message(&req).await {
        Err(SlackClientError::RateLimitError(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
            assert_eq!(e.code.as_deref(), Some("ratelimited"));
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
    match session.chat_post_message(&req).await {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "channel_not_found"),
        other => panic!("expected an API error, got {other:?}"),
    }
    match session.chat_post_message(&req).await {
        Err(SlackClientError::HttpError(e)) => assert_eq!(e.status_code.as_u16(), 500),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    // The script is used up: back to the default answer.
    session.chat_post_message(&req).await.expect("fourth call");
    assert_eq!(fake.take("chat.postMessage").len(), 4);
}

#[tokio::test]
async fn rate_control_retries_after_a_429() {
    let fake = FakeSlack::start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        )
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let client = SlackClient::new(
        SlackClientHyperConnector::with_connector(https)
            .with_slack_api_url(&fake.api_url())
            .with_rate_control(SlackApiRateControlConfig::new().with_max_retries(2)),
    );
    let token = bot_token();
    fake.fail_next(
        "users.info",
        Failure::RateLimited {
            retry_after_secs: 0,
        },
    );
    fake.set_user("U1", "ada", "America/New_York");
    let user = client
        .open_session(&token)
        .users_info(&SlackApiUsersInfoRequest::new("U1".into()))
        .await
        .expect("retried");
    assert_eq!(user.user.tz.as_deref(), Some("America/New_York"));
    assert_eq!(fake.take("users.info").len(), 2);
}

#[tokio::test]
async fn form_encoded_requests_are_recorded_like_json_ones() {
    let fake = FakeSlack::start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "a+b & c"}}]);
    let res: serde_json::Value = http
        .post(format!("{}/chat.postMessage", fake.api_url()))
        .bearer_auth(BOT_TOKEN)
        .form(&[
            ("channel", "C1"),
            ("text", "a+b & c = 100%"),
            ("blocks", &blocks.to_string()),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(res["ok"], true);
    assert_eq!(res["channel"], "C1");
    let rec = fake.expect_one("chat.postMessage");
    assert_eq!(rec.token.as_deref(), Some(BOT_TOKEN));
    assert_eq!(rec.str_param("text"), Some("a+b & c = 100%"));
    assert_eq!(rec.params["blocks"], blocks);
}

#[tokio::test]
#[should_panic(expected = "requests never checked")]
async fn an_unchecked_request_fails_the_test() {
    let fake = FakeSlack::start().await;
    let client = fake.slack_client();
    let token = bot_token();
    client.open_session(&token).auth_test().await.unwrap();
}

#[tokio::test]
async fn ignored_methods_need_no_check() {
    let fake = FakeSlack::start().await;
    fake.ignore("auth.test");
    let client = fake.slack_client();
    let token = bot_token();
    client.open_session(&token).auth_test().await.unwrap();
}

#[tokio::test]
#[should_panic(expected = "call of unserved method conversations.info")]
async fn an_unexpected_method_fails_the_test() {
    let fake = FakeSlack::start().await;
    let client = fake.slack_client();
    let token = bot_token();
    let err = client
        .open_session(&token)
        .conversations_info(&SlackApiConversationsInfoRequest::new("C1".into()))
        .await
        .expect_err("not served");
    assert!(matches!(err, SlackClientError::HttpError(_)), "{err:?}");
}

// ---- Socket Mode --------------------------------------------------------------------------------

async fn on_command(
    event: SlackCommandEvent,
    client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    // Answer at once in the ack; follow up through response_url, as the bot does for slow work.
    let response_url = event.response_url.clone();
    tokio::spawn(async move {
        let _ = client
            .respond_to_event(
                &response_url,
                &SlackApiPostWebhookMessageRequest::new(
                    SlackMessageContent::new().with_text("follow-up".into()),
                ),
            )
            .await;
    });
    Ok(
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(format!(
            "{} {}",
            event.command.0,
            event.text.unwrap_or_default()
        )))
        .with_response_type(SlackMessageResponseType::Ephemeral),
    )
}

async fn on_interaction(
    event: SlackInteractionEvent,
    client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let SlackInteractionEvent::BlockActions(actions) = event {
        let channel = actions.channel.expect("channel").id;
        let value = actions.actions.unwrap_or_default()[0].value.clone();
        let token = bot_token();
        client
            .open_session(&token)
            .chat_post_message(&SlackApiChatPostMessageRequest::new(
                channel,
                SlackMessageContent::new().with_text(value.unwrap_or_default()),
            ))
            .await?;
    }
    Ok(())
}

fn socket_listener(
    fake: &FakeSlack,
) -> SlackClientSocketModeListener<SlackClientHyperHttpsConnector> {
    let client = Arc::new(fake.slack_client());
    let environment = Arc::new(SlackClientEventsListenerEnvironment::new(client));
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction);
    SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new().with_max_connections_count(1),
        environment,
        callbacks,
    )
}

#[tokio::test]
async fn socket_mode_slash_command_is_acked_with_the_response() {
    let fake = FakeSlack::start().await;
    let listener = socket_listener(&fake);
    listener.listen_for(&app_token()).await.expect("listen_for");
    listener.start().await;
    fake.socket_connected(WAIT).await;
    assert_eq!(
        fake.expect_one("apps.connections.open").token.as_deref(),
        Some(APP_TOKEN)
    );

    let payload = fake.slash_command_payload("/career", "help", "U1", "DU1");
    let envelope = fake.socket_send_envelope("slash_commands", payload).await;
    let ack = fake.socket_wait_ack(&envelope, WAIT).await;
    assert_eq!(
        ack,
        Some(json!({"text": "/career help", "response_type": "ephemeral"}))
    );

    fake.wait_for(support::RESPONSE_URL_METHOD, 1, WAIT).await;
    let follow_up = fake.expect_one(support::RESPONSE_URL_METHOD);
    assert_eq!(follow_up.str_param("text"), Some("follow-up"));
    assert_eq!(follow_up.path, "/response/1");
    assert_eq!(follow_up.token, None);

    listener.shutdown().await;
}

#[tokio::test]
async fn socket_mode_reconnects_after_a_disconnect() {
    let fake = FakeSlack::start().await;
    fake.ignore("apps.connections.open");
    let listener = socket_listener(&fake);
    listener.listen_for(&app_token()).await.expect("listen_for");
    listener.start().await;
    fake.socket_connected(WAIT).await;

    fake.socket_disconnect();
    fake.socket_connected(WAIT).await;
    assert_eq!(fake.socket_connections_total(), 2);
    assert_eq!(fake.take("apps.connections.open").len(), 2);

    let payload = fake.slash_command_payload("/career", "me", "U2", "DU2");
    let envelope = fake.socket_send_envelope("slash_commands", payload).await;
    let ack = fake
        .socket_wait_ack(&envelope, WAIT)
        .await
        .expect("payload");
    assert_eq!(ack["text"], "/career me");

    fake.wait_for(support::RESPONSE_URL_METHOD, 1, WAIT).await;
    fake.take(support::RESPONSE_URL_METHOD);
    listener.shutdown().await;
}

#[tokio::test]
async fn socket_mode_block_actions_get_a_bare_ack() {
    let fake = FakeSlack::start().await;
    fake.ignore("apps.connections.open");
    let listener = socket_listener(&fake);
    listener.listen_for(&app_token()).await.expect("listen_for");
    listener.start().await;

    let payload =
        fake.block_actions_payload("U1", "DU1", "1700000000.000100", "checkin_done", "done");
    let envelope = fake.socket_send_envelope("interactive", payload).await;
    assert_eq!(fake.socket_wait_ack(&envelope, WAIT).await, None);
    let post = fake.expect_one("chat.postMessage");
    assert_eq!(post.str_param("channel"), Some("DU1"));
    assert_eq!(post.str_param("text"), Some("done"));
    assert_eq!(post.token.as_deref(), Some(BOT_TOKEN));

    listener.shutdown().await;
}
