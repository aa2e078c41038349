//! Where environment variables come from: the process environment in production, a map in
//! tests, so configuration can be resolved without touching global state.

use std::collections::BTreeMap;

/// Reads environment variables; tests pass a map instead of the process environment.
pub trait Environment {
    /// The variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name)
            .cloned()
            .filter(|value| !value.trim().is_empty())
    }
}
