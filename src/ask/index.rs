//! A lookup table built once per loaded library, so parsing a question is a few hash lookups.
//!
//! It maps every way of naming something (a framework's id, name, aliases, team and
//! organisation; every level title and the distinctive parts of titles) to what it names,
//! keyed by the canonical token sequence ("happiness hero 2"). It also keeps the vocabulary
//! used to correct typos, the words that point at each framework's dimensions, and the
//! [`SearchIndex`] of everything the frameworks say.

use std::collections::{HashMap, HashSet};

use super::search::SearchIndex;
use super::tokens::{Token, tokenize, tokenize_title};
use super::vocabulary::{CUE_WORDS, SEARCH_WORDS, canonical_dimension_word, is_stop_word};
use crate::frameworks::Library;

/// How strongly a phrase names a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameKind {
    /// The organisation alone ("buffer"): narrows, rarely decides.
    Organisation,
    /// The team ("engineering"): may be shared by several organisations.
    Team,
    /// The id, the name or an alias: names exactly one framework.
    Exact,
}

/// What a phrase refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A framework.
    Framework {
        /// Position in `Library::frameworks()`.
        framework: usize,
        /// How the phrase names it.
        kind: NameKind,
    },
    /// A level, through one of its titles (or a specialist role's title).
    Title {
        /// Position in `Library::frameworks()`.
        framework: usize,
        /// The level number.
        level: u32,
        /// The specialist role, when the title is a role's.
        role: Option<usize>,
        /// The whole title was given, not just a distinctive part of it ("staff").
        exact: bool,
    },
}

/// The words of one dimension that identify it in a question.
#[derive(Debug, Clone)]
pub struct DimensionWords {
    /// The dimension's name in the framework.
    pub name: String,
    /// Its significant words, normalised ("scope", "influence").
    pub words: Vec<String>,
    /// The same words mapped to their canonical meaning ("scope" → "influence").
    pub meanings: Vec<String>,
}

/// The lookup table.
#[derive(Debug, Default)]
pub struct Index {
    phrases: HashMap<String, Vec<Target>>,
    longest_phrase: usize,
    vocabulary: Vec<String>,
    known_words: HashSet<String>,
    dimension_vocabulary: HashSet<String>,
    dimensions: Vec<Vec<DimensionWords>>,
    passages: SearchIndex,
}

impl Index {
    /// Builds the table for `library`.
    pub fn new(library: &Library) -> Self {
        let mut index = Index::default();
        for (position, framework) in library.frameworks().iter().enumerate() {
            let exact_names = std::iter::once(framework.id.replace('-', " "))
                .chain(std::iter::once(framework.name.clone()))
                .chain(framework.aliases.iter().cloned());
            for name in exact_names {
                index.add_name(&name, position, NameKind::Exact);
            }
            index.add_name(&framework.team, position, NameKind::Team);
            index.add_name(&framework.organisation, position, NameKind::Organisation);
            index.add_titles(position, framework);
            index
                .dimensions
                .push(dimension_words(&framework.dimensions));
        }
        for words in index.dimensions.iter().flatten() {
            index
                .dimension_vocabulary
                .extend(words.words.iter().cloned());
            index
                .dimension_vocabulary
                .extend(words.meanings.iter().cloned());
        }
        index
            .known_words
            .extend(CUE_WORDS.iter().map(|w| (*w).to_owned()));
        index
            .known_words
            .extend(index.dimension_vocabulary.iter().cloned());
        let mut vocabulary: Vec<String> = index
            .known_words
            .iter()
            .filter(|word| word.chars().count() >= 4 && !word.chars().all(|c| c.is_ascii_digit()))
            .cloned()
            .collect();
        vocabulary.sort();
        index.vocabulary = vocabulary;
        index
            .known_words
            .extend(SEARCH_WORDS.iter().map(|w| (*w).to_owned()));
        index.passages = SearchIndex::new(library);
        index
    }

    fn add_name(&mut self, name: &str, framework: usize, kind: NameKind) {
        let tokens = tokenize_title(name);
        if tokens.is_empty() {
            return;
        }
        self.insert(&tokens, Target::Framework { framework, kind });
    }

