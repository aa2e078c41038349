//! Questions that set two frameworks side by side: "what's the difference between a senior
//! engineer at buffer and at infracloud", "marketing level 2 vs infracloud level 2".
//!
//! The question is split at a joining word ("vs", "and", "with", …) into two sides; each side
//! must name its own framework, by a name or else by a whole title (a name is narrowed by any title in the question: "buffer" with "senior
//! engineer" is Buffer Engineering), and the two must differ. Each side's level is the number
//! or title on that side; a side without one borrows the other side's title (read in its own
//! framework) or number. Anything less clear is left to the one-framework reading.

use super::clues::Phrase;
use super::index::Target;
use super::lookup::{frameworks_named, title_level};
use super::query::{CrossCompareQuery, Query};
use super::refusals::level_does_not_exist;
use super::resolve::Resolver;

/// Words that join the two sides of a comparison across frameworks.
const JOINING_WORDS: &[&str] = &[
    "vs", "versus", "and", "or", "with", "against", "to", "from", "than",
];

/// One side of the question: its phrases and the level numbers written on it.
struct Side<'i> {
    phrases: Vec<Phrase<'i>>,
    numbers: Vec<u32>,
}

impl<'a> Resolver<'a> {
    /// The question as a comparison of two frameworks' levels, when it is one.
    pub(super) fn across_frameworks(&self) -> Option<Query> {
        let names_a_framework = |phrase: &Phrase<'_>| {
            !frameworks_named(std::slice::from_ref(phrase))
                .candidates
                .is_empty()
                || !exact_title_frameworks(phrase).is_empty()
        };
        if self
            .clues
            .phrases
            .iter()
            .filter(|phrase| names_a_framework(phrase))
            .count()
            < 2
        {
            return None;
        }
        let splits = self
            .clues
            .tokens
            .iter()
            .enumerate()
            .filter(|(position, token)| {
                token.number.is_none()
                    && JOINING_WORDS.contains(&token.word.as_str())
                    && self.clues.covering(*position).is_none()
            })
            .map(|(position, _)| position);
        for split in splits {
            let (before, after) = (self.side(..split), self.side(split + 1..));
            let Some((first, second)) =
                self.pair(self.side_frameworks(&before), self.side_frameworks(&after))
            else {
                continue;
            };
            if first == second {
                continue;
            }
            let first_level = self.side_level(first, &before, &after);
            let second_level = self.side_level(second, &after, &before);
            let (Some(first_level), Some(second_level)) = (first_level, second_level) else {
                continue;
            };
            for (framework, level) in [(first, first_level), (second, second_level)] {
                let framework = self.framework_at(framework);
                if framework.level(level).is_none() {
                    return Some(Query::Unknown(level_does_not_exist(framework, level)));
                }
            }
            return Some(Query::CrossCompare(CrossCompareQuery {
                framework: self.framework_at(first).id.clone(),
                level: first_level,
                other_framework: self.framework_at(second).id.clone(),
                other_level: second_level,
            }));
        }
        None
    }

    /// The phrases and level numbers among the tokens in `range`.
    fn side(&self, range: impl std::ops::RangeBounds<usize>) -> Side<'a> {
        let phrases = self
            .clues
            .phrases
            .iter()
            .filter(|phrase| range.contains(&phrase.start))
            .copied()
            .collect();
        let numbers = self
            .level_numbers()
            .into_iter()
            .filter(|(position, _)| range.contains(position))
            .map(|(_, number)| number)
            .collect();
        Side { phrases, numbers }
    }

    /// One framework for each side: a side naming several (a team two organisations have)
    /// takes the one from the other side's organisation ("marketing vs engineering" at Buffer).
    fn pair(&self, first: Vec<usize>, second: Vec<usize>) -> Option<(usize, usize)> {
        let same_organisation = |candidates: &[usize], other: usize| -> Option<usize> {
            let organisation = &self.framework_at(other).organisation;
            let mut matching = candidates
                .iter()
                .copied()
                .filter(|fw| *fw != other && &self.framework_at(*fw).organisation == organisation);
            let found = matching.next()?;
            matching.next().is_none().then_some(found)
        };
        match (first.as_slice(), second.as_slice()) {
            ([a], [b]) => Some((*a, *b)),
            ([a], many) if many.len() > 1 => Some((*a, same_organisation(many, *a)?)),
            (many, [b]) if many.len() > 1 => Some((same_organisation(many, *b)?, *b)),
            _ => None,
        }
    }

    /// The frameworks a side names, narrowed by the titles anywhere in the question.
    fn side_frameworks(&self, side: &Side<'_>) -> Vec<usize> {
        let named = frameworks_named(&side.phrases);
        if named.contradictory {
            return Vec::new();
        }
        let mut pool: Vec<usize> = named.candidates.iter().map(|(fw, _)| *fw).collect();
        pool.dedup();
        if pool.is_empty() {
            // No name on this side: a whole title names its framework ("a happiness hero 2").
            pool = side
                .phrases
                .iter()
                .flat_map(exact_title_frameworks)
                .collect();
            pool.sort_unstable();
            pool.dedup();
        } else if pool.len() > 1 {
            let titled = self.title_frameworks();
            let narrowed: Vec<usize> = pool
                .iter()
                .copied()
                .filter(|fw| titled.iter().any(|(other, _)| other == fw))
                .collect();
            if !narrowed.is_empty() {
                pool = narrowed;
            }
        }
        pool
    }

    /// The level a side asks about in `framework`: its own number or title, else the other
    /// side's title read in this framework, else the other side's number.
    fn side_level(&self, framework: usize, side: &Side<'_>, other: &Side<'_>) -> Option<u32> {
        let title_in = |side: &Side<'_>| {
            side.phrases
                .iter()
                .find_map(|phrase| title_level(phrase.targets, framework))
                .filter(|title| title.role.is_none())
                .map(|title| title.level)
        };
        side.numbers
            .first()
            .copied()
            .or_else(|| title_in(side))
            .or_else(|| title_in(other))
            .or_else(|| other.numbers.first().copied())
    }
}

/// The frameworks in which `phrase` is a whole title.
fn exact_title_frameworks(phrase: &Phrase<'_>) -> Vec<usize> {
    phrase
        .targets
        .iter()
        .filter_map(|target| match *target {
            Target::Title {
                framework,
                exact: true,
                ..
            } => Some(framework),
            _ => None,
        })
        .collect()
}
