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
/// Private outputs (exports, the `stats` chart) are created readable only by their owner.
pub(crate) use commands::private_file;
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
        Command::Healthcheck { url } => {
            let url = url.clone().unwrap_or_else(|| health_url(&overrides));
            return commands::healthcheck(&url);
        }
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

/// `/healthz` on the configured listen address. A wildcard address (`0.0.0.0`, `::`) is
/// reached through loopback; a broken configuration falls back to the default address, so a
/// health check never fails for a reason the running bot does not have.
fn health_url(overrides: &crate::config::Overrides) -> String {
    let listen = Config::load(overrides)
        .map(|config| config.listen)
        .ok()
        .or_else(|| crate::config::DEFAULT_LISTEN.parse().ok())
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 3000)));
    let host = match listen.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("http://{host}:{}/healthz", listen.port())
}
