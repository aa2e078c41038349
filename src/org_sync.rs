//! `[org] file = "PATH"`: `serve` keeps the org chart in step with an HR export by itself.
//!
//! The file is imported as `import-org --sync PATH` would: at start, and whenever it changes
//! (watched like the framework files, see [`crate::reload`]). A file with any problem changes
//! nothing: the problems (line by line) go to the log and, through the outbox like every
//! other admin message, to the admin channel. A file that is the same as the last one
//! imported is not imported again.
//!
//! [`sync_file`] is one pass, with the time passed in; [`sync_claimed`] is the same pass run
//! by one replica only: every replica watches the file (a shared volume, a config map), and
//! the first to claim the file's version ([`file_slot`]: its modification time and a
//! fingerprint of its bytes) imports it, the others skip it (see
//! [`crate::store::job_claims`]). [`watch`] calls [`sync_claimed`] at start and on changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::admin::import::{Directory, ImportError, ImportOptions, ImportOutcome};
use crate::bot::Bot;
use crate::reply::Reply;
use crate::store::job_claims::{Job, JobSlot};
use crate::store::outbox::{NewMessage, kind};

/// What one pass over the org file did.
#[derive(Debug)]
pub enum SyncOutcome {
    /// Imported with `--sync`.
    Imported(ImportOutcome),
    /// The file has problems, or could not be read or resolved: nothing changed.
    Rejected(Vec<String>),
}

/// Imports `path` with `--sync` at `now`; on any problem nothing changes, and the problems go
/// to the log and the admin channel.
pub async fn sync_file(
    bot: &Bot,
    path: &Path,
    directory: Option<&dyn Directory>,
    now: DateTime<Utc>,
) -> SyncOutcome {
    sync_file_telling(bot, path, directory, now).await.0
}

/// [`sync_file`], if this replica is the first to claim the file's version ([`file_slot`]);
/// `None` if another replica (or an earlier pass of this one) claimed it. A file that cannot
/// be read has no version, and is passed to [`sync_file`] unclaimed (which reports it). A
/// pass that failed for a reason other than the file's content (the database, Slack's
/// directory) gives the version back, so a restart or the next change tries again; a file
/// with problems keeps its claim, as importing it again would only repeat them.
pub async fn sync_claimed(
    bot: &Bot,
    path: &Path,
    directory: Option<&dyn Directory>,
    now: DateTime<Utc>,
) -> Option<SyncOutcome> {
    let Some(slot) = file_slot(path).await else {
        return Some(sync_file(bot, path, directory, now).await);
    };
    match bot
        .store()
        .claim_job_slot(Job::OrgSync, &slot, bot.replica(), now)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(version = %slot, "this version of the org file was imported by a replica already");
            return None;
        }
        Err(error) => {
            tracing::error!(%error, "cannot claim the org file's version; importing it anyway");
            return Some(sync_file(bot, path, directory, now).await);
        }
    }
    let (outcome, failed_on_its_own) = sync_file_telling(bot, path, directory, now).await;
    if failed_on_its_own
        && let Err(error) = bot
            .store()
            .release_job_slot(Job::OrgSync, &slot, bot.replica())
            .await
    {
        tracing::error!(%error, "cannot give back the org file's version after a failed import");
    }
    Some(outcome)
}

/// The version of the org file at `path`, the same on every replica that sees the same file:
/// its modification time (as the store writes times; saving the same content again is a new
/// version) and its length and FNV-1a fingerprint (a copy that kept an old time but changed
/// the content is a new version too). `None` if it cannot be read.
pub async fn file_slot(path: &Path) -> Option<JobSlot> {
    let content = tokio::fs::read(path).await.ok()?;
    let modified = tokio::fs::metadata(path)
        .await
        .and_then(|metadata| metadata.modified())
        .map(|time| crate::store::time::to_text(DateTime::<Utc>::from(time)))
        .unwrap_or_else(|_| "unknown-time".to_owned());
    Some(JobSlot::named(format!(
        "{modified}#{}:{:016x}",
        content.len(),
        fingerprint(&content)
    )))
}

