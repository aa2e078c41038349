//! Support shared by every integration test, one helper for each job:
//! - [`bot`]: a bot on a temp database (the one place a test configuration is resolved);
//! - [`databases`]: the databases a store test runs on (SQLite, and PostgreSQL when
//!   `CAREER_BOT_TEST_POSTGRES_URL` is set);
//! - [`shell`]: the shell adapter driven with a script of lines;
//! - [`binary`]: the `career-bot` binary, run with a clean environment;
//! - [`harness`]: the real `serve` server on loopback and HMAC-signed requests to its routes
//!   (the one Slack signer, also used by the HTTP bench);
//! - [`fake_slack`]: a fake Slack Web API and Socket Mode endpoint, described below.
//!
//! # `FakeSlack`: a fake Slack Web API on loopback
//!
//! The real slack-morphism client is pointed at it; it records every request and fails the
//! test on anything unexpected or left unchecked.
//!
//! ```ignore
//! use crate::support::{FakeSlack, Failure};
//! use std::time::Duration;
//!
//! #[tokio::test]
//! async fn posts_a_reminder() {
//!     let fake = FakeSlack::start().await;
//!     fake.ignore("auth.test");                 // calls this test does not care about
//!     fake.set_user("U1", "ada", "Europe/London"); // users.info answers from this table
//!     let client = fake.slack_client();           // or build your own with fake.api_url()
//!
//!     // ... run the code under test with `client` ...
//!
//!     fake.wait_for("chat.postMessage", 1, Duration::from_secs(5)).await;
//!     let post = fake.expect_one("chat.postMessage");
//!     assert_eq!(post.str_param("channel"), Some("DU1"));
//!     assert_eq!(post.token.as_deref(), Some("xoxb-test"));
//! } // dropping `fake` panics if any request was never taken, or anything unexpected happened
//! ```
//!
//! ## Pointing a client at it
//! `fake.api_url()` is `http://127.0.0.1:PORT/api` (no trailing slash), for
//! `SlackClientHyperConnector::with_connector(c).with_slack_api_url(..)`; the connector must
//! allow plain http (`HttpsConnectorBuilder::…​.https_or_http()`), and the ring provider must be
//! installed first. `support::fake_slack::slack_client(url)` / `fake.slack_client()` do both and return the
//! production type `SlackHyperClient`.
//!
//! ## Default answers (valid for slack-morphism's strict response types)
//! - `auth.test`: team `T0FAKE`, user `UBOT`, bot `BBOT`.
//! - `chat.postMessage`: echoes `channel`, fresh increasing `ts` (`1700000000.000100`,
//!   `…000200`, …), `message` echoing `text`/`blocks`/`thread_ts`.
//! - `chat.update`: echoes `channel`, `ts`, `text`/`blocks`.
//! - `chat.getPermalink`: `https://fake-team.slack.com/archives/CHANNEL/pTS` (the ts without
//!   its dot), as Slack writes it.
//! - `conversations.open`: channel `D<user>` (a full IM object when `return_im` is set).
//! - `users.info`: the user from `set_user(id, name, tz)` (with `tz`, `tz_offset`), else
//!   `{"ok": false, "error": "user_not_found"}` with HTTP 200, as Slack does.
//! - `views.open` / `views.publish`: the sent view plus `id` `V0FAKE0001`…, `team_id`, `hash`.
//! - `apps.connections.open`: `{"ok": true, "url": fake.ws_url()}` (Socket Mode, see below).
//! - `users.lookupByEmail`: the user id from `set_email(email, id)` (any case), else
//!   `users_not_found`, as Slack does.
//!
//! Anything else (another method, another path) is answered 404 `unknown_method` and recorded
//! as unexpected, unless the test scripted a failure for it with `fail_next`.
//!
//! ## Scripting
//! - `fail_next(method, Failure::RateLimited { retry_after_secs })`: HTTP 429 + `Retry-After`;
//!   `Failure::SlackError("channel_not_found")`: 200 with ok=false; `Failure::Status(500)`;
//!   `Failure::Hang`: never answers; `Failure::Slow(d)`: the usual answer after `d`.
//!   Queued per method; the failed call is still recorded.
//! - `respond_with(method, |call| Box::pin(async { … }))`: every call of `method` is answered
//!   as the closure decides (`None`: as usual; `Some(failure)`), after it has run; it may act
//!   meanwhile (a faulty or slow Slack while someone writes the database).
//!
//! ## Recording and checking
//! Each request becomes a `Recorded { method, token, params, http_method, path }`. `params` is
//! the query string and the body merged into one JSON object: JSON bodies (what slack-morphism
//! sends for POST methods) keep their types; query strings (its GET methods: `auth.test`,
//! `users.info`) and form bodies give strings, except that the form fields `blocks`,
//! `attachments`, `view` and `metadata` are parsed from their JSON-string encoding, so they look
//! the same however the client sent them.
//!
//! `take(method)`, `expect_one(method)`, `expect_none(method)`, `peek(method)`,
//! `wait_for(method, count, timeout).await` (counts calls not yet taken; panics on timeout).
//! On drop (unless the thread is already panicking) the fake panics listing every request never
//! taken (methods passed to `ignore` excepted) and everything unexpected.
//!
//! ## `response_url`
//! `fake.response_url()` gives a fresh `http://127.0.0.1:PORT/response/N`; POSTs to it are
//! recorded as method `"response_url"` and answered `{"ok": true}`.
//! `fake.slash_command_payload(command, text, user, channel)` builds a valid slash-command
//! payload that uses one.
//!
//! ## Socket Mode
//! `apps.connections.open` hands out `fake.ws_url()` (`ws://127.0.0.1:PORT2/ws`, a second
//! port). Each connection gets Slack's `hello` first. Then:
//! - `socket_connected(timeout).await`: wait for a client (hello sent).
//! - `socket_send_envelope("slash_commands" | "interactive" | "events_api", payload).await
//!   -> envelope_id`: goes to the newest live connection, with `accepts_response_payload` set
//!   as Slack does (`socket_send_envelope_with` to choose).
//! - `socket_wait_ack(&envelope_id, timeout).await -> Option<Value>`: the ack's `payload`
//!   (a slash command's response comes back here), `None` for a bare ack; panics on timeout.
//! - `socket_disconnect()`: Slack's `disconnect` frame; slack-morphism reconnects (calling
//!   `apps.connections.open` again), and `socket_connected` then waits for the new connection.
//!
//! Several live connections are fine (slack-morphism opens `max_connections_count`, default 2,
//! the second after `initial_backoff_in_seconds`): envelopes go to the newest, acks are accepted
//! from any. Use `SlackClientSocketModeConfig::new().with_max_connections_count(1)` in tests and
//! `take`/`ignore` the `apps.connections.open` calls. Acks for unknown envelopes, duplicate acks
//! and non-ack frames from the client count as unexpected.

pub mod binary;
pub mod bot;
pub mod databases;
pub mod fake_slack;
pub mod harness;
pub mod shell;

pub use fake_slack::{
    APP_ID, BOT_USER_ID, Failure, FakeSlack, RESPONSE_URL_METHOD, TEAM_ID, UPLOAD_METHOD,
};
