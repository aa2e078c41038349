//! Large reads packed into one JSON text: the query aggregates its rows with
//! [`dialect::json_array_agg`], and serde reads them back, one array per row.
//!
//! Why: sqlx's SQLite driver hands each row over from its worker thread on its own, and a
//! read of hundreds of thousands of rows spent most of its time waking threads rather than
//! reading (`stats` over 100,000 people, see `BENCHMARKS.md`). Use it only for reads of many
//! rows whose columns are text, numbers or NULL.

use serde::de::DeserializeOwned;

use super::{Store, StoreError, dialect};

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
}
