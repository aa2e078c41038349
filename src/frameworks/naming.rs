//! Names and text helpers shared by the readers: what a valid id is and how to make one
//! ([`native`](super::native), [`hugo`](super::hugo), [`monzo`](super::monzo)), and the
//! naming of other organisations' formats ([`hugo`](super::hugo), [`monzo`](super::monzo)).
//!
//! Those formats name neither the organisation nor the framework's id, so both readers derive
//! them from directory names ("infracloud-career-ladders" → "Infracloud"), and neither has level
//! summaries, so both take the first sentence of a level's first item. Keeping one copy here
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

/// The first sentence of `text`, or all of it. Common abbreviations ("e.g.") do not end one.
pub(crate) fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    for (index, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = index + c.len_utf8();
        let followed_by_space = text[end..].starts_with(' ');
        if !followed_by_space {
            continue;
        }
        let word = text[..index].rsplit(' ').next().unwrap_or_default();
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
}
