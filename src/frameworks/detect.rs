//! Decides, per file, which reader understands it, so one directory may mix formats.
//!
//! - `*.yaml` / `*.yml` with a top-level `id:` or `levels:` → career-bot's native format.
//! - `*.md` whose YAML front matter has `topics`, `levels` or `yaml` → Monzo's format.
//! - `*.md` at `content/docs/<team>/<page>.md` → a page of a Hugo site (InfraCloud's layout);
//!   `_index.md` there describes the team.
//! - anything else is skipped with a notice (a README, a CI file…), never an error.

use std::path::{Path, PathBuf};

/// What a file is, as far as career-bot is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// A native framework file.
    Native,
    /// A Monzo progression-framework page.
    Monzo,
    /// `content/docs/<team>/_index.md` of a Hugo site.
    HugoIndex {
        /// The `<team>` directory.
        team_dir: PathBuf,
    },
    /// `content/docs/<team>/<page>.md` of a Hugo site.
    HugoPage {
        /// The `<team>` directory.
        team_dir: PathBuf,
    },
    /// Not a framework file; the reason is shown as a notice.
    Skip(String),
}

/// Classifies one file by its path and contents.
pub fn detect(path: &Path, text: &str) -> Detected {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("yaml" | "yml") => {
            if has_top_level_key(text, &["id", "levels"]) {
                Detected::Native
            } else {
                Detected::Skip(
                    "YAML without a top-level `id` or `levels`; not a framework file".to_owned(),
                )
            }
        }
        Some("md" | "markdown") => detect_markdown(path, text),
        _ => Detected::Skip("not a YAML or Markdown file".to_owned()),
    }
}

fn detect_markdown(path: &Path, text: &str) -> Detected {
    let Some(front) = front_matter(text) else {
        return Detected::Skip("Markdown without front matter; not a framework page".to_owned());
    };
    if has_top_level_key(front.yaml, &["topics", "levels", "yaml"]) {
        return Detected::Monzo;
    }
    if path.ends_with("content/docs/_index.md") {
        return Detected::Skip(
            "the Hugo site's docs index (its title may name the organisation); not a team"
                .to_owned(),
        );
    }
    if let Some(team_dir) = hugo_team_dir(path) {
        let is_index = path.file_name().is_some_and(|name| name == "_index.md");
        return if is_index {
            Detected::HugoIndex { team_dir }
        } else {
            Detected::HugoPage { team_dir }
        };
    }
    Detected::Skip(
        "Markdown page that is neither at content/docs/<team>/<page>.md (Hugo) nor has Monzo front matter (`topics`)"
            .to_owned(),
    )
}

/// `…/content/docs/<team>` when `path` is `…/content/docs/<team>/<page>.md`.
fn hugo_team_dir(path: &Path) -> Option<PathBuf> {
    let team_dir = path.parent()?;
    let docs = team_dir.parent()?;
    let content = docs.parent()?;
    let named = |dir: &Path, name: &str| dir.file_name().is_some_and(|n| n == name);
    (named(docs, "docs") && named(content, "content")).then(|| team_dir.to_path_buf())
}

/// The YAML front matter of a Markdown file and where the body starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontMatter<'a> {
    /// The YAML between the `---` fences.
    pub yaml: &'a str,
    /// Lines before the YAML (the opening fence), for error line numbers.
    pub yaml_line_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Lines before the body, for error line numbers.
    pub body_line_offset: usize,
}

/// Splits `---\nYAML\n---\nbody` into its parts; `None` when the file has no front matter.
pub fn front_matter(text: &str) -> Option<FrontMatter<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_newline = text.find('\n')?;
    if text[..first_newline].trim_end() != "---" {
        return None;
    }
    let yaml_start = first_newline + 1;
    let mut offset = yaml_start;
    for (lines_in_yaml, line) in text[yaml_start..].split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let body = &text[offset + line.len()..];
            return Some(FrontMatter {
                yaml: &text[yaml_start..offset],
                yaml_line_offset: 1,
                body,
                body_line_offset: 2 + lines_in_yaml,
            });
        }
        offset += line.len();
    }
    None
}

/// Whether the YAML text has one of `keys` at the top level (column 0), without parsing it.
fn has_top_level_key(yaml: &str, keys: &[&str]) -> bool {
    yaml.lines().any(|line| {
        keys.iter().any(|key| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_with_id_is_native_and_other_yaml_is_skipped() {
        assert_eq!(
            detect(Path::new("a.yaml"), "id: x\nlevels: []\n"),
            Detected::Native
        );
        assert!(matches!(
            detect(Path::new(".github/ci.yml"), "on: push\njobs: {}\n"),
            Detected::Skip(_)
        ));
    }

    #[test]
    fn markdown_with_topics_is_monzo_wherever_it_lives() {
        let text = "---\ntitle: \"X\"\nlevels: 3\ntopics: []\n---\nbody\n";
        assert_eq!(detect(Path::new("frameworks/x.md"), text), Detected::Monzo);
    }

    #[test]
    fn markdown_under_content_docs_team_is_hugo() {
        let text = "---\ntitle: \"Engineer\"\nweight: 2\n---\n## Core\n";
        assert_eq!(
            detect(Path::new("site/content/docs/engineering/engineer.md"), text),
            Detected::HugoPage {
                team_dir: PathBuf::from("site/content/docs/engineering")
            }
        );
        assert_eq!(
            detect(Path::new("site/content/docs/engineering/_index.md"), text),
            Detected::HugoIndex {
                team_dir: PathBuf::from("site/content/docs/engineering")
            }
        );
        assert!(matches!(
            detect(Path::new("site/content/docs/introduction.md"), text),
            Detected::Skip(_)
        ));
    }

    #[test]
    fn front_matter_reports_body_line_offset() {
        let parts = front_matter("---\na: 1\nb: 2\n---\nbody\n").expect("has front matter");
        assert_eq!(parts.yaml, "a: 1\nb: 2\n");
        assert_eq!(parts.body, "body\n");
        assert_eq!(parts.body_line_offset, 4);
        assert!(front_matter("no fences\n").is_none());
        assert!(front_matter("---\nunterminated\n").is_none());
    }
}
