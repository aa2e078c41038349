//! The one place a framework or a level is looked up by name, for commands
//! (`add @ana marketing 2`, `level @ana Strategist`) and questions (`/career marketing level 2`)
//! alike, so the two can never understand a name differently.
//!
//! A name is read like a question (module `clues`: typos corrected, known phrases found) and
//! [`frameworks_named`] turns its phrases into the frameworks they name: an id, a name or an
//! alias names one exactly; a team or an organisation may name several; several phrases narrow
//! each other ("buffer" ∩ "support"). A title names a level through [`title_level`]. What each
//! caller does with the result differs only where it must:
//! - a question picks the likeliest framework and offers the others as alternatives, and
//!   accepts corrected typos;
//! - a command changes records, so it takes only a name that names exactly one framework as
//!   written, and otherwise answers with a sentence: "Did you mean …?" for a typo, the
//!   candidates for a shared team.

use std::cmp::Reverse;

use super::Engine;
use super::clues::{self, Phrase};
use super::index::{NameKind, Target};
use super::tokens::{is_level_word, tokenize_title};
use super::vocabulary::is_stop_word;
use crate::frameworks::Framework;
use crate::text::closest;

/// The frameworks some phrases name, narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NamedFrameworks {
    /// Positions in `Library::frameworks()` with how they were named, strongest first.
    pub(super) candidates: Vec<(usize, NameKind)>,
    /// Some phrase names none of the candidates ("marketing engineering").
    pub(super) contradictory: bool,
}

/// The frameworks `phrases` name. Within a phrase only its strongest naming counts (an alias
/// beats another framework's team); across phrases the strongest come first and each further
/// one narrows the set, unless it would empty it.
pub(super) fn frameworks_named(phrases: &[Phrase<'_>]) -> NamedFrameworks {
    let mut named: Vec<Vec<(usize, NameKind)>> = phrases
        .iter()
        .map(|phrase| strongest_names(phrase.targets))
        .filter(|set| !set.is_empty())
        .collect();
    // Strongest names first, so a shared team name cannot override an exact one.
    named.sort_by_key(|set| Reverse(set.iter().map(|(_, kind)| *kind).max()));
    let mut candidates: Option<Vec<(usize, NameKind)>> = None;
    let mut contradictory = false;
    for set in named {
        candidates = Some(match candidates {
            None => set,
            Some(current) => {
                let narrowed: Vec<_> = current
                    .iter()
                    .copied()
                    .filter(|(fw, _)| set.iter().any(|(other, _)| other == fw))
                    .collect();
                if narrowed.is_empty() {
                    contradictory = true;
                    current
                } else {
                    narrowed
                }
            }
        });
    }
    NamedFrameworks {
        candidates: candidates.unwrap_or_default(),
        contradictory,
    }
}

/// The frameworks a phrase names with its strongest kind of naming, each once.
fn strongest_names(targets: &[Target]) -> Vec<(usize, NameKind)> {
    let names = targets.iter().filter_map(|target| match *target {
        Target::Framework { framework, kind } => Some((framework, kind)),
        Target::Title { .. } => None,
    });
    let strongest = names.clone().map(|(_, kind)| kind).max();
    let mut set: Vec<(usize, NameKind)> = Vec::new();
    for (framework, kind) in names {
        if Some(kind) == strongest && !set.iter().any(|(fw, _)| *fw == framework) {
            set.push((framework, kind));
        }
    }
    set
}

/// A level named by one of its titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TitleLevel {
    /// The level number.
    pub(super) level: u32,
    /// The specialist role, when the title is a role's.
    pub(super) role: Option<usize>,
}

/// The level of the framework at `framework` that a phrase's `targets` name by title. Whole
/// titles before parts of titles, levels before specialist roles, then the lowest level:
/// "senior" means "Senior Engineer" before "Senior Engineer II".
pub(super) fn title_level(targets: &[Target], framework: usize) -> Option<TitleLevel> {
    targets
        .iter()
        .filter_map(|target| match *target {
            Target::Title {
                framework: fw,
                level,
                role,
                exact,
            } if fw == framework => Some((exact, level, role)),
            _ => None,
        })
        .min_by_key(|(exact, level, role)| (!exact, role.is_some(), *level))
        .map(|(_, level, role)| TitleLevel { level, role })
}

