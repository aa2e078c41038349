//! `career-bot migrate-db --to postgres://…`: moving an install from SQLite to PostgreSQL.
//!
//! The configured database (`--db`, `DATABASE_URL` or `database`, as every command resolves
//! it) must be a SQLite file of this build's schema; it is opened read-only and read as one
//! snapshot. The target must be a PostgreSQL URL naming an existing database: it is migrated
//! with the PostgreSQL migrator first (so its `_sqlx_migrations` records the PostgreSQL
//! files), must then hold no row in any table, and gets every row in one transaction
//! ([`crate::store::transfer`]); on any failure nothing is committed. Each refusal is one
//! sentence saying what would work. A PostgreSQL URL is only ever shown without its password.

use crate::store::open::shown_location;
use crate::store::transfer::{self, TransferError, TransferSummary};
use crate::store::{Backend, OpenMode, Store, StoreError};

/// Why `migrate-db` did not copy.
#[derive(Debug, thiserror::Error)]
pub enum MigrateDbError {
    /// `--to` is not a PostgreSQL URL (it is not shown: it could be any URL, password and all).
    #[error(
        "--to must be a PostgreSQL URL such as postgres://USER:PASSWORD@HOST:5432/DBNAME; migrate-db copies a SQLite database into PostgreSQL only"
    )]
    TargetNotPostgres,
    /// The configured database is already PostgreSQL.
    #[error(
        "the configured database {0} is PostgreSQL, and migrate-db copies from SQLite; give the SQLite file to copy with --db PATH (or DATABASE_URL)"
    )]
    SourceNotSqlite(String),
    /// The SQLite database lacks migrations of this build.
    #[error(
        "the SQLite database {location} is not fully migrated (it lacks migration {version} {description}), so nothing was copied; migrate it first by opening it once for writing with this version, for example `career-bot --db {location} shell < /dev/null`, then run migrate-db again"
    )]
    SourceNeedsMigration {
        /// The SQLite file.
        location: String,
        /// The first migration it lacks.
        version: i64,
        /// Its description.
        description: String,
    },
    /// The source could not be opened.
    #[error("cannot read the SQLite database: {0}")]
    Source(StoreError),
    /// The target could not be opened or migrated.
    #[error("cannot open the PostgreSQL database {location}: {reason}")]
    Target {
        /// The target, without its password.
        location: String,
        /// Why (the driver's or the migrator's sentence).
        reason: String,
    },
    /// The target already holds data.
    #[error(
        "the PostgreSQL database {location} is not empty ({tables}), so nothing was copied; migrate-db copies only into an empty database (create a new one, or drop and recreate this one)"
    )]
    NotEmpty {
        /// The target, without its password.
        location: String,
        /// Its tables with rows, and how many.
        tables: String,
    },
    /// The copy failed; nothing was committed.
    #[error("the copy into {location} failed, so nothing was committed: {error}")]
    Copy {
        /// The target, without its password.
        location: String,
        /// Why.
        error: TransferError,
    },
}

/// What a successful `migrate-db` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateDbReport {
    /// The SQLite database copied.
    pub source: String,
    /// The PostgreSQL database written, without its password.
    pub target: String,
    /// The rows of each table, each checked against the source.
    pub summary: TransferSummary,
}

impl MigrateDbReport {
    /// The lines `migrate-db` prints: one sentence, then each table with its rows.
    pub fn to_text(&self) -> String {
        let total: i64 = self.summary.rows.iter().map(|(_, rows)| rows).sum();
        let mut text = format!(
            "Copied {total} row(s) from {} into {} in one transaction; every table's row count matches the source:\n",
            self.source, self.target
        );
        let width = transfer::TABLES
            .iter()
            .map(|table| table.len())
            .max()
            .unwrap_or(0);
        for (table, rows) in &self.summary.rows {
            text.push_str(&format!("  {table:<width$}  {rows}\n"));
        }
        text
    }
}

/// Copies the SQLite database at `source` into the empty PostgreSQL database at `target`.
pub async fn migrate_db(source: &str, target: &str) -> Result<MigrateDbReport, MigrateDbError> {
    if Backend::of(target) != Backend::Postgres {
        return Err(MigrateDbError::TargetNotPostgres);
    }
    if Backend::of(source) != Backend::Sqlite {
        return Err(MigrateDbError::SourceNotSqlite(shown_location(source)));
    }
    let shown_target = shown_location(target);
    let from = Store::open_with(source, OpenMode::ReadOnly)
        .await
        .map_err(|error| match error {
            StoreError::NeedsMigration {
                location,
                version,
                description,
            } => MigrateDbError::SourceNeedsMigration {
                location,
                version,
                description,
            },
            other => MigrateDbError::Source(other),
        })?;
    let to = match Store::open_with(target, OpenMode::Existing).await {
        Ok(to) => to,
        Err(error) => {
            from.close().await;
            let reason = match error {
                // Its own sentence names the location again.
                StoreError::Open { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            return Err(MigrateDbError::Target {
                location: shown_target,
                reason,
            });
        }
    };
    let copied = transfer::copy_sqlite_to_postgres(&from, &to).await;
    from.close().await;
    to.close().await;
    match copied {
        Ok(summary) => Ok(MigrateDbReport {
            source: source.to_owned(),
            target: shown_target,
            summary,
        }),
        Err(TransferError::NotEmpty(occupied)) => Err(MigrateDbError::NotEmpty {
            location: shown_target,
            tables: occupied
                .iter()
                .map(|(table, rows)| format!("{table}: {rows}"))
                .collect::<Vec<_>>()
                .join(", "),
        }),
        Err(error) => Err(MigrateDbError::Copy {
            location: shown_target,
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_target_that_is_not_postgres_is_refused_without_being_shown() {
        let error = migrate_db("bot.db", "mysql://root:hunter2@db/career")
            .await
            .expect_err("refused");
        let text = error.to_string();
        assert!(text.starts_with("--to must be a PostgreSQL URL"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[tokio::test]
    async fn a_source_that_is_not_sqlite_is_refused_without_its_password() {
        let error = migrate_db(
            "postgres://bot:hunter2@db:5432/old",
            "postgres://bot:hunter2@db:5432/new",
        )
        .await
        .expect_err("refused");
        let text = error.to_string();
        assert!(
            text.starts_with(
                "the configured database postgres://bot@db:5432/old is PostgreSQL, and migrate-db copies from SQLite"
            ),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn the_report_lists_every_table_with_its_rows() {
        let report = MigrateDbReport {
            source: "bot.db".into(),
            target: "postgres://bot@db:5432/career".into(),
            summary: TransferSummary {
                rows: vec![("people", 2), ("audit_log", 5)],
            },
        };
        let text = report.to_text();
        assert!(
            text.starts_with(
                "Copied 7 row(s) from bot.db into postgres://bot@db:5432/career in one transaction"
            ),
            "{text}"
        );
        assert!(text.contains("\n  people              2\n"), "{text}");
    }
}
