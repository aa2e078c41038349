//! Resolving a framework or a level named in a command (`add @ana marketing 2`), with
//! did-you-mean suggestions when the name is not known.

use super::Engine;
use super::tokens::tokenize_title;
use crate::frameworks::Framework;
use crate::text::{closest, normalize};

impl Engine {
    /// The framework named by its id, name, an alias or (when only one framework has it) its
    /// team. The error is a sentence with the closest known name and the valid ids.
    pub fn find_framework(&self, name: &str) -> Result<&Framework, String> {
        let wanted = normalize(name);
        let frameworks = self.library().frameworks();
        let exact = frameworks.iter().find(|framework| {
            normalize(&framework.id) == wanted
                || normalize(&framework.name) == wanted
                || framework
                    .aliases
                    .iter()
                    .any(|alias| normalize(alias) == wanted)
        });
        if let Some(framework) = exact {
            return Ok(framework);
        }
        let by_team: Vec<&Framework> = frameworks
            .iter()
            .filter(|framework| normalize(&framework.team) == wanted)
            .collect();
        match by_team.as_slice() {
            [only] => return Ok(only),
            [_, _, ..] => {
                return Err(format!(
                    "\"{name}\" is the team of several frameworks: {}. Use the id.",
                    by_team
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            [] => {}
        }
        let candidates = frameworks.iter().flat_map(|framework| {
            std::iter::once(framework.id.as_str())
                .chain(std::iter::once(framework.name.as_str()))
                .chain(std::iter::once(framework.team.as_str()))
                .chain(framework.aliases.iter().map(String::as_str))
        });
        let suggestion = closest(name, candidates)
            .and_then(|close| {
                frameworks.iter().find(|framework| {
                    framework.id == close
                        || framework.name == close
                        || framework.team == close
                        || framework.aliases.iter().any(|alias| alias == close)
                })
            })
            .map(|framework| format!(" Did you mean {}?", framework.id))
            .unwrap_or_default();
        let known = self.library().ids().collect::<Vec<_>>().join(", ");
        Err(format!(
            "I don't know the framework \"{name}\".{suggestion} Frameworks: {known}."
        ))
    }

    /// The level of `framework` written as a number ("3", "three", "III", "L3") or a title.
    pub fn find_level(&self, framework: &Framework, text: &str) -> Result<u32, String> {
        let tokens = tokenize_title(text);
        let number = match tokens.as_slice() {
            [only] => only.number,
            [marker, value] if super::tokens::is_level_word(&marker.word) => value.number,
            _ => None,
        };
        let number = number.or_else(|| {
            let wanted = normalize(text);
            framework
                .levels
                .iter()
                .find(|level| level.titles.iter().any(|title| normalize(title) == wanted))
                .map(|level| level.number)
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
}
