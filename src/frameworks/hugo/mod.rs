//! Reader for Hugo career-ladder sites laid out like InfraCloud's (`content/docs/<team>/<role>.md`).
//!
//! The loader groups the pages of one `content/docs/<team>/` directory and calls
//! [`parse_team`] once per directory. One directory becomes one [`Framework`]:
//!
//! - **Levels.** Every page that is a level page becomes a [`Level`]. Pages are ordered by the
//!   front-matter `weight` (pages without one go last, as Hugo does), ties by file name, and
//!   numbered 1..n in that order. The level's title is the front-matter `title`.
//! - **Which pages are levels.** A page is a level page when it has bullets under Markdown
//!   headings. Pages titled "FAQ", drafts (`draft: true`), pages without any heading (or whose
//!   bullets all sit before the first heading) and pages with headings over prose only (an
//!   overview beside the levels, or a level whose content was never written) are skipped with a
//!   [`Notice`] and take no level number: a site is read as it is, from what is there.
//! - **Dimensions.** Each heading that directly holds bullets becomes a [`Dimension`] named after
//!   the heading; a heading that only groups sub-headings ("Functional Competencies") is not one.
//!   The framework's dimensions are listed in order of first appearance (levels in order), and
//!   names differing only in case are merged. Nested bullets are folded into their parent item
//!   ("… activities: Internal meetups; Shadow interviews"). Markdown formatting, links (their text
//!   is kept), images, inline HTML, HTML comments and Hugo shortcodes (`{{< … >}}`, `{{% … %}}`)
//!   are stripped and whitespace is collapsed.
//! - **Indicators.** HTML tables (InfraCloud's "Broad Indicators") become [`Indicator`](super::Indicator)s: a cell
//!   "Core: ~80%" gives label "Core" and value "~80%"; a row of a label cell and a value cell
//!   ("Approximate Tenure in this role" + remark, "~1 year") gives label "Approximate tenure in
//!   this role" and value "~1 year". Labels keep their source wording ("Core", not "Time on
//!   Core"); a label that reads as a phrase rather than a name is put in sentence case; a
//!   parenthesised remark after the label is dropped. Cells spanning several rows (e.g. "Split of
//!   responsibilities in the role") are row headers and header-only rows (`<th>`) are ignored.
//!   Paragraph prose around the table is not an indicator. The tenure is an indicator, so
//!   `timeframe_to_next` stays empty.
//! - **Summary.** InfraCloud's front-matter `description` repeats the ladder name for every level
//!   ("The Engineering career ladder used at InfraCloud - Associate Engineer role"), so a level's
//!   summary is the first sentence of the first bullet of its first dimension; the description
//!   is used only when a page has no bullets.
//! - **Metadata.** The site root is the directory holding `content/`. The organisation is the
//!   repository's: configured, else the site's own title (its README, else
//!   `content/docs/_index.md`: "Acme Career Ladders" → "Acme"), and only then the root's
//!   directory name (see [`repository`](super::repository)). The team is the `title` of the
//!   team's `_index.md`, else the directory name in title case. The name is
//!   `<organisation> <team>`; the id is `<organisation slug>-<team slug>` (`acme-platform`),
//!   or, when another framework already has it, `<organisation slug>-<team directory slug>`.
//!   The framework summary is the `_index.md` description, if any; the source shows the team
//!   directory's path inside the site (`content/docs/platform`).
//!
//! Front matter is someone else's format, so unknown keys are ignored rather than rejected.
//!
//! The reader is split by what it reads: `page` reads one page (front matter, Markdown body)
//! and `table` reads the indicator tables in a page's HTML, both cleaning text with `clean`;
//! this module decides which pages are levels, orders them and names the framework. Naming shared with the Monzo
//! reader lives in `frameworks::naming`.

mod clean;
mod page;
mod table;

use std::path::{Path, PathBuf};

use self::page::{HugoFrontMatter, LevelPage, PageKind, read_front_matter, read_page};
use super::error::{FrameworkError, FrameworkErrorKind};
use super::model::{Dimension, Format, Framework, Level, Origin, Source};
use super::naming::{
    collapse_whitespace, dir_name, first_item_sentence, is_valid_id, join_id_parts,
    register_dimension, slugify, title_case,
};
use super::repository::Repository;
use super::source::{Notice, ParsedFramework, SourceFile, SourceLines};

/// What reading one team directory produced.
#[derive(Debug)]
pub struct TeamOutcome {
    /// The team's framework; `Ok(None)` when the directory holds no level pages.
    pub framework: Result<Option<ParsedFramework>, Vec<FrameworkError>>,
    /// Pages skipped on purpose (an FAQ…).
    pub notices: Vec<Notice>,
}

