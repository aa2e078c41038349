//! A bot on a temporary database, for tests that drive the handlers directly: the one place a
//! test configuration is resolved and a bot opened.

use std::collections::BTreeMap;
use std::path::Path;

use career_bot::bot::Bot;
use career_bot::config::{Config, Overrides};

/// The overrides that keep a test bot's database in `dir/bot.db`.
pub fn database_in(dir: &Path) -> Overrides {
    Overrides {
        database: Some(dir.join("bot.db").display().to_string()),
        ..Overrides::default()
    }
}

/// Resolves `overrides` with `env` as the whole environment (a later pair wins over an
/// earlier one with the same name); panics if the configuration is invalid.
pub fn config(overrides: &Overrides, env: &[(&str, &str)]) -> Config {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    Config::resolve(overrides, &env).expect("the test configuration is valid")
}

/// Opens the bot `config` describes, with the frameworks it names (the bundled ones if none).
pub async fn open(config: &Config) -> Bot {
    let report = career_bot::app::load_frameworks(config);
    career_bot::app::open(config, report)
        .await
        .expect("the bot opens")
}

/// A bot on a fresh database in `dir`, with `env` as its environment.
pub async fn bot_in(dir: &Path, env: &[(&str, &str)]) -> Bot {
    open(&config(&database_in(dir), env)).await
}

/// Makes every connection of `store`'s pool wait at most `wait` for another writer's lock
/// (instead of the store's 5 s), so a test can outlast it with a writer holding the lock for a
/// fraction of a second. Takes all the pool's connections at once (so each one exists) and
/// sets SQLite's busy timeout on each.
pub async fn shorten_busy_timeout(store: &career_bot::store::Store, wait: std::time::Duration) {
    let pool = store.pool();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.expect("a connection"));
    }
    let pragma = format!("PRAGMA busy_timeout = {}", wait.as_millis());
    for conn in &mut held {
        sqlx::query(sqlx::AssertSqlSafe(pragma.clone()))
            .execute(&mut **conn)
            .await
            .expect("the busy timeout is set");
    }
}
