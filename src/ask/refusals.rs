//! The sentences for questions that cannot be answered: what was wrong, what is known, and
//! questions that would work instead.

use super::query::Unknown;
use crate::frameworks::{Framework, Library};

/// "That question is 5,210 characters long; …": a question over the `limit`.
pub(super) fn too_long(chars: usize, limit: usize) -> Unknown {
    Unknown {
        message: format!(
            "That question is {} characters long; I read questions of up to {} characters. Ask about one framework, level or title at a time.",
            thousands(chars),
            thousands(limit)
        ),
        suggestions: vec!["help".to_owned()],
    }
}

/// 360000 → "360,000".
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "Buffer Marketing has no level 9; its levels are 1–5."
pub(super) fn level_does_not_exist(framework: &Framework, level: u32) -> Unknown {
    let closest = framework
        .levels
        .iter()
        .min_by_key(|candidate| candidate.number.abs_diff(level))
        .map_or(level, |candidate| candidate.number);
    Unknown {
        message: format!(
            "{} has no level {level}; its levels are {}.",
            framework.name,
            framework.level_range_text()
        ),
        suggestions: vec![
            format!("{} level {closest}", framework.id),
            format!("{} titles", framework.id),
        ],
    }
}

/// Level numbers but no framework: say which frameworks have those levels.
pub(super) fn which_framework(library: &Library, levels: &[u32]) -> Unknown {
    let shown = levels
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" and ");
    let having: Vec<&Framework> = library
        .frameworks()
        .iter()
        .filter(|framework| levels.iter().all(|level| framework.level(*level).is_some()))
        .collect();
    let plural = if levels.len() > 1 { "s" } else { "" };
    if having.is_empty() {
        return Unknown {
            message: format!(
                "No framework I know has level{plural} {shown}. Frameworks: {}.",
                library.ids().collect::<Vec<_>>().join(", ")
            ),
            suggestions: vec!["frameworks".to_owned()],
        };
    }
    let verb = if levels.len() > 1 { "exist" } else { "exists" };
    Unknown {
        message: format!(
            "Which framework do you mean? Level{plural} {shown} {verb} in {}.",
            having
                .iter()
                .map(|framework| framework.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        suggestions: having
            .iter()
            .map(|framework| match levels {
                [one] => format!("{} level {one}", framework.id),
                _ => format!("compare {} {shown}", framework.id),
            })
            .collect(),
    }
}

/// Words that name nothing known: suggest the closest frameworks and titles.
pub(super) fn unknown_name(
    library: &Library,
    leftovers: &[String],
    numbers: &[(usize, u32)],
) -> Unknown {
    let asked = leftovers.join(" ");
    let mut names: Vec<(&str, String)> = Vec::new();
    for framework in library.frameworks() {
        for name in std::iter::once(&framework.team)
            .chain(std::iter::once(&framework.name))
            .chain(framework.aliases.iter())
        {
            names.push((name.as_str(), framework.id.clone()));
        }
    }
    let mut tried = std::collections::HashSet::new();
    let closest = crate::text::closest(&asked, names.iter().map(|(name, _)| *name)).or_else(|| {
        leftovers
            .iter()
            .filter(|word| tried.insert(word.as_str()))
            .find_map(|word| crate::text::closest(word, names.iter().map(|(name, _)| *name)))
    });
    let level_suffix = numbers
        .first()
        .map(|(_, level)| format!(" level {level}"))
        .unwrap_or_default();
    let known = library
        .frameworks()
        .iter()
        .map(|framework| format!("{} ({})", framework.name, framework.id))
        .collect::<Vec<_>>()
        .join(", ");
    match closest.and_then(|name| names.iter().find(|(n, _)| *n == name)) {
        Some((name, id)) => Unknown {
            message: format!(
                "I don't know a framework or title called \"{asked}\". Did you mean {name}? Known frameworks: {known}."
            ),
            suggestions: vec![format!("{id}{level_suffix}")],
        },
        None => Unknown {
            message: format!(
                "I don't know a framework or title called \"{asked}\". Known frameworks: {known}."
            ),
            suggestions: library
                .frameworks()
                .iter()
                .map(|framework| {
                    if level_suffix.is_empty() {
                        format!("{} titles", framework.id)
                    } else {
                        format!("{}{level_suffix}", framework.id)
                    }
                })
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(4_000), "4,000");
        assert_eq!(thousands(360_000), "360,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
