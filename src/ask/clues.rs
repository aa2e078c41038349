//! What is read from a question (or a name) before anything is decided: its tokens with typos
//! corrected, and the phrases the [`Index`] knows in it.
//!
//! Two passes over the tokens:
//! 1. **Correct typos** of known words ("hapiness" → "happiness").
//! 2. **Find phrases**, longest first: framework names and level titles from the [`Index`].
//!
//! Both the question parser and the name lookup read text this way, so a name means the same
//! in a command as in a question.
//!
//! Each pass looks at each token a bounded number of times (the longest known phrase bounds
//! the second), and [`Clues::covering`] says which phrase holds a token in one step, so
//! reading and resolving a question stay linear in its length.

use std::collections::HashMap;

use super::index::{Index, Target};
use super::tokens::{Token, tokenize};
use super::vocabulary::is_stop_word;

/// A phrase found in the text.
#[derive(Clone, Copy)]
pub(super) struct Phrase<'i> {
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) targets: &'i [Target],
}

/// Everything read from the text before resolution.
pub(super) struct Clues<'i> {
    pub(super) tokens: Vec<Token>,
    pub(super) phrases: Vec<Phrase<'i>>,
    /// For each token, the phrase (index in `phrases`) that holds it.
    covered_by: Vec<Option<usize>>,
    /// Whether some word was read as a typo of a known one.
    pub(super) corrected: bool,
    /// The words as typed where a typo was corrected, by position: a search looks for what
    /// was typed ("mentor" is not a typo of "senior").
    typed: Vec<(usize, String)>,
}

impl Clues<'_> {
    /// The phrase (index in `phrases`) that holds the token at `position`, if any.
    pub(super) fn covering(&self, position: usize) -> Option<usize> {
        visit();
        self.covered_by.get(position).copied().flatten()
    }

    /// The word at `position` as typed, before any typo correction.
    pub(super) fn typed_word(&self, position: usize) -> &str {
        // `typed` is in position order.
        match self.typed.binary_search_by_key(&position, |(at, _)| *at) {
            Ok(found) => &self.typed[found].1,
            Err(_) => &self.tokens[position].word,
        }
    }
}

/// For each of `tokens` positions, the phrase (index in `phrases`) that holds it. Phrases
/// never overlap.
pub(super) fn coverage(phrases: &[Phrase<'_>], tokens: usize) -> Vec<Option<usize>> {
    let mut covered_by = vec![None; tokens];
    for (index, phrase) in phrases.iter().enumerate() {
        for slot in covered_by.iter_mut().skip(phrase.start).take(phrase.len) {
            *slot = Some(index);
        }
    }
    covered_by
}

/// Reads `text` against `index`.
pub(super) fn read<'i>(index: &'i Index, text: &str) -> Clues<'i> {
    let mut tokens = tokenize(text);
    let typed = correct_typos(index, &mut tokens);
    let phrases = find_phrases(index, &tokens);
    let covered_by = coverage(&phrases, tokens.len());
    Clues {
        tokens,
        phrases,
        covered_by,
        corrected: !typed.is_empty(),
        typed,
    }
}

/// Replaces unknown words by the known word they are a typo of; returns the words replaced,
/// as typed, by position.
fn correct_typos(index: &Index, tokens: &mut [Token]) -> Vec<(usize, String)> {
    let mut typed = Vec::new();
    let mut seen: HashMap<String, Option<&str>> = HashMap::new();
    for (position, token) in tokens.iter_mut().enumerate() {
        visit();
        if token.number.is_some()
            || token.word.len() < 4
            || index.is_known_word(&token.word)
            || is_stop_word(&token.word)
        {
            continue;
        }
        // A word repeated in a question is compared with the vocabulary once.
        let fixed = *seen
            .entry(token.word.clone())
            .or_insert_with(|| index.correct_typo(&token.word));
        if let Some(fixed) = fixed {
            typed.push((
                position,
                std::mem::replace(&mut token.word, fixed.to_owned()),
            ));
        }
    }
    typed
}

/// Finds names and titles, longest first, never overlapping.
fn find_phrases<'i>(index: &'i Index, tokens: &[Token]) -> Vec<Phrase<'i>> {
    let mut taken = vec![false; tokens.len()];
    let mut phrases = Vec::new();
    for len in (1..=index.longest_phrase().min(tokens.len())).rev() {
        for start in 0..=tokens.len() - len {
            visit();
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

/// Counts one look at a token of the question, or at whether a phrase covers it. Matching
/// must look at each token a bounded number of times, whatever the question's length; the
/// tests check it with this count (which costs nothing outside tests).
#[inline]
pub(super) fn visit() {
    #[cfg(test)]
    VISITS.with(|visits| visits.set(visits.get() + 1));
}

#[cfg(test)]
thread_local! {
    static VISITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many tokens `run` looked at (see [`visit`]).
#[cfg(test)]
pub(super) fn visits_during(run: impl FnOnce()) -> usize {
    let before = VISITS.with(std::cell::Cell::get);
    run();
    VISITS.with(std::cell::Cell::get) - before
}
