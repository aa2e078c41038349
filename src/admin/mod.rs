//! Admin operations, run from the command line rather than from chat:
//!
//! - [`import`]: `career-bot import-org FILE.csv` loads an org chart (who is on which framework
//!   and level, who manages whom, start dates, time zones) from CSV. The whole file is checked
//!   first and every bad row is reported with its line; only a file without problems is
//!   written, in one transaction, so nothing is ever half-imported.
//! - [`export`]: `career-bot export --format csv|json` writes every person and the full
//!   check-in history. Private notes are never exported: they are visible only to the person
//!   who wrote them. The CSV export can be given straight back to `import-org`; [`cells`]
//!   keeps spreadsheets from running its cells as formulas, both ways. [`export_growth`]
//!   adds the evidence and assessments.
//!
//! - [`config_check`]: `career-bot config check` prints the effective configuration with
//!   secrets masked, and every problem.
//! - [`migrate_db`]: `career-bot migrate-db --to postgres://…` copies the SQLite database
//!   into an empty PostgreSQL one, in one transaction, row counts checked.
//!
//! The columns and rules are documented for admins in `docs/org-csv.md`.
//!
//! These functions take the bot (or the parts of it they need) and the time to act at, and
//! return data or errors; reading the clock and printing happen in [`crate::cli`], so tests
//! run them at fixed times.

pub mod cells;
pub mod config_check;
pub mod export;
pub mod export_growth;
pub mod import;
pub mod migrate_db;

pub use export::{Export, ExportError, ExportFormat, ExportedCheckin, ExportedPerson};
pub use import::{ImportError, ImportSummary, RowError};