/// Reads one team directory of the site `repository`: its `_index.md` (if any) and its pages.
pub fn parse_team(
    repository: &Repository,
    team_dir: &Path,
    index: Option<&SourceFile>,
    pages: &[SourceFile],
) -> TeamOutcome {
    let mut notices = Vec::new();
    let mut errors = Vec::new();
    let index_front = match index.map(read_front_matter).transpose() {
        Ok(front) => front.map(|parts| parts.front),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let mut levels = Vec::new();
    for page in pages {
        match read_page(page) {
            Ok(PageKind::Level(level)) => levels.push(*level),
            Ok(PageKind::Skipped(reason)) => {
                notices.push(Notice::skipped(&page.path, format!("{reason}, skipped")));
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return TeamOutcome {
            framework: Err(errors),
            notices,
        };
    }
    let framework = if levels.is_empty() {
        Ok(None)
    } else {
        build_framework(
            repository,
            team_dir,
            index_front.unwrap_or_default(),
            levels,
        )
        .map(Some)
    };
    TeamOutcome { framework, notices }
}

/// Builds the framework from the team's level pages (at least one, each with bullets).
fn build_framework(
    repository: &Repository,
    team_dir: &Path,
    index: HugoFrontMatter,
    mut pages: Vec<LevelPage>,
) -> Result<ParsedFramework, Vec<FrameworkError>> {
    // Hugo lists pages without a weight after weighted ones; the file name breaks ties.
    pages.sort_by(|a, b| {
        (a.weight.is_none(), a.weight, a.path.file_name()).cmp(&(
            b.weight.is_none(),
            b.weight,
            b.path.file_name(),
        ))
    });
    let mut dimensions: Vec<String> = Vec::new();
    let mut levels: Vec<Level> = pages
        .into_iter()
        .zip(1u32..)
        .map(|(page, number)| build_level(number, page, &mut dimensions))
        .collect();
    for level in &mut levels {
        level.expectations.sort_by_key(|dimension| {
            dimensions
                .iter()
                .position(|name| *name == dimension.name)
                .unwrap_or(usize::MAX)
        });
    }

    let organisation = repository.organisation.clone();
    let team_dir_name = dir_name(team_dir).unwrap_or_default();
    let team = index
        .title
        .as_deref()
        .map(collapse_whitespace)
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| title_case(&team_dir_name));
    let mut ids: Vec<String> = Vec::new();
    for id in [
        owned_id(&organisation, &team),
        join_id_parts([slugify(&organisation), slugify(&team_dir_name)]),
    ] {
        if is_valid_id(&id) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    let Some(id) = ids.first().cloned() else {
        return Err(vec![FrameworkError::file(
            team_dir,
            FrameworkErrorKind::Structure(format!(
                "cannot derive a framework id from the organisation \"{organisation}\" and the team \"{team}\"; give the team's _index.md a title with letters or digits"
            )),
        )]);
    };
    let name = if starts_with_words(&team, &organisation) {
        team.clone()
    } else {
        format!("{organisation} {team}")
    };
    let framework = Framework {
        id,
        name,
        source: Source {
            url: repository.inside(team_dir),
            attribution: format!("{organisation} career ladders"),
        },
        organisation,
        team,
        aliases: Vec::new(),
        summary: index
            .description
            .as_deref()
            .map(collapse_whitespace)
            .filter(|text| !text.is_empty()),
        notes: Vec::new(),
        dimensions,
        levels,
        roles: Vec::new(),
        origin: Origin {
            path: team_dir.to_path_buf(),
            format: Format::Hugo,
        },
    };
    Ok(ParsedFramework {
        framework,
        lines: SourceLines::default(),
        fallback_ids: ids[1..].to_vec(),
    })
}

/// `<organisation>-<team>`, without repeating the organisation when the team's title already
/// starts with it ("Wren Data" → `wren-data`, not `wren-wren-data`).
fn owned_id(organisation: &str, team: &str) -> String {
    if starts_with_words(team, organisation) {
        slugify(team)
    } else {
        join_id_parts([slugify(organisation), slugify(team)])
    }
}

/// Whether `text` starts with the words of `prefix` (case-insensitive, whole words).
fn starts_with_words(text: &str, prefix: &str) -> bool {
    let text = slugify(text);
    let prefix = slugify(prefix);
    !prefix.is_empty()
        && text
            .strip_prefix(&prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// Turns one level page into a [`Level`], registering new dimension names in `dimensions`.
fn build_level(number: u32, page: LevelPage, dimensions: &mut Vec<String>) -> Level {
    let summary = first_item_sentence(&page.body.sections)
        .or(page.description)
        .unwrap_or_default();
    let expectations = page
        .body
        .sections
        .into_iter()
        .map(|section| Dimension {
            name: register_dimension(dimensions, section.name),
            items: section.items,
        })
        .collect();
    Level {
        number,
        titles: vec![page.title],
        summary,
        expectations,
        focus: None,
        timeframe_to_next: None,
        indicators: page.body.indicators,
    }
}

/// The site root (the directory holding `content/`) of `content/docs/<team>`.
pub(crate) fn site_root(team_dir: &Path) -> PathBuf {
    team_dir
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str, text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from(format!("site/content/docs/ops/{name}")),
            text: text.to_owned(),
        }
    }

    fn team(pages: &[SourceFile]) -> TeamOutcome {
        parse_team(
            &Repository::new("site", "Site"),
            Path::new("site/content/docs/ops"),
            None,
            pages,
        )
    }

    #[test]
    fn equal_weights_are_ordered_by_file_name_and_missing_weights_go_last() {
        let pages = [
            page("c.md", "---\ntitle: C\n---\n## Core\n* c\n"),
            page("b.md", "---\ntitle: B\nweight: 5\n---\n## Core\n* b\n"),
            page("a.md", "---\ntitle: A\nweight: 5\n---\n## Core\n* a\n"),
        ];
        let outcome = team(&pages);
        let parsed = outcome.framework.expect("no errors").expect("a framework");
        let titles: Vec<String> = parsed
            .framework
            .levels
            .iter()
            .map(Level::title_text)
            .collect();
        assert_eq!(titles, ["A", "B", "C"]);
        assert_eq!(parsed.framework.id, "site-ops");
        assert_eq!(parsed.framework.team, "Ops");
    }

    #[test]
    fn a_level_page_without_title_is_an_error_at_its_front_matter() {
        let outcome = team(&[page("a.md", "---\nweight: 1\n---\n## Core\n* a\n")]);
        let errors = outcome.framework.expect_err("missing title");
        assert_eq!(errors[0].line, Some(1));
        assert!(errors[0].to_string().contains("`title`"), "{}", errors[0]);
    }

    #[test]
    fn headings_without_bullets_are_a_prose_page_that_takes_no_level_number() {
        let outcome = team(&[
            page("a.md", "---\ntitle: A\nweight: 1\n---\n## Core\n* a\n"),
            page(
                "b.md",
                "---\ntitle: B\nweight: 2\n---\n\n## Core\nProse only.\n",
            ),
            page("c.md", "---\ntitle: C\nweight: 3\n---\n## Core\n* c\n"),
        ]);
        let parsed = outcome.framework.expect("no errors").expect("a framework");
        let levels: Vec<(u32, String)> = parsed
            .framework
            .levels
            .iter()
            .map(|level| (level.number, level.title_text()))
            .collect();
        assert_eq!(levels, [(1, "A".to_owned()), (2, "C".to_owned())]);
        let [notice] = outcome.notices.as_slice() else {
            panic!("one notice: {:?}", outcome.notices);
        };
        assert!(notice.path.ends_with("b.md"));
        assert!(notice.message.contains("no bullets"), "{}", notice.message);
    }

    #[test]
    fn the_team_title_names_the_framework_and_its_id() {
        let index = SourceFile {
            path: PathBuf::from("site/content/docs/ops/_index.md"),
            text: "---\ntitle: Site Reliability\n---\n".to_owned(),
        };
        let outcome = parse_team(
            &Repository::new("site", "Site"),
            Path::new("site/content/docs/ops"),
            Some(&index),
            &[page("a.md", "---\ntitle: A\n---\n## Core\n* a\n")],
        );
        let parsed = outcome.framework.expect("no errors").expect("a framework");
        assert_eq!(parsed.framework.id, "site-reliability");
        assert_eq!(parsed.framework.name, "Site Reliability");
        assert_eq!(parsed.fallback_ids, ["site-ops"]);
        assert_eq!(parsed.framework.source.url, "content/docs/ops");
    }

    #[test]
    fn broken_front_matter_is_reported_at_its_line() {
        let outcome = team(&[page(
            "a.md",
            "---\ntitle: A\nweight: [1\n---\n## Core\n* a\n",
        )]);
        let errors = outcome.framework.expect_err("bad YAML");
        assert_eq!(errors[0].path, PathBuf::from("site/content/docs/ops/a.md"));
        assert!(matches!(errors[0].kind, FrameworkErrorKind::Yaml(_)));
        assert!(errors[0].line.is_some_and(|line| (3..=4).contains(&line)));
    }

    #[test]
    fn a_team_without_level_pages_has_no_framework_but_notices() {
        let outcome = team(&[
            page("faq.md", "---\ntitle: FAQ\n---\n## Q\n* a\n"),
            page("notes.md", "---\ntitle: Notes\n---\nJust prose.\n"),
            page(
                "draft.md",
                "---\ntitle: D\ndraft: true\n---\n## Core\n* a\n",
            ),
        ]);
        assert!(matches!(outcome.framework, Ok(None)));
        assert_eq!(outcome.notices.len(), 3);
        assert!(outcome.notices[1].message.starts_with("not a level page"));
    }
}
