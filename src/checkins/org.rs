//! The org chart as the people team sees it: who is in someone's reporting line (reports of
//! reports, transitively) and which top-level team a manager belongs to. Pure: built from
//! `person → manager` pairs the store reads.

use std::collections::{HashMap, HashSet};

use crate::ids::UserId;

/// Who manages whom among the tracked people.
#[derive(Debug, Clone, Default)]
pub struct Org {
    manager_of: HashMap<UserId, UserId>,
    reports_of: HashMap<UserId, Vec<UserId>>,
}

impl Org {
    /// The org from `(person, manager)` pairs.
    pub fn new(pairs: impl IntoIterator<Item = (UserId, UserId)>) -> Self {
        let mut org = Org::default();
        for (person, manager) in pairs {
            org.reports_of
                .entry(manager.clone())
                .or_default()
                .push(person.clone());
            org.manager_of.insert(person, manager);
        }
        org
    }

    /// The manager of `person`, if they are tracked with one.
    pub fn manager_of(&self, person: &UserId) -> Option<&UserId> {
        self.manager_of.get(person)
    }

    /// Everyone below `root`: their reports, the reports of those, and so on (not `root`).
    /// A loop in the data (which `move` refuses to make) cannot make this run forever.
    pub fn reporting_line(&self, root: &UserId) -> HashSet<UserId> {
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(manager) = stack.pop() {
            for report in self.reports_of.get(manager).into_iter().flatten() {
                if report != root && seen.insert(report.clone()) {
                    stack.push(report);
                }
            }
        }
        seen
    }

    /// Whether `above` is somewhere up `person`'s management chain.
    pub fn is_above(&self, above: &UserId, person: &UserId) -> bool {
        let mut current = person;
        // The chain is at most as long as the org; a longer walk means a loop.
        for _ in 0..=self.manager_of.len() {
            match self.manager_of.get(current) {
                Some(manager) if manager == above => return true,
                Some(manager) => current = manager,
                None => return false,
            }
        }
        false
    }

    /// The top-level team `manager` belongs to, seen from `scope`: with no scope (the whole
    /// organisation), the top of their chain; within a manager's line, the direct report of
    /// that manager their chain passes through, or the scope's manager themselves.
    pub fn team_of<'a>(&'a self, manager: &'a UserId, scope: Option<&'a UserId>) -> &'a UserId {
        let mut current = manager;
        for _ in 0..=self.manager_of.len() {
            if Some(current) == scope {
                return current;
            }
            match self.manager_of.get(current) {
                Some(above) if Some(above) == scope => return current,
                Some(above) => current = above,
                None => return current,
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> UserId {
        UserId::new(text)
    }

    fn org() -> Org {
        // ceo → vp → (lead → dev1, dev2), ceo → cfo → acct
        Org::new(
            [
                ("vp", "ceo"),
                ("cfo", "ceo"),
                ("lead", "vp"),
                ("dev1", "lead"),
                ("dev2", "lead"),
                ("acct", "cfo"),
            ]
            .map(|(p, m)| (id(p), id(m))),
        )
    }

    #[test]
    fn the_reporting_line_is_transitive() {
        let line = org().reporting_line(&id("vp"));
        let mut names: Vec<&str> = line.iter().map(UserId::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["dev1", "dev2", "lead"]);
        assert_eq!(org().reporting_line(&id("ceo")).len(), 6);
        assert!(org().reporting_line(&id("dev1")).is_empty());
    }

    #[test]
    fn above_is_anywhere_up_the_chain() {
        let org = org();
        assert!(org.is_above(&id("ceo"), &id("dev1")));
        assert!(org.is_above(&id("lead"), &id("dev1")));
        assert!(!org.is_above(&id("cfo"), &id("dev1")));
        assert!(!org.is_above(&id("dev1"), &id("dev1")));
    }

    #[test]
    fn teams_are_the_top_of_the_chain_or_the_scope_s_direct_reports() {
        let org = org();
        assert_eq!(org.team_of(&id("lead"), None), &id("ceo"));
        assert_eq!(org.team_of(&id("lead"), Some(&id("ceo"))), &id("vp"));
        assert_eq!(org.team_of(&id("ceo"), Some(&id("ceo"))), &id("ceo"));
        assert_eq!(org.team_of(&id("stranger"), None), &id("stranger"));
    }

    #[test]
    fn a_loop_in_the_data_ends() {
        let org = Org::new([(id("a"), id("b")), (id("b"), id("a"))]);
        assert_eq!(org.reporting_line(&id("a")).len(), 1);
        assert!(org.is_above(&id("a"), &id("b")));
        let _ = org.team_of(&id("a"), None);
    }
}