    fn add_titles(&mut self, position: usize, framework: &crate::frameworks::Framework) {
        // A word in the titles of three or more levels ("engineer", "hero") does not single
        // out a level on its own, so it cannot be a partial title match.
        let mut levels_per_word: HashMap<String, HashSet<u32>> = HashMap::new();
        let all_titles = framework
            .levels
            .iter()
            .flat_map(|level| level.titles.iter().map(move |t| (t, level.number, None)))
            .chain(framework.roles.iter().enumerate().flat_map(|(i, role)| {
                role.titles
                    .iter()
                    .map(move |t| (t, role.from_level, Some(i)))
            }))
            .collect::<Vec<_>>();
        for (title, level, _) in &all_titles {
            for token in tokenize_title(title) {
                levels_per_word
                    .entry(token.word.clone())
                    .or_default()
                    .insert(*level);
            }
        }
        let is_distinctive = |token: &Token| {
            token.number.is_none()
                && !is_stop_word(&token.word)
                && levels_per_word
                    .get(&token.word)
                    .is_none_or(|levels| levels.len() < 3)
        };
        for (title, level, role) in all_titles {
            let tokens = tokenize_title(title);
            if tokens.is_empty() {
                continue;
            }
            self.insert(
                &tokens,
                Target::Title {
                    framework: position,
                    level,
                    role,
                    exact: true,
                },
            );
            for start in 0..tokens.len() {
                for end in start + 1..=tokens.len() {
                    let part = &tokens[start..end];
                    if part.len() == tokens.len()
                        || !(part.iter().any(is_distinctive) || is_numbered_part(part))
                    {
                        continue;
                    }
                    self.insert(
                        part,
                        Target::Title {
                            framework: position,
                            level,
                            role,
                            exact: false,
                        },
                    );
                }
            }
        }
    }

    fn insert(&mut self, tokens: &[Token], target: Target) {
        let key = phrase_key(tokens);
        for token in tokens {
            if token.number.is_none() {
                self.known_words.insert(token.word.clone());
            }
        }
        self.longest_phrase = self.longest_phrase.max(tokens.len());
        let targets = self.phrases.entry(key).or_default();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }

    /// What the token sequence names, if anything.
    pub fn lookup(&self, tokens: &[Token]) -> Option<&[Target]> {
        self.phrases.get(&phrase_key(tokens)).map(Vec::as_slice)
    }

    /// The most tokens any phrase has.
    pub fn longest_phrase(&self) -> usize {
        self.longest_phrase
    }

    /// Whether `word` appears in any name, title, dimension or cue, or in what the frameworks
    /// say: a word they use ("mentor", "come") is not a typo of a name ("senior", "core"),
    /// unless it is a known word with or without a final "s" ("infracloud's" is read
    /// "infraclouds", "leads" means the title "Lead").
    pub fn is_known_word(&self, word: &str) -> bool {
        self.known_words.contains(word)
            || (self.passages.uses_word(word) && !self.is_inflection_of_known_word(word))
    }

    fn is_inflection_of_known_word(&self, word: &str) -> bool {
        word.strip_suffix('s')
            .is_some_and(|stem| self.known_words.contains(stem))
            || self.known_words.contains(&format!("{word}s"))
    }

    /// The known word `word` is most likely a typo of.
    pub fn correct_typo(&self, word: &str) -> Option<&str> {
        let mut best: Option<(usize, &str)> = None;
        for known in &self.vocabulary {
            if crate::text::is_typo_of(word, known) {
                let score = crate::text::distance(word, known);
                if best.is_none_or(|(best_score, _)| score < best_score) {
                    best = Some((score, known));
                }
            }
        }
        best.map(|(_, known)| known)
    }

    /// Whether `word` points at some framework's dimension ("ownership", "scope").
    pub fn is_dimension_word(&self, word: &str) -> bool {
        self.dimension_vocabulary.contains(word)
            || self
                .dimension_vocabulary
                .contains(canonical_dimension_word(word))
    }

    /// The ranked text search over every expectation, level summary and role.
    pub fn passages(&self) -> &SearchIndex {
        &self.passages
    }

    /// The dimension words of the framework at `position`.
    pub fn dimensions(&self, position: usize) -> &[DimensionWords] {
        self.dimensions.get(position).map_or(&[], Vec::as_slice)
    }
}

/// A shortened title that keeps its grade ("hero II" of "Happiness Hero II"): the number
/// singles the level out even when every word of the part is shared by many levels.
fn is_numbered_part(part: &[Token]) -> bool {
    part.iter().any(|token| token.number.is_some())
        && part
            .iter()
            .any(|token| token.number.is_none() && !is_stop_word(&token.word))
}

/// "Happiness Hero II" and "happiness hero 2" share the key "happiness hero 2".
fn phrase_key(tokens: &[Token]) -> String {
    let mut key = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            key.push(' ');
        }
        key.push_str(&token.canonical());
    }
    key
}

fn dimension_words(names: &[String]) -> Vec<DimensionWords> {
    names
        .iter()
        .map(|name| {
            // "work" and "people" are too common in questions to point at a dimension.
            let words: Vec<String> = tokenize(name)
                .into_iter()
                .map(|token| token.word)
                .filter(|word| !is_stop_word(word) && !matches!(word.as_str(), "level" | "people"))
                .collect();
            let meanings = words
                .iter()
                .map(|word| canonical_dimension_word(word).to_owned())
                .collect();
            DimensionWords {
                name: name.clone(),
                words,
                meanings,
            }
        })
        .collect()
}
