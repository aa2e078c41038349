//! Noticing a question about the asker: "what level am I", "how do I get promoted", "what do I
//! need for my next level", "what's my next level", in the many ways people write them.
//!
//! A question is about the asker when it is in the first person (or about a promotion, or "the
//! next level") **and** names no framework, no title and no level number. The second half keeps
//! explicit questions explicit: "how do I get from 2 to 3 in marketing" and "what does level 3
//! happiness need" say what they are about, so their "I" changes nothing.

use crate::ask::clues::{Clues, visit};
use crate::ask::query::PersonalKind;
use crate::ask::tokens::tokenize;

/// Words that put the asker in the question.
const FIRST_PERSON: &[&str] = &["i", "me", "my", "mine", "myself", "im", "ive", "id", "ill"];

/// Verbs after which "me" is only the one being told ("show me the ladder", "tell me about
/// level 3"), not the one asked about.
const TELL_VERBS: &[&str] = &["show", "tell", "give", "help", "let", "send", "list"];

/// Words about a promotion: a question with one is about the asker's next level even without
/// "I" ("promotion?", "how to get promoted").
const PROMOTION: &[&str] = &[
    "promoted",
    "promotion",
    "promotions",
    "promote",
    "promoting",
];

/// Words that ask what lies ahead: the asker's next level and what it adds.
const AHEAD: &[&str] = &[
    "next",
    "after",
    "beyond",
    "above",
    "higher",
    "up",
    "promoted",
    "promotion",
    "promotions",
    "promote",
    "promoting",
    "advance",
    "advancement",
    "advancing",
    "progress",
    "progressing",
    "grow",
    "growth",
    "ready",
    "climb",
    "further",
];

/// Words that ask where the asker is now. ("levels", plural, asks for a ladder, not a place
/// on it: "show me all levels" stays a question about the frameworks.)
const WHERE_NOW: &[&str] = &[
    "level",
    "lvl",
    "grade",
    "band",
    "title",
    "role",
    "position",
    "rank",
    "seniority",
    "where",
    "current",
    "currently",
    "framework",
    "ladder",
    "track",
    "stand",
    "expected",
    "expect",
    "expectations",
];

/// Words that ask what to work on: read as what the next level adds ("what do I need", "what
/// should I work on").
const TO_DO: &[&str] = &[
    "need", "needs", "work", "improve", "focus", "missing", "learn", "develop",
];

/// Words that, with "next", say the asker's next level is meant ("the next level", "next step").
const STEP_WORDS: &[&str] = &["level", "lvl", "step", "grade", "band", "title", "role"];

/// What `clues` (read from `text`) ask about the asker, if the question is about them.
pub(in crate::ask) fn detect(clues: &Clues<'_>, text: &str) -> Option<PersonalKind> {
    // Any name, title or level number makes the question explicit.
    if !clues.phrases.is_empty()
        || clues
            .tokens
            .iter()
            .any(|t| t.number.is_some() && !t.weak_number)
    {
        return None;
    }
    // Typo correction may have rewritten a word this module knows but the index does not
    // ("grow"); each position is read both as typed and as corrected.
    let typed = tokenize(text);
    let words: Vec<[&str; 2]> = clues
        .tokens
        .iter()
        .enumerate()
        .map(|(position, token)| {
            visit();
            let as_typed = typed.get(position).map_or(token.word.as_str(), |t| &t.word);
            [token.word.as_str(), as_typed]
        })
        .collect();
    let is = |position: usize, set: &[&str]| words[position].iter().any(|w| set.contains(w));
    let any = |set: &[&str]| (0..words.len()).any(|position| is(position, set));
    let first_person = (0..words.len()).any(|position| {
        is(position, FIRST_PERSON)
            && !(words[position][0] == "me" && position > 0 && is(position - 1, TELL_VERBS))
    });
    let next_level = any(&["next"]) && any(STEP_WORDS);
    if !(first_person || any(PROMOTION) || next_level) {
        return None;
    }
    if any(AHEAD) {
        Some(PersonalKind::NextLevel)
    } else if any(WHERE_NOW) {
        Some(PersonalKind::CurrentLevel)
    } else if any(TO_DO) {
        Some(PersonalKind::NextLevel)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::ask::PersonalKind::{self, CurrentLevel, NextLevel};
    use crate::ask::{Engine, Query};
    use crate::frameworks::{FrameworkSource, load};

    fn kind(engine: &Engine, question: &str) -> Option<PersonalKind> {
        match engine.parse(question) {
            Query::Personal(personal) => Some(personal.kind),
            _ => None,
        }
    }

    #[test]
    fn questions_about_the_asker_are_noticed_in_many_wordings() {
        let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
        for (question, expected) in [
            ("what level am I", CurrentLevel),
            ("What level am I?", CurrentLevel),
            ("which level am I at", CurrentLevel),
            ("what's my level", CurrentLevel),
            ("my level", CurrentLevel),
            ("what is my current level", CurrentLevel),
            ("what's my title", CurrentLevel),
            ("what grade am I", CurrentLevel),
            ("where am I on the ladder", CurrentLevel),
            ("where do I stand", CurrentLevel),
            ("which framework am I on", CurrentLevel),
            ("what is expected of me", CurrentLevel),
            ("what does my level need", CurrentLevel),
            ("what do I need for my next level", NextLevel),
            ("how do I get promoted", NextLevel),
            ("how to get promoted", NextLevel),
            ("what's my next level", NextLevel),
            ("whats my next level", NextLevel),
            ("what do I need to get to the next level", NextLevel),
            ("am I ready for promotion", NextLevel),
            ("what am I missing for a promotion", NextLevel),
            ("how can I level up", NextLevel),
            ("how do I grow", NextLevel),
            ("what should I work on", NextLevel),
            ("what do I need", NextLevel),
            ("what's next for me", NextLevel),
            ("next level", NextLevel),
            ("promotion?", NextLevel),
            ("how do I get promtoed", NextLevel),
            ("what comes after my level", NextLevel),
        ] {
            assert_eq!(kind(&engine, question), Some(expected), "{question:?}");
        }
    }

    #[test]
    fn explicit_questions_stay_explicit_whatever_their_pronouns() {
        let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
        for question in [
            "what does level 3 happiness need",
            "how do I get from 2 to 3 in marketing",
            "how do I get to level 4 in marketing",
            "I want to be head of marketing",
            "how do I become a staff engineer at infracloud",
            "am I a senior engineer",
            "what do I need for level 3 marketing",
            "my next level in marketing",
            "show me all levels",
            "show me the buffer engineering ladder",
            "tell me about levels",
            "help me",
            "how do I use this",
            "frameworks",
            "what teams are there",
            "level 3",
        ] {
            assert_eq!(kind(&engine, question), None, "{question:?}");
        }
    }
}
