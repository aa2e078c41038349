//! Reading a dimension and a rating as people type them: `assess own sometimes`, `assess
//! scope of influence not yet took the lead`, `done @ana --focus ownership`.
//!
//! A dimension is its name, an unambiguous prefix of it, or a small typo of it (the reply
//! names the dimension it was read as); anything else gets a did-you-mean. A rating is one of
//! the three words, whatever its case, hyphen or spaces ("Not yet", "not-yet", "notyet").

use crate::store::values::Rating;
use crate::text::{closest, is_typo_of, normalize};

/// What a typed dimension name is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DimensionMatch<'a> {
    /// This dimension.
    Found(&'a str),
    /// Several dimensions start this way.
    Ambiguous(Vec<&'a str>),
    /// None: the closest one, if any is close.
    Unknown(Option<&'a str>),
}

/// The dimension of `names` that `typed` names.
pub fn find_dimension<'a>(names: &'a [String], typed: &str) -> DimensionMatch<'a> {
    let typed = normalize(typed);
    if typed.is_empty() {
        return DimensionMatch::Unknown(None);
    }
    if let Some(exact) = names.iter().find(|name| normalize(name) == typed) {
        return DimensionMatch::Found(exact);
    }
    let prefixed: Vec<&str> = names
        .iter()
        .filter(|name| normalize(name).starts_with(&typed))
        .map(String::as_str)
        .collect();
    match prefixed.as_slice() {
        [one] => return DimensionMatch::Found(one),
        [_, _, ..] => return DimensionMatch::Ambiguous(prefixed),
        [] => {}
    }
    let typos: Vec<&str> = names
        .iter()
        .filter(|name| is_typo_of(&typed, &normalize(name)))
        .map(String::as_str)
        .collect();
    if let [one] = typos.as_slice() {
        return DimensionMatch::Found(one);
    }
    DimensionMatch::Unknown(closest(&typed, names.iter().map(String::as_str)))
}

/// The rating `typed` is, if it is one of the three.
pub fn read_rating(typed: &str) -> Option<Rating> {
    let word: String = normalize(typed).chars().filter(|c| *c != ' ').collect();
    [
        ("notyet", Rating::NotYet),
        ("sometimes", Rating::Sometimes),
        ("consistently", Rating::Consistently),
    ]
    .into_iter()
    .find(|(known, _)| is_typo_of(&word, known))
    .map(|(_, rating)| rating)
}

/// The rating in words, for replies ("not yet").
pub fn rating_words(rating: Rating) -> &'static str {
    match rating {
        Rating::NotYet => "not yet",
        Rating::Sometimes => "sometimes",
        Rating::Consistently => "consistently",
    }
}

/// An `assess` line read against the dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatingLine<'a> {
    /// A dimension, its rating and a note.
    Rated {
        /// The dimension.
        dimension: &'a str,
        /// The rating.
        rating: Rating,
        /// The note, if any.
        note: Option<String>,
    },
    /// The dimension is not one of them.
    NoDimension {
        /// As typed.
        typed: String,
        /// What it could be.
        matched: DimensionMatch<'a>,
    },
    /// The dimension is known but the rating is not one of the three (or missing).
    NoRating {
        /// The dimension.
        dimension: &'a str,
        /// The word typed instead, if any.
        typed: Option<String>,
    },
}

/// Reads `DIMENSION RATING [note…]`: the dimension is the shortest run of leading words
/// followed by a rating word (one word, or "not yet" in two).
pub fn read_rating_line<'a>(names: &'a [String], text: &str) -> RatingLine<'a> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for split in 1..words.len() {
        let after = &words[split..];
        let two = after.get(..2).map(|w| w.join(" "));
        let (rating, used) = match two
            .as_deref()
            .and_then(|two| (normalize(two).replace(' ', "") == "notyet").then_some(Rating::NotYet))
        {
            Some(rating) => (Some(rating), 2),
            None => (read_rating(after[0]), 1),
        };
        let Some(rating) = rating else { continue };
        let typed = words[..split].join(" ");
        if let DimensionMatch::Found(dimension) = find_dimension(names, &typed) {
            let note = after[used..].join(" ");
            return RatingLine::Rated {
                dimension,
                rating,
                note: (!note.is_empty()).then_some(note),
            };
        }
    }
    // No dimension followed by a rating: the longest leading run that is a dimension has a
    // word that is no rating after it; else the dimension itself is unknown.
    for split in (1..=words.len()).rev() {
        let typed = words[..split].join(" ");
        if let DimensionMatch::Found(dimension) = find_dimension(names, &typed) {
            return RatingLine::NoRating {
                dimension,
                typed: words.get(split).map(|w| (*w).to_owned()),
            };
        }
    }
    let typed = match words.len() {
        0 | 1 => words.join(" "),
        n => words[..n - 1].join(" "),
    };
    let matched = find_dimension(names, &typed);
    RatingLine::NoDimension { typed, matched }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        [
            "Scope of influence",
            "How work is conducted",
            "Ownership",
            "Outreach",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn a_dimension_is_its_name_a_prefix_or_a_typo() {
        let names = names();
        assert_eq!(
            find_dimension(&names, "ownership"),
            DimensionMatch::Found("Ownership")
        );
        assert_eq!(
            find_dimension(&names, "scope"),
            DimensionMatch::Found("Scope of influence")
        );
        assert_eq!(
            find_dimension(&names, "ownrship"),
            DimensionMatch::Found("Ownership")
        );
        assert_eq!(
            find_dimension(&names, "o"),
            DimensionMatch::Ambiguous(vec!["Ownership", "Outreach"])
        );
        assert!(matches!(
            find_dimension(&names, "zzz"),
            DimensionMatch::Unknown(_)
        ));
    }

    #[test]
    fn ratings_are_tolerant_of_case_spaces_and_hyphens() {
        for typed in [
            "not-yet",
            "Not_Yet",
            "NOTYET",
            "sometimes",
            "Consistently",
            "sometims",
        ] {
            assert!(read_rating(typed).is_some(), "{typed}");
        }
        assert_eq!(read_rating("always"), None);
    }

    #[test]
    fn a_line_is_dimension_rating_and_note() {
        let names = names();
        assert_eq!(
            read_rating_line(&names, "scope of influence not yet I stayed in my team"),
            RatingLine::Rated {
                dimension: "Scope of influence",
                rating: Rating::NotYet,
                note: Some("I stayed in my team".into())
            }
        );
        assert_eq!(
            read_rating_line(&names, "own Sometimes"),
            RatingLine::Rated {
                dimension: "Ownership",
                rating: Rating::Sometimes,
                note: None
            }
        );
        assert_eq!(
            read_rating_line(&names, "ownership always"),
            RatingLine::NoRating {
                dimension: "Ownership",
                typed: Some("always".into())
            }
        );
        assert!(matches!(
            read_rating_line(&names, "leadership sometimes"),
            RatingLine::NoDimension { .. }
        ));
    }
}
