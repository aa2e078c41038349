//! career-bot: career frameworks and career conversations, inside Slack.
//!
//! # Layout
//! Where each kind of change goes is in `ARCHITECTURE.md`. The pure core knows nothing of
//! Slack or SQL (`layering_tests` checks it):
//! - [`frameworks`]: the framework model, readers for each file format, loading and validation.
//! - [`ask`]: turns a free-text question into a query and answers it as a [`reply::Reply`].
//! - [`reply`]: the neutral reply type, rendered to terminal text or JSON here and to Block Kit
//!   by the Slack adapter.
//! - [`text`]: normalising and fuzzy-matching names; [`ids`]: typed user, channel and
//!   framework ids.
//! - [`checkins`]: cadence rules, due and overdue, reminder planning, how dates and zones
//!   are read; the org's reporting lines and the people team's figures and chart.
//!
//! Around it, the adapters and the wiring:
//! - [`bot`]: the handlers shared by Slack and the shell; [`chat`]: the port they send through.
//! - [`scheduler`]: plans reminders into the outbox and delivers them, crash-safe; [`wake`]:
//!   the signal that a message was queued.
//! - [`app`]: assembling a bot from the configuration; [`serve`]: the bot in Slack;
//!   [`http_server`]: its HTTP connections, with timeouts and a cap for slow clients;
//!   [`reload`]: frameworks reloaded without a restart; [`org_sync`]: the org chart kept in
//!   step with an HR export (`[org] file`).
//! - [`slack`]: the Slack adapter (Web API client, Block Kit, HTTP routes, Socket Mode).
//! - [`admin`]: `import-org` and `export`, the admin operations run from the command line.
//! - [`config`]: the one place that reads the config file and environment.
//! - [`cli`]: the command line (clap); [`logging`]: tracing set-up; [`metrics`]: Prometheus.
//! - [`shell`]: the local chat adapter, running the same handlers as Slack.
//! - [`store`]: SQLite or PostgreSQL through sqlx: people, check-ins, the outbox, the audit
//!   log.

pub mod admin;
pub mod app;
pub mod ask;
pub mod bot;
pub mod chat;
pub mod checkins;
pub mod cli;
pub mod config;
pub mod frameworks;
pub mod http_server;
pub mod ids;
pub mod logging;
pub mod metrics;
pub mod org_sync;
pub mod reload;
pub mod reply;
pub mod scheduler;
pub mod serve;
pub mod shell;
pub mod slack;
pub mod store;
pub mod text;
pub mod wake;

#[cfg(test)]
mod layering_tests;
