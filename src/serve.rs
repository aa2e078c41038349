//! `career-bot serve`: the bot in a Slack workspace.
//!
//! [`Server::build`] checks the Slack secrets, loads frameworks, opens (and migrates) the
//! database, verifies the bot token with `auth.test` and binds the HTTP listener; a problem
//! stops start-up with a sentence naming it. [`Server::run`] then serves until the shutdown
//! future resolves:
//!
//! - Socket Mode when `SLACK_APP_TOKEN` is set, else Slack's HTTP routes (signed requests);
//! - `GET /healthz`, `/readyz`, `/metrics` in both modes, through [`crate::http_server`]
//!   (timeouts and a connection cap for slow clients);
//! - the reminder scheduler, the daily profile refresh, framework reloads and the org file
//!   kept in step (`[org] file`, [`crate::org_sync`]).
//!
//! Shutdown is graceful and bounded: stop taking requests, let in-flight requests and the
//! delivery in progress finish — the scheduler claims nothing more, sends for half of
//! [`crate::scheduler::STOP_GRACE`] and gives the send in flight until all of it — then close
//! the database. Whatever Slack does (every Web
//! API call has a time limit, `SLACK_API_TIMEOUT`), a task still running
//! [`SHUTDOWN_DEADLINE`] after the signal is stopped, so the process exits within 10 s,
//! inside systemd's 30 s.
//!
//! `/readyz` is ready while the scheduler runs: the scheduler is supervised (restarted if its
//! task ever ends), and while it is down `/readyz` fails, with the reason in the log and
//! `career_bot_scheduler_running` at 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use slack_morphism::prelude::*;
use tokio::sync::watch;

use crate::bot::Bot;
use crate::config::Config;
use crate::slack::SlackApp;
use crate::slack::http::{HttpState, router};
use crate::wake::Wake;

/// After the shutdown signal, how long the server waits for its tasks before stopping them.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(8);
/// How long closing the database may take after that (it checkpoints the WAL).
const CLOSE_DEADLINE: Duration = Duration::from_secs(1);

