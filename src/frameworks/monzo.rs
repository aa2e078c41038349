//! Reader for Monzo's progression-framework format (`frameworks/**/*.md` with YAML front matter).
//!
//! Everything is in the front matter; the Markdown body is prose about the framework and is not
//! read. The mapping:
//!
//! - `yaml: false` marks a prose page, and so does a page whose topics give no criteria at all
//!   (published repositories mix such pages with data pages, without `yaml: false`): both are
//!   skipped with a notice ([`Outcome::Prose`]).
//! - Levels are the level numbers the `content` entries use, titled "Level N" (Monzo has no
//!   level titles) and given no summary (Monzo has none; the first expectation is not repeated
//!   as one). `levels: N` is what the file declares; published files do not always agree with
//!   it, so the content is read as it is and the file gets one note listing what does not add
//!   up: levels used beyond the declared count, declared or used levels without any criteria
//!   (left out), a missing or unusable count.
//! - Each topic is a dimension, named by its `title` without emoji, or else by its `name` with a
//!   capital first letter ("communication" → "Communication").
//! - Each `content` entry adds to one level of its topic: every `criteria` string is an item,
//!   then every `exampleCriteria` entry as `<criteria> (e.g. <example>; <example>)`.
//! - Names come from the file's own titles, not from where it was copied: the name is the
//!   `title` without emoji ("Backend Engineering Framework"); the team is the `sidebarTitle`
//!   without emoji, else the name without a trailing " Framework"; the organisation is the
//!   repository's (configured, else its README title: see [`repository`](super::repository)).
//!   The id is `<organisation slug>-<team slug>` (`monzo-backend`); when another framework
//!   already has it, `<organisation slug>-<path slug>`, the path being the file's below
//!   `frameworks/` without extension (`monzo-engineering-backend`).
//! - The repository root is the directory holding the nearest `frameworks/` directory above the
//!   file, or the file's own directory; the source shows the file's path inside it
//!   (`frameworks/engineering/backend.md`).
//!
//! Errors, which leave the file out, carry the line in the file (front matter starts on line
//! 2): YAML that does not parse or has the wrong shape, a `content` level that cannot be a
//! level number (outside 1..=99), a topic with neither `name` nor `title`. Unknown keys are
//! tolerated, as Monzo files carry many (`path`, `homepage`, `sidebarGroup`…).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::detect::front_matter;
use super::error::{FrameworkError, FrameworkErrorKind};
use super::model::{Dimension, Format, Framework, Level, Origin, Source};
use super::naming::{
    capitalise, collapse_whitespace, is_valid_id, join_id_parts, levels_phrase, register_dimension,
    slugify, strip_emoji, title_case,
};
use super::repository::Repository;
use super::source::{Notice, ParsedFramework, SourceFile, SourceLines};
use super::yaml::{line_of, parse_yaml, yaml_error};

/// The highest level number, as in the native format.
const MAX_LEVEL: i64 = 99;

/// What one Monzo file holds.
#[derive(Debug)]
pub enum Outcome {
    /// A framework, with the note listing what in the file does not add up, if anything.
    Framework(Box<ParsedFramework>, Option<Notice>),
    /// A prose page, skipped with this notice.
    Prose(Notice),
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

/// The expectations read from a file's topics, by level.
#[derive(Default)]
struct Content {
    /// Dimension names in order of first use.
    dimensions: Vec<String>,
    /// Level number → its expectations (only levels with at least one item).
    by_level: BTreeMap<u32, Vec<Dimension>>,
    /// Every level number a `content` entry names, with items or not.
    mentioned: BTreeSet<u32>,
}

/// Reads one Monzo file of `repository`.
pub fn parse(file: &SourceFile, repository: &Repository) -> Result<Outcome, Vec<FrameworkError>> {
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
        return Ok(Outcome::Prose(Notice::skipped(
            path,
            "prose page (`yaml: false`), skipped",
        )));
    }
    let raw: RawPage =
        parse_yaml(parts.yaml, offset).map_err(|error| vec![yaml_error(path, &error)])?;
    let file_line = |line: u32| line.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
    let declared = raw.levels.as_ref().map(|levels| levels.value);
    let content = read_topics(path, raw.topics.unwrap_or_default(), file_line)?;
    if content.by_level.is_empty() {
        return Ok(Outcome::Prose(prose_notice(path, flag.yaml, declared)));
    }

