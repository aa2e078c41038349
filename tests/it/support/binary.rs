//! Running the `career-bot` binary that Cargo built for these tests.

use std::path::Path;
use std::process::Command;

/// Variables that configure the bot; a test's process must not pass on the developer's own.
const CONFIGURING_VARIABLES: &[&str] = &[
    "CAREER_BOT_CONFIG",
    "CAREER_BOT_FRAMEWORKS",
    "DATABASE_URL",
    "RUST_LOG",
    "SLACK_APP_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
];

/// `career-bot` run in `dir` (so no stray `career-bot.toml` or database is picked up), with
/// none of the variables that configure it inherited; the test adds arguments and variables.
pub fn career_bot(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_career-bot"));
    command.current_dir(dir);
    for variable in CONFIGURING_VARIABLES {
        command.env_remove(variable);
    }
    command
}
