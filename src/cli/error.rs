//! The command line's one error path: every subcommand returns a [`CliError`], and
//! [`CliError::exit`] prints it once and chooses the exit code.

use std::fmt::Display;
use std::process::ExitCode;

/// Why a subcommand did not succeed.
#[derive(Debug)]
pub enum CliError {
    /// The command was written wrongly (a bad option value): printed, exit 2, like clap's own
    /// usage errors.
    Usage(String),
    /// Something went wrong: printed as `error: …`, exit 1.
    Failed(String),
    /// The problems were already printed, each on its own line (validation, import rows,
    /// `config check`): exit 1 with nothing more to say.
    Reported,
}

impl CliError {
    /// A failure described by `error`'s sentence.
    pub fn failed(error: impl Display) -> Self {
        Self::Failed(error.to_string())
    }

    /// Prints the error (once) and gives the process's exit code.
    pub fn exit(self) -> ExitCode {
        match self {
            Self::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            Self::Failed(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
            Self::Reported => ExitCode::FAILURE,
        }
    }
}

/// Any library error is a failure with its own sentence, so subcommands can use `?`.
impl<E: std::error::Error> From<E> for CliError {
    fn from(error: E) -> Self {
        Self::failed(error)
    }
}

/// What a subcommand gives back.
pub type CliResult = Result<(), CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_failures_exit_1() {
        assert_eq!(CliError::Usage("bad".into()).exit(), ExitCode::from(2));
        assert_eq!(CliError::Failed("broke".into()).exit(), ExitCode::FAILURE);
        assert_eq!(CliError::Reported.exit(), ExitCode::FAILURE);
    }

    #[test]
    fn a_library_error_becomes_a_failure_with_its_sentence() {
        let error = std::io::Error::other("disk full");
        match CliError::from(error) {
            CliError::Failed(message) => assert_eq!(message, "disk full"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