    let names = Names::of(
        path,
        repository,
        raw.title.as_deref(),
        raw.sidebar_title.as_deref(),
    );
    let Some(id) = names.ids.first().cloned() else {
        return Err(vec![FrameworkError::file(
            path,
            FrameworkErrorKind::Structure(format!(
                "cannot derive a framework id from the title or the path {}; give the file a `title` or `sidebarTitle` with letters or digits",
                path.display()
            )),
        )]);
    };
    let note =
        inconsistencies(declared, &content).map(|message| Notice::inconsistent(path, message));
    let levels = content
        .by_level
        .into_iter()
        .map(|(number, expectations)| Level {
            number,
            titles: vec![format!("Level {number}")],
            summary: String::new(),
            expectations,
            focus: None,
            timeframe_to_next: None,
            indicators: Vec::new(),
        })
        .collect();
    let framework = Framework {
        id,
        source: Source {
            url: repository.inside(path),
            attribution: format!("{} progression framework", names.organisation),
        },
        name: names.name,
        organisation: names.organisation,
        team: names.team,
        aliases: Vec::new(),
        summary: None,
        notes: Vec::new(),
        dimensions: content.dimensions,
        levels,
        roles: Vec::new(),
        origin: Origin {
            path: path.to_path_buf(),
            format: Format::Monzo,
        },
    };
    let parsed = ParsedFramework {
        framework,
        lines: SourceLines::default(),
        fallback_ids: names.ids[1..].to_vec(),
    };
    Ok(Outcome::Framework(Box::new(parsed), note))
}

