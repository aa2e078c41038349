//! Large reads packed into JSON texts: the query aggregates its rows with
//! [`dialect::json_array_agg`] (one array of rows) or [`dialect::json_column_agg`] (one
//! array per column), and serde reads them back.
//!
//! Why: sqlx's SQLite driver hands each row over from its worker thread on its own, and a
//! read of hundreds of thousands of rows spent most of its time waking threads rather than
//! reading (`stats` over 100,000 people, see `BENCHMARKS.md`). Use it only for reads of many
//! rows whose columns are text, numbers or NULL.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use sqlx::Row;

use super::{Store, StoreError, dialect};

/// A text read from a packed column, borrowed from the JSON where it needs no unescaping.
#[derive(Debug, Deserialize)]
pub struct PackedText<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl std::ops::Deref for PackedText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Store {
    /// The rows of `SELECT columns FROM rest` (`rest` is everything after `FROM`, with `$N`
    /// parameters bound from `binds` in order), each read as a `T` from the JSON array of
    /// its columns. `what` names the rows in the error when one does not read.
    pub async fn fetch_packed<T: DeserializeOwned>(
        &self,
        what: &str,
        columns: &[&str],
        rest: &str,
        binds: &[&str],
    ) -> Result<Vec<T>, StoreError> {
        let aggregate = dialect::json_array_agg(self.backend(), columns);
        let sql = format!("SELECT {aggregate} FROM {rest}");
        // Built from the caller's constant SQL and column names; every value is bound.
        let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(*bind);
        }
        let text = query.fetch_one(self.pool()).await?;
        serde_json::from_str(&text)
            .map_err(|error| StoreError::Corrupt(format!("{what} do not read: {error}")))
    }

    /// Each of `columns` over the rows of `SELECT … FROM rest` (as [`Store::fetch_packed`]
    /// takes them) as the JSON text of one array; the arrays list the rows in the same order.
    /// Read each with [`read_column`].
    pub async fn fetch_columns(
        &self,
        columns: &[&str],
        rest: &str,
        binds: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        let aggregates: Vec<String> = columns
            .iter()
            .map(|column| dialect::json_column_agg(self.backend(), column))
            .collect();
        let sql = format!("SELECT {} FROM {rest}", aggregates.join(", "));
        // Built from the caller's constant SQL and column names; every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(*bind);
        }
        let row = query.fetch_one(self.pool()).await?;
        (0..columns.len())
            .map(|index| Ok(row.try_get::<String, _>(index)?))
            .collect()
    }
}

/// One column of [`Store::fetch_columns`], read as `T`s borrowing from `text` where they
/// can; `what` names the column in the error when it does not read.
pub fn read_column<'a, T: Deserialize<'a>>(
    text: &'a str,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Corrupt(format!("{what} does not read: {error}")))
}
