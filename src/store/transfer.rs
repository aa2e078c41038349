//! Copying a SQLite database into an empty PostgreSQL one, for `career-bot migrate-db`
//! (the CLI part, with its sentences, is `crate::admin::migrate_db`).
//!
//! **What is copied.** Every table of the schema, [`TABLES`], in foreign-key order (a table
//! comes after the tables it refers to); only sqlx's own `_sqlx_migrations` is not: the
//! target is migrated by the PostgreSQL migrator before the copy, so its table records the
//! PostgreSQL files. Both schemas must be this build's, and the tables and columns of both
//! are compared with the list before anything is written: a table the list does not name is
//! an error, never left behind. Columns are read from the source (`pragma_table_info`) and
//! the target (`information_schema`); the one column only PostgreSQL has,
//! `assessment_answers.seq` (the order answers were first given, which is SQLite's rowid), is
//! filled from the rowid. Ids are kept, and each identity sequence is then moved past the
//! largest id (`setval(pg_get_serial_sequence(…))`), so the next insert gets a fresh id.
//!
//! **How.** One read transaction on the source (one consistent snapshot, WAL included) and one
//! write transaction on the target (with the store's write lock: no replica writes meanwhile).
//! Rows go in batches of [`BATCH`]: SQLite writes each row as a JSON object
//! (`json_object`), the batch is bound as one JSON array, and PostgreSQL turns it back into
//! rows of the table's own type (`json_populate_recordset`), converting each value to its
//! column's type. So a batch is one statement with one parameter, of any width, and a value
//! that does not fit its column (text in an integer column) fails the copy instead of being
//! changed. A BLOB (no column of the schema holds one) fails it too.
//!
//! `people.manager_id` refers to `people`: a person whose manager comes later in rowid order
//! (added as a manager only after being added as someone's report) is copied without the
//! manager first, and the manager is set once every person is in.
//!
//! Before committing, every table's row count in the target is compared with the source's;
//! any difference, or any failure, rolls the whole copy back, leaving the target empty.
//! A target holding any row in any of the tables is refused before anything is written.

use sqlx::AnyConnection;

use super::{Backend, Store, StoreError};

/// Every table of the schema, in foreign-key order: what `migrate-db` copies. A migration
/// that adds a table adds it here (`tests/it/migrate_db.rs` checks the list against both
/// schemas, and a copy refuses a table it does not list).
pub const TABLES: &[&str] = &[
    "people",
    "checkins",
    "checkin_answers",
    "snoozes",
    "outbox",
    "add_requests",
    "evidence",
    "assessments",
    "assessment_answers",
    "audit_log",
    "settings",
    "handled_deliveries",
    "job_runs",
];

/// Rows per batch: a few MB of JSON at most (outbox payloads are the largest rows), and few
/// enough round trips that 100,000 people take seconds.
pub const BATCH: i64 = 2_000;

/// Columns only the PostgreSQL schema has: (table, column, the SQLite expression filling it).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[("assessment_answers", "seq", "rowid")];

/// A column referring to its own table: (table, column, the key it refers to).
const SELF_REFERENCES: &[(&str, &str, &str)] = &[("people", "manager_id", "user_id")];

/// What a copy did: each table with its rows, in [`TABLES`]' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSummary {
    /// (table, rows copied), each count checked against the source's.
    pub rows: Vec<(&'static str, i64)>,
}

/// Why a copy did not happen. Nothing was written to the target's tables in any case.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The source is not a SQLite database.
    #[error("the source is not a SQLite database")]
    SourceNotSqlite,
    /// The target is not a PostgreSQL database.
    #[error("the target is not a PostgreSQL database")]
    TargetNotPostgres,
    /// The target holds rows: (table, rows) of each table that does.
    #[error("the target already holds data ({})", occupied_text(.0))]
    NotEmpty(Vec<(&'static str, i64)>),
    /// The two schemas differ from each other or from [`TABLES`] (a build that forgot a table).
    #[error("the schemas cannot be copied: {0}")]
    Schema(String),
    /// A table's row count in the target differs from the source's after the copy.
    #[error(
        "{table} has {in_target} rows in the target after the copy but {in_source} in the source"
    )]
    Count {
        /// The table.
        table: &'static str,
        /// Rows in the source.
        in_source: i64,
        /// Rows in the target.
        in_target: i64,
    },
    /// A query failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransferError {
    fn from(error: sqlx::Error) -> Self {
        TransferError::Store(error.into())
    }
}

