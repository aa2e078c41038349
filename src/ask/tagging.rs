//! Which framework dimension a piece of evidence supports: named by the person (`#ownership`,
//! a prefix, a typo), or found by matching its text against the expectations of their levels.
//!
//! Naming a dimension, in order: the whole name (case, spaces, hyphens and underscores
//! ignored: `#scope-of-influence`, `#"Scope of influence"`); an unambiguous prefix of it
//! (`#scope`, `#org`); then a typo of the name or of one of its prefixes made of whole words
//! (`#ownrship`, `#scpe`). Anything else is refused with the closest name, or the list.

use super::{Engine, Filter};
use crate::frameworks::Framework;
use crate::text::{closest, distance, is_typo_of, normalize};

/// The expectation a piece of evidence matched best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    /// The level of the expectation.
    pub level: u32,
    /// Its dimension, as the framework spells it.
    pub dimension: String,
    /// The expectation's text.
    pub expectation: String,
}

impl Engine {
    /// The expectation of `framework` at one of `levels` that `text` matches best (ranked by
    /// the search over every expectation, [`super::search`]), within `dimension` when given;
    /// `None` when no expectation there shares a word with the text.
    pub fn best_dimension(
        &self,
        text: &str,
        framework: &str,
        levels: &[u32],
        dimension: Option<&str>,
    ) -> Option<Tagged> {
        let filter = Filter::default()
            .framework(framework)
            .levels(levels)
            .expectations_only();
        let found = self.search(text, &filter).into_iter().find(|found| {
            dimension.is_none_or(|wanted| found.passage.dimension.as_deref() == Some(wanted))
        })?;
        Some(Tagged {
            level: found.passage.level,
            dimension: found.passage.dimension.clone()?,
            expectation: found.passage.text.clone(),
        })
    }
}

/// The dimension of `framework` that `typed` names, or the sentence saying why none is.
pub fn find_dimension<'f>(framework: &'f Framework, typed: &str) -> Result<&'f str, String> {
    let wanted = normalize(typed);
    let names = dimension_names(framework);
    if wanted.is_empty() {
        return Err(unknown(framework, typed, &names));
    }
    if let Some(name) = names.iter().find(|name| normalize(name) == wanted) {
        return Ok(name);
    }
    let compact = wanted.replace(' ', "");
    let prefixed: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            let name = normalize(name);
            name.starts_with(&wanted) || name.replace(' ', "").starts_with(&compact)
        })
        .collect();
    match prefixed.as_slice() {
        [only] => return Ok(only),
        [_, _, ..] => {
            return Err(format!(
                "\"{typed}\" could be {} in {}; write more of the name.",
                or_list(&prefixed),
                framework.name
            ));
        }
        [] => {}
    }
    let typos: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            word_prefixes(name)
                .iter()
                .any(|form| is_typo_of(&wanted, form))
        })
        .collect();
    match typos.as_slice() {
        [only] => Ok(only),
        [_, _, ..] => Err(format!(
            "\"{typed}\" could be {} in {}; write more of the name.",
            or_list(&typos),
            framework.name
        )),
        [] => Err(unknown(framework, typed, &names)),
    }
}

/// The framework's dimensions: its declared list, else those its levels use, in order.
pub fn dimension_names(framework: &Framework) -> Vec<&str> {
    if !framework.dimensions.is_empty() {
        return framework.dimensions.iter().map(String::as_str).collect();
    }
    let mut names: Vec<&str> = Vec::new();
    for level in &framework.levels {
        for dimension in &level.expectations {
            if !names.contains(&dimension.name.as_str()) {
                names.push(&dimension.name);
            }
        }
    }
    names
}

/// "scope of influence" → "scope", "scope of", "scope of influence".
fn word_prefixes(name: &str) -> Vec<String> {
    let name = normalize(name);
    let words: Vec<&str> = name.split(' ').collect();
    (1..=words.len()).map(|n| words[..n].join(" ")).collect()
}

