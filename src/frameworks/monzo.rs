//! Reader for Monzo's progression-framework format (`frameworks/**/*.md` with YAML front matter).
//!
//! Everything is in the front matter; the Markdown body is prose about the framework and is not
//! read. The mapping:
//!
//! - `yaml: false` marks a prose page, which is skipped ([`Outcome::Prose`]).
//! - `levels: N` is a count: levels are 1..=N, titled "Level N" (Monzo has no level titles).
//! - Each topic is a dimension, named by its `title` without emoji, or else by its `name` with a
//!   capital first letter ("communication" → "Communication").
//! - Each `content` entry adds to one level of its topic: every `criteria` string is an item,
//!   then every `exampleCriteria` entry as `<criteria> (e.g. <example>; <example>)`.
//! - A level's summary is the first sentence of its first item (Monzo has no level summaries).
//! - The name is the `title` without emoji ("Backend Engineering Framework"); the team is the
//!   `sidebarTitle` without emoji, else the name without a trailing " Framework".
//! - The repository root is the directory holding the nearest `frameworks/` directory above the
//!   file; the organisation is the root's name without suffixes such as
//!   `-progression-framework`. The id is `<organisation slug>-<path slug>`, the path being the
//!   file's path below `frameworks/` without extension (`engineering/backend.md` →
//!   `engineering-backend`). A file outside any `frameworks/` directory gets
//!   `<parent directory slug>-<file stem slug>`, and its organisation comes from that parent.
//!
//! Errors carry the line in the file (front matter starts on line 2): a `content` level outside
//! 1..=`levels`, a missing or zero `levels`, and a level no topic gives any criteria. Unknown
//! keys are tolerated, as Monzo files carry many (`path`, `homepage`, `sidebarGroup`…).

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::detect::front_matter;
use super::error::{FrameworkError, FrameworkErrorKind};
use super::model::{Dimension, Format, Framework, Level, Origin, Source};
use super::naming::{
    capitalise, collapse_whitespace, dir_name, first_item_sentence, is_valid_id, join_id_parts,
    organisation_from_dir_name, register_dimension, slugify, title_case,
};
use super::source::{ParsedFramework, SourceFile, SourceLines};
use super::yaml::{line_of, parse_yaml, yaml_error};

/// The most levels a framework may have, as in the native format.
const MAX_LEVELS: i64 = 99;

/// What one Monzo file holds.
#[derive(Debug)]
pub enum Outcome {
    /// A framework.
    Framework(Box<ParsedFramework>),
    /// A prose page (`yaml: false`), to be skipped with a notice.
    Prose,
}

/// Only the `yaml` flag, read first so a prose page's other keys cannot cause errors.
#[derive(Debug, Deserialize)]
struct RawFlag {
    #[serde(default)]
    yaml: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    sidebar_title: Option<String>,
    #[serde(default)]
    levels: Option<Spanned<i64>>,
    #[serde(default)]
    topics: Option<Vec<Spanned<RawTopic>>>,
}

