//! The framework model every reader produces and every answer reads.
//!
//! A [`Framework`] is one team's career ladder: ordered [`Level`]s, each with titles, a summary
//! and expectations grouped by [`Dimension`]. Readers (native YAML, Hugo, Monzo) build these
//! values; nothing here knows which file format they came from except [`Origin`], which is kept
//! for error messages and `validate`.

use std::path::PathBuf;

/// One team's career framework, ready to be queried.
#[derive(Debug, Clone, PartialEq)]
pub struct Framework {
    /// Stable identifier used in commands and the database, e.g. `buffer-marketing`.
    pub id: String,
    /// Human name, e.g. "Buffer Marketing".
    pub name: String,
    /// The organisation that published the framework, e.g. "Buffer".
    pub organisation: String,
    /// The team or function it applies to, e.g. "Marketing".
    pub team: String,
    /// Other names people use for it ("marketing", "marketers"); unique across all frameworks.
    pub aliases: Vec<String>,
    /// Where the framework comes from and whom to credit.
    pub source: Source,
    /// A short description of the framework as a whole.
    pub summary: Option<String>,
    /// Remarks shown with every answer from this framework (e.g. what the source leaves out).
    pub notes: Vec<String>,
    /// The dimensions, in display order. Every level's expectations use these names.
    pub dimensions: Vec<String>,
    /// Levels sorted by number, numbers unique.
    pub levels: Vec<Level>,
    /// Specialist roles that sit beside the numbered levels (see `frameworks/README.md`).
    pub roles: Vec<Role>,
    /// The file (or directory) the framework was read from.
    pub origin: Origin,
}

/// Credit for a framework: a link and a sentence of attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Where the original text lives.
    pub url: String,
    /// Who wrote it and under which terms it is used.
    pub attribution: String,
}

/// One step of a framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The level number, as the source gives it.
    pub number: u32,
    /// Titles held at this level; at least one.
    pub titles: Vec<String>,
    /// One or two sentences on what the level is about; may be empty (a Monzo level, titled
    /// only "Level N", gets no summary made from its first expectation).
    pub summary: String,
    /// Expectations grouped by dimension, in the framework's dimension order.
    pub expectations: Vec<Dimension>,
    /// What the level concentrates on (Buffer's "Focus: Learning").
    pub focus: Option<String>,
    /// Typical time to the next level (Buffer's "Timeframe to Level 2: 3–6 months").
    pub timeframe_to_next: Option<String>,
    /// Labelled figures such as InfraCloud's time split and tenure.
    pub indicators: Vec<Indicator>,
}

/// Expectations of one level along one dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    /// The dimension's name, e.g. "Ownership".
    pub name: String,
    /// The expectations, one sentence each.
    pub items: Vec<String>,
}

/// A labelled figure about a level, e.g. "Core" → "~80%".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// What is measured.
    pub label: String,
    /// The value, verbatim from the source.
    pub value: String,
}

/// A specialist role that is not a numbered level but relates to a range of levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// The role's titles, e.g. "Onboarding and Education Specialist I".
    pub titles: Vec<String>,
    /// The first level the role relates to.
    pub from_level: u32,
    /// The last level the role relates to.
    pub to_level: u32,
    /// How the role relates to those levels.
    pub summary: String,
}

/// Where a framework was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file or directory, as given (bundled files use `frameworks/<name>`).
    pub path: PathBuf,
    /// Which reader understood it.
    pub format: Format,
}

/// The framework file formats career-bot reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `frameworks/*.yaml`, career-bot's own format.
    Native,
    /// A Hugo site laid out like InfraCloud's career ladders.
    Hugo,
    /// Monzo's progression-framework Markdown with YAML front matter.
    Monzo,
}

impl Format {
    /// The name used in messages and `validate` output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Native => "career-bot YAML",
            Format::Hugo => "Hugo career ladder",
            Format::Monzo => "Monzo progression framework",
        }
    }
}

impl Framework {
    /// The level with this number, if any.
    pub fn level(&self, number: u32) -> Option<&Level> {
        self.levels
            .binary_search_by_key(&number, |level| level.number)
            .ok()
            .map(|index| &self.levels[index])
    }

    /// The level after `number`, if any.
    pub fn next_level(&self, number: u32) -> Option<&Level> {
        self.levels.iter().find(|level| level.number > number)
    }

    /// The level before `number`, if any.
    pub fn previous_level(&self, number: u32) -> Option<&Level> {
        self.levels.iter().rev().find(|level| level.number < number)
    }

    /// "1–5" or "1, 2, 4": the level numbers as a person would write them.
    pub fn level_range_text(&self) -> String {
        let numbers: Vec<u32> = self.levels.iter().map(|level| level.number).collect();
        match numbers.as_slice() {
            [] => "none".to_owned(),
            [only] => only.to_string(),
            [first, .., last] if (*last - *first) as usize + 1 == numbers.len() => {
                format!("{first}–{last}")
            }
            _ => numbers
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Roles that relate to the given level.
    pub fn roles_at(&self, number: u32) -> impl Iterator<Item = &Role> {
        self.roles
            .iter()
            .filter(move |role| (role.from_level..=role.to_level).contains(&number))
    }
}

impl Level {
    /// The level's titles joined for display: "Software Engineer II".
    pub fn title_text(&self) -> String {
        self.titles.join(" / ")
    }

    /// Whether the level has a title of its own, rather than only "Level N" (formats without
    /// level titles, such as Monzo's, title every level that way).
    pub fn has_own_title(&self) -> bool {
        let plain = format!("level {}", self.number);
        self.titles
            .iter()
            .any(|title| !title.trim().eq_ignore_ascii_case(&plain))
    }

    /// The level as a heading or list item names it: "Level 3: Senior Engineer", or just
    /// "Level 3" when that is its only title (never "Level 3: Level 3").
    pub fn label(&self) -> String {
        if self.has_own_title() {
            format!("Level {}: {}", self.number, self.title_text())
        } else {
            format!("Level {}", self.number)
        }
    }

    /// Expectations along the named dimension (case-insensitive).
    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.expectations
            .iter()
            .find(|dimension| dimension.name.eq_ignore_ascii_case(name))
    }
}
