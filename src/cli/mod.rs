//! The command line: `career-bot [--frameworks DIR]… [--config FILE] [--db PATH] <command>`.
//!
//! - [`args`]: the words, as clap reads them.
//! - [`commands`]: one small function per subcommand, each returning a [`CliResult`].
//! - [`error`]: the one error path. Exit codes: 0 success, 1 a failure or a problem found
//!   (validation errors, bad rows), 2 wrong usage (clap's own, and bad option values).

mod args;
mod commands;
mod error;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
pub use error::{CliError, CliResult};

use crate::config::Config;
use args::{Command, ConfigCommand};

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match run_parsed(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.exit(),
    }
}

fn run_parsed(cli: Cli) -> CliResult {
    let overrides = cli.overrides();
    // These two must work even when the configuration is broken.
    match &cli.command {
        Command::Config(ConfigCommand::Check) => return commands::config_check(&overrides),
        Command::Healthcheck { url } => return commands::healthcheck(url),
        _ => {}
    }
    let config = Config::load(&overrides).map_err(|problems| {
        for problem in problems {
            eprintln!("error: {problem}");
        }
        CliError::Reported
    })?;
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    crate::logging::init(config.log_format, default_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::Failed(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(commands::dispatch(cli.command, config))
}
