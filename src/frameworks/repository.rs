//! What a repository of another organisation's frameworks (a Hugo site, a Monzo
//! progression-framework repository) says about itself: whose it is, and where its files sit
//! inside it.
//!
//! The organisation is, in order:
//! 1. the `organisation` configured for the framework source (see [`FrameworkSource`]);
//! 2. the title of the README at the repository root: `# Kestrel Progression Framework`, a
//!    setext heading, or `<h1>Progression at Monzo</h1>` give "Kestrel" and "Monzo" (see
//!    `naming::organisation_from_title`);
//! 3. for a Hugo site, the `title` of `content/docs/_index.md` ("Acme Career Ladders");
//! 4. only then the name of the directory the repository was copied into
//!    (`acme-progression-framework` → "Acme"), which may say nothing about its owner.
//!
//! The README is read even when the configured path is a folder inside the repository (its
//! `frameworks/` directory): the repository root is found from each file's path. The loader
//! resolves each root once per load ([`Repositories`]).
//!
//! [`FrameworkSource`]: super::FrameworkSource

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::detect::front_matter;
use super::model::Format;
use super::naming::{
    collapse_whitespace, dir_name, organisation_from_dir_name, organisation_from_title,
};
use super::yaml::parse_yaml;

/// A repository's root and whose frameworks it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The repository root as found (the directory holding `frameworks/` or `content/`).
    pub root: PathBuf,
    /// The organisation, e.g. "Monzo".
    pub organisation: String,
}

impl Repository {
    /// A repository at `root` belonging to `organisation`.
    pub fn new(root: impl Into<PathBuf>, organisation: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            organisation: organisation.into(),
        }
    }

    /// `path` as written inside the repository, with `/` separators
    /// ("frameworks/engineering/backend.md"): never a path of this machine outside it.
    pub fn inside(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or_else(|_| {
            path.file_name()
                .map_or_else(|| Path::new(""), |name| Path::new(name))
        });
        let parts: Vec<String> = relative
            .components()
            .filter_map(|component| match component {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        parts.join("/")
    }
}

/// The organisations of the repositories met during one load, each looked up once.
#[derive(Debug, Default)]
pub(crate) struct Repositories {
    /// (root, format) → the organisation its own files name, if any.
    titled: HashMap<(PathBuf, Format), Option<String>>,
}

impl Repositories {
    /// The repository at `root`, holding files of `format`, with the organisation configured
    /// for its source if any, else the one its files name, else its directory's name.
    pub(crate) fn resolve(
        &mut self,
        root: &Path,
        configured: Option<&str>,
        format: Format,
    ) -> Repository {
        let configured = configured
            .map(collapse_whitespace)
            .filter(|name| !name.is_empty());
        let organisation = configured
            .or_else(|| {
                self.titled
                    .entry((root.to_path_buf(), format))
                    .or_insert_with(|| titled_organisation(root, format))
                    .clone()
            })
            .unwrap_or_else(|| {
                let name = dir_name(root).unwrap_or_else(|| root.display().to_string());
                organisation_from_dir_name(&name)
            });
        Repository::new(root, organisation)
    }
}

/// README file names tried at a repository root, in order.
const README_NAMES: &[&str] = &["README.md", "readme.md", "Readme.md", "README.markdown"];

/// The organisation named by the repository's README title or, for a Hugo site, its docs
/// index title.
fn titled_organisation(root: &Path, format: Format) -> Option<String> {
    let readme = README_NAMES
        .iter()
        .find_map(|name| std::fs::read_to_string(root.join(name)).ok());
    let from_readme = readme
        .as_deref()
        .and_then(readme_title)
        .and_then(|title| organisation_from_title(&title));
    from_readme.or_else(|| match format {
        Format::Hugo => ["content/docs/_index.md", "content/_index.md"]
            .iter()
            .find_map(|index| {
                let text = std::fs::read_to_string(root.join(index)).ok()?;
                organisation_from_title(&front_matter_title(&text)?)
            }),
        Format::Monzo | Format::Native => None,
    })
}

/// The `title` in a Markdown file's front matter.
fn front_matter_title(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Titled {
        #[serde(default)]
        title: Option<String>,
    }
    let parts = front_matter(text)?;
    let titled: Titled = parse_yaml(parts.yaml, parts.yaml_line_offset).ok()?;
    titled
        .title
        .map(|title| collapse_whitespace(&title))
        .filter(|title| !title.is_empty())
}

/// The first top-level title of a README: a `# Title` or setext heading, or an HTML `<h1>`
/// (which READMEs use to centre it), whichever comes first.
pub(crate) fn readme_title(markdown: &str) -> Option<String> {
    let mut heading: Option<String> = None;
    // HTML arrives line by line; an `<h1>` may span several lines.
    let mut html = String::new();
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                let title = collapse_whitespace(&heading.take().unwrap_or_default());
                if !title.is_empty() {
                    return Some(title);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(heading) = &mut heading {
                    heading.push_str(&text);
                }
            }
            Event::Html(part) | Event::InlineHtml(part) if heading.is_none() => {
                html.push_str(&part);
                if let Some(title) = html_h1(&html) {
                    return Some(title);
                }
            }
            _ => {}
        }
    }
    None
}

/// The text of the first `<h1 …>…</h1>` in an HTML fragment, tags removed.
fn html_h1(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<h1")?;
    let content_start = open + lower[open..].find('>')? + 1;
    let content_end = content_start + lower[content_start..].find("</h1")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[content_start..content_end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = collapse_whitespace(&text.replace("&amp;", "&"));
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_titles_are_read_from_markdown_and_html_headings() {
        assert_eq!(
            readme_title("Intro line\n\n# Kestrel Progression Framework\n\n## More\n").as_deref(),
            Some("Kestrel Progression Framework")
        );
        assert_eq!(
            readme_title("Kestrel `Ladders`\n=======\n").as_deref(),
            Some("Kestrel Ladders")
        );
        assert_eq!(
            readme_title(
                "<p align=\"center\"><img src=\"x.png\"></p>\n<h1 align=\"center\">\n    Progression at Example\n</h1>\n\nWelcome.\n"
            )
            .as_deref(),
            Some("Progression at Example")
        );
        assert_eq!(readme_title("## Only a second-level heading\n"), None);
    }

    #[test]
    fn paths_inside_the_repository_never_show_the_machine_path() {
        let repository = Repository::new("/home/someone/checkouts/copy", "Kestrel");
        assert_eq!(
            repository.inside(Path::new(
                "/home/someone/checkouts/copy/frameworks/engineering/backend.md"
            )),
            "frameworks/engineering/backend.md"
        );
        let relative = Repository::new("", "Kestrel");
        assert_eq!(
            relative.inside(Path::new("frameworks/a.md")),
            "frameworks/a.md"
        );
        assert_eq!(
            repository.inside(Path::new("/elsewhere/b.md")),
            "b.md",
            "a path outside the root shows only its file name"
        );
    }
}
