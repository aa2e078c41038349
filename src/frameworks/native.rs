//! career-bot's own framework format: one YAML file per framework (`frameworks/*.yaml`).
//!
//! The format is documented, with a complete example, in `frameworks/README.md`. Parsing is
//! strict (unknown fields are errors) and every error carries the file and line, so a typo in a
//! field name is reported instead of silently dropping content.

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{FrameworkError, FrameworkErrorKind};
use super::model::{Dimension, Format, Framework, Indicator, Level, Origin, Role, Source};
use super::naming::{is_valid_id, slugify};
use super::source::{ParsedFramework, SourceLines};
use super::yaml::{line_of, parse_yaml, yaml_error};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: Spanned<String>,
    name: String,
    organisation: String,
    team: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    source: RawSource,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    dimensions: Vec<Spanned<String>>,
    levels: Spanned<Vec<Spanned<RawLevel>>>,
    #[serde(default)]
    roles: Vec<Spanned<RawRole>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: String,
    attribution: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    level: Spanned<i64>,
    titles: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    expectations: IndexMap<String, Spanned<OneOrMany>>,
    #[serde(default)]
    focus: Option<String>,
    #[serde(default)]
    timeframe_to_next: Option<String>,
    #[serde(default)]
    indicators: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    titles: Vec<String>,
    from_level: u32,
    #[serde(default)]
    to_level: Option<u32>,
    summary: String,
}

/// A dimension's expectations: one sentence or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_items(self) -> Vec<String> {
        let items = match self {
            OneOrMany::One(item) => vec![item],
            OneOrMany::Many(items) => items,
        };
        items
            .into_iter()
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    }
}

/// Parses one native framework file. Returns every problem found, not just the first.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFramework, Vec<FrameworkError>> {
    let raw: RawFramework = parse_yaml(text, 0).map_err(|error| vec![yaml_error(path, &error)])?;
    let mut errors = Vec::new();
    let id_line = line_of(&raw.id);
    let id = raw.id.value.trim().to_owned();
    if !is_valid_id(&id) {
        errors.push(FrameworkError::at(
            path,
            id_line,
            FrameworkErrorKind::BadId {
                suggestion: slugify(&id),
                id: id.clone(),
            },
        ));
    }
    for (field, value) in [
        ("name", &raw.name),
        ("organisation", &raw.organisation),
        ("team", &raw.team),
        ("source.url", &raw.source.url),
        ("source.attribution", &raw.source.attribution),
    ] {
        if value.trim().is_empty() {
            errors.push(FrameworkError::file(
                path,
                FrameworkErrorKind::Empty {
                    field: field.to_owned(),
                    hint: "every framework needs a name, organisation, team and a credited source"
                        .to_owned(),
                },
            ));
        }
    }

    let declared: Vec<String> = raw
        .dimensions
        .iter()
        .map(|name| name.value.trim().to_owned())
        .collect();
    let mut dimensions = declared.clone();
    let mut levels: Vec<Level> = Vec::with_capacity(raw.levels.value.len());
    let mut level_lines: Vec<(u32, u32)> = Vec::new();
    if raw.levels.value.is_empty() {
        errors.push(FrameworkError::at(
            path,
            line_of(&raw.levels),
            FrameworkErrorKind::NoLevels,
        ));
    }
    for spanned in raw.levels.value {
        let line = line_of(&spanned);
        let raw_level = spanned.value;
        let Some(number) = checked_level_number(path, &raw_level.level, &mut errors) else {
            continue;
        };
        if let Some((_, first_line)) = level_lines.iter().find(|(n, _)| *n == number) {
            errors.push(FrameworkError::at(
                path,
                line_of(&raw_level.level),
                FrameworkErrorKind::DuplicateLevel {
                    number,
                    first_line: *first_line,
                },
            ));
            continue;
        }
        level_lines.push((number, line));
        let titles: Vec<String> = raw_level
            .titles
            .iter()
            .map(|title| title.trim().to_owned())
            .filter(|title| !title.is_empty())
            .collect();
        if titles.is_empty() {
            errors.push(FrameworkError::at(
                path,
                line,
                FrameworkErrorKind::Empty {
                    field: format!("levels[{number}].titles"),
                    hint: "give the level at least one title, e.g. `titles: [Engineer]`".to_owned(),
                },
            ));
        }
        let mut expectations = Vec::with_capacity(raw_level.expectations.len());
        for (name, items) in raw_level.expectations {
            let items_line = line_of(&items);
            let name = name.trim().to_owned();
            let canonical = if declared.is_empty() {
                if !dimensions
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(&name))
                {
                    dimensions.push(name.clone());
                }
                dimensions
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(&name))
                    .cloned()
                    .unwrap_or(name)
            } else if let Some(known) = declared.iter().find(|d| d.eq_ignore_ascii_case(&name)) {
                known.clone()
            } else {
                errors.push(FrameworkError::at(
                    path,
                    items_line,
                    FrameworkErrorKind::UnknownDimension {
                        level: number,
                        suggestion: crate::text::closest(
                            &name,
                            declared.iter().map(String::as_str),
                        )
                        .map(|best| format!(", did you mean \"{best}\"?"))
                        .unwrap_or_default(),
                        name,
                        declared: declared.join(", "),
                    },
                ));
                continue;
            };
            let items = items.value.into_items();
            if !items.is_empty() {
                expectations.push(Dimension {
                    name: canonical,
                    items,
                });
            }
        }
        let summary = raw_level.summary.trim().to_owned();
        if summary.is_empty() && expectations.is_empty() {
            errors.push(FrameworkError::at(
                path,
                line,
                FrameworkErrorKind::EmptyLevel { number },
            ));
        }
        levels.push(Level {
            number,
            titles,
            summary,
            expectations,
            focus: non_empty(raw_level.focus),
            timeframe_to_next: non_empty(raw_level.timeframe_to_next),
            indicators: raw_level
                .indicators
                .into_iter()
                .map(|(label, value)| Indicator { label, value })
                .collect(),
        });
    }
    levels.sort_by_key(|level| level.number);
    order_expectations(&mut levels, &dimensions);

    let roles = roles(path, raw.roles, &levels, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let alias_lines = raw
        .aliases
        .iter()
        .map(|alias| Some(line_of(alias)))
        .collect();
    let framework = Framework {
        id,
        name: raw.name.trim().to_owned(),
        organisation: raw.organisation.trim().to_owned(),
        team: raw.team.trim().to_owned(),
        aliases: raw
            .aliases
            .into_iter()
            .map(|alias| alias.value.trim().to_owned())
            .filter(|alias| !alias.is_empty())
            .collect(),
        source: Source {
            url: raw.source.url.trim().to_owned(),
            attribution: raw.source.attribution.trim().to_owned(),
        },
        summary: non_empty(raw.summary),
        notes: raw.notes,
        dimensions,
        levels,
        roles,
        origin: Origin {
            path: path.to_path_buf(),
            format: Format::Native,
        },
    };
    Ok(ParsedFramework {
        framework,
        lines: SourceLines {
            id: Some(id_line),
            aliases: alias_lines,
        },
        fallback_ids: Vec::new(),
    })
}

