//! Turns a free-text question into a [`Query`].
//!
//! The parser works in three passes over the tokens:
//! 1. **Correct typos** of known words ("hapiness" → "happiness").
//! 2. **Find phrases**, longest first: framework names and level titles from the [`Index`].
//! 3. **Read the rest**: level numbers, dimension words, intent cues, leftover words.
//!
//! Then the sibling `resolve` module decides which framework, level(s), dimension and intent the
//! question means; anything it cannot resolve becomes a [`Query::Unknown`] that says what was
//! understood and suggests questions that would work (module `refusals`).

use super::index::{Index, Target};
use super::query::Query;
use super::tokens::{Token, tokenize};
use super::vocabulary::is_stop_word;
use crate::frameworks::Library;

/// A phrase found in the question.
pub(super) struct Phrase<'i> {
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) targets: &'i [Target],
}

/// A level the question points at, by number or by title.
#[derive(Debug, Clone, Copy)]
pub(super) struct LevelRef {
    pub(super) position: usize,
    pub(super) level: u32,
    pub(super) role: Option<usize>,
}

/// Everything read from the question before resolution.
pub(super) struct Clues<'i> {
    pub(super) tokens: Vec<Token>,
    pub(super) phrases: Vec<Phrase<'i>>,
}

/// Parses `text` against the loaded `library` (whose [`Index`] is `index`).
pub fn parse(index: &Index, library: &Library, text: &str) -> Query {
    let mut tokens = tokenize(text);
    if tokens.is_empty() {
        return Query::Help;
    }
    correct_typos(index, &mut tokens);
    let phrases = find_phrases(index, &tokens);
    super::resolve::Resolver {
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