/// A name to suggest for `typed`: the closest of the names and their word prefixes, a little
/// further off than a typo that is taken as it is (a third of the longer word).
fn suggestion<'n>(typed: &str, names: &[&'n str]) -> Option<&'n str> {
    let wanted = normalize(typed);
    let best = names
        .iter()
        .flat_map(|name| {
            word_prefixes(name)
                .into_iter()
                .map(move |form| (*name, form))
        })
        .map(|(name, form)| {
            let longer = form.chars().count().max(wanted.chars().count());
            (distance(&wanted, &form), longer, name)
        })
        .filter(|(distance, longer, _)| *distance <= (longer / 3).max(2))
        .min_by_key(|(distance, _, _)| *distance);
    best.map(|(_, _, name)| name)
        .or_else(|| closest(typed, names.iter().copied()))
}

fn unknown(framework: &Framework, typed: &str, names: &[&str]) -> String {
    match suggestion(typed, names) {
        Some(name) => format!(
            "{} has no dimension \"{typed}\"; did you mean \"{name}\"?",
            framework.name
        ),
        None => format!(
            "{} has no dimension \"{typed}\"; its dimensions are {}.",
            framework.name,
            and_list(names)
        ),
    }
}

fn quoted(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| format!("\"{name}\"")).collect()
}

fn or_list(names: &[&str]) -> String {
    joined(&quoted(names), "or")
}

fn and_list(names: &[&str]) -> String {
    joined(&quoted(names), "and")
}

fn joined(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., end] => format!("{} {last} {end}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frameworks::{FrameworkSource, load};

    fn framework(id: &str) -> Framework {
        load(&[FrameworkSource::Bundled])
            .library
            .get(id)
            .expect("bundled")
            .clone()
    }

    #[test]
    fn a_dimension_is_named_whole_by_prefix_or_with_a_typo() {
        let marketing = framework("buffer-marketing");
        for typed in [
            "Ownership",
            "ownership",
            "own",
            "ownrship",
            "scope of influence",
            "scope-of-influence",
            "scope",
            "scpe",
            "how work",
            "howwork",
        ] {
            assert!(find_dimension(&marketing, typed).is_ok(), "{typed}");
        }
        assert_eq!(
            find_dimension(&marketing, "scope"),
            Ok("Scope of influence")
        );
        assert_eq!(find_dimension(&marketing, "ownrship"), Ok("Ownership"));
        let infracloud = framework("infracloud-engineering");
        assert_eq!(
            find_dimension(&infracloud, "org"),
            Ok("Organization Building")
        );
    }

    #[test]
    fn evidence_is_tagged_only_from_the_framework_and_levels_given() {
        let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
        let text = "Measured the impact of the campaign and connected it to results";
        let tagged = engine
            .best_dimension(text, "buffer-marketing", &[2, 3], None)
            .expect("a match");
        assert_eq!(
            (tagged.level, tagged.dimension.as_str()),
            (3, "How work is conducted")
        );
        assert!(
            tagged.expectation.contains("measures the impact"),
            "{tagged:?}"
        );
        // Not at these levels, or another framework's words: nothing.
        assert_eq!(
            engine.best_dimension("xyzzy plugh", "buffer-marketing", &[2, 3], None),
            None
        );
        let other = engine.best_dimension(text, "infracloud-engineering", &[1], None);
        assert!(other.is_none_or(|t| !t.expectation.contains("measures the impact")));
        // Within a named dimension: the best expectation of that dimension only.
        let owned = engine
            .best_dimension(
                "owns the newsletter area",
                "buffer-marketing",
                &[2, 3],
                Some("Ownership"),
            )
            .expect("an Ownership match");
        assert_eq!(owned.dimension, "Ownership");
    }

    #[test]
    fn an_unknown_or_ambiguous_dimension_is_refused_with_a_suggestion() {
        let marketing = framework("buffer-marketing");
        let refusal = find_dimension(&marketing, "ownershipp x").expect_err("unknown");
        assert!(refusal.contains("did you mean \"Ownership\""), "{refusal}");
        let refusal = find_dimension(&marketing, "salary").expect_err("unknown");
        assert!(
            refusal.contains("its dimensions are \"Scope of influence\", \"How work is conducted\" and \"Ownership\""),
            "{refusal}"
        );
        let infracloud = framework("infracloud-engineering");
        assert!(find_dimension(&infracloud, "management").is_ok());
        // "m" starts only Management; "s" starts only Social Capital; "o" Organization Building.
        assert_eq!(find_dimension(&infracloud, "so"), Ok("Social Capital"));
    }
}
