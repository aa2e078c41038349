//! Resolving what the parser found in a question: which framework (names narrow each other,
//! titles narrow further), which level or levels, which dimension, and which intent. Anything
//! that cannot be resolved becomes a [`Query::Unknown`] built in [`super::refusals`].

use std::collections::BTreeSet;

use super::clues::{Clues, visit};
use super::index::{Index, NameKind, Target};
use super::lookup::{frameworks_named, title_level};
use super::query::{
    Alternative, CompareQuery, LevelQuery, Query, RoleOrLevel, RolesQuery, TitlesQuery, Unknown,
};
use super::refusals::{level_does_not_exist, unknown_name, which_framework};
use super::search_question;
use super::tokens::is_level_word;
use super::vocabulary::{
    AFTER_WORDS, COMPARE_WORDS, FRAMEWORK_WORDS, HELP_WORDS, TITLE_WORDS, TOWARD_WORDS,
    canonical_dimension_word, is_stop_word,
};
use crate::frameworks::{Framework, Library};

/// A level the question points at, by number or by title.
#[derive(Debug, Clone, Copy)]
pub(super) struct LevelRef {
    pub(super) position: usize,
    pub(super) level: u32,
    pub(super) role: Option<usize>,
}

/// `query` with `note` as its remark on how the question was read.
fn with_note(mut query: Query, note: String) -> Query {
    match &mut query {
        Query::Level(level) => level.note = Some(note),
        Query::Compare(compare) => compare.note = Some(note),
        _ => {}
    }
    query
}

/// Resolves one question's clues against the library they were read from.
pub(super) struct Resolver<'a> {
    pub(super) index: &'a Index,
    pub(super) library: &'a Library,
    pub(super) clues: Clues<'a>,
}

