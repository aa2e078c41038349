//! Names and text helpers shared by the readers: what a valid id is and how to make one
//! ([`native`](super::native), [`hugo`](super::hugo), [`monzo`](super::monzo)), and the
//! naming of other organisations' formats ([`hugo`](super::hugo), [`monzo`](super::monzo)).
//!
//! Those formats name neither the organisation nor the framework's id, so both readers derive
//! them: the organisation from a repository title ("Kestrel Progression Framework" →
//! "Kestrel") or, failing that, a directory name ("infracloud-career-ladders" → "Infracloud"),
//! the id from the organisation and the team's title. Hugo pages have no level summaries, so
//! the Hugo reader takes the first sentence of a level's first item. Keeping one copy here
//! keeps the two readers naming things the same way.

use std::path::Path;

use super::model::Dimension;

/// Suffixes that name the kind of repository rather than the organisation, longest first.
const REPOSITORY_SUFFIXES: &[&str] = &[
    "-progression-frameworks",
    "-progression-framework",
    "-career-frameworks",
    "-career-framework",
    "-career-ladders",
    "-career-ladder",
    "-ladders",
];

/// A directory's own name; for `""`, `.` or `..` the name of the directory they stand for.
pub(crate) fn dir_name(dir: &Path) -> Option<String> {
    let named = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    named.or_else(|| {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let absolute = std::fs::canonicalize(dir).ok()?;
        Some(absolute.file_name()?.to_string_lossy().into_owned())
    })
}

/// "infracloud-career-ladders" → "Infracloud"; the name as is when nothing else is left.
pub(crate) fn organisation_from_dir_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let stem = REPOSITORY_SUFFIXES
        .iter()
        .find(|suffix| lower.ends_with(*suffix) && lower.len() > suffix.len())
        .map_or(name, |suffix| &name[..name.len() - suffix.len()]);
    let organisation = title_case(stem);
    if organisation.is_empty() {
        name.to_owned()
    } else {
        organisation
    }
}

/// "platform-engineering" → "Platform Engineering" (dashes and underscores become spaces).
pub(crate) fn title_case(name: &str) -> String {
    name.split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Upper-cases the first letter and keeps the rest as written ("infraCloud" → "InfraCloud").
pub(crate) fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether `id` is a lowercase slug: letters, digits and single dashes.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Turns any name into a valid id: "Backend Engineering!" → "backend-engineering".
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Joins already-slugified id parts with `-`, leaving out empty ones so that a missing part
/// does not leave a stray dash ("acme" + "" → "acme", not "acme-").
pub(crate) fn join_id_parts(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The framework-wide spelling of a dimension name: the first spelling seen wins, so names
/// differing only in case ("Technical skills", "Technical Skills") become one dimension.
/// A new name is appended to `dimensions`, which therefore lists them in order of appearance.
pub(crate) fn register_dimension(dimensions: &mut Vec<String>, name: String) -> String {
    match dimensions
        .iter()
        .find(|known| known.eq_ignore_ascii_case(&name))
    {
        Some(known) => known.clone(),
        None => {
            dimensions.push(name.clone());
            name
        }
    }
}

/// Collapses runs of whitespace into single spaces and trims the ends.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A level summary for formats that have none: the first sentence of the first item of the
/// first dimension, which is usually the level's headline expectation.
pub(crate) fn first_item_sentence(expectations: &[Dimension]) -> Option<String> {
    expectations
        .first()
        .and_then(|dimension| dimension.items.first())
        .map(|item| first_sentence(item).to_owned())
}

/// The first sentence of `text`, or all of it. Common abbreviations ("e.g.", also written
/// "(e.g.") do not end one, and neither does a full stop inside parentheses or brackets, so
/// "Criteria for sublevel A (e.g. a talk. A post)" stays whole.
pub(crate) fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 || !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = index + c.len_utf8();
        let followed_by_space = text[end..].starts_with(' ');
        if !followed_by_space {
            continue;
        }
        let word = text[..index].rsplit(' ').next().unwrap_or_default();
        let word = word.trim_start_matches(['(', '[', '"', '\'', '“', '‘']);
        let abbreviation = matches!(
            word.to_lowercase().as_str(),
            "e.g" | "i.e" | "etc" | "vs" | "approx" | "incl" | "cf" | "mr" | "ms" | "dr"
        ) || (word.chars().count() == 1
            && word.chars().all(char::is_alphabetic));
        if c == '.' && abbreviation {
            continue;
        }
        return &text[..end];
    }
    text
}

/// Words that say what kind of document a title names rather than whose it is.
const KIND_WORDS: &[&str] = &[
    "progression",
    "career",
    "careers",
    "framework",
    "frameworks",
    "ladder",
    "ladders",
    "levels",
    "levelling",
    "leveling",
    "matrix",
    "path",
    "paths",
    "site",
    "handbook",
    "repository",
    "repo",
    "docs",
];

