//! The settings handlers and the scheduler act on, resolved once from [`Config`].

use std::collections::BTreeMap;

use chrono_tz::Tz;

use crate::checkins::{Cadence, ReminderRules};
use crate::config::Config;
use crate::ids::UserId;

/// Who the admins are, the cadence, and when reminders go out.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Admin user ids: they may act on anyone's reports and see disputes.
    pub admins: Vec<String>,
    /// Where the overdue digest and delivery alerts go.
    pub admin_channel: Option<String>,
    /// Time zone for people whose zone is unknown.
    pub default_time_zone: Tz,
    /// The global cadence.
    pub cadence: Cadence,
    /// Cadence per framework id.
    pub cadence_overrides: BTreeMap<String, Cadence>,
    /// Reminder slots and repeat.
    pub reminders: ReminderRules,
    /// Digest slots.
    pub digest: ReminderRules,
    /// Days before a conversation is due that its report is invited to prepare.
    pub prep_days_before: u32,
    /// Which statuses mark absence.
    pub away: crate::checkins::away::AwayRules,
    /// Working days and holidays.
    pub calendar: crate::checkins::calendar::Calendar,
    /// How long a claimed outbox message is reserved for this replica (`[delivery] lease`).
    pub delivery_lease: chrono::Duration,
}

/// A cron expression in the configuration did not parse (`Config` checks this first, so this
/// only happens when settings are built by hand).
#[derive(Debug, thiserror::Error)]
#[error("invalid cron expression: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Resolves settings from the configuration.
    pub fn from_config(config: &Config) -> Result<Self, SettingsError> {
        let reminders = ReminderRules::new(&config.reminder_cron, config.reminder_repeat)
            .map_err(|error| SettingsError(format!("{}: {error}", config.reminder_cron)))?;
        let digest = ReminderRules::new(&config.digest_cron, crate::checkins::Period::days(7))
            .map_err(|error| SettingsError(format!("{}: {error}", config.digest_cron)))?;
        Ok(Self {
            admins: config.admins.clone(),
            admin_channel: config.admin_channel.clone(),
            default_time_zone: config.default_time_zone,
            cadence: config.cadence,
            cadence_overrides: config.cadence_overrides.clone(),
            reminders,
            digest,
            prep_days_before: config.prep_days_before,
            away: config.away.clone(),
            calendar: config.calendar.clone(),
            // Config bounds the lease to an hour, so it always fits.
            delivery_lease: chrono::Duration::from_std(config.delivery_lease)
                .unwrap_or(chrono::Duration::minutes(5)),
        })
    }

    /// The cadence for people on `framework`.
    pub fn cadence_for(&self, framework: &str) -> Cadence {
        self.cadence_overrides
            .get(framework)
            .copied()
            .unwrap_or(self.cadence)
    }

    /// The rule deciding whether a DM waits (see [`crate::checkins::deferral`]).
    pub fn deferral_rules(&self) -> crate::checkins::deferral::Rules<'_> {
        crate::checkins::deferral::Rules {
            slots: &self.reminders,
            calendar: &self.calendar,
            away: &self.away,
        }
    }

    /// Whether `user` is an admin.
    pub fn is_admin(&self, user: &UserId) -> bool {
        self.admins.iter().any(|admin| user == admin.as_str())
    }

    /// A stored time zone name as a zone, falling back to the default.
    pub fn time_zone(&self, name: Option<&str>) -> Tz {
        name.and_then(|name| name.parse().ok())
            .unwrap_or(self.default_time_zone)
    }
}
