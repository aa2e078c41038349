//! What a question asks, once parsed: the [`Query`] the answer is built from.

use serde::Serialize;

use super::search::Passage;

/// A parsed question.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// One level (or one dimension of it).
    Level(LevelQuery),
    /// What changes between two levels of one framework.
    Compare(CompareQuery),
    /// The same level, or levels, in two frameworks side by side.
    CrossCompare(CrossCompareQuery),
    /// Specialist roles (and levels) named together: what the framework says about each.
    Roles(RolesQuery),
    /// A framework's titles, level by level.
    Titles(TitlesQuery),
    /// The loaded frameworks.
    Frameworks,
    /// How to ask.
    Help,
    /// Nothing could be answered; says why and what would work.
    Unknown(Unknown),
    /// Thanks, a greeting, or a request the frameworks cannot answer (pay): one sentence
    /// about what the bot covers, and the framework answer where there is one.
    SmallTalk(SmallTalk),
    /// A question about the asker ("what level am I"): answered from their own record where
    /// they are known (see [`super::personal`]).
    Personal(PersonalQuery),
    /// The passages of the frameworks closest to what was asked ("which level mentions
    /// mentoring"), best first.
    Search(SearchQuery),
}

/// A search of what the frameworks say (see [`Query::Search`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// The words searched for, as typed ("mentoring").
    pub terms: String,
    /// The frameworks searched, by id; empty: every framework.
    pub frameworks: Vec<String>,
    /// The levels searched; empty: every level.
    pub levels: Vec<u32>,
    /// The closest passages, best first (at most 10).
    pub matches: Vec<Passage>,
    /// The question named no known framework or title, and was searched instead of being
    /// refused: the answer says so.
    pub fallback: bool,
}

impl SearchQuery {
    /// The question that shows the level of the best match in full ("buffer-marketing level 5").
    pub fn follow_up(&self) -> Option<String> {
        self.matches
            .first()
            .map(|best| format!("{} level {}", best.framework, best.level))
    }
}

/// Small talk (see [`Query::SmallTalk`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmallTalk {
    /// The friendly sentence.
    pub message: String,
    /// The rest of the question, answered ("salary of a senior engineer": the level).
    pub answer: Option<Box<Query>>,
}

/// A question about one level.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LevelQuery {
    /// The framework's id.
    pub framework: String,
    /// The level number.
    pub level: u32,
    /// Only this dimension, when the question names one.
    pub dimension: Option<String>,
    /// The specialist role asked about, by position in `Framework::roles`.
    pub role: Option<usize>,
    /// Other readings of an ambiguous question.
    pub alternatives: Vec<Alternative>,
    /// A remark on how the question was read ("Level 5 is the top level…").
    pub note: Option<String>,
}

/// A question about what changes between two levels.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompareQuery {
    /// The framework's id.
    pub framework: String,
    /// The lower level.
    pub from: u32,
    /// The higher level.
    pub to: u32,
    /// The question asked about going from the higher level down to the lower one ("from 3
    /// to 2"): the answer says so and is labelled that way round.
    pub step_down: bool,
    /// Only this dimension, when the question names one.
    pub dimension: Option<String>,
    /// Other readings of an ambiguous question.
    pub alternatives: Vec<Alternative>,
    /// A remark on how the question was read ("Answered from InfraCloud Engineering…").
    pub note: Option<String>,
}

/// Two levels of different frameworks ("a senior engineer at buffer and at infracloud").
/// Their dimensions differ, so the answer sets them side by side instead of diffing them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CrossCompareQuery {
    /// The first framework named.
    pub framework: String,
    /// The level in `framework`.
    pub level: u32,
    /// The second framework named.
    pub other_framework: String,
    /// The level in `other_framework`.
    pub other_level: u32,
}

/// Specialist roles, and levels, that a question names together ("tech hero vs happiness
/// lead"): roles are not steps of the ladder, so they are described, not compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RolesQuery {
    /// The framework's id.
    pub framework: String,
    /// What was named, in question order.
    pub named: Vec<RoleOrLevel>,
}

/// One thing a [`RolesQuery`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleOrLevel {
    /// A specialist role, by position in `Framework::roles`.
    Role(usize),
    /// A numbered level.
    Level(u32),
}

/// A question about a framework's titles.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TitlesQuery {
    /// The framework's id.
    pub framework: String,
    /// Show this dimension across all levels instead of the titles alone.
    pub dimension: Option<String>,
    /// Other readings of an ambiguous question.
    pub alternatives: Vec<Alternative>,
}

/// Another framework (or level) the question may have meant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alternative {
    /// What it is, for people: "Senior Engineer, level 3 of InfraCloud Engineering".
    pub description: String,
    /// A question that asks for it unambiguously.
    pub question: String,
}

/// A question that could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unknown {
    /// What was wrong and what is known, as sentences.
    pub message: String,
    /// Questions that would work.
    pub suggestions: Vec<String>,
}

/// A question about the asker (see [`Query::Personal`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalQuery {
    /// What they asked about themselves.
    pub kind: PersonalKind,
    /// Their level ([`Query::Level`]) or the step from it to the next ([`Query::Compare`]),
    /// once answered from their record; `None` while nobody is known to be asking, or when
    /// they are not tracked.
    pub answer: Option<Box<Query>>,
    /// Without an answer, the one sentence said instead (where to ask; not tracked and who can
    /// add them); with one, where their record puts them, said first.
    pub message: String,
    /// Every command or question the reply offers, in its order (for `ask --json`).
    pub follow_ups: Vec<String>,
}

