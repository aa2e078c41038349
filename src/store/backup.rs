//! Consistent snapshots of the database while the bot runs, with SQLite's `VACUUM INTO`
//! (on PostgreSQL, `backup` refuses and points to `pg_dump`).
//!
//! `VACUUM INTO` reads one transaction-consistent view of the database (WAL included) and
//! writes it as a fresh, compact database file, without blocking the bot's writes for longer
//! than a read. Restoring is copying the file back while the bot is stopped (see README).
//!
//! A backup holds everything, private notes included, so only its owner may read it. The file
//! is created first, empty, with mode 0600 and `O_EXCL` (so never over an existing file, and
//! never readable by anyone else for a moment); `VACUUM INTO` then fills that empty file, and
//! SQLite keeps its mode (and gives its journal the same one). There is no window between
//! creating the file and restricting it, as a chmod after `VACUUM INTO` would leave.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::{Store, StoreError};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Bytes written.
    pub bytes: u64,
    /// Rows per table, read back from the backup to check it.
    pub rows: Vec<(String, i64)>,
}

/// Why a backup failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL, whose own tools back it up.
    #[error(
        "backup copies a SQLite database; this one is PostgreSQL, so back it up with pg_dump (for example `pg_dump --format=custom --file=career-bot.dump DBNAME`)"
    )]
    NotSqlite,
    /// The target exists; backups never overwrite.
    #[error("{0} already exists; choose a new file name (backups never overwrite)")]
    Exists(String),
    /// The target could not be created.
    #[error("cannot create {path}: {error}")]
    Create {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The snapshot did not pass SQLite's integrity check.
    #[error("the backup at {path} failed its integrity check: {detail}")]
    Corrupt {
        /// The file.
        path: String,
        /// What SQLite reported.
        detail: String,
    },
}

/// The tables a backup must contain, in dependency order.
pub const TABLES: &[&str] = &[
    "people",
    "checkins",
    "snoozes",
    "outbox",
    "audit_log",
    "settings",
];

impl Store {
    /// Writes a consistent snapshot to `target` (a new file, readable only by its owner),
    /// then opens it, checks its integrity and counts every table.
    pub async fn backup_to(&self, target: &Path) -> Result<BackupSummary, BackupError> {
        if self.backend() != super::Backend::Sqlite {
            return Err(BackupError::NotSqlite);
        }
        let target_text = target.display().to_string();
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(target)
        {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(BackupError::Exists(target_text));
            }
            Err(error) => {
                return Err(BackupError::Create {
                    path: target_text,
                    error,
                });
            }
        }
        let vacuum = sqlx::query("VACUUM INTO $1")
            .bind(&target_text)
            .execute(self.pool())
            .await;
        if let Err(error) = vacuum {
            // The empty file is ours; leave nothing behind that would refuse the next try.
            let _ = std::fs::remove_file(target);
            return Err(StoreError::from(error).into());
        }
        let copy = Store::open(&target_text).await?;
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(copy.pool())
            .await
            .map_err(StoreError::from)?;
        if integrity != "ok" {
            copy.close().await;
            return Err(BackupError::Corrupt {
                path: target_text,
                detail: integrity,
            });
        }
        let mut rows = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let count: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(copy.pool())
                    .await
                    .map_err(StoreError::from)?;
            rows.push(((*table).to_owned(), count));
        }
        copy.close().await;
        let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(BackupSummary { bytes, rows })
    }
}