/// Why `serve` could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A required secret is not set.
    #[error("{name} is not set: {what}")]
    Missing {
        /// The environment variable.
        name: &'static str,
        /// What it is and where to find it.
        what: &'static str,
    },
    /// The configuration breaks a rule (a `Config` built in code skips `Config::load`).
    #[error("{0}")]
    Config(crate::config::ConfigProblem),
    /// Slack refused the bot token.
    #[error(
        "Slack rejected SLACK_BOT_TOKEN ({0}); copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page"
    )]
    TokenRejected(String),
    /// Slack could not be reached.
    #[error("cannot reach Slack at {url}: {error}")]
    Unreachable {
        /// The API URL.
        url: String,
        /// Why.
        error: String,
    },
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {address}: {error}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// Why.
        error: std::io::Error,
    },
    /// The bot could not start.
    #[error("{0}")]
    Start(#[from] crate::app::StartError),
    /// The Slack client could not be built.
    #[error("{0}")]
    Client(#[from] crate::slack::client::ClientError),
    /// Serving failed.
    #[error("HTTP server: {0}")]
    Http(std::io::Error),
}

/// How Slack reaches the bot.
enum Mode {
    Socket(SlackApiToken),
    Http(String),
}

/// A built server, ready to run.
pub struct Server {
    bot: Arc<Bot>,
    app: SlackApp,
    mode: Mode,
    listener: tokio::net::TcpListener,
    config: Config,
    wake: Wake,
}

impl Server {
    /// Checks secrets, opens everything and binds `config.listen`.
    pub async fn build(config: Config) -> Result<Server, ServeError> {
        let bot_token = config.slack.bot_token.clone().ok_or(ServeError::Missing {
            name: "SLACK_BOT_TOKEN",
            what: "set it to the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page",
        })?;
        let mode = match (&config.slack.app_token, &config.slack.signing_secret) {
            (Some(app_token), _) => {
                Mode::Socket(SlackApiToken::new(app_token.expose().to_owned().into()))
            }
            (None, Some(secret)) => Mode::Http(secret.expose().to_owned()),
            (None, None) => {
                return Err(ServeError::Missing {
                    name: "SLACK_SIGNING_SECRET",
                    what: "HTTP mode needs it to verify Slack's requests (Basic Information → App Credentials); or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode",
                });
            }
        };
        // The same rule as `config check`, before the token is sent anywhere.
        if let Some(problem) = config.slack.api_url_problem() {
            return Err(ServeError::Config(problem));
        }
        let client = crate::slack::client::build(&config.slack.api_url)?;
        let token = SlackApiToken::new(bot_token.expose().to_owned().into());
        let identity = crate::slack::client::within(
            config.slack.api_timeout,
            "auth.test",
            client.open_session(&token).auth_test(),
        )
        .await;
        match identity {
            Ok(identity) => {
                tracing::info!(team = ?identity.team, bot = ?identity.user, "connected to Slack")
            }
            Err(slack_morphism::errors::SlackClientError::ApiError(error)) => {
                return Err(ServeError::TokenRejected(error.code));
            }
            Err(error) => {
                return Err(ServeError::Unreachable {
                    url: config.slack.api_url.clone(),
                    error: crate::slack::client::short_error(&error),
                });
            }
        }
        // Reading and parsing framework files is blocking work (see `reload::reload`).
        let report = crate::reload::blocking({
            let config = config.clone();
            move || crate::app::load_frameworks(&config)
        })
        .await;
        let wake = Wake::new();
        let bot = Arc::new(
            crate::app::open(&config, report)
                .await?
                .with_wake(wake.clone()),
        );
        let app = SlackApp::new(Arc::clone(&bot), client, token)
            .with_api_timeout(config.slack.api_timeout);
        let listener =
            crate::http_server::bind(config.listen).map_err(|error| ServeError::Listen {
                address: config.listen,
                error,
            })?;
        Ok(Server {
            bot,
            app,
            mode,
            listener,
            config,
            wake,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.listen)
    }

    /// The bot being served.
    pub fn bot(&self) -> Arc<Bot> {
        Arc::clone(&self.bot)
    }

    /// Serves until `shutdown` resolves, then stops gracefully.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), ServeError> {
        let address = self.local_addr();
        let Server {
            bot,
            app,
            mode,
            listener,
            config,
            wake,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|stop| *stop).await;
            }
        };
        let ready = Arc::new(AtomicBool::new(false));
        let state = match &mode {
            Mode::Http(secret) => {
                HttpState::with_slack(app.clone(), secret, bot.metrics(), Arc::clone(&ready))
            }
            Mode::Socket(_) => HttpState::operational(bot.metrics(), Arc::clone(&ready)),
        }
        .with_database(bot.store().clone());
        let http = tokio::spawn(crate::http_server::serve(
            listener,
            router(state),
            config.http,
            bot.metrics(),
            stopped(),
        ));
        // Ready as soon as the scheduler is started, and only while it runs.
        let (scheduler_running, running) = watch::channel(true);
        let scheduler = tokio::spawn(crate::scheduler::supervise(
            Arc::clone(&bot),
            app.chat(),
            Duration::from_secs(config.tick_seconds),
            wake,
            stopped(),
            scheduler_running,
        ));
        let readiness = tokio::spawn(track_readiness(Arc::clone(&ready), running, stopped()));
        let reloads = tokio::spawn(crate::reload::watch(
            Arc::clone(&bot),
            config.frameworks.clone(),
            stopped(),
        ));
        let profiles = tokio::spawn(refresh_profiles_daily(app.clone(), stopped()));
        let org = config.org_file.clone().map(|path| {
            let directory: Arc<dyn crate::admin::import::Directory> = Arc::new(app.directory());
            tokio::spawn(crate::org_sync::watch(
                Arc::clone(&bot),
                path,
                Some(directory),
                stopped(),
            ))
        });
        let socket = match mode {
            Mode::Socket(app_token) => Some(tokio::spawn(crate::slack::socket::run(
                app.clone(),
                app_token,
                stopped(),
            ))),
            Mode::Http(_) => None,
        };
        let mode_name = if socket.is_some() { "socket" } else { "http" };
        tracing::info!(%address, mode = mode_name, "career-bot is serving");

        shutdown.await;
        tracing::info!("shutting down: finishing requests and deliveries in progress");
        ready.store(false, Ordering::Release);
        let _ = stop_tx.send(true);
        let mut tasks = vec![
            scheduler.abort_handle(),
            readiness.abort_handle(),
            reloads.abort_handle(),
            profiles.abort_handle(),
            http.abort_handle(),
        ];
        tasks.extend(socket.as_ref().map(tokio::task::JoinHandle::abort_handle));
        tasks.extend(org.as_ref().map(tokio::task::JoinHandle::abort_handle));
        let finished = async {
            let http_result = http.await;
            if let Some(socket) = socket
                && let Ok(Err(error)) = socket.await
            {
                tracing::warn!(error = %crate::slack::client::short_error(&error), "Socket Mode stopped with an error");
            }
            let _ = scheduler.await;
            let _ = readiness.await;
            let _ = reloads.await;
            let _ = profiles.await;
            if let Some(org) = org {
                let _ = org.await;
            }
            http_result
        };
        let http_result = match tokio::time::timeout(SHUTDOWN_DEADLINE, finished).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(
                    deadline_secs = SHUTDOWN_DEADLINE.as_secs(),
                    "shutdown: tasks still running at the deadline (requests or deliveries waiting for Slack) are stopped"
                );
                for task in &tasks {
                    task.abort();
                }
                Ok(())
            }
        };
        if tokio::time::timeout(CLOSE_DEADLINE, bot.store().close())
            .await
            .is_err()
        {
            tracing::warn!(
                "shutdown: the database did not close in time; SQLite recovers the WAL at the next start"
            );
        }
        tracing::info!("stopped");
        http_result.map_err(|error| ServeError::Http(std::io::Error::other(error)))
    }
}

/// Refreshes managers' profiles (time zones) once a day; a refresh in progress stops at
/// shutdown.
async fn refresh_profiles_daily(app: SlackApp, stopped: impl std::future::Future<Output = ()>) {
    let mut timer = tokio::time::interval(crate::slack::profiles::PROFILE_TTL);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            _ = timer.tick() => {}
        }
        tokio::select! {
            _ = &mut stopped => break,
            () = app.profiles().refresh_managers(app.bot()) => {}
        }
    }
}

/// Keeps `ready` (what `/readyz` answers) in step with the scheduler: ready while it runs,
/// not ready from shutdown on.
async fn track_readiness(
    ready: Arc<AtomicBool>,
    mut running: watch::Receiver<bool>,
    stopped: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stopped);
    loop {
        ready.store(*running.borrow_and_update(), Ordering::Release);
        tokio::select! {
            changed = running.changed() => if changed.is_err() { break },
            () = &mut stopped => break,
        }
    }
    ready.store(false, Ordering::Release);
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