/// "people: 3 rows, audit_log: 12 rows".
fn occupied_text(occupied: &[(&str, i64)]) -> String {
    occupied
        .iter()
        .map(|(table, rows)| format!("{table}: {rows} row{}", if *rows == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `name` as an SQL identifier, quoted (both databases read double quotes).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Copies every row of `source` (SQLite, this build's schema) into `target` (PostgreSQL,
/// migrated and empty) in one transaction; see the [module docs](self).
pub async fn copy_sqlite_to_postgres(
    source: &Store,
    target: &Store,
) -> Result<TransferSummary, TransferError> {
    if source.backend() != Backend::Sqlite {
        return Err(TransferError::SourceNotSqlite);
    }
    if target.backend() != Backend::Postgres {
        return Err(TransferError::TargetNotPostgres);
    }
    let mut read = source.pool().begin().await?;
    let mut write = target.write().await?;
    let outcome = copy_all(&mut read, &mut write).await;
    // The source was only read; the target commits only what was copied and checked.
    let _ = read.rollback().await;
    match outcome {
        Ok(summary) => {
            write.commit().await?;
            Ok(summary)
        }
        Err(error) => {
            let _ = write.rollback().await;
            Err(error)
        }
    }
}

/// The copy itself, inside the two transactions.
async fn copy_all(
    read: &mut AnyConnection,
    write: &mut AnyConnection,
) -> Result<TransferSummary, TransferError> {
    let source_tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master
         WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'
         ORDER BY name",
    )
    .fetch_all(&mut *read)
    .await?;
    check_tables("SQLite", &source_tables)?;
    let target_tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           AND table_name <> '_sqlx_migrations'
         ORDER BY table_name",
    )
    .fetch_all(&mut *write)
    .await?;
    check_tables("PostgreSQL", &target_tables)?;

    let mut occupied = Vec::new();
    for &table in TABLES {
        let rows = count(&mut *write, table).await?;
        if rows > 0 {
            occupied.push((table, rows));
        }
    }
    if !occupied.is_empty() {
        return Err(TransferError::NotEmpty(occupied));
    }

    let mut summary = TransferSummary { rows: Vec::new() };
    for &table in TABLES {
        let rows = copy_table(&mut *read, &mut *write, table).await?;
        summary.rows.push((table, rows));
    }
    Ok(summary)
}

/// Refuses a set of tables other than [`TABLES`].
fn check_tables(database: &str, found: &[String]) -> Result<(), TransferError> {
    let unknown: Vec<&str> = found
        .iter()
        .map(String::as_str)
        .filter(|table| !TABLES.contains(table))
        .collect();
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|table| !found.iter().any(|name| name == table))
        .collect();
    if unknown.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!(
            "the {database} database has tables migrate-db does not know ({})",
            unknown.join(", ")
        ));
    }
    if !missing.is_empty() {
        problems.push(format!(
            "the {database} database lacks tables ({})",
            missing.join(", ")
        ));
    }
    Err(TransferError::Schema(problems.join("; ")))
}

/// Rows in `table`.
async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64, TransferError> {
    Ok(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {}",
        quoted(table)
    )))
    .fetch_one(conn)
    .await?)
}

/// Copies one table, checks its count and moves its identity sequences; returns its rows.
async fn copy_table(
    read: &mut AnyConnection,
    write: &mut AnyConnection,
    table: &'static str,
) -> Result<i64, TransferError> {
    let source_columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut *read)
            .await?;
    let target_columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *write)
    .await?;
    if let Some(column) = source_columns
        .iter()
        .find(|column| !target_columns.contains(column))
    {
        return Err(TransferError::Schema(format!(
            "{table}.{column} is in the SQLite database but not in the PostgreSQL one"
        )));
    }
    let self_reference = SELF_REFERENCES
        .iter()
        .find(|(name, _, _)| *name == table)
        .copied();
    // Each target column with the SQLite expression that gives its value.
    let mut fields = Vec::with_capacity(target_columns.len());
    for column in &target_columns {
        let expression = if source_columns.contains(column) {
            match self_reference {
                // Set now only when the row it refers to comes earlier (already copied).
                Some((_, refers, key)) if refers == column.as_str() => {
                    format!(
                        "CASE WHEN {} THEN {} END",
                        earlier(table, refers, key),
                        quoted(column)
                    )
                }
                _ => quoted(column),
            }
        } else if let Some((_, _, expression)) = ADDED_COLUMNS
            .iter()
            .find(|(name, added, _)| *name == table && *added == column.as_str())
        {
            (*expression).to_owned()
        } else {
            return Err(TransferError::Schema(format!(
                "{table}.{column} is in the PostgreSQL database but not in the SQLite one"
            )));
        };
        fields.push((column.as_str(), expression));
    }
    let object = json_object(&fields);
    let select = format!(
        "SELECT rowid, {object} FROM {} WHERE rowid > $1 ORDER BY rowid LIMIT {BATCH}",
        quoted(table)
    );
    let columns = target_columns
        .iter()
        .map(|column| quoted(column))
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, $1::json)",
        table = quoted(table)
    );
    copy_batches(&mut *read, &mut *write, &select, &insert).await?;

    if let Some((_, refers, key)) = self_reference {
        let object = json_object(&[(key, quoted(key)), (refers, quoted(refers))]);
        let select = format!(
            "SELECT rowid, {object} FROM {t} WHERE rowid > $1 AND {r} IS NOT NULL AND NOT COALESCE({earlier}, 0)
             ORDER BY rowid LIMIT {BATCH}",
            t = quoted(table),
            r = quoted(refers),
            earlier = earlier(table, refers, key),
        );
        let update = format!(
            "UPDATE {t} SET {r} = later.{r} FROM json_populate_recordset(NULL::{t}, $1::json) AS later
             WHERE {t}.{k} = later.{k}",
            t = quoted(table),
            r = quoted(refers),
            k = quoted(key),
        );
        copy_batches(&mut *read, &mut *write, &select, &update).await?;
    }

    let source_rows = count(&mut *read, table).await?;
    let target_rows = count(&mut *write, table).await?;
    if source_rows != target_rows {
        return Err(TransferError::Count {
            table,
            in_source: source_rows,
            in_target: target_rows,
        });
    }

    let identities: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
    )
    .bind(table)
    .fetch_all(&mut *write)
    .await?;
    for column in identities {
        // The next value is one past the largest (1 for an empty table).
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 0) + 1, false) FROM {t}",
            c = quoted(&column),
            t = quoted(table),
        )))
        .bind(table)
        .bind(&column)
        .execute(&mut *write)
        .await?;
    }
    Ok(source_rows)
}

