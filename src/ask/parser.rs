//! Turns a free-text question into a [`Query`].
//!
//! The question is first read into clues (module `clues`): typos of known words corrected
//! ("hapiness" → "happiness"), then framework names and level titles found as phrases from the
//! [`Index`], longest first. Then the sibling `resolve` module reads the rest (level numbers,
//! dimension words, intent cues, leftover words) and decides which framework, level(s),
//! dimension and intent the question means; anything it cannot resolve becomes a
//! [`Query::Unknown`] that says what was understood and suggests questions that would work
//! (module `refusals`).
//!
//! Dependencies run one way: parser → resolve → clues.

use super::clues;
use super::index::Index;
use super::query::Query;
use super::resolve::Resolver;
use crate::frameworks::Library;

/// Parses `text` against the loaded `library` (whose [`Index`] is `index`).
pub fn parse(index: &Index, library: &Library, text: &str) -> Query {
    let clues = clues::read(index, text);
    if clues.tokens.is_empty() {
        return Query::Help;
    }
    Resolver {
        index,
        library,
        clues,
    }
    .resolve()
}
