//! Reading a question as a search of what the frameworks say ([`Query::Search`]).
//!
//! Two ways in:
//! - [`explicit`]: the question asks where something is said: `which level mentions X`,
//!   `where does X come in`, `who <verb> X`, `search X`, `find X`, `mentions X`. A framework
//!   named in it narrows the search ("who sets strategy in marketing": Buffer Marketing
//!   only), as do level numbers.
//! - [`fallback`]: the question named no framework or title the library knows, which would
//!   otherwise be refused with "I don't know a framework or title called …"; the closest
//!   passages are better than nothing, when there are any worth showing.
//!
//! The words searched are the question's as typed (a typo correction aimed at names would
//! turn "mentor" into "senior"), without cue words, framework names and level numbers; the
//! search itself drops filler and question words.

use super::clues::Clues;
use super::index::{Index, Target};
use super::lookup::frameworks_named;
use super::query::{Query, SearchQuery, Unknown};
use super::refusals::{level_does_not_exist, which_framework};
use super::search::{Filter, search_words};
use crate::frameworks::Library;

/// The most passages an answer lists.
pub const MAX_MATCHES: usize = 10;

/// The lowest BM25 score worth showing. A passage scoring less shares only words found in
/// nearly every passage; one rare shared word scores about 3 to 6.
const MIN_SCORE: f32 = 1.0;

/// Passages scoring under this share of the best one are left out: they match a lesser word
/// of the question only ("sets out" without "strategy").
const MIN_SHARE_OF_BEST: f32 = 0.5;

/// The most distinct words searched: a long question costs no more than a paragraph.
const MAX_WORDS: usize = 32;

/// The search a question explicitly asks for, if it asks for one (see the module doc).
pub(super) fn explicit(index: &Index, library: &Library, clues: &Clues<'_>) -> Option<Query> {
    let cues = cue_positions(clues)?;
    let terms = terms(clues, &cues);
    if terms.is_empty() {
        return None;
    }
    let frameworks: Vec<String> = frameworks_named(&clues.phrases)
        .candidates
        .iter()
        .map(|(position, _)| library.frameworks()[*position].id.clone())
        .collect();
    let levels = level_numbers(clues);
    if let Some(unknown) = missing_level(library, &frameworks, &levels) {
        return Some(Query::Unknown(unknown));
    }
    let search = run(index, terms, frameworks, levels, false);
    if search.matches.is_empty() {
        return Some(Query::Unknown(nothing_found(library, &search)));
    }
    Some(Query::Search(search))
}

/// The closest passages to a question that named nothing known, if any are close enough;
/// `None` keeps the refusal. Most of the question's words must appear in the frameworks:
/// "what does level 3 sales team need" is about sales, which no framework covers, and the
/// passages about teams would only mislead.
pub(super) fn fallback(index: &Index, clues: &Clues<'_>) -> Option<Query> {
    let terms = terms(clues, &[]);
    if terms.is_empty() || index.passages().known_share(&terms) <= 0.5 {
        return None;
    }
    let search = run(index, terms, Vec::new(), level_numbers(clues), true);
    (!search.matches.is_empty()).then_some(Query::Search(search))
}

/// Searches and keeps the passages worth showing.
fn run(
    index: &Index,
    terms: String,
    frameworks: Vec<String>,
    levels: Vec<u32>,
    fallback: bool,
) -> SearchQuery {
    let mut filter = Filter::default().levels(&levels);
    for id in &frameworks {
        filter = filter.framework(id.clone());
    }
    let found = index.passages().search(&terms, &filter);
    let floor = found.first().map_or(MIN_SCORE, |best| {
        (best.score * MIN_SHARE_OF_BEST).max(MIN_SCORE)
    });
    let matches = found
        .iter()
        .take_while(|found| found.score >= floor)
        .take(MAX_MATCHES)
        .map(|found| found.passage.clone())
        .collect();
    SearchQuery {
        terms,
        frameworks,
        levels,
        matches,
        fallback,
    }
}

