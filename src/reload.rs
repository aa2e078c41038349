//! Reloading frameworks without a restart, on SIGHUP and when the files change.
//!
//! A reload is all or nothing: if any file has an error, the frameworks already loaded keep
//! serving, and the error (file and line) goes to the log and to the admin channel.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::ask::Engine;
use crate::bot::Bot;
use crate::frameworks::{self, FrameworkError, FrameworkSource};
use crate::reply::Reply;
use crate::store::outbox::{NewMessage, kind};

/// What a reload did.
#[derive(Debug)]
pub enum Outcome {
    /// The new set is live; this many frameworks.
    Reloaded(usize),
    /// The files have errors; the previous set stays.
    Rejected(Vec<FrameworkError>),
}

/// Loads `sources` and swaps them in if they are clean; otherwise keeps the current set and
/// reports every error.
///
/// Reading, parsing and indexing the files runs on a blocking thread
/// ([`tokio::task::spawn_blocking`]): a large set takes long enough to stall the requests
/// and deliveries sharing the async threads.
pub async fn reload(bot: &Bot, sources: &[FrameworkSource]) -> Outcome {
    let loaded = blocking({
        let sources = sources.to_vec();
        move || {
            let report = frameworks::load(&sources);
            crate::app::log_notices(&report.notices);
            if report.errors.is_empty() {
                Ok(Engine::new(report.library))
            } else {
                Err(report.errors)
            }
        }
    })
    .await;
    let errors = match loaded {
        Ok(engine) => {
            let count = engine.library().len();
            bot.replace_engine(engine);
            bot.metrics().framework_reload(true);
            tracing::info!(frameworks = count, "frameworks reloaded");
            return Outcome::Reloaded(count);
        }
        Err(errors) => errors,
    };
    bot.metrics().framework_reload(false);
    for error in &errors {
        tracing::error!(%error, "framework reload rejected; the previous frameworks stay in use");
    }
    if let Some(channel) = bot.settings().admin_channel.clone() {
        let now = Utc::now();
        let items = errors.iter().map(ToString::to_string).collect();
        let message = NewMessage {
            key: format!("reload:{}", crate::store::time::to_text(now)),
            kind: kind::ALERT,
            recipient: channel,
            report_id: None,
            payload: Reply::new()
                .with_heading("Framework files have errors")
                .with_paragraph(
                    "I kept the frameworks that were already loaded. Fix these and save again:",
                )
                .with_bullets(None, items),
            planned_for: now,
        };
        match bot.store().plan(&message, now).await {
            Ok(_) => bot.wake().ring(),
            Err(error) => tracing::error!(%error, "cannot queue the reload alert"),
        }
    }
    Outcome::Rejected(errors)
}

/// Runs `work` on a blocking thread and waits for it; a panic there is resumed here.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only a runtime shutting down cancels a blocking task, and then nobody waits here.
        Err(error) => panic!("a blocking task was cancelled: {error}"),
    }
}

/// The directories to watch for changes (nothing for the bundled set).
pub fn watched_paths(sources: &[FrameworkSource]) -> Vec<PathBuf> {
    sources
        .iter()
        .filter_map(|source| source.path().map(std::path::Path::to_path_buf))
        .collect()
}

/// Reloads on SIGHUP and when watched files change (debounced), until `shutdown` resolves.
pub async fn watch(
    bot: Arc<Bot>,
    sources: Vec<FrameworkSource>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let (changed_tx, mut changed_rx) = tokio::sync::mpsc::channel::<()>(16);
    let _watcher = start_file_watcher(&watched_paths(&sources), changed_tx);
    let mut hangup = hangup_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(()) = changed_rx.recv() => {
                // Editors save in several steps: wait for the burst to settle.
                tokio::time::sleep(Duration::from_millis(300)).await;
                while changed_rx.try_recv().is_ok() {}
                tracing::info!("framework files changed; reloading");
                reload(&bot, &sources).await;
            }
            Some(()) = next_hangup(&mut hangup) => {
                tracing::info!("SIGHUP received; reloading frameworks");
                reload(&bot, &sources).await;
            }
        }
    }
}

fn start_file_watcher(
    paths: &[PathBuf],
    changed: tokio::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    if paths.is_empty() {
        return None;
    }
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_modify() || event.kind.is_create() || event.kind.is_remove())
        {
            let _ = changed.try_send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch framework files; reload with SIGHUP instead");
            return None;
        }
    };
    for path in paths {
        if let Err(error) = watcher.watch(path, notify::RecursiveMode::Recursive) {
            tracing::warn!(path = %path.display(), %error, "cannot watch a framework directory");
        }
    }
    Some(watcher)
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = Option<()>;

#[cfg(unix)]
fn hangup_signal() -> Hangup {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn hangup_signal() -> Hangup {
    None
}

#[cfg(unix)]
async fn next_hangup(signal: &mut Hangup) -> Option<()> {
    match signal {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_signal: &mut Hangup) -> Option<()> {
    std::future::pending().await
}