fn checked_level_number(
    path: &Path,
    number: &Spanned<i64>,
    errors: &mut Vec<FrameworkError>,
) -> Option<u32> {
    match u32::try_from(number.value) {
        Ok(valid @ 1..=99) => Some(valid),
        _ => {
            errors.push(FrameworkError::at(
                path,
                line_of(number),
                FrameworkErrorKind::LevelOutOfRange {
                    number: number.value,
                },
            ));
            None
        }
    }
}

fn roles(
    path: &Path,
    raw_roles: Vec<Spanned<RawRole>>,
    levels: &[Level],
    errors: &mut Vec<FrameworkError>,
) -> Vec<Role> {
    let available = || {
        levels
            .iter()
            .map(|level| level.number.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut roles = Vec::with_capacity(raw_roles.len());
    for spanned in raw_roles {
        let line = line_of(&spanned);
        let raw = spanned.value;
        let titles: Vec<String> = raw
            .titles
            .iter()
            .map(|title| title.trim().to_owned())
            .filter(|title| !title.is_empty())
            .collect();
        let Some(first_title) = titles.first().cloned() else {
            errors.push(FrameworkError::at(
                path,
                line,
                FrameworkErrorKind::Empty {
                    field: "roles[].titles".to_owned(),
                    hint: "give the role at least one title".to_owned(),
                },
            ));
            continue;
        };
        let to_level = raw.to_level.unwrap_or(raw.from_level);
        let mut valid = true;
        for level in [raw.from_level, to_level] {
            if !levels.iter().any(|known| known.number == level) {
                errors.push(FrameworkError::at(
                    path,
                    line,
                    FrameworkErrorKind::RoleLevelMissing {
                        role: first_title.clone(),
                        level,
                        available: available(),
                    },
                ));
                valid = false;
            }
        }
        if valid {
            roles.push(Role {
                titles,
                from_level: raw.from_level.min(to_level),
                to_level: raw.from_level.max(to_level),
                summary: raw.summary.trim().to_owned(),
            });
        }
    }
    roles
}

/// Sorts each level's expectation groups into the framework's dimension order.
fn order_expectations(levels: &mut [Level], dimensions: &[String]) {
    for level in levels {
        level.expectations.sort_by_key(|dimension| {
            dimensions
                .iter()
                .position(|name| *name == dimension.name)
                .unwrap_or(usize::MAX)
        });
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}
