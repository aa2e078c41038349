//! Level numbers are whole numbers within a framework's range: a question naming a level as
//! `3.5`, `-1`, `+1` or `99999999999999999999` gets one sentence with the valid range, rather
//! than being read as another level (the normaliser would turn `3.5` into "3 5", a comparison,
//! and `-1` into 1) or falling through to a list of titles.

use super::query::{Query, Unknown};
use super::tokens::is_level_word;
use crate::frameworks::Library;

/// The first word of `text` that is meant as a level but is not a whole level number: signed
/// or fractional anywhere, or too long to be a level (more than three digits) after a level
/// word such as "level".
pub(super) fn malformed_level(text: &str) -> Option<&str> {
    let mut previous_is_level_word = false;
    for raw in text.split_whitespace() {
        let word = raw.trim_end_matches(['?', '!', ',', ';', ':', ')']);
        let word = word.trim_start_matches('(');
        let unsigned = word.strip_prefix(['-', '+', '−']).unwrap_or(word);
        let signed = unsigned.len() < word.len();
        let digits_only = !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit());
        let fractional = unsigned
            .split_once(['.', ','])
            .is_some_and(|(whole, part)| {
                !whole.is_empty()
                    && !part.is_empty()
                    && whole.bytes().all(|b| b.is_ascii_digit())
                    && part.bytes().all(|b| b.is_ascii_digit())
            });
        let too_long = digits_only && unsigned.len() > 3 && previous_is_level_word;
        if fractional || too_long || (signed && digits_only) {
            return Some(word);
        }
        previous_is_level_word = is_level_word(&word.to_lowercase());
    }
    None
}

/// The refusal for `given`, naming the range of the framework the rest of the question is
/// about (`rest`, the question parsed without the malformed word), or every framework's.
pub(super) fn refusal(library: &Library, given: &str, rest: &Query) -> Unknown {
    let framework = rest.framework().and_then(|id| library.get(id));
    match framework {
        Some(framework) => Unknown {
            message: format!(
                "Levels are whole numbers: \"{given}\" is not one. {}'s levels are {}.",
                framework.name,
                framework.level_range_text()
            ),
            suggestions: vec![
                format!(
                    "{} level {}",
                    framework.id,
                    framework.levels.first().map_or(1, |level| level.number)
                ),
                format!("{} titles", framework.id),
            ],
        },
        None => Unknown {
            message: format!(
                "Levels are whole numbers: \"{given}\" is not one. {}",
                library
                    .frameworks()
                    .iter()
                    .map(|framework| format!(
                        "{}: {}.",
                        framework.name,
                        framework.level_range_text()
                    ))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            suggestions: vec!["help".to_owned()],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::malformed_level;

    #[test]
    fn signed_fractional_and_overlong_level_numbers_are_found() {
        assert_eq!(malformed_level("marketing level 3.5"), Some("3.5"));
        assert_eq!(malformed_level("marketing level -1"), Some("-1"));
        assert_eq!(malformed_level("marketing level +1?"), Some("+1"));
        assert_eq!(
            malformed_level("marketing level 99999999999999999999"),
            Some("99999999999999999999")
        );
        assert_eq!(malformed_level("level 2,5 in marketing"), Some("2,5"));
    }

    #[test]
    fn whole_numbers_titles_and_ordinary_words_are_left_alone() {
        for text in [
            "marketing level 3",
            "what does level 3 happiness need",
            "how do I get from 2 to 3 in marketing",
            "L3 engineering",
            "senior engineer",
            "what changed in 2026",
            "co-founder level 2",
            "e-mail marketing 2",
        ] {
            assert_eq!(malformed_level(text), None, "{text}");
        }
    }
}