impl Engine {
    /// The framework a command names by its id, name, an alias, its team or organisation
    /// (when only one framework has it), or several of those ("buffer support"). The error is
    /// a sentence: the closest known name and the valid ids, or the frameworks a shared team
    /// could mean.
    pub fn find_framework(&self, name: &str) -> Result<&Framework, String> {
        let frameworks = self.library().frameworks();
        let clues = clues::read(&self.index, name);
        // A whole name is looked up as written first, so a name that starts or ends with a
        // filler word ("The Guild") is found although no phrase in a question could be.
        let whole = self
            .index
            .lookup(&clues.tokens)
            .filter(|targets| !strongest_names(targets).is_empty())
            .map(|targets| {
                vec![Phrase {
                    start: 0,
                    len: clues.tokens.len(),
                    targets,
                }]
            });
        let phrases = whole.as_deref().unwrap_or(&clues.phrases);
        let named = frameworks_named(phrases);
        let names: Vec<bool> = phrases
            .iter()
            .map(|phrase| !strongest_names(phrase.targets).is_empty())
            .collect();
        let covered_by = clues::coverage(phrases, clues.tokens.len());
        let every_word_names = clues.tokens.iter().zip(&covered_by).all(|(token, phrase)| {
            clues::visit();
            is_stop_word(&token.word) || phrase.is_some_and(|phrase| names[phrase])
        });
        let understood = every_word_names && !named.contradictory;
        match named.candidates.as_slice() {
            [(only, _)] if understood && !clues.corrected => Ok(&frameworks[*only]),
            [(only, _)] if understood => Err(self.unknown_framework(name, Some(*only))),
            [_, _, ..] if understood && !clues.corrected => {
                Err(self.several_frameworks(name, &named.candidates))
            }
            _ => Err(self.unknown_framework(name, None)),
        }
    }

