//! What an import changes, person by person: for `import-org --dry-run`, which prints it and
//! writes nothing, and for `--sync`, whose removals are written with the rest.
//!
//! Only the changes an admin cares to review are listed (added, moved, level or framework
//! changed, removed); a new name or time zone is not.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{OrgEntry, Role};
use crate::ids::{FrameworkId, UserId};
use crate::store::people::Person;

/// Why a tracked person stops being tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// `--sync`, and the file does not list them.
    NotInFile,
    /// Their row says `active` false.
    Inactive,
}

/// One change an import makes to the org chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Someone not tracked before (new, or removed earlier) becomes a tracked report.
    Added {
        /// The person.
        user: UserId,
        /// Their framework.
        framework: FrameworkId,
        /// Their level.
        level: u32,
        /// Their manager.
        manager: UserId,
    },
    /// A report gets another manager.
    Moved {
        /// The report.
        user: UserId,
        /// The manager before.
        from: Option<UserId>,
        /// The manager after.
        to: UserId,
    },
    /// A report's level changes on the same framework.
    LevelChanged {
        /// The report.
        user: UserId,
        /// The level before.
        from: Option<u32>,
        /// The level after.
        to: u32,
    },
    /// A report moves to another framework.
    FrameworkChanged {
        /// The report.
        user: UserId,
        /// The framework before.
        from: Option<FrameworkId>,
        /// The framework after.
        to: FrameworkId,
        /// Their level on it.
        level: u32,
    },
    /// A tracked report is no longer tracked (history kept).
    Removed {
        /// The person.
        user: UserId,
        /// Why.
        why: Removal,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_none = |id: Option<&str>| id.unwrap_or("nobody").to_owned();
        match self {
            Change::Added {
                user,
                framework,
                level,
                manager,
            } => write!(
                f,
                "added {user}: {framework} level {level}, manager {manager}"
            ),
            Change::Moved { user, from, to } => write!(
                f,
                "moved {user}: manager {} → {to}",
                or_none(from.as_ref().map(UserId::as_str))
            ),
            Change::LevelChanged { user, from, to } => write!(
                f,
                "level changed {user}: {} → {to}",
                from.map_or("none".to_owned(), |level| level.to_string())
            ),
            Change::FrameworkChanged {
                user,
                from,
                to,
                level,
            } => write!(
                f,
                "framework changed {user}: {} → {to} level {level}",
                or_none(from.as_ref().map(FrameworkId::as_str))
            ),
            Change::Removed { user, why } => write!(
                f,
                "removed {user}: {} (history kept)",
                match why {
                    Removal::NotInFile => "not in the file",
                    Removal::Inactive => "active is false",
                }
            ),
        }
    }
}

/// Whether `person` is a report the bot tracks now (reminders, `team`).
fn tracked(person: &Person) -> bool {
    person.active && person.framework_id.is_some()
}

/// The changes writing `entries` makes to `existing`, in file order, then (with `sync`) the
/// removals of tracked reports the file does not list, by user id.
pub fn plan(entries: &[OrgEntry], existing: &[Person], sync: bool) -> Vec<Change> {
    let stored: HashMap<&UserId, &Person> = existing
        .iter()
        .map(|person| (&person.user_id, person))
        .collect();
    let mut changes = Vec::new();
    for entry in entries {
        let Role::Report {
            framework_id,
            level,
            manager_id,
            active,
            ..
        } = &entry.role
        else {
            continue;
        };
        let before = stored.get(&entry.user_id).copied().filter(|p| tracked(p));
        let user = entry.user_id.clone();
        match (before, active) {
            (None, false) => {}
            (Some(_), false) => changes.push(Change::Removed {
                user,
                why: Removal::Inactive,
            }),
            (None, true) => changes.push(Change::Added {
                user,
                framework: framework_id.clone(),
                level: *level,
                manager: manager_id.clone(),
            }),
            (Some(before), true) => {
                if before.manager_id.as_ref() != Some(manager_id) {
                    changes.push(Change::Moved {
                        user: user.clone(),
                        from: before.manager_id.clone(),
                        to: manager_id.clone(),
                    });
                }
                if before.framework_id.as_ref() != Some(framework_id) {
                    changes.push(Change::FrameworkChanged {
                        user,
                        from: before.framework_id.clone(),
                        to: framework_id.clone(),
                        level: *level,
                    });
                } else if before.level != Some(*level) {
                    changes.push(Change::LevelChanged {
                        user,
                        from: before.level,
                        to: *level,
                    });
                }
            }
        }
    }
    if sync {
        let listed: HashSet<&UserId> = entries.iter().map(|entry| &entry.user_id).collect();
        changes.extend(
            existing
                .iter()
                .filter(|person| tracked(person) && !listed.contains(&person.user_id))
                .map(|person| Change::Removed {
                    user: person.user_id.clone(),
                    why: Removal::NotInFile,
                }),
        );
    }
    changes
}

/// The people `--sync` removes: tracked, and not in the file.
pub fn removals(changes: &[Change]) -> Vec<UserId> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Removed {
                user,
                why: Removal::NotInFile,
            } => Some(user.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn person(user: &str, framework: &str, level: u32, manager: &str) -> Person {
        Person {
            user_id: UserId::new(user),
            display_name: String::new(),
            time_zone: None,
            framework_id: Some(FrameworkId::new(framework)),
            level: Some(level),
            manager_id: Some(UserId::new(manager)),
            start_date: None,
            active: true,
            anchor_on: None,
            snoozed_until: None,
            snooze_reason: None,
            due_on: None,
        }
    }

    fn report(user: &str, framework: &str, level: u32, manager: &str) -> OrgEntry {
        OrgEntry {
            line: 2,
            user_id: UserId::new(user),
            name: None,
            time_zone: None,
            role: Role::Report {
                framework_id: FrameworkId::new(framework),
                level,
                manager_id: UserId::new(manager),
                start_date: NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
                active: true,
            },
            snoozed_until: None,
        }
    }

    #[test]
    fn each_kind_of_change_is_listed_and_sync_removes_the_unlisted() {
        let existing = vec![
            person("U_A", "marketing", 2, "U_M"),
            person("U_B", "marketing", 2, "U_M"),
            person("U_C", "marketing", 2, "U_M"),
            person("U_GONE", "marketing", 2, "U_M"),
        ];
        let entries = vec![
            report("U_A", "marketing", 2, "U_N"),
            report("U_B", "marketing", 3, "U_M"),
            report("U_C", "happiness", 1, "U_M"),
            report("U_NEW", "marketing", 1, "U_M"),
        ];
        let changes = plan(&entries, &existing, true);
        let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "moved U_A: manager U_M → U_N",
                "level changed U_B: 2 → 3",
                "framework changed U_C: marketing → happiness level 1",
                "added U_NEW: marketing level 1, manager U_M",
                "removed U_GONE: not in the file (history kept)",
            ]
        );
        assert_eq!(removals(&changes), [UserId::new("U_GONE")]);
        assert!(removals(&plan(&entries, &existing, false)).is_empty());
    }
}