/// The SQLite condition "the row `table.refers` names comes before this one" (NULL when it
/// names none).
fn earlier(table: &str, refers: &str, key: &str) -> String {
    format!(
        "(SELECT referred.rowid FROM {t} AS referred WHERE referred.{k} = {t}.{r}) < {t}.rowid",
        t = quoted(table),
        k = quoted(key),
        r = quoted(refers),
    )
}

/// SQLite's `json_object('column', expression, …)`.
fn json_object(fields: &[(&str, String)]) -> String {
    let pairs = fields
        .iter()
        .map(|(column, expression)| format!("'{}', {expression}", column.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    format!("json_object({pairs})")
}

/// Runs `select` (rowid, JSON object; rows after `$1` in rowid order, [`BATCH`] at a time) on
/// the source, and `statement` with each batch as one JSON array on the target.
async fn copy_batches(
    read: &mut AnyConnection,
    write: &mut AnyConnection,
    select: &str,
    statement: &str,
) -> Result<(), TransferError> {
    let mut after = i64::MIN;
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(select.to_owned()))
            .bind(after)
            .fetch_all(&mut *read)
            .await?;
        let Some((last, _)) = rows.last() else {
            return Ok(());
        };
        after = *last;
        let mut batch = String::with_capacity(rows.iter().map(|(_, row)| row.len() + 1).sum());
        batch.push('[');
        for (index, (_, row)) in rows.iter().enumerate() {
            if index > 0 {
                batch.push(',');
            }
            batch.push_str(row);
        }
        batch.push(']');
        sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .bind(batch)
            .execute(&mut *write)
            .await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_listed_once() {
        let mut sorted = TABLES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), TABLES.len());
    }

    #[test]
    fn tables_other_than_the_list_are_named() {
        let mut found: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
        assert!(check_tables("SQLite", &found).is_ok());
        found.retain(|table| table != "settings");
        found.push("new_table".to_owned());
        let error = check_tables("SQLite", &found)
            .expect_err("differs")
            .to_string();
        assert!(error.contains("does not know (new_table)"), "{error}");
        assert!(error.contains("lacks tables (settings)"), "{error}");
    }

    #[test]
    fn a_non_empty_target_names_its_tables_and_rows() {
        let error = TransferError::NotEmpty(vec![("people", 1), ("audit_log", 12)]);
        assert_eq!(
            error.to_string(),
            "the target already holds data (people: 1 row, audit_log: 12 rows)"
        );
    }

    #[test]
    fn json_objects_name_each_column() {
        assert_eq!(
            json_object(&[("id", quoted("id")), ("seq", "rowid".to_owned())]),
            "json_object('id', \"id\", 'seq', rowid)"
        );
    }

    /// The list is exactly the tables of a migrated SQLite database (the PostgreSQL side is
    /// checked in `tests/it/migrate_db.rs`).
    #[tokio::test]
    async fn the_list_is_the_sqlite_schemas_tables() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bot.db").display().to_string();
        let store = Store::open(&path).await.expect("creates");
        let mut conn = store.pool().acquire().await.expect("a connection");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'
             ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("tables");
        check_tables("SQLite", &tables).expect("the list is the schema's");
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind("people")
                .fetch_all(&mut *conn)
                .await
                .expect("columns");
        assert!(columns.iter().any(|column| column == "manager_id"));
        drop(conn);
        store.close().await;
    }
}