    /// "… is the team of several frameworks: …", listing the ids to use instead.
    fn several_frameworks(&self, name: &str, candidates: &[(usize, NameKind)]) -> String {
        let frameworks = self.library().frameworks();
        let ids = candidates
            .iter()
            .map(|(position, _)| frameworks[*position].id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let all = |wanted: NameKind| candidates.iter().all(|(_, kind)| *kind == wanted);
        let what = if all(NameKind::Team) {
            "is the team of"
        } else if all(NameKind::Organisation) {
            "is the organisation of"
        } else {
            "names"
        };
        format!("\"{name}\" {what} several frameworks: {ids}. Use the id.")
    }

    /// "I don't know the framework …", suggesting `meant` (a position in the library) or else
    /// the closest known name.
    fn unknown_framework(&self, name: &str, meant: Option<usize>) -> String {
        let frameworks = self.library().frameworks();
        let meant = meant.map(|position| &frameworks[position]).or_else(|| {
            let names = frameworks.iter().flat_map(|framework| {
                std::iter::once(framework.id.as_str())
                    .chain(std::iter::once(framework.name.as_str()))
                    .chain(std::iter::once(framework.team.as_str()))
                    .chain(framework.aliases.iter().map(String::as_str))
            });
            let close = closest(name, names)?;
            frameworks.iter().find(|framework| {
                framework.id == close
                    || framework.name == close
                    || framework.team == close
                    || framework.aliases.iter().any(|alias| alias == close)
            })
        });
        let suggestion = meant
            .map(|framework| format!(" Did you mean {}?", framework.id))
            .unwrap_or_default();
        let known = self.library().ids().collect::<Vec<_>>().join(", ");
        format!("I don't know the framework \"{name}\".{suggestion} Frameworks: {known}.")
    }

    /// The level of `framework` written as a number ("3", "three", "III", "L3") or a title
    /// (read as in a question, through [`title_level`]).
    pub fn find_level(&self, framework: &Framework, text: &str) -> Result<u32, String> {
        if is_signed_or_fractional(text) {
            return Err(format!(
                "\"{}\" is not a level: levels are whole numbers, and {}'s are {}.",
                text.trim(),
                framework.name,
                framework.level_range_text()
            ));
        }
        let tokens = tokenize_title(text);
        let number = match tokens.as_slice() {
            [only] => only.number,
            [marker, value] if is_level_word(&marker.word) => value.number,
            _ => None,
        };
        let number = number.or_else(|| {
            let position = self
                .library()
                .frameworks()
                .iter()
                .position(|candidate| candidate.id == framework.id)?;
            let targets = self.index.lookup(&tokens)?;
            title_level(targets, position).map(|title| title.level)
        });
        match number {
            Some(number) if framework.level(number).is_some() => Ok(number),
            Some(number) => Err(format!(
                "{} has no level {number}; its levels are {}.",
                framework.name,
                framework.level_range_text()
            )),
            None => Err(format!(
                "\"{text}\" is not a level of {}; give a number ({}) or a title.",
                framework.name,
                framework.level_range_text()
            )),
        }
    }
}

/// `-1`, `+1`, `2.5`, `2,5`, `-L3`: a number with a sign or a fraction, which the tokenizer
/// would otherwise read as a plain level (a demotion where a promotion was meant).
fn is_signed_or_fractional(text: &str) -> bool {
    let text = text.trim();
    let signed =
        text.starts_with(['-', '+', '−']) && text.chars().skip(1).any(|c| c.is_ascii_digit());
    let bytes = text.as_bytes();
    let fractional = bytes.windows(3).any(|window| {
        window[0].is_ascii_digit() && matches!(window[1], b'.' | b',') && window[2].is_ascii_digit()
    });
    signed || fractional
}

#[cfg(test)]
mod tests {
    use crate::ask::Engine;
    use crate::frameworks::{FrameworkSource, load};

    fn engine() -> Engine {
        Engine::new(load(&[FrameworkSource::Bundled]).library)
    }

    #[test]
    fn frameworks_are_found_by_id_alias_name_or_unique_team() {
        let engine = engine();
        for name in [
            "buffer-marketing",
            "marketing",
            "Buffer Marketing",
            "MARKETING",
        ] {
            assert_eq!(
                engine.find_framework(name).map(|f| f.id.as_str()),
                Ok("buffer-marketing")
            );
        }
        assert_eq!(
            engine.find_framework("happiness").map(|f| f.id.as_str()),
            Ok("buffer-happiness")
        );
    }

    #[test]
    fn unknown_frameworks_get_a_did_you_mean() {
        let engine = engine();
        let error = engine.find_framework("markting").expect_err("typo");
        assert!(error.contains("Did you mean buffer-marketing?"), "{error}");
        let error = engine
            .find_framework("engineering")
            .expect_err("shared team");
        assert!(
            error.contains("buffer-engineering, infracloud-engineering"),
            "{error}"
        );
        let error = engine.find_framework("sales").expect_err("unknown");
        assert!(error.contains("Frameworks: buffer-engineering"), "{error}");
    }

    #[test]
    fn levels_are_numbers_or_titles_and_must_exist() {
        let engine = engine();
        let marketing = engine.find_framework("marketing").expect("bundled");
        for text in ["2", "two", "II", "L2", "level 2", "Strategist"] {
            assert_eq!(engine.find_level(marketing, text), Ok(2), "{text}");
        }
        let error = engine.find_level(marketing, "7").expect_err("no level 7");
        assert_eq!(
            error,
            "Buffer Marketing has no level 7; its levels are 1–5."
        );
        assert!(engine.find_level(marketing, "wizard").is_err());
    }

