//! Check-ins: when a career conversation is due, overdue or snoozed, and which reminders to
//! plan. Pure functions with the clock passed in; no Slack, no SQL.

pub mod away;
pub mod cadence;
pub mod calendar;
pub mod chart;
pub mod deferral;
pub mod fingerprint;
pub mod held_on;
pub mod org;
pub mod period;
pub mod reminders;
pub mod stats;
pub mod time_zone;

pub use cadence::{Cadence, Schedule, Status, Timeline, due_on};
pub use fingerprint::fingerprint;
pub use period::{Period, PeriodError};
pub use reminders::{Reminder, ReminderRules};
