//! The loaded set of frameworks that questions are answered from.

use super::model::Framework;

/// A validated set of frameworks: ids and aliases are unique, frameworks are sorted by id.
#[derive(Debug, Clone, Default)]
pub struct Library {
    frameworks: Vec<Framework>,
}

impl Library {
    /// Builds a library; the caller (the loader) has already checked ids and aliases.
    pub fn new(mut frameworks: Vec<Framework>) -> Self {
        frameworks.sort_by(|a, b| a.id.cmp(&b.id));
        Self { frameworks }
    }

    /// The framework with this id.
    pub fn get(&self, id: &str) -> Option<&Framework> {
        self.frameworks
            .binary_search_by(|framework| framework.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.frameworks[index])
    }

    /// All frameworks, sorted by id.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// How many frameworks are loaded.
    pub fn len(&self) -> usize {
        self.frameworks.len()
    }

    /// Whether nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.frameworks.is_empty()
    }

    /// The ids, for "known frameworks are …" messages.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.frameworks
            .iter()
            .map(|framework| framework.id.as_str())
    }
}