/// What someone asks about themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonalKind {
    /// Where they are: "what level am I", "what's my title", "where am I on the ladder".
    CurrentLevel,
    /// What comes next and what it adds: "what's my next level", "what do I need for my next
    /// level", "how do I get promoted", "what should I work on".
    NextLevel,
}

/// The kind of question, as reported by `ask --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A level.
    Level,
    /// A comparison.
    Compare,
    /// A framework's titles.
    Titles,
    /// One dimension up a framework's ladder, a line per level.
    Dimension,
    /// The list of frameworks.
    Frameworks,
    /// Help.
    Help,
    /// Not understood.
    Unknown,
    /// Thanks, a greeting, or something the frameworks do not cover.
    #[serde(rename = "smalltalk")]
    SmallTalk,
    /// A question about the asker, asked where nobody is known to be asking (or by someone
    /// not tracked); answered from their record it is a `level` or `compare`.
    Personal,
    /// The passages closest to what was asked.
    Search,
}

impl Query {
    /// The question the answer's details come from: the rest of a small-talk question when it
    /// had one, else this one.
    pub fn answered(&self) -> &Query {
        match self {
            Query::SmallTalk(SmallTalk {
                answer: Some(answer),
                ..
            }) => answer,
            Query::Personal(PersonalQuery {
                answer: Some(answer),
                ..
            }) => answer,
            other => other,
        }
    }

    /// The kind of question.
    pub fn intent(&self) -> Intent {
        match self {
            Query::SmallTalk(_) => Intent::SmallTalk,
            Query::Level(_) => Intent::Level,
            Query::Compare(_) | Query::CrossCompare(_) | Query::Roles(_) => Intent::Compare,
            Query::Titles(query) if query.dimension.is_some() => Intent::Dimension,
            Query::Titles(_) => Intent::Titles,
            Query::Frameworks => Intent::Frameworks,
            Query::Help => Intent::Help,
            Query::Unknown(_) => Intent::Unknown,
            Query::Personal(personal) => personal
                .answer
                .as_deref()
                .map_or(Intent::Personal, Query::intent),
            Query::Search(_) => Intent::Search,
        }
    }

    /// The framework asked about, if any.
    pub fn framework(&self) -> Option<&str> {
        match self {
            Query::SmallTalk(talk) => talk.answer.as_deref().and_then(Query::framework),
            Query::Level(query) => Some(&query.framework),
            Query::Compare(query) => Some(&query.framework),
            Query::CrossCompare(query) => Some(&query.framework),
            Query::Roles(query) => Some(&query.framework),
            Query::Titles(query) => Some(&query.framework),
            Query::Personal(personal) => personal.answer.as_deref().and_then(Query::framework),
            Query::Search(query) => match query.frameworks.as_slice() {
                [only] => Some(only),
                _ => None,
            },
            Query::Frameworks | Query::Help | Query::Unknown(_) => None,
        }
    }

    /// The second framework of a cross-framework comparison, else `None`.
    pub fn other_framework(&self) -> Option<&str> {
        match self.answered() {
            Query::CrossCompare(query) => Some(&query.other_framework),
            _ => None,
        }
    }

    /// The dimension asked about, if any.
    pub fn dimension(&self) -> Option<&str> {
        match self {
            Query::SmallTalk(talk) => talk.answer.as_deref().and_then(Query::dimension),
            Query::Level(query) => query.dimension.as_deref(),
            Query::Compare(query) => query.dimension.as_deref(),
            Query::Titles(query) => query.dimension.as_deref(),
            Query::Personal(personal) => personal.answer.as_deref().and_then(Query::dimension),
            Query::CrossCompare(_)
            | Query::Roles(_)
            | Query::Frameworks
            | Query::Help
            | Query::Unknown(_)
            | Query::Search(_) => None,
        }
    }

    /// Runnable suggestions: alternatives of an ambiguous question, or what to try instead.
    pub fn suggestions(&self) -> Vec<String> {
        let alternatives = match self {
            Query::SmallTalk(talk) => {
                return talk
                    .answer
                    .as_deref()
                    .map_or_else(|| vec!["help".to_owned()], Query::suggestions);
            }
            Query::Level(query) => &query.alternatives,
            Query::Compare(query) => &query.alternatives,
            Query::Titles(query) => &query.alternatives,
            Query::Unknown(unknown) => return unknown.suggestions.clone(),
            Query::Personal(personal) => {
                // What the answer suggests, then every follow-up its text and buttons offer.
                let mut suggestions = personal
                    .answer
                    .as_deref()
                    .map_or_else(Vec::new, Query::suggestions);
                for follow_up in &personal.follow_ups {
                    if !suggestions.contains(follow_up) {
                        suggestions.push(follow_up.clone());
                    }
                }
                return suggestions;
            }
            Query::Search(query) => return query.follow_up().into_iter().collect(),
            Query::CrossCompare(_) | Query::Roles(_) | Query::Frameworks | Query::Help => {
                return Vec::new();
            }
        };
        alternatives
            .iter()
            .map(|alternative| alternative.question.clone())
            .collect()
    }
}