impl<'a> Resolver<'a> {
    pub(super) fn framework_at(&self, position: usize) -> &'a Framework {
        &self.library.frameworks()[position]
    }

    pub(super) fn has_word(&self, words: &[&str]) -> bool {
        self.clues.tokens.iter().any(|token| {
            visit();
            token.number.is_none() && words.contains(&token.word.as_str())
        })
    }

    pub(super) fn resolve(self) -> Query {
        if let Some(query) = self.across_frameworks() {
            return query;
        }
        let candidates = self.framework_candidates();
        let chosen = self.choose_framework(&candidates);
        let Some((framework_position, alternatives)) = chosen else {
            return self.without_framework(&candidates);
        };
        // Only a framework picked through a title may give way to another that has the
        // dimension asked about; one the question names is kept, and told it lacks it.
        let may_look_elsewhere = candidates.is_empty();
        self.resolve_in(framework_position, &alternatives, may_look_elsewhere)
    }

    /// Resolves the question within the framework at `framework_position`.
    fn resolve_in(
        &self,
        framework_position: usize,
        alternatives: &[usize],
        may_look_elsewhere: bool,
    ) -> Query {
        let framework = self.framework_at(framework_position);
        let (levels, unused_phrases) = self.levels_in(framework_position);
        if levels.is_empty()
            && let Some(unknown) = self.title_of_another_framework(framework, &unused_phrases)
        {
            return Query::Unknown(unknown);
        }
        let asked_level = levels.first().map(|reference| reference.level);
        let dimension = match self.dimension_in(framework_position, &unused_phrases, asked_level) {
            Ok(dimension) => dimension,
            Err(unknown) => {
                return may_look_elsewhere
                    .then(|| self.dimension_elsewhere(framework_position))
                    .flatten()
                    .unwrap_or(Query::Unknown(unknown));
            }
        };
        if let Some(missing) = levels
            .iter()
            .find(|reference| framework.level(reference.level).is_none())
        {
            return Query::Unknown(level_does_not_exist(framework, missing.level));
        }
        let alternatives = self.alternatives(alternatives, &levels);
        self.build_query(framework, levels, dimension, alternatives)
    }

    /// "How much time does a staff engineer spend on management": the framework the title
    /// pointed at first (Buffer Engineering) has no such dimension, but another framework
    /// with the same title does (InfraCloud Engineering). Answers from the best such one,
    /// saying which and why.
    fn dimension_elsewhere(&self, tried: usize) -> Option<Query> {
        let mut others = self.title_frameworks();
        others.sort_by_key(|(framework, score)| (std::cmp::Reverse(*score), *framework));
        others
            .into_iter()
            .map(|(framework, _)| framework)
            .filter(|framework| *framework != tried)
            .find_map(|position| {
                let (levels, unused) = self.levels_in(position);
                let asked = levels.first()?.level;
                let dimension = self.dimension_in(position, &unused, Some(asked)).ok()??;
                let query = self.resolve_in(position, &[], false);
                let (first, other) = (self.framework_at(tried), self.framework_at(position));
                let title = other.level(asked)?.title_text();
                let note = format!(
                    "{} has no {dimension} dimension, so this answer is from {}, whose {title} (Level {asked}) has one.",
                    first.name, other.name
                );
                Some(with_note(query, note))
            })
    }

    /// Frameworks the question names (see [`frameworks_named`]): names narrow each other;
    /// titles are used only when no name is given.
    fn framework_candidates(&self) -> Vec<(usize, NameKind)> {
        frameworks_named(&self.clues.phrases).candidates
    }

    /// Picks one framework: among the named ones, the one the titles and levels fit best;
    /// with no name, the one the titles point at. Returns it and the other plausible ones.
    fn choose_framework(&self, named: &[(usize, NameKind)]) -> Option<(usize, Vec<usize>)> {
        let mut pool: Vec<usize> = named.iter().map(|(fw, _)| *fw).collect();
        pool.dedup();
        let title_frameworks = self.title_frameworks();
        if pool.is_empty() {
            pool = title_frameworks.iter().map(|(fw, _)| *fw).collect();
        }
        if pool.is_empty() {
            return None;
        }
        let numbers = self.level_numbers();
        let score = |fw: usize| {
            let title_score = title_frameworks
                .iter()
                .find(|(candidate, _)| *candidate == fw)
                .map_or(0, |(_, score)| *score);
            let framework = self.framework_at(fw);
            let fits = numbers
                .iter()
                .all(|(_, number)| framework.level(*number).is_some());
            (title_score, fits)
        };
        let best = *pool
            .iter()
            .max_by(|a, b| score(**a).cmp(&score(**b)).then(b.cmp(a)))?;
        let best_score = score(best);
        let alternatives = pool
            .iter()
            .copied()
            .filter(|fw| *fw != best && score(*fw) == best_score)
            .collect();
        Some((best, alternatives))
    }

    /// Frameworks the titles point at, with a score: exact titles count more than parts.
    pub(super) fn title_frameworks(&self) -> Vec<(usize, u32)> {
        let mut scores: Vec<(usize, u32)> = Vec::new();
        for phrase in &self.clues.phrases {
            let mut seen = BTreeSet::new();
            for target in phrase.targets {
                if let Target::Title {
                    framework, exact, ..
                } = *target
                    && seen.insert(framework)
                {
                    let points = if exact { 3 } else { 1 };
                    match scores.iter_mut().find(|(fw, _)| *fw == framework) {
                        Some((_, score)) => *score += points,
                        None => scores.push((framework, points)),
                    }
                }
            }
        }
        scores
    }

    /// Bare level numbers with their positions (not those inside titles).
    pub(super) fn level_numbers(&self) -> Vec<(usize, u32)> {
        self.clues
            .tokens
            .iter()
            .enumerate()
            .filter(|(position, token)| {
                !token.weak_number && self.clues.covering(*position).is_none()
            })
            .filter_map(|(position, token)| token.number.map(|number| (position, number)))
            .collect()
    }

    /// The levels the question points at within the chosen framework, in question order,
    /// and the phrases that did not fit it (their words may still name a dimension).
    fn levels_in(&self, framework: usize) -> (Vec<LevelRef>, Vec<usize>) {
        let mut levels: Vec<LevelRef> = self
            .level_numbers()
            .into_iter()
            .map(|(position, level)| LevelRef {
                position,
                level,
                role: None,
            })
            .collect();
        let mut unused = Vec::new();
        let mut titles: Vec<(LevelRef, bool)> = Vec::new();
        for (phrase_index, phrase) in self.clues.phrases.iter().enumerate() {
            let names_framework = phrase
                .targets
                .iter()
                .any(|t| matches!(t, Target::Framework { .. }));
            match title_level(phrase.targets, framework) {
                Some(title) => titles.push((
                    LevelRef {
                        position: phrase.start,
                        level: title.level,
                        role: title.role,
                    },
                    title.exact,
                )),
                None if !names_framework => unused.push(phrase_index),
                None => {}
            }
        }
        // A title word beside an explicit level number is context ("engineer level 3 at
        // infracloud", "marketer level 3"), not a second level, unless the question compares
        // or moves between levels. Without a number, a whole title outweighs a part of one
        // ("senior marketer": Senior, not Social Media Marketer).
        let two_levels = self.has_word(COMPARE_WORDS)
            || self.has_word(TOWARD_WORDS)
            || self.has_word(&["from", "vs", "versus", "and"]);
        let has_exact = titles.iter().any(|(_, exact)| *exact);
        if !(levels.is_empty() || two_levels) {
            titles.clear();
        } else if levels.is_empty() && has_exact && !two_levels {
            titles.retain(|(_, exact)| *exact);
        }
        levels.extend(titles.into_iter().map(|(reference, _)| reference));
        levels.sort_by_key(|reference| reference.position);
        (levels, unused)
    }

    /// The dimension named in the question, resolved in the chosen framework.
    fn dimension_in(
        &self,
        framework: usize,
        unused_phrases: &[usize],
        asked_level: Option<u32>,
    ) -> Result<Option<String>, Unknown> {
        let free = self.free_positions(unused_phrases);
        let words: Vec<&str> = free
            .iter()
            .map(|&position| self.clues.tokens[position].word.as_str())
            .filter(|word| self.index.is_dimension_word(word))
            .collect();
        if words.is_empty() {
            return Ok(None);
        }
        let mut best: Option<(u32, &str)> = None;
        for dimension in self.index.dimensions(framework) {
            let mut score = 0;
            for word in &words {
                if dimension.words.iter().any(|w| w == word) {
                    score += 2;
                } else if dimension
                    .meanings
                    .iter()
                    .any(|m| m == canonical_dimension_word(word))
                {
                    score += 1;
                }
            }
            if score > 0 && best.is_none_or(|(best_score, _)| score > best_score) {
                best = Some((score, &dimension.name));
            }
        }
        match best {
            Some((_, name)) => Ok(Some(name.to_owned())),
            None => {
                let fw = self.framework_at(framework);
                let level = asked_level.unwrap_or(fw.levels[0].number);
                Err(Unknown {
                    message: format!(
                        "{} has no \"{}\" dimension. Its dimensions are: {}.",
                        fw.name,
                        words.join(" "),
                        fw.dimensions.join(", ")
                    ),
                    suggestions: fw
                        .dimensions
                        .iter()
                        .take(3)
                        .map(|name| format!("{} at {} level {level}", name.to_lowercase(), fw.id))
                        .collect(),
                })
            }
        }
    }

    /// Token positions outside every used phrase (`unused_phrases` is in ascending order).
    fn free_positions(&self, unused_phrases: &[usize]) -> Vec<usize> {
        (0..self.clues.tokens.len())
            .filter(|&position| {
                self.clues
                    .covering(position)
                    .is_none_or(|phrase| unused_phrases.binary_search(&phrase).is_ok())
            })
            .collect()
    }

    /// Words that are neither names, numbers, cues, dimension words nor filler: probably
    /// the name of something the library does not have ("sales").
    fn leftover_words(&self) -> Vec<String> {
        let all_phrases_used: Vec<usize> = Vec::new();
        self.free_positions(&all_phrases_used)
            .into_iter()
            .map(|position| &self.clues.tokens[position])
            .filter(|token| token.number.is_none())
            .map(|token| token.word.as_str())
            .filter(|word| {
                !is_stop_word(word)
                    && !is_level_word(word)
                    && !self.index.is_dimension_word(word)
                    && ![
                        COMPARE_WORDS,
                        TOWARD_WORDS,
                        AFTER_WORDS,
                        TITLE_WORDS,
                        FRAMEWORK_WORDS,
                        HELP_WORDS,
                    ]
                    .iter()
                    .any(|list| list.contains(word))
            })
            .map(str::to_owned)
            .collect()
    }

    fn build_query(
        &self,
        framework: &Framework,
        mut levels: Vec<LevelRef>,
        dimension: Option<String>,
        alternatives: Vec<Alternative>,
    ) -> Query {
        // Specialist roles sit beside the ladder: two things named with a role among them are
        // described side by side, never read as a step between levels.
        if levels.len() > 1 && levels.iter().any(|reference| reference.role.is_some()) {
            let mut named: Vec<RoleOrLevel> = Vec::new();
            for reference in &levels {
                let item = match reference.role {
                    Some(role) => RoleOrLevel::Role(role),
                    None => RoleOrLevel::Level(reference.level),
                };
                if !named.contains(&item) {
                    named.push(item);
                }
            }
            return Query::Roles(RolesQuery {
                framework: framework.id.clone(),
                named,
            });
        }
        let mut distinct: Vec<u32> = levels.iter().map(|r| r.level).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let id = framework.id.clone();
        // `levels` is in the order the question names them: "from 3 to 2" is a step down.
        let step_down = matches!(
            (levels.first(), levels.last()),
            (Some(first), Some(last)) if first.level > last.level
        ) && self.has_word(&["from"]);
        match distinct.as_slice() {
            [] => Query::Titles(TitlesQuery {
                framework: id,
                dimension,
                alternatives,
            }),
            [_, .., _] => Query::Compare(CompareQuery {
                framework: id,
                from: distinct[0],
                to: *distinct.last().unwrap_or(&distinct[0]),
                step_down,
                dimension,
                alternatives,
                note: None,
            }),
            // The same level named twice ("compare 3 and 3"): there is nothing to compare, so
            // show that level and say so rather than guessing a step.
            [level] if levels.len() > 1 => Query::Level(LevelQuery {
                framework: id,
                level: *level,
                dimension,
                role: None,
                alternatives,
                note: Some(format!(
                    "You named Level {level} twice: that is the same level, so there is nothing to compare. Here it is."
                )),
            }),
            [level] => {
                let reference = levels.remove(0);
                self.single_level(framework, *level, reference, dimension, alternatives)
            }
        }
    }

    /// One level named: a level question, or a step to or from it when the question says so.
    fn single_level(
        &self,
        framework: &Framework,
        level: u32,
        reference: LevelRef,
        dimension: Option<String>,
        alternatives: Vec<Alternative>,
    ) -> Query {
        let toward = self.has_word(TOWARD_WORDS);
        // "from" alone is filler ("expected from a Content Crafter"); with a movement word it
        // marks the starting level ("get promoted from Coordinator").
        let after = self.has_word(AFTER_WORDS)
            || self.has_word(COMPARE_WORDS)
            || (toward && self.has_word(&["from"]));
        let previous = framework
            .levels
            .iter()
            .rev()
            .find(|candidate| candidate.number < level)
            .map(|l| l.number);
        let next = framework.next_level(level).map(|l| l.number);
        let step = if after {
            next.map(|to| (level, to))
        } else if toward {
            previous.map(|from| (from, level))
        } else {
            None
        };
        if let Some((from, to)) = step {
            return Query::Compare(CompareQuery {
                framework: framework.id.clone(),
                from,
                to,
                step_down: false,
                dimension,
                alternatives,
                note: None,
            });
        }
        let note = if after && next.is_none() {
            Some(format!(
                "Level {level} is the top level of {}, so there is no next level to compare with.",
                framework.name
            ))
        } else if toward && previous.is_none() && !after {
            Some(format!(
                "Level {level} is the first level of {}: this is what it asks for.",
                framework.name
            ))
        } else {
            None
        };
        Query::Level(LevelQuery {
            framework: framework.id.clone(),
            level,
            dimension,
            role: reference.role,
            alternatives,
            note,
        })
    }

    /// "Tech Hero in marketing": the title exists, but in another framework.
    fn title_of_another_framework(
        &self,
        framework: &Framework,
        unused_phrases: &[usize],
    ) -> Option<Unknown> {
        unused_phrases.iter().find_map(|&phrase_index| {
            let phrase = &self.clues.phrases[phrase_index];
            phrase.targets.iter().find_map(|target| match *target {
                Target::Title {
                    framework: other,
                    level,
                    role,
                    exact: true,
                } => {
                    let other = self.framework_at(other);
                    let title = match role.and_then(|index| other.roles.get(index)) {
                        Some(role) => role.titles.join(" / "),
                        None => other
                            .level(level)
                            .map(|l| l.title_text())
                            .unwrap_or_default(),
                    };
                    Some(Unknown {
                        message: format!(
                            "\"{title}\" is a title in {}, not in {}. {} has levels {}.",
                            other.name,
                            framework.name,
                            framework.name,
                            framework.level_range_text()
                        ),
                        suggestions: vec![
                            format!("{} level {level}", other.id),
                            format!("{} titles", framework.id),
                        ],
                    })
                }
                _ => None,
            })
        })
    }

    fn alternatives(&self, others: &[usize], levels: &[LevelRef]) -> Vec<Alternative> {
        let mut alternatives = Vec::new();
        for &other in others {
            let framework = self.framework_at(other);
            let (other_levels, _) = self.levels_in(other);
            match other_levels.first() {
                Some(reference) if levels.len() <= 1 => {
                    if let Some(level) = framework.level(reference.level) {
                        // Not "Level 2 is level 2 of …" for a level titled only that way.
                        let description = if level.has_own_title() {
                            format!(
                                "{} is level {} of {}",
                                level.title_text(),
                                level.number,
                                framework.name
                            )
                        } else {
                            format!("Level {} of {}", level.number, framework.name)
                        };
                        alternatives.push(Alternative {
                            description,
                            question: format!("{} level {}", framework.id, level.number),
                        });
                    }
                }
                _ => alternatives.push(Alternative {
                    description: framework.name.clone(),
                    question: format!("{} titles", framework.id),
                }),
            }
        }
        alternatives
    }

    /// No framework could be determined: list, help, or explain what is missing.
    fn without_framework(&self, _candidates: &[(usize, NameKind)]) -> Query {
        let numbers = self.level_numbers();
        let leftovers = self.leftover_words();
        if !leftovers.is_empty() {
            // Search before refusing: the closest passages beat "I don't know".
            if let Some(search) = search_question::fallback(self.index, &self.clues) {
                return search;
            }
            return Query::Unknown(unknown_name(self.library, &leftovers, &numbers));
        }
        if !numbers.is_empty() {
            let levels: Vec<u32> = numbers.iter().map(|(_, level)| *level).collect();
            return Query::Unknown(which_framework(self.library, &levels));
        }
        if self.has_word(HELP_WORDS) {
            return Query::Help;
        }
        if self.has_word(FRAMEWORK_WORDS) || self.has_word(TITLE_WORDS) {
            return Query::Frameworks;
        }
        Query::Help
    }
}