/// FNV-1a, 64 bits: stable across builds and machines (unlike std's hasher), and enough to
/// tell two versions of one file apart.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// [`sync_file`], and whether it failed for a reason other than the file's content.
async fn sync_file_telling(
    bot: &Bot,
    path: &Path,
    directory: Option<&dyn Directory>,
    now: DateTime<Utc>,
) -> (SyncOutcome, bool) {
    let options = ImportOptions {
        sync: true,
        dry_run: false,
    };
    // The lines with problems, for the log; the problems themselves (which quote ids and
    // work emails from the file) go only to the admin channel and the caller.
    let mut on_its_own = false;
    let (problems, lines): (Vec<String>, Vec<u64>) =
        match crate::admin::import::import_file_with(bot, path, now, options, directory).await {
            Ok(outcome) => {
                tracing::info!(
                    people = outcome.summary.people,
                    changed = outcome.summary.changed,
                    removed = outcome.removed,
                    looked_up = outcome.looked_up,
                    "org file imported"
                );
                return (SyncOutcome::Imported(outcome), false);
            }
            Err(ImportError::Invalid(errors)) => errors
                .iter()
                .map(|error| {
                    (
                        format!("{}:{}: {}", path.display(), error.line, error.message),
                        error.line,
                    )
                })
                .unzip(),
            Err(other) => {
                on_its_own = true;
                (vec![format!("{}: {other}", path.display())], Vec::new())
            }
        };
    tracing::error!(
        path = %path.display(),
        problems = problems.len(),
        lines = ?lines,
        "org file rejected; the org chart is unchanged (the problems are in the admin channel)"
    );
    alert_admins(bot, &problems, now).await;
    (SyncOutcome::Rejected(problems), on_its_own)
}

/// Queues the problems for the admin channel, when there is one.
async fn alert_admins(bot: &Bot, problems: &[String], now: DateTime<Utc>) {
    let Some(channel) = bot.settings().admin_channel.clone() else {
        return;
    };
    let message = NewMessage {
        key: format!("org-sync:{}", crate::store::time::to_text(now)),
        kind: kind::ALERT,
        recipient: channel,
        report_id: None,
        payload: Reply::new()
            .with_heading("The org file has problems")
            .with_paragraph(
                "I changed nothing in the org chart. Fix these and save the file again:",
            )
            .with_bullets(None, problems.to_vec()),
        planned_for: now,
    };
    match bot.store().plan(&message, now).await {
        Ok(_) => bot.wake().ring(),
        Err(error) => tracing::error!(%error, "cannot queue the org file alert"),
    }
}

/// Imports `path` now, then again whenever it changes (debounced) and its content differs
/// from the last import's, until `shutdown` resolves.
pub async fn watch(
    bot: Arc<Bot>,
    path: PathBuf,
    directory: Option<Arc<dyn Directory>>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let (changed_tx, mut changed_rx) = tokio::sync::mpsc::channel::<()>(16);
    let _watcher = start_watcher(&path, changed_tx);
    let mut last = tokio::fs::read(&path).await.ok();
    sync_claimed(&bot, &path, directory.as_deref(), Utc::now()).await;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(()) = changed_rx.recv() => {
                // Editors and exports write in several steps: wait for the burst to settle.
                tokio::time::sleep(Duration::from_millis(500)).await;
                while changed_rx.try_recv().is_ok() {}
                let now_content = tokio::fs::read(&path).await.ok();
                if now_content.is_some() && now_content == last {
                    continue;
                }
                last = now_content;
                tracing::info!("org file changed; importing it");
                sync_claimed(&bot, &path, directory.as_deref(), Utc::now()).await;
            }
        }
    }
}

/// Watches the file's directory (an export is often written as a new file renamed over the
/// old one) for events about the file.
fn start_watcher(
    path: &Path,
    changed: tokio::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let name = path.file_name()?.to_owned();
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_modify() || event.kind.is_create())
            && event
                .paths
                .iter()
                .any(|changed| changed.file_name() == Some(name.as_os_str()))
        {
            let _ = changed.try_send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch the org file; it is imported at start only");
            return None;
        }
    };
    if let Err(error) = watcher.watch(&directory, notify::RecursiveMode::NonRecursive) {
        tracing::warn!(path = %directory.display(), %error, "cannot watch the org file's directory");
        return None;
    }
    Some(watcher)
}
