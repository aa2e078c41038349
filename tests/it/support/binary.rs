//! Running the `career-bot` binary that Cargo built for these tests.

use std::path::Path;
use std::process::Command;

/// Variables that configure the bot; a test's process must not pass on the developer's own.
const CONFIGURING_VARIABLES: &[&str] = &[
    "CAREER_BOT_ALLOW_INSECURE_SLACK_URL",
    "CAREER_BOT_CONFIG",
    "CAREER_BOT_FRAMEWORKS",
    "DATABASE_URL",
    "RUST_LOG",
    "SLACK_API_URL",
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

/// The user and group a test runs the binary as when file permissions must stop it: `None`
/// (the test's own user) unless the tests run as root, whom permissions do not stop; then
/// `nobody` (65534), which root can switch a child process to.
pub fn unprivileged() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    root.then_some((65534, 65534))
}

/// [`career_bot`] run as the [`unprivileged`] user. `dir`, and whatever the binary must
/// read or write, must be theirs first ([`give_to_unprivileged`]).
pub fn career_bot_unprivileged(dir: &Path) -> Command {
    let mut command = career_bot(dir);
    if let Some((uid, gid)) = unprivileged() {
        use std::os::unix::process::CommandExt;
        command.uid(uid).gid(gid);
    }
    command
}

/// Gives `path` to the [`unprivileged`] user (nothing to do when the tests do not run as root).
pub fn give_to_unprivileged(path: &Path) {
    if let Some((uid, gid)) = unprivileged() {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown to the test user");
    }
}