/// The organisation a repository's own title names, e.g. a README's "# Kestrel Progression
/// Framework" or a Hugo site's "InfraCloud Career Ladders" (→ "Kestrel", "InfraCloud"), or
/// "Progression at Monzo" (→ "Monzo"). `None` when the title names only the kind of document
/// ("Career Ladders", "progression-framework").
pub(crate) fn organisation_from_title(title: &str) -> Option<String> {
    let title = strip_emoji(title);
    let mut words: Vec<&str> = title.split_whitespace().collect();
    let is_kind = |word: &str| {
        let lower = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        !lower.is_empty()
            && lower
                .split(['-', '_', '/'])
                .all(|part| part.is_empty() || KIND_WORDS.contains(&part))
    };
    let is_filler = |word: &str| matches!(word.to_lowercase().as_str(), "the" | "our" | "a" | "an");
    // "Progression at Monzo", "Career ladders of Acme": the name follows the connector.
    if let Some(connector) = words
        .iter()
        .position(|word| matches!(word.to_lowercase().as_str(), "at" | "of" | "for" | "@"))
        && connector > 0
        && words[..connector]
            .iter()
            .all(|word| is_kind(word) || is_filler(word))
    {
        words.drain(..=connector);
    }
    while words.first().is_some_and(|word| is_filler(word)) {
        words.remove(0);
    }
    while words.last().is_some_and(|word| is_kind(word)) {
        words.pop();
    }
    let mut name = words.join(" ");
    for possessive in ["'s", "’s"] {
        if let Some(stem) = name.strip_suffix(possessive) {
            name = stem.to_owned();
        }
    }
    let name = name
        .trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '.')
        .to_owned();
    (!name.is_empty() && !is_kind(&name)).then_some(name)
}

/// Level numbers as a sentence names them: "level 4", "levels 1 and 4", "levels 2–6",
/// "levels 1, 3 and 5–7". `numbers` must be sorted and distinct.
pub(crate) fn levels_phrase(numbers: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &number in numbers {
        match runs.last_mut() {
            Some((_, last)) if number == *last + 1 => *last = number,
            _ => runs.push((number, number)),
        }
    }
    // A run of three or more is written "2–6"; shorter runs as single numbers.
    let mut parts: Vec<String> = Vec::new();
    for (first, last) in runs {
        if last - first >= 2 {
            parts.push(format!("{first}–{last}"));
        } else {
            parts.extend((first..=last).map(|number| number.to_string()));
        }
    }
    let noun = if numbers.len() == 1 {
        "level"
    } else {
        "levels"
    };
    match parts.split_last() {
        None => format!("no {noun}"),
        Some((last, [])) => format!("{noun} {last}"),
        Some((last, others)) => format!("{noun} {} and {last}", others.join(", ")),
    }
}

/// Removes emoji, pictographs, variation selectors and joiners, keeping letters, digits,
/// punctuation and spaces: "🛠️ Backend Engineering Framework" → "Backend Engineering Framework".
pub(crate) fn strip_emoji(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| is_text_char(c)).collect();
    collapse_whitespace(&kept)
}

fn is_text_char(c: char) -> bool {
    c.is_alphanumeric()
        || c.is_whitespace()
        || c.is_ascii_punctuation()
        // Latin-1 punctuation and signs (but not © and ®, which are emoji when styled).
        || (('\u{a1}'..='\u{bf}').contains(&c) && c != '\u{a9}' && c != '\u{ae}')
        // Combining accents, for letters written as base + accent.
        || ('\u{300}'..='\u{36f}').contains(&c)
        // Dashes, quotes, bullets, ellipsis (U+200B–U+200F joiners and marks excluded).
        || ('\u{2010}'..='\u{2027}').contains(&c)
        || ('\u{2030}'..='\u{205e}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_drops_repository_suffixes() {
        assert_eq!(
            organisation_from_dir_name("infracloud-career-ladders"),
            "Infracloud"
        );
        assert_eq!(
            organisation_from_dir_name("acme-progression-framework"),
            "Acme"
        );
        assert_eq!(
            organisation_from_dir_name("big-co-career-framework"),
            "Big Co"
        );
        assert_eq!(organisation_from_dir_name("ladders"), "Ladders");
        assert_eq!(organisation_from_dir_name("--"), "--");
    }

    #[test]
    fn first_sentence_skips_abbreviations() {
        assert_eq!(
            first_sentence("Use tools, e.g. git. Then more."),
            "Use tools, e.g. git."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
    }

    #[test]
    fn first_sentence_never_ends_inside_parentheses() {
        let text = "Criteria for sublevel A (e.g. ships a fix. Asks early) and more. Next.";
        assert_eq!(
            first_sentence(text),
            "Criteria for sublevel A (e.g. ships a fix. Asks early) and more."
        );
        assert_eq!(
            first_sentence("Builds views (e.g. sales). Keeps them."),
            "Builds views (e.g. sales)."
        );
        assert_eq!(
            first_sentence("Criteria for sublevel A (e.g. a talk"),
            "Criteria for sublevel A (e.g. a talk"
        );
    }

    #[test]
    fn organisation_comes_from_a_repository_title() {
        for (title, expected) in [
            ("Kestrel Progression Framework", Some("Kestrel")),
            ("🎉 InfraCloud Career Ladders", Some("InfraCloud")),
            ("Progression at Monzo", Some("Monzo")),
            ("The Acme career framework", Some("Acme")),
            ("Acme's Career Ladder", Some("Acme")),
            ("Bank of Examples Career Ladders", Some("Bank of Examples")),
            ("Career Ladders", None),
            ("progression-framework", None),
            ("Wren", Some("Wren")),
        ] {
            assert_eq!(
                organisation_from_title(title).as_deref(),
                expected,
                "{title}"
            );
        }
    }

    #[test]
    fn level_lists_read_as_a_sentence() {
        assert_eq!(levels_phrase(&[4]), "level 4");
        assert_eq!(levels_phrase(&[1, 4]), "levels 1 and 4");
        assert_eq!(levels_phrase(&[1, 2]), "levels 1 and 2");
        assert_eq!(levels_phrase(&[2, 3, 4, 5, 6]), "levels 2–6");
        assert_eq!(levels_phrase(&[1, 3, 5, 6, 7]), "levels 1, 3 and 5–7");
        assert_eq!(levels_phrase(&[2, 3, 5, 6]), "levels 2, 3, 5 and 6");
    }
}
