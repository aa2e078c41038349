//! Turns a free-text question into a [`Query`].
//!
//! The parser works in three passes over the tokens:
//! 1. **Correct typos** of known words ("hapiness" → "happiness").
//! 2. **Find phrases**, longest first: framework names and level titles from the [`Index`].
//! 3. **Read the rest**: level numbers, dimension words, intent cues, leftover words.
//!
//! Then it resolves: which framework (names narrow each other, titles narrow further), which
//! level(s), which dimension, and which intent. Anything that cannot be resolved becomes a
//! [`Query::Unknown`] that says what was understood and suggests questions that would work.

use std::collections::BTreeSet;

use super::index::{Index, NameKind, Target};
use super::query::{Alternative, CompareQuery, LevelQuery, Query, TitlesQuery, Unknown};
use super::tokens::{Token, is_level_word, tokenize};
use super::vocabulary::{
    AFTER_WORDS, COMPARE_WORDS, FRAMEWORK_WORDS, HELP_WORDS, TITLE_WORDS, TOWARD_WORDS,
    canonical_dimension_word, is_stop_word,
};
use crate::frameworks::{Framework, Library};

/// A phrase found in the question.
struct Phrase<'i> {
    start: usize,
    len: usize,
    targets: &'i [Target],
}

/// A level the question points at, by number or by title.
#[derive(Debug, Clone, Copy)]
struct LevelRef {
    position: usize,
    level: u32,
    role: Option<usize>,
}

/// Everything read from the question before resolution.
struct Clues<'i> {
    tokens: Vec<Token>,
    phrases: Vec<Phrase<'i>>,
}

/// Parses `text` against the loaded `library` (whose [`Index`] is `index`).
pub fn parse(index: &Index, library: &Library, text: &str) -> Query {
    let mut tokens = tokenize(text);
    if tokens.is_empty() {
        return Query::Help;
    }
    correct_typos(index, &mut tokens);
    let phrases = find_phrases(index, &tokens);
    Resolver {
        index,
        library,
        clues: Clues { tokens, phrases },
    }
    .resolve()
}

fn correct_typos(index: &Index, tokens: &mut [Token]) {
    for token in tokens.iter_mut() {
        if token.number.is_some()
            || token.word.len() < 4
            || index.is_known_word(&token.word)
            || is_stop_word(&token.word)
        {
            continue;
        }
        if let Some(fixed) = index.correct_typo(&token.word) {
            token.word = fixed.to_owned();
        }
    }
}

/// Finds names and titles, longest first, never overlapping.
fn find_phrases<'i>(index: &'i Index, tokens: &[Token]) -> Vec<Phrase<'i>> {
    let mut taken = vec![false; tokens.len()];
    let mut phrases = Vec::new();
    for len in (1..=index.longest_phrase().min(tokens.len())).rev() {
        for start in 0..=tokens.len() - len {
            if taken[start..start + len].iter().any(|&t| t) {
                continue;
            }
            let span = &tokens[start..start + len];
            // A phrase never starts or ends with filler ("of", "the"), and a lone weak
            // number ("I") never names anything.
            if is_stop_word(&span[0].word) && span[0].number.is_none()
                || is_stop_word(&span[len - 1].word) && span[len - 1].number.is_none()
                || (len == 1 && span[0].weak_number)
            {
                continue;
            }
            if let Some(targets) = index.lookup(span) {
                taken[start..start + len].iter_mut().for_each(|t| *t = true);
                phrases.push(Phrase {
                    start,
                    len,
                    targets,
                });
            }
        }
    }
    phrases.sort_by_key(|phrase| phrase.start);
    phrases
}

struct Resolver<'a> {
    index: &'a Index,
    library: &'a Library,
    clues: Clues<'a>,
}