#[derive(Debug, Deserialize)]
struct RawTopic {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    content: Option<Vec<RawContent>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContent {
    level: Spanned<i64>,
    #[serde(default)]
    criteria: Option<Vec<String>>,
    #[serde(default)]
    example_criteria: Option<Vec<RawExample>>,
}

#[derive(Debug, Deserialize)]
struct RawExample {
    criteria: String,
    #[serde(default)]
    examples: Option<Vec<String>>,
}

/// Reads one Monzo file.
pub fn parse(file: &SourceFile) -> Result<Outcome, Vec<FrameworkError>> {
    let path = file.path.as_path();
    let Some(parts) = front_matter(&file.text) else {
        return Err(vec![FrameworkError::at(
            path,
            1,
            FrameworkErrorKind::Structure(
                "the file has no YAML front matter; a Monzo framework starts with a `---` line, its YAML and another `---` line"
                    .to_owned(),
            ),
        )]);
    };
    let offset = parts.yaml_line_offset;
    let flag: RawFlag =
        parse_yaml(parts.yaml, offset).map_err(|error| vec![yaml_error(path, &error)])?;
    if flag.yaml == Some(false) {
        return Ok(Outcome::Prose);
    }
    let raw: RawPage =
        parse_yaml(parts.yaml, offset).map_err(|error| vec![yaml_error(path, &error)])?;
    let file_line = |line: u32| line.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));

    let level_count = level_count(path, raw.levels.as_ref(), file_line)?;
    let levels_line = raw.levels.as_ref().map(|levels| file_line(line_of(levels)));
    let mut errors = Vec::new();
    let mut dimensions: Vec<String> = Vec::new();
    // Expectations per level, index 0 being level 1.
    let mut by_level: Vec<Vec<Dimension>> = vec![Vec::new(); level_count as usize];
    for topic in raw.topics.unwrap_or_default() {
        let topic_line = file_line(line_of(&topic));
        let topic = topic.value;
        let Some(name) = topic_name(&topic) else {
            errors.push(FrameworkError::at(
                path,
                topic_line,
                FrameworkErrorKind::Empty {
                    field: "topics[].name".to_owned(),
                    hint: "give every topic a `name` or a `title`; it becomes a dimension"
                        .to_owned(),
                },
            ));
            continue;
        };
        let name = register_dimension(&mut dimensions, name);
        for content in topic.content.unwrap_or_default() {
            let number = content.level.value;
            let Some(expectations) = usize::try_from(number)
                .ok()
                .and_then(|number| number.checked_sub(1))
                .and_then(|index| by_level.get_mut(index))
            else {
                errors.push(FrameworkError::at(
                    path,
                    file_line(line_of(&content.level)),
                    FrameworkErrorKind::Structure(format!(
                        "level {number} is outside this framework's levels; `levels: {level_count}` allows levels 1 to {level_count}"
                    )),
                ));
                continue;
            };
            let items = content_items(content);
            if items.is_empty() {
                continue;
            }
            match expectations
                .iter_mut()
                .find(|dimension| dimension.name == name)
            {
                Some(dimension) => dimension.items.extend(items),
                None => expectations.push(Dimension {
                    name: name.clone(),
                    items,
                }),
            }
        }
    }

    let mut levels = Vec::with_capacity(by_level.len());
    for (number, expectations) in (1..=level_count).zip(by_level) {
        if expectations.is_empty() {
            errors.push(FrameworkError {
                path: path.to_path_buf(),
                line: levels_line,
                kind: FrameworkErrorKind::EmptyLevel { number },
            });
            continue;
        }
        levels.push(Level {
            number,
            titles: vec![format!("Level {number}")],
            summary: first_item_sentence(&expectations).unwrap_or_default(),
            expectations,
            focus: None,
            timeframe_to_next: None,
            indicators: Vec::new(),
        });
    }

    let names = Names::of(path, raw.title.as_deref(), raw.sidebar_title.as_deref());
    if !is_valid_id(&names.id) {
        errors.push(FrameworkError::file(
            path,
            FrameworkErrorKind::Structure(format!(
                "cannot derive a framework id from the path {}; rename the file or its directories to use letters or digits",
                path.display()
            )),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let framework = Framework {
        id: names.id,
        source: Source {
            url: path.display().to_string(),
            attribution: format!(
                "{} progression framework ({}, in Monzo's progression-framework format)",
                names.organisation,
                path.display()
            ),
        },
        name: names.name,
        organisation: names.organisation,
        team: names.team,
        aliases: Vec::new(),
        summary: None,
        notes: Vec::new(),
        dimensions,
        levels,
        roles: Vec::new(),
        origin: Origin {
            path: path.to_path_buf(),
            format: Format::Monzo,
        },
    };
    Ok(Outcome::Framework(Box::new(ParsedFramework {
        framework,
        lines: SourceLines::default(),
    })))
}

/// The number of levels, checked: present, at least 1 and at most [`MAX_LEVELS`].
fn level_count(
    path: &Path,
    levels: Option<&Spanned<i64>>,
    file_line: impl Fn(u32) -> u32,
) -> Result<u32, Vec<FrameworkError>> {
    let Some(levels) = levels else {
        return Err(vec![FrameworkError::file(
            path,
            FrameworkErrorKind::Empty {
                field: "levels".to_owned(),
                hint: "set `levels` to the number of levels in this framework, e.g. `levels: 6` (or `yaml: false` for a prose page)"
                    .to_owned(),
            },
        )]);
    };
    let line = file_line(line_of(levels));
    match levels.value {
        count @ 1..=MAX_LEVELS => Ok(u32::try_from(count).unwrap_or(1)),
        count if count > MAX_LEVELS => Err(vec![FrameworkError::at(
            path,
            line,
            FrameworkErrorKind::LevelOutOfRange { number: count },
        )]),
        count => Err(vec![FrameworkError::at(
            path,
            line,
            FrameworkErrorKind::Structure(format!(
                "`levels` is {count}; set it to the number of levels in this framework, e.g. `levels: 6`"
            )),
        )]),
    }
}

/// The dimension name of a topic: its title without emoji, else its name capitalised.
fn topic_name(topic: &RawTopic) -> Option<String> {
    let title = topic.title.as_deref().map(strip_emoji).unwrap_or_default();
    if !title.is_empty() {
        return Some(title);
    }
    let name = topic
        .name
        .as_deref()
        .map(|name| capitalise(&collapse_whitespace(name)))
        .unwrap_or_default();
    (!name.is_empty()).then_some(name)
}

/// A content entry's items: the criteria, then each example criterion with its examples.
fn content_items(content: RawContent) -> Vec<String> {
    let mut items: Vec<String> = content
        .criteria
        .unwrap_or_default()
        .iter()
        .map(|criterion| collapse_whitespace(criterion))
        .filter(|criterion| !criterion.is_empty())
        .collect();
    for example in content.example_criteria.unwrap_or_default() {
        let criterion = collapse_whitespace(&example.criteria);
        let examples: Vec<String> = example
            .examples
            .unwrap_or_default()
            .iter()
            .map(|example| collapse_whitespace(example))
            .filter(|example| !example.is_empty())
            .collect();
        match (criterion.is_empty(), examples.is_empty()) {
            (true, true) => {}
            (false, true) => items.push(criterion),
            (true, false) => items.push(format!("e.g. {}", examples.join("; "))),
            (false, false) => items.push(format!("{criterion} (e.g. {})", examples.join("; "))),
        }
    }
    items
}

/// A framework's id, name, organisation and team, derived from its path and titles.
struct Names {
    id: String,
    name: String,
    organisation: String,
    team: String,
}

impl Names {
    fn of(path: &Path, title: Option<&str>, sidebar_title: Option<&str>) -> Self {
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = title
            .map(strip_emoji)
            .filter(|name| !name.is_empty())
            .or_else(|| {
                sidebar_title
                    .map(strip_emoji)
                    .filter(|name| !name.is_empty())
            })
            .unwrap_or_else(|| title_case(&stem));
        let team = sidebar_title
            .map(strip_emoji)
            .filter(|team| !team.is_empty())
            .unwrap_or_else(|| {
                name.strip_suffix(" Framework")
                    .unwrap_or(&name)
                    .trim()
                    .to_owned()
            });
        let (organisation, prefix, relative) = match frameworks_root(path) {
            Some((root, relative)) => {
                let root_name = dir_name(&root).unwrap_or_default();
                let organisation = organisation_from_dir_name(&root_name);
                (organisation.clone(), slugify(&organisation), relative)
            }
            None => {
                let parent = path.parent().and_then(dir_name).unwrap_or_default();
                (
                    organisation_from_dir_name(&parent),
                    slugify(&parent),
                    PathBuf::from(&stem),
                )
            }
        };
        let relative = relative.with_extension("");
        let id = join_id_parts([prefix, slugify(&relative.to_string_lossy())]);
        Self {
            id,
            name,
            organisation,
            team,
        }
    }
}

/// The repository root (the directory holding the nearest `frameworks/` above `path`) and the
/// path of the file below that `frameworks/` directory.
fn frameworks_root(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let parent = path.parent()?;
    let components: Vec<Component<'_>> = parent.components().collect();
    let position = components
        .iter()
        .rposition(|component| component.as_os_str() == "frameworks")?;
    let root: PathBuf = components[..position].iter().collect();
    let relative = path.strip_prefix(components[..=position].iter().collect::<PathBuf>());
    Some((root, relative.ok()?.to_path_buf()))
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
    use serde_saphyr::Location;

    fn parse_text(text: &str) -> Result<Outcome, Vec<FrameworkError>> {
        parse(&SourceFile {
            path: PathBuf::from("repo/frameworks/team.md"),
            text: text.to_owned(),
        })
    }

    fn errors_of(text: &str) -> Vec<FrameworkError> {
        match parse_text(text) {
            Err(errors) => errors,
            Ok(_) => panic!("expected errors"),
        }
    }

    #[test]
    fn missing_or_zero_levels_is_an_error() {
        let missing = errors_of("---\ntitle: T\ntopics: []\n---\n");
        assert!(
            missing[0].to_string().contains("`levels`"),
            "{}",
            missing[0]
        );
        let zero = errors_of("---\ntitle: T\nlevels: 0\ntopics: []\n---\n");
        assert_eq!(zero[0].line, Some(3));
        let huge = errors_of("---\nlevels: 4000000000\n---\n");
        assert_eq!(huge[0].line, Some(2));
    }

    #[test]
    fn a_level_without_criteria_is_an_empty_level() {
        let text = "---\ntitle: T\nlevels: 2\ntopics:\n  - name: a\n    content:\n      - level: 1\n        criteria: [x]\n---\n";
        let errors = errors_of(text);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, FrameworkErrorKind::EmptyLevel { number: 2 });
        assert_eq!(errors[0].line, Some(3));
    }

    #[test]
    fn yaml_errors_carry_the_line_in_the_file() {
        let errors = errors_of("---\ntitle: T\nlevels: 1\ntopics:\n  - name: [unclosed\n---\n");
        assert!(
            errors[0].line.is_some_and(|line| line >= 5),
            "{:?}",
            errors[0]
        );
    }

    #[test]
    fn yaml_false_is_prose_whatever_else_the_page_holds() {
        let outcome = parse_text("---\nyaml: false\nlevels: nonsense\n---\nProse.\n");
        assert!(matches!(outcome, Ok(Outcome::Prose)));
    }

    #[test]
    fn emoji_and_variation_selectors_are_stripped_from_titles() {
        assert_eq!(
            strip_emoji("🛠️ Backend Engineering Framework"),
            "Backend Engineering Framework"
        );
        assert_eq!(strip_emoji("👩‍💼 Leadership"), "Leadership");
        assert_eq!(
            strip_emoji("  Café – “quoted”, naïve! 🎉"),
            "Café – “quoted”, naïve!"
        );
        assert_eq!(strip_emoji("🙂"), "");
    }

    #[test]
    fn id_comes_from_the_path_below_frameworks() {
        let names = Names::of(
            Path::new("/x/acme-progression-framework/frameworks/engineering/backend.md"),
            Some("🛠️ Backend Engineering Framework"),
            None,
        );
        assert_eq!(names.id, "acme-engineering-backend");
        assert_eq!(names.organisation, "Acme");
        assert_eq!(names.name, "Backend Engineering Framework");
        assert_eq!(names.team, "Backend Engineering");
    }

    #[test]
    fn a_file_outside_frameworks_is_named_after_its_parent_directory() {
        let names = Names::of(
            Path::new("/x/team-docs/support.md"),
            Some("Support"),
            Some("🎧 Help"),
        );
        assert_eq!(names.id, "team-docs-support");
        assert_eq!(names.team, "Help");
    }

    #[test]
    fn example_criteria_carry_their_examples() {
        let content = RawContent {
            level: Spanned::new(1, Location::UNKNOWN, Location::UNKNOWN),
            criteria: Some(vec!["Listens well".to_owned()]),
            example_criteria: Some(vec![RawExample {
                criteria: "Explains trade-offs".to_owned(),
                examples: Some(vec![
                    "Wrote a design doc".to_owned(),
                    "Ran a demo".to_owned(),
                ]),
            }]),
        };
        assert_eq!(
            content_items(content),
            [
                "Listens well",
                "Explains trade-offs (e.g. Wrote a design doc; Ran a demo)"
            ]
        );
    }
}
