//! People's time zones, many at once: what the scheduler needs to know, for each recipient
//! of a claimed batch, before it decides whether a message waits for their working day.

use std::collections::HashMap;

use super::{Store, StoreError};

impl Store {
    /// The stored time zone of each of `users` who is stored (`None`: none set). One query
    /// for the lot; the scheduler asks with at most one batch's recipients (a few hundred),
    /// well within every database's limit on parameters.
    pub async fn time_zones(
        &self,
        users: &[&str],
    ) -> Result<HashMap<String, Option<String>>, StoreError> {
        if users.is_empty() {
            return Ok(HashMap::new());
        }
        let placeholders: Vec<String> = (1..=users.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT user_id, time_zone FROM people WHERE user_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (String, Option<String>)>(sqlx::AssertSqlSafe(sql));
        for user in users {
            query = query.bind(*user);
        }
        Ok(query.fetch_all(self.pool()).await?.into_iter().collect())
    }
}