/// Reads every topic's content by level. Errors: a topic without a name, a level number that
/// cannot be one.
fn read_topics(
    path: &Path,
    topics: Vec<Spanned<RawTopic>>,
    file_line: impl Fn(u32) -> u32,
) -> Result<Content, Vec<FrameworkError>> {
    let mut content = Content::default();
    let mut errors = Vec::new();
    for topic in topics {
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
        for entry in topic.content.unwrap_or_default() {
            let number = entry.level.value;
            let Some(number) = u32::try_from(number)
                .ok()
                .filter(|number| (1..=MAX_LEVEL).contains(&i64::from(*number)))
            else {
                errors.push(FrameworkError::at(
                    path,
                    file_line(line_of(&entry.level)),
                    FrameworkErrorKind::LevelOutOfRange { number },
                ));
                continue;
            };
            content.mentioned.insert(number);
            let items = content_items(entry);
            if items.is_empty() {
                continue;
            }
            let name = register_dimension(&mut content.dimensions, name.clone());
            let expectations = content.by_level.entry(number).or_default();
            match expectations
                .iter_mut()
                .find(|dimension| dimension.name == name)
            {
                Some(dimension) => dimension.items.extend(items),
                None => expectations.push(Dimension { name, items }),
            }
        }
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// The notice for a page without any criteria: plain prose, or a data page whose data is
/// missing (it says `yaml: true` or declares a level count).
fn prose_notice(path: &Path, yaml: Option<bool>, declared: Option<i64>) -> Notice {
    match (yaml, declared) {
        (_, Some(count)) => Notice::inconsistent(
            path,
            format!(
                "`levels: {count}`, but no topic gives any criteria; read as a prose page, skipped"
            ),
        ),
        (Some(true), None) => Notice::inconsistent(
            path,
            "`yaml: true`, but no topic gives any criteria; read as a prose page, skipped",
        ),
        (_, None) => Notice::skipped(path, "prose page (no topics with criteria), skipped"),
    }
}

/// One sentence listing what does not add up between the declared level count and the
/// content, or `None` when they agree.
fn inconsistencies(declared: Option<i64>, content: &Content) -> Option<String> {
    let mut parts = Vec::new();
    let mut expected: BTreeSet<u32> = content.mentioned.clone();
    match declared {
        None => parts.push("no `levels` count".to_owned()),
        Some(count @ 1..=MAX_LEVEL) => {
            let count = u32::try_from(count).unwrap_or(1);
            expected.extend(1..=count);
            if content.mentioned.iter().any(|number| *number > count) {
                let used: Vec<u32> = content.mentioned.iter().copied().collect();
                let range = match (used.first(), used.last()) {
                    (Some(first), Some(last)) if first != last => format!("levels {first}–{last}"),
                    _ => levels_phrase(&used),
                };
                parts.push(format!("`levels: {count}`, but the content uses {range}"));
            }
        }
        Some(count) => parts.push(format!("`levels: {count}` is not a number of levels")),
    }
    let empty: Vec<u32> = expected
        .iter()
        .copied()
        .filter(|number| !content.by_level.contains_key(number))
        .collect();
    if !empty.is_empty() {
        let verb = if empty.len() == 1 { "has" } else { "have" };
        parts.push(format!("{} {verb} no content", levels_phrase(&empty)));
    }
    if parts.is_empty() {
        return None;
    }
    let read: Vec<u32> = content.by_level.keys().copied().collect();
    parts.push(format!("read as {}", levels_phrase(&read)));
    Some(parts.join("; "))
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

/// A framework's ids (preferred first), name, organisation and team, from its titles.
struct Names {
    ids: Vec<String>,
    name: String,
    organisation: String,
    team: String,
}

impl Names {
    fn of(
        path: &Path,
        repository: &Repository,
        title: Option<&str>,
        sidebar_title: Option<&str>,
    ) -> Self {
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
        let organisation = repository.organisation.clone();
        let prefix = slugify(&organisation);
        let relative = below_frameworks(path).unwrap_or_else(|| PathBuf::from(&stem));
        let relative = relative.with_extension("");
        let mut ids: Vec<String> = Vec::new();
        for id in [
            join_id_parts([prefix.clone(), slugify(&team)]),
            join_id_parts([prefix, slugify(&relative.to_string_lossy())]),
        ] {
            if is_valid_id(&id) && !ids.contains(&id) {
                ids.push(id);
            }
        }
        Self {
            ids,
            name,
            organisation,
            team,
        }
    }
}

/// The repository root of a Monzo file: the directory holding the nearest `frameworks/`
/// directory above it, else the file's own directory.
pub(crate) fn repository_root(path: &Path) -> PathBuf {
    frameworks_dir(path).map_or_else(
        || path.parent().map(Path::to_path_buf).unwrap_or_default(),
        |(root, _)| root,
    )
}

/// The file's path below its nearest `frameworks/` directory.
fn below_frameworks(path: &Path) -> Option<PathBuf> {
    frameworks_dir(path).map(|(_, relative)| relative)
}

/// The repository root (the directory holding the nearest `frameworks/` above `path`) and the
/// path of the file below that `frameworks/` directory.
fn frameworks_dir(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let parent = path.parent()?;
    let components: Vec<Component<'_>> = parent.components().collect();
    let position = components
        .iter()
        .rposition(|component| component.as_os_str() == "frameworks")?;
    let root: PathBuf = components[..position].iter().collect();
    let relative = path.strip_prefix(components[..=position].iter().collect::<PathBuf>());
    Some((root, relative.ok()?.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_saphyr::Location;

    fn repository() -> Repository {
        Repository::new("repo", "Acme")
    }

    fn parse_text(text: &str) -> Result<Outcome, Vec<FrameworkError>> {
        parse(
            &SourceFile {
                path: PathBuf::from("repo/frameworks/team.md"),
                text: text.to_owned(),
            },
            &repository(),
        )
    }

    fn errors_of(text: &str) -> Vec<FrameworkError> {
        match parse_text(text) {
            Err(errors) => errors,
            Ok(outcome) => panic!("expected errors, got {outcome:?}"),
        }
    }

    fn framework_of(text: &str) -> (Framework, Option<Notice>) {
        match parse_text(text) {
            Ok(Outcome::Framework(parsed, note)) => (parsed.framework, note),
            other => panic!("expected a framework, got {other:?}"),
        }
    }

    fn prose_of(text: &str) -> Notice {
        match parse_text(text) {
            Ok(Outcome::Prose(notice)) => notice,
            other => panic!("expected a prose page, got {other:?}"),
        }
    }

    fn numbers(framework: &Framework) -> Vec<u32> {
        framework.levels.iter().map(|level| level.number).collect()
    }

    const TOPIC: &str = "topics:\n  - name: a\n    content:\n";

    #[test]
    fn a_page_without_criteria_is_prose_whatever_its_level_count() {
        let plain = prose_of("---\ntitle: T\nlevels:\n---\nProse.\n");
        assert_eq!(plain.kind, crate::frameworks::NoticeKind::Skipped);
        let counted = prose_of("---\ntitle: T\nlevels: 6\ntopics: []\n---\n");
        assert_eq!(counted.kind, crate::frameworks::NoticeKind::Inconsistent);
        assert!(
            counted.message.contains("`levels: 6`"),
            "{}",
            counted.message
        );
        prose_of("---\nlevels: 4000000000\n---\n");
    }

    #[test]
    fn content_beyond_the_declared_count_is_read_with_one_note() {
        let text = format!(
            "---\nlevels: 2\n{TOPIC}      - level: 1\n        criteria: [x]\n      - level: 3\n        criteria: [y]\n---\n"
        );
        let (framework, note) = framework_of(&text);
        assert_eq!(numbers(&framework), [1, 3]);
        let note = note.expect("a note");
        assert_eq!(note.kind, crate::frameworks::NoticeKind::Inconsistent);
        assert_eq!(
            note.message,
            "`levels: 2`, but the content uses levels 1–3; level 2 has no content; read as levels 1 and 3"
        );
    }

    #[test]
    fn a_level_without_criteria_is_left_out_with_a_note() {
        let text = format!(
            "---\ntitle: T\nlevels: 2\n{TOPIC}      - level: 1\n        criteria: [x]\n      - level: 2\n        criteria: []\n---\n"
        );
        let (framework, note) = framework_of(&text);
        assert_eq!(numbers(&framework), [1]);
        assert_eq!(
            note.expect("a note").message,
            "level 2 has no content; read as level 1"
        );
    }

    #[test]
    fn a_file_that_agrees_with_itself_gets_no_note() {
        let text = format!("---\nlevels: 1\n{TOPIC}      - level: 1\n        criteria: [x]\n---\n");
        let (framework, note) = framework_of(&text);
        assert!(note.is_none(), "{note:?}");
        assert_eq!(framework.levels[0].titles, ["Level 1"]);
        assert_eq!(
            framework.levels[0].summary, "",
            "no summary made up from an item"
        );
        let missing = format!("---\n{TOPIC}      - level: 1\n        criteria: [x]\n---\n");
        let (_, note) = framework_of(&missing);
        assert_eq!(
            note.expect("a note").message,
            "no `levels` count; read as level 1"
        );
    }

    #[test]
    fn a_level_number_that_cannot_be_one_is_an_error_at_its_line() {
        let text = format!("---\nlevels: 1\n{TOPIC}      - level: 0\n        criteria: [x]\n---\n");
        let errors = errors_of(&text);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].kind,
            FrameworkErrorKind::LevelOutOfRange { number: 0 }
        );
        assert_eq!(errors[0].line, Some(6));
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
        let notice = prose_of("---\nyaml: false\nlevels: nonsense\n---\nProse.\n");
        assert!(notice.message.contains("yaml: false"), "{}", notice.message);
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
    fn ids_come_from_the_titles_then_from_the_path_below_frameworks() {
        let names = Names::of(
            Path::new("/x/copied-here/frameworks/engineering/backend.md"),
            &Repository::new("/x/copied-here", "Acme"),
            Some("🛠️ Backend Engineering Framework"),
            Some("🛠️ Backend"),
        );
        assert_eq!(names.ids, ["acme-backend", "acme-engineering-backend"]);
        assert_eq!(names.organisation, "Acme");
        assert_eq!(names.name, "Backend Engineering Framework");
        assert_eq!(names.team, "Backend");
        let untitled = Names::of(
            Path::new("/x/copied-here/frameworks/web.md"),
            &Repository::new("/x/copied-here", "Acme"),
            Some("Web Framework"),
            None,
        );
        assert_eq!(untitled.ids, ["acme-web"]);
        assert_eq!(untitled.team, "Web");
    }

    #[test]
    fn a_file_outside_frameworks_has_its_own_directory_as_root() {
        let path = Path::new("/x/team-docs/support.md");
        assert_eq!(repository_root(path), Path::new("/x/team-docs"));
        assert_eq!(
            repository_root(Path::new("/x/repo/frameworks/a/b.md")),
            Path::new("/x/repo")
        );
        let names = Names::of(
            path,
            &Repository::new("/x/team-docs", "Team Docs"),
            Some("Support"),
            Some("🎧 Help"),
        );
        assert_eq!(names.ids, ["team-docs-help", "team-docs-support"]);
        assert_eq!(names.team, "Help");
    }

    #[test]
    fn the_source_is_the_path_inside_the_repository() {
        let text = format!("---\nlevels: 1\n{TOPIC}      - level: 1\n        criteria: [x]\n---\n");
        let (framework, _) = framework_of(&text);
        assert_eq!(framework.source.url, "frameworks/team.md");
        assert_eq!(framework.source.attribution, "Acme progression framework");
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
