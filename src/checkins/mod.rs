//! Check-ins: when a career conversation is due, overdue or snoozed, and which reminders to
//! plan. Pure functions with the clock passed in; no Slack, no SQL.

pub mod period;

pub use period::{Period, PeriodError};