/// The positions of the words that ask for a search, or `None` when the question does not.
fn cue_positions(clues: &Clues<'_>) -> Option<Vec<usize>> {
    // As typed: typo correction aims at names, and would read "come" as "core".
    let words: Vec<&str> = (0..clues.tokens.len())
        .map(|position| clues.typed_word(position))
        .collect();
    let first_person = words
        .iter()
        .any(|word| matches!(*word, "i" | "me" | "my" | "mine" | "im" | "myself"));
    let mut cues = Vec::new();
    // "search mentoring", "find hiring", "look up debugging", "mentions coaching".
    match words.as_slice() {
        ["search" | "find" | "grep" | "lookup", "for", ..] | ["look", "up" | "for", ..] => {
            cues.extend([0, 1]);
        }
        [
            "search" | "find" | "grep" | "lookup" | "mention" | "mentions",
            ..,
        ] => cues.push(0),
        _ => {}
    }
    // "which level mentions mentoring", "where is hiring mentioned", "what talks about
    // coaching".
    for (position, word) in words.iter().enumerate() {
        match *word {
            "mention" | "mentions" | "mentioned" | "mentioning" => cues.push(position),
            "talk" | "talks" | "talking" if words.get(position + 1) == Some(&"about") => {
                cues.extend([position, position + 1]);
            }
            _ => {}
        }
    }
    // Questions about people ("where do I stand", "who is my manager") are not searches.
    if !first_person {
        cues.extend(where_cues(&words));
        cues.extend(who_cues(&words));
    }
    cues.extend(which_level_cues(&words, clues));
    if cues.is_empty() {
        return None;
    }
    cues.sort_unstable();
    cues.dedup();
    Some(cues)
}

/// Words that say where something comes in ("come in", "fit", "appear").
fn is_placing_word(word: &str) -> bool {
    matches!(
        word,
        "come"
            | "comes"
            | "coming"
            | "fit"
            | "fits"
            | "appear"
            | "appears"
            | "show"
            | "shows"
            | "start"
            | "starts"
            | "begin"
            | "begins"
            | "feature"
            | "features"
    )
}

/// "where does thought leadership come in", "where is coaching".
fn where_cues(words: &[&str]) -> Vec<usize> {
    match words {
        [
            "where",
            "does" | "do" | "did" | "is" | "are" | "would" | "should" | "can",
            ..,
        ] => {
            let mut cues = vec![0, 1];
            cues.extend((2..words.len()).filter(|&position| is_placing_word(words[position])));
            cues
        }
        _ => Vec::new(),
    }
}

/// "who sets strategy", "who mentors associate engineers", "who's responsible for hiring";
/// not "who is …" otherwise, which asks about a person.
fn who_cues(words: &[&str]) -> Vec<usize> {
    match words {
        // "responsible" would find every passage about responsibility, not the one asked.
        ["whos", "responsible", ..] => vec![0, 1],
        ["who", "is" | "are", "responsible", ..] => vec![0, 1, 2],
        ["whos", _, ..] => vec![0],
        ["who", verb, ..] if !matches!(*verb, "is" | "are" | "am" | "was" | "were") => vec![0],
        _ => Vec::new(),
    }
}

/// "which level covers hiring", "at what level does interviewing come in"; not "what level
/// is a senior engineer" (a title) or "which level 3 …" (a level).
fn which_level_cues(words: &[&str], clues: &Clues<'_>) -> Vec<usize> {
    let start = usize::from(matches!(words.first(), Some(&("at" | "in" | "from"))));
    if !matches!(words.get(start), Some(&("which" | "what"))) {
        return Vec::new();
    }
    // A framework name may stand between: "which marketing level covers hiring".
    let Some(level_at) = (start + 1..words.len().min(start + 5)).find(|&position| {
        matches!(
            words[position],
            "level" | "levels" | "dimension" | "dimensions"
        )
    }) else {
        return Vec::new();
    };
    if (start + 1..level_at).any(|position| clues.covering(position).is_none())
        || clues
            .tokens
            .get(level_at + 1)
            .is_some_and(|t| t.number.is_some())
    {
        return Vec::new();
    }
    let verb = words.get(level_at + 1).copied().unwrap_or_default();
    let searching_verb = matches!(
        verb,
        "cover"
            | "covers"
            | "include"
            | "includes"
            | "involve"
            | "involves"
            | "deal"
            | "deals"
            | "handle"
            | "handles"
            | "expect"
            | "expects"
            | "require"
            | "requires"
            | "need"
            | "needs"
            | "ask"
            | "asks"
            | "say"
            | "says"
            | "add"
            | "adds"
            | "introduce"
            | "introduces"
    );
    let comes_in = matches!(verb, "does" | "do" | "is" | "are")
        && words
            .get(level_at + 2..)
            .is_some_and(|rest| rest.iter().any(|word| is_placing_word(word)));
    if !(searching_verb || comes_in) {
        return Vec::new();
    }
    let mut cues: Vec<usize> = (0..=level_at + 1).collect();
    cues.extend((level_at + 2..words.len()).filter(|&position| is_placing_word(words[position])));
    cues
}