impl<'a> Resolver<'a> {
    fn framework_at(&self, position: usize) -> &'a Framework {
        &self.library.frameworks()[position]
    }

    fn has_word(&self, words: &[&str]) -> bool {
        self.clues
            .tokens
            .iter()
            .any(|token| token.number.is_none() && words.contains(&token.word.as_str()))
    }

    fn resolve(self) -> Query {
        let candidates = self.framework_candidates();
        let chosen = self.choose_framework(&candidates);
        let Some((framework_position, alternatives)) = chosen else {
            return self.without_framework(&candidates);
        };
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
            Err(unknown) => return Query::Unknown(unknown),
        };
        if let Some(missing) = levels
            .iter()
            .find(|reference| framework.level(reference.level).is_none())
        {
            return Query::Unknown(level_does_not_exist(framework, missing.level));
        }
        let alternatives = self.alternatives(&alternatives, &levels);
        self.build_query(framework, levels, dimension, alternatives)
    }

    /// Frameworks the question names. Names narrow each other ("buffer" ∩ "engineering");
    /// titles are used only when no name is given.
    fn framework_candidates(&self) -> Vec<(usize, NameKind)> {
        let mut named: Vec<Vec<(usize, NameKind)>> = self
            .clues
            .phrases
            .iter()
            .map(|phrase| {
                phrase
                    .targets
                    .iter()
                    .filter_map(|target| match *target {
                        Target::Framework { framework, kind } => Some((framework, kind)),
                        Target::Title { .. } => None,
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|set| !set.is_empty())
            .collect();
        // Strongest names first, so a shared team name cannot override an exact one.
        named.sort_by_key(|set| std::cmp::Reverse(set.iter().map(|(_, k)| *k).max()));
        let mut candidates: Option<Vec<(usize, NameKind)>> = None;
        for set in named {
            candidates = Some(match candidates {
                None => set,
                Some(current) => {
                    let narrowed: Vec<_> = current
                        .iter()
                        .copied()
                        .filter(|(fw, _)| set.iter().any(|(other, _)| other == fw))
                        .collect();
                    if narrowed.is_empty() {
                        current
                    } else {
                        narrowed
                    }
                }
            });
        }
        candidates.unwrap_or_default()
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
    fn title_frameworks(&self) -> Vec<(usize, u32)> {
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
    fn level_numbers(&self) -> Vec<(usize, u32)> {
        let inside_phrase = |position: usize| {
            self.clues
                .phrases
                .iter()
                .any(|p| (p.start..p.start + p.len).contains(&position))
        };
        self.clues
            .tokens
            .iter()
            .enumerate()
            .filter(|(position, token)| !token.weak_number && !inside_phrase(*position))
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
        for (phrase_index, phrase) in self.clues.phrases.iter().enumerate() {
            let mut titles: Vec<(bool, u32, Option<usize>)> = phrase
                .targets
                .iter()
                .filter_map(|target| match *target {
                    Target::Title {
                        framework: fw,
                        level,
                        role,
                        exact,
                    } if fw == framework => Some((exact, level, role)),
                    _ => None,
                })
                .collect();
            let names_framework = phrase
                .targets
                .iter()
                .any(|t| matches!(t, Target::Framework { .. }));
            // Exact titles first, then the lowest level: "senior" means "Senior Engineer"
            // before "Senior Engineer II".
            titles.sort_by_key(|(exact, level, role)| (!exact, role.is_some(), *level));
            match titles.first() {
                Some(&(_, level, role)) => levels.push(LevelRef {
                    position: phrase.start,
                    level,
                    role,
                }),
                None if !names_framework => unused.push(phrase_index),
                None => {}
            }
        }
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

    /// Token positions outside every used phrase.
    fn free_positions(&self, unused_phrases: &[usize]) -> Vec<usize> {
        (0..self.clues.tokens.len())
            .filter(|&position| {
                !self.clues.phrases.iter().enumerate().any(|(i, p)| {
                    !unused_phrases.contains(&i) && (p.start..p.start + p.len).contains(&position)
                })
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
        let mut distinct: Vec<u32> = levels.iter().map(|r| r.level).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let id = framework.id.clone();
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
                dimension,
                alternatives,
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
                dimension,
                alternatives,
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
                        alternatives.push(Alternative {
                            description: format!(
                                "{} is level {} of {}",
                                level.title_text(),
                                level.number,
                                framework.name
                            ),
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

/// "Buffer Marketing has no level 9; its levels are 1–5."
fn level_does_not_exist(framework: &Framework, level: u32) -> Unknown {
    let closest = framework
        .levels
        .iter()
        .min_by_key(|candidate| candidate.number.abs_diff(level))
        .map_or(level, |candidate| candidate.number);
    Unknown {
        message: format!(
            "{} has no level {level}; its levels are {}.",
            framework.name,
            framework.level_range_text()
        ),
        suggestions: vec![
            format!("{} level {closest}", framework.id),
            format!("{} titles", framework.id),
        ],
    }
}

/// Level numbers but no framework: say which frameworks have those levels.
fn which_framework(library: &Library, levels: &[u32]) -> Unknown {
    let shown = levels
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" and ");
    let having: Vec<&Framework> = library
        .frameworks()
        .iter()
        .filter(|framework| levels.iter().all(|level| framework.level(*level).is_some()))
        .collect();
    let plural = if levels.len() > 1 { "s" } else { "" };
    if having.is_empty() {
        return Unknown {
            message: format!(
                "No framework I know has level{plural} {shown}. Frameworks: {}.",
                library.ids().collect::<Vec<_>>().join(", ")
            ),
            suggestions: vec!["frameworks".to_owned()],
        };
    }
    let verb = if levels.len() > 1 { "exist" } else { "exists" };
    Unknown {
        message: format!(
            "Which framework do you mean? Level{plural} {shown} {verb} in {}.",
            having
                .iter()
                .map(|framework| framework.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        suggestions: having
            .iter()
            .map(|framework| match levels {
                [one] => format!("{} level {one}", framework.id),
                _ => format!("compare {} {shown}", framework.id),
            })
            .collect(),
    }
}

/// Words that name nothing known: suggest the closest frameworks and titles.
fn unknown_name(library: &Library, leftovers: &[String], numbers: &[(usize, u32)]) -> Unknown {
    let asked = leftovers.join(" ");
    let mut names: Vec<(&str, String)> = Vec::new();
    for framework in library.frameworks() {
        for name in std::iter::once(&framework.team)
            .chain(std::iter::once(&framework.name))
            .chain(framework.aliases.iter())
        {
            names.push((name.as_str(), framework.id.clone()));
        }
    }
    let closest = crate::text::closest(&asked, names.iter().map(|(name, _)| *name)).or_else(|| {
        leftovers
            .iter()
            .find_map(|word| crate::text::closest(word, names.iter().map(|(name, _)| *name)))
    });
    let level_suffix = numbers
        .first()
        .map(|(_, level)| format!(" level {level}"))
        .unwrap_or_default();
    let known = library
        .frameworks()
        .iter()
        .map(|framework| format!("{} ({})", framework.name, framework.id))
        .collect::<Vec<_>>()
        .join(", ");
    match closest.and_then(|name| names.iter().find(|(n, _)| *n == name)) {
        Some((name, id)) => Unknown {
            message: format!(
                "I don't know a framework or title called \"{asked}\". Did you mean {name}? Known frameworks: {known}."
            ),
            suggestions: vec![format!("{id}{level_suffix}")],
        },
        None => Unknown {
            message: format!(
                "I don't know a framework or title called \"{asked}\". Known frameworks: {known}."
            ),
            suggestions: library
                .frameworks()
                .iter()
                .map(|framework| {
                    if level_suffix.is_empty() {
                        format!("{} titles", framework.id)
                    } else {
                        format!("{}{level_suffix}", framework.id)
                    }
                })
                .collect(),
        },
    }
}