    #[test]
    fn signed_and_fractional_levels_are_refused_with_the_range() {
        let engine = engine();
        let marketing = engine.find_framework("marketing").expect("bundled");
        for text in ["-1", "+1", "-2", "2.5", "3,5", " +3 "] {
            let error = engine.find_level(marketing, text).expect_err(text);
            assert!(
                error.ends_with("levels are whole numbers, and Buffer Marketing's are 1–5."),
                "{text}: {error}"
            );
        }
    }

    /// The level a question about `framework` at `text` is understood as.
    fn level_in_question(engine: &Engine, framework: &str, text: &str) -> Option<u32> {
        engine.ask(&format!("{framework} {text}")).to_json().level
    }

    #[test]
    fn a_name_means_the_same_framework_in_a_command_and_in_a_question() {
        let engine = engine();
        for name in [
            "buffer-marketing",
            "marketing",
            "Buffer Marketing",
            "MARKETING",
            "marketers",
            "happiness",
            "Happiness Heroes",
            "support",
            "customer support",
            "buffer support",
            "buffer engineering",
            "bufferoo engineers",
            "infracloud",
            "infranauts",
            "InfraCloud Engineering",
            "infracloud-engineering",
        ] {
            let command = engine.find_framework(name).map(|f| f.id.clone());
            let question = engine.ask(&format!("{name} level 1")).query;
            assert_eq!(
                command.as_deref().ok(),
                question.framework(),
                "{name}: the command and the question disagree"
            );
        }
    }

    #[test]
    fn what_a_question_guesses_a_command_asks_about() {
        let engine = engine();
        // A typo: the question corrects it, the command suggests the same framework.
        for name in ["markting", "hapiness", "infracloud enginering"] {
            let question = engine.ask(&format!("{name} level 1")).query;
            let meant = question
                .framework()
                .expect("the question corrects the typo");
            let error = engine
                .find_framework(name)
                .expect_err("a command does not guess");
            assert!(error.contains(&format!("Did you mean {meant}?")), "{error}");
        }
        // A shared team or organisation: the question picks one and offers the others, the
        // command lists them all.
        for name in ["engineering", "buffer"] {
            let question = engine.ask(&format!("{name} level 1")).query;
            let error = engine.find_framework(name).expect_err("ambiguous");
            let picked = question.framework().expect("the question picks one");
            assert!(error.contains(picked), "{error}");
            assert!(
                !question.suggestions().is_empty(),
                "{name}: no alternatives"
            );
            for suggestion in question.suggestions() {
                let other = suggestion.split(' ').next().unwrap_or_default();
                assert!(error.contains(other), "{other} missing in {error}");
            }
        }
        let error = engine.find_framework("buffer").expect_err("organisation");
        assert_eq!(
            error,
            "\"buffer\" is the organisation of several frameworks: buffer-engineering, \
             buffer-happiness, buffer-marketing. Use the id."
        );
        let error = engine
            .find_framework("marketing engineering")
            .expect_err("two different frameworks");
        assert!(error.starts_with("I don't know the framework"), "{error}");
    }

    #[test]
    fn a_level_means_the_same_in_a_command_and_in_a_question() {
        let engine = engine();
        for (framework, text) in [
            ("marketing", "2"),
            ("marketing", "L3"),
            ("marketing", "level 4"),
            ("marketing", "Strategist"),
            ("marketing", "Coordinator"),
            ("marketing", "Head of …"),
            ("marketing", "senior"),
            ("happiness", "Happiness Hero II"),
            ("happiness", "happiness hero 1"),
            ("buffer engineering", "Senior Engineer"),
            ("buffer engineering", "Engineer of Distinction"),
            ("infracloud", "senior engineer"),
        ] {
            let found = engine.find_framework(framework).expect("known framework");
            let command = engine.find_level(found, text).ok();
            assert!(
                command.is_some(),
                "{framework} {text}: the command refuses it"
            );
            assert_eq!(
                command,
                level_in_question(&engine, framework, text),
                "{framework} {text}: the command and the question disagree"
            );
        }
    }
}