/// The words searched for, as typed: every word but the `cues`, framework names, level
/// numbers and filler, each once, at most [`MAX_WORDS`].
fn terms(clues: &Clues<'_>, cues: &[usize]) -> String {
    let mut words: Vec<String> = Vec::new();
    for position in 0..clues.tokens.len() {
        let names_framework = clues.covering(position).is_some_and(|phrase| {
            clues.phrases[phrase]
                .targets
                .iter()
                .any(|target| matches!(target, Target::Framework { .. }))
        });
        // Numbers are levels ("level three"), read by `level_numbers`.
        if cues.binary_search(&position).is_ok()
            || names_framework
            || clues.tokens[position].number.is_some()
        {
            continue;
        }
        for word in search_words(clues.typed_word(position)) {
            if !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() >= MAX_WORDS {
            words.truncate(MAX_WORDS);
            break;
        }
    }
    words.join(" ")
}

/// Level numbers in the question, outside titles ("Happiness Hero II" is a title).
fn level_numbers(clues: &Clues<'_>) -> Vec<u32> {
    let mut levels: Vec<u32> = clues
        .tokens
        .iter()
        .enumerate()
        .filter(|(position, token)| !token.weak_number && clues.covering(*position).is_none())
        .filter_map(|(_, token)| token.number)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
}

/// A refusal when a level asked about exists in none of the frameworks searched.
fn missing_level(library: &Library, frameworks: &[String], levels: &[u32]) -> Option<Unknown> {
    let searched: Vec<_> = library
        .frameworks()
        .iter()
        .filter(|framework| frameworks.is_empty() || frameworks.contains(&framework.id))
        .collect();
    let missing = levels.iter().find(|level| {
        !searched
            .iter()
            .any(|framework| framework.level(**level).is_some())
    })?;
    match searched.as_slice() {
        [only] => Some(level_does_not_exist(only, *missing)),
        _ => Some(which_framework(library, levels)),
    }
}

/// "Nothing in Buffer Marketing mentions …", with questions that work.
fn nothing_found(library: &Library, search: &SearchQuery) -> Unknown {
    let named: Vec<&str> = search
        .frameworks
        .iter()
        .filter_map(|id| library.get(id))
        .map(|framework| framework.name.as_str())
        .collect();
    let scope = if named.is_empty() {
        "the frameworks".to_owned()
    } else {
        named.join(" or ")
    };
    let ids: Vec<String> = if search.frameworks.is_empty() {
        library.ids().map(str::to_owned).collect()
    } else {
        search.frameworks.clone()
    };
    Unknown {
        message: format!(
            "Nothing in {scope} mentions \"{}\". Ask about a level to see everything it asks for.",
            search.terms
        ),
        suggestions: ids.iter().map(|id| format!("{id} titles")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Engine;
    use super::super::query::{Intent, Query, SearchQuery};
    use crate::frameworks::{FrameworkSource, load};

    fn engine() -> Engine {
        Engine::new(load(&[FrameworkSource::Bundled]).library)
    }

    fn search(engine: &Engine, question: &str) -> SearchQuery {
        match engine.parse(question) {
            Query::Search(search) => search,
            other => panic!("{question:?} is not a search: {other:?}"),
        }
    }

    #[test]
    fn cue_words_framework_names_and_level_numbers_are_not_searched_for() {
        let engine = engine();
        let found = search(&engine, "which level mentions mentoring");
        assert_eq!(found.terms, "mentoring");
        assert!(found.frameworks.is_empty() && found.levels.is_empty());
        let found = search(&engine, "who sets strategy in marketing");
        assert_eq!(found.terms, "sets strategy");
        assert_eq!(found.frameworks, ["buffer-marketing"]);
        let found = search(
            &engine,
            "where does coaching come in at infracloud level four",
        );
        assert_eq!(found.terms, "coaching");
        assert_eq!(found.frameworks, ["infracloud-engineering"]);
        assert_eq!(found.levels, [4]);
    }

    #[test]
    fn words_are_searched_as_typed_not_as_typo_corrections_of_names() {
        // Typo correction would read "mentor" as "senior" and "come" as "core".
        let found = search(&engine(), "where does a mentor come in");
        assert_eq!(found.terms, "mentor");
        assert!(!found.fallback);
    }

    #[test]
    fn questions_about_levels_titles_and_people_are_not_searches() {
        let engine = engine();
        for (question, intent) in [
            ("what level is a senior engineer", Intent::Level),
            ("who is a staff engineer at infracloud", Intent::Level),
            ("which frameworks do you know", Intent::Frameworks),
            ("what comes after coordinator", Intent::Compare),
            ("which level is coordinator", Intent::Level),
        ] {
            assert_eq!(engine.parse(question).intent(), intent, "{question:?}");
        }
    }

    #[test]
    fn a_long_question_searches_a_bounded_number_of_words() {
        let question = format!(
            "search {}",
            (0..400)
                .map(|n| format!("word{n}x"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        match engine().parse(&question) {
            Query::Unknown(unknown) => {
                assert!(
                    unknown
                        .message
                        .starts_with("Nothing in the frameworks mentions"),
                    "{}",
                    unknown.message
                );
                assert!(unknown.message.len() < 600, "{}", unknown.message);
            }
            other => panic!("{other:?}"),
        }
    }
}
