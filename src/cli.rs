//! The command line. Placeholder until the CLI is written.
