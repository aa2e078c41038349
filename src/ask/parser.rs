//! Turns a free-text question into a [`Query`].
//!
//! The question is first read into clues (module `clues`): typos of known words corrected
//! ("hapiness" → "happiness"), then framework names and level titles found as phrases from the
//! [`Index`], longest first. Then the sibling `resolve` module reads the rest (level numbers,
//! dimension words, intent cues, leftover words) and decides which framework, level(s),
//! dimension and intent the question means; anything it cannot resolve becomes a
//! [`Query::Unknown`] that says what was understood and suggests questions that would work
//! (module `refusals`). A question about the asker ("what level am I") is noticed before
//! that, in module `personal`. A question that asks where something is said ("which level
//! mentions mentoring") is searched instead of resolved, and one that names nothing known is
//! searched before it is refused (module `search_question`).
//!
//! Dependencies run one way: parser → resolve → search_question → clues.

use super::clues;
use super::index::Index;
use super::query::{Query, SmallTalk};
use super::refusals::too_long;
use super::resolve::Resolver;
use super::{personal, search_question, small_talk, whole_levels};
use crate::frameworks::Library;

/// The longest question read, in characters. Slack caps a slash command's text at a few
/// thousand characters, and no question about a framework needs more; a longer text (pasted
/// by mistake, or sent to tie up the bot) is refused with a sentence, unread. Every question
/// passes here, from slash commands, mentions and direct messages, the shell and the CLI.
pub const MAX_QUESTION_CHARS: usize = 4_000;

/// Parses `text` against the loaded `library` (whose [`Index`] is `index`).
pub fn parse(index: &Index, library: &Library, text: &str) -> Query {
    // Counting stops just past the limit, so a huge text costs no more than a long one.
    if text.len() > MAX_QUESTION_CHARS && text.chars().nth(MAX_QUESTION_CHARS).is_some() {
        return Query::Unknown(too_long(text.chars().count(), MAX_QUESTION_CHARS));
    }
    if let Some(kind) = small_talk::kind(text) {
        let answer = (kind == small_talk::Kind::Pay)
            .then(|| read(index, library, &small_talk::without_pay_words(text)))
            .filter(|rest| rest.framework().is_some())
            .map(Box::new);
        return Query::SmallTalk(SmallTalk {
            message: small_talk::sentence(kind).to_owned(),
            answer,
        });
    }
    if let Some(given) = whole_levels::malformed_level(text) {
        // Read the rest to learn which framework's range to give.
        let rest: String = text
            .split_whitespace()
            .filter(|word| !word.contains(given))
            .collect::<Vec<_>>()
            .join(" ");
        let rest = read(index, library, &rest);
        return Query::Unknown(whole_levels::refusal(library, given, &rest));
    }
    read(index, library, text)
}

/// Reads `text` into clues and resolves them.
fn read(index: &Index, library: &Library, text: &str) -> Query {
    let clues = clues::read(index, text);
    if clues.tokens.is_empty() {
        return Query::Help;
    }
    if let Some(personal) = personal::read(&clues, text) {
        return Query::Personal(personal);
    }
    if let Some(search) = search_question::explicit(index, library, &clues) {
        return search;
    }
    Resolver {
        index,
        library,
        clues,
    }
    .resolve()
}

#[cfg(test)]
mod tests {
    use super::super::Engine;
    use super::super::clues::visits_during;
    use super::super::tokens::tokenize;
    use crate::frameworks::{FrameworkSource, load};

    /// `pattern` repeated to about `chars` characters.
    fn question(pattern: &str, chars: usize) -> String {
        pattern.repeat(chars / pattern.len())
    }

    #[test]
    fn matching_looks_at_each_token_a_bounded_number_of_times_however_long_the_question() {
        let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
        for pattern in [
            "what does level 3 happiness need ",
            "senior engineer staff principal hero ",
            "marketing level 2 engineering ",
            "ownership scope impact in marketing ",
            "xyzzy plugh hapiness sales ",
            "3 4 5 ",
        ] {
            let per_token = |chars: usize| {
                let text = question(pattern, chars);
                let visits = visits_during(|| {
                    engine.parse(&text);
                });
                visits as f64 / tokenize(&text).len() as f64
            };
            let (short, long) = (per_token(400), per_token(4_000));
            // Linear matching looks at each token about as often in a long question as in a
            // short one; quadratic matching ten times as often for ten times the tokens.
            assert!(
                long <= 2.0 * short,
                "{pattern:?}: {short:.1} looks per token at 400 characters, {long:.1} at 4,000"
            );
        }
    }
}
