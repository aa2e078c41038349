//! The Slack adapter: the same handlers as the shell, reached through slack-morphism.
//!
//! - [`client`]: the Web API client (pointed at `SLACK_API_URL`) and error classification.
//! - [`blocks`]: the neutral reply rendered as Block Kit, within Slack's limits (pure: no I/O).
//! - [`app`]: the shared state of request handlers; [`commands`], [`interactions`], [`modal`],
//!   [`home`]: what they do; [`directory`]: emails to user ids (`users.lookupByEmail`);
//!   `shortcut` and [`evidence_modal`]: the "Log as evidence" message shortcut and its form;
//!   `form`: reading any of the forms' submissions; [`profiles`]: names and time zones from
//!   `users.info`.
//! - [`chat`]: how the scheduler's messages reach Slack; [`answers`]: rendered answers, cached.
//! - [`http`] and [`socket`]: the two ways Slack reaches us; [`deliveries`]: Slack's retries
//!   recognised across replicas; [`replay`]: signatures already
//!   used, so a captured HTTP request cannot act twice; [`ids`]: Slack's ids as the bot's.
//! - [`entities`]: Slack's `&amp;`, `&lt;`, `&gt;` in typed text, decoded where text enters.

pub mod answers;
pub mod app;
pub mod assess_modal;
pub mod blocks;
pub mod chat;
pub mod client;
pub mod commands;
pub mod deliveries;
pub mod directory;
pub mod entities;
pub mod evidence_modal;
pub mod files;
mod form;
pub mod home;
pub mod http;
pub mod ids;
pub mod interactions;
pub mod modal;
pub mod outbox_metadata;
pub mod presence;
pub mod profiles;
pub mod replay;
mod shortcut;
pub mod socket;

pub use app::SlackApp;
