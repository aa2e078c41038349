//! Loads a set of frameworks from the bundled files or from directories.
//!
//! Loading never fails as a whole: every file that reads cleanly becomes part of the
//! [`Library`], and every problem is returned as a [`FrameworkError`] with file and line. A
//! file with an error is left out entirely (a half-read framework would give wrong answers);
//! the caller decides whether errors are fatal (`validate`) or only reported (a running bot).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::detect::{Detected, detect};
use super::error::{FrameworkError, FrameworkErrorKind, location_text};
use super::library::Library;
use super::source::{Notice, ParsedFramework, SourceFile};
use super::{bundled, hugo, monzo, native};

/// Where frameworks are loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkSource {
    /// The files compiled into the binary from `frameworks/`.
    Bundled,
    /// A directory (searched recursively) or a single file.
    Path(PathBuf),
}

/// The outcome of loading: what loaded, and what was wrong.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Every framework that loaded without error.
    pub library: Library,
    /// Every problem found, in path order.
    pub errors: Vec<FrameworkError>,
    /// Files skipped on purpose, and similar remarks.
    pub notices: Vec<Notice>,
    /// How many candidate files were read.
    pub files_read: usize,
}

impl LoadReport {
    /// Whether everything loaded cleanly.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Loads frameworks from `sources`, in order. An empty list means the bundled set.
pub fn load(sources: &[FrameworkSource]) -> LoadReport {
    let mut report = LoadReport::default();
    let mut files = Vec::new();
    if sources.is_empty() {
        files.extend(bundled_files());
    }
    for source in sources {
        match source {
            FrameworkSource::Bundled => files.extend(bundled_files()),
            FrameworkSource::Path(path) => collect_files(path, &mut files, &mut report.errors),
        }
    }
    report.files_read = files.len();
    let parsed = parse_files(files, &mut report);
    report.library = check_across_files(parsed, &mut report.errors);
    report
}

fn bundled_files() -> impl Iterator<Item = SourceFile> {
    bundled::FILES.iter().map(|(path, text)| SourceFile {
        path: PathBuf::from(path),
        text: (*text).to_owned(),
    })
}

/// Reads every candidate file under `path` (or `path` itself), sorted for stable results.
fn collect_files(path: &Path, files: &mut Vec<SourceFile>, errors: &mut Vec<FrameworkError>) {
    let mut paths = Vec::new();
    if path.is_file() {
        paths.push(path.to_path_buf());
    } else if path.is_dir() {
        walk(path, &mut paths);
        paths.sort();
    } else {
        errors.push(FrameworkError::file(
            path,
            FrameworkErrorKind::Io(
                "no such file or directory; give a directory of framework files".to_owned(),
            ),
        ));
        return;
    }
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(SourceFile { path, text }),
            Err(error) => errors.push(FrameworkError::file(
                &path,
                FrameworkErrorKind::Io(error.to_string()),
            )),
        }
    }
}

/// Collects YAML and Markdown files below `dir`, skipping hidden folders, dependencies and
/// build output. Symbolic links to directories are not followed, so loops are impossible.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if !matches!(
                name.as_ref(),
                "node_modules" | "target" | "public" | "resources"
            ) {
                walk(&path, out);
            }
        } else if matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("yaml" | "yml" | "md" | "markdown")
        ) {
            out.push(path);
        }
    }
}

#[derive(Default)]
struct HugoTeam {
    index: Option<SourceFile>,
    pages: Vec<SourceFile>,
}

fn parse_files(files: Vec<SourceFile>, report: &mut LoadReport) -> Vec<ParsedFramework> {
    let mut parsed = Vec::new();
    let mut hugo_teams: BTreeMap<PathBuf, HugoTeam> = BTreeMap::new();
    for file in files {
        match detect(&file.path, &file.text) {
            Detected::Native => match native::parse(&file.path, &file.text) {
                Ok(framework) => parsed.push(framework),
                Err(errors) => report.errors.extend(errors),
            },
            Detected::Monzo => match monzo::parse(&file) {
                Ok(monzo::Outcome::Framework(framework)) => parsed.push(*framework),
                Ok(monzo::Outcome::Prose) => report.notices.push(Notice {
                    path: file.path,
                    message: "prose page (`yaml: false`), skipped".to_owned(),
                }),
                Err(errors) => report.errors.extend(errors),
            },
            Detected::HugoIndex { team_dir } => {
                hugo_teams.entry(team_dir).or_default().index = Some(file);
            }
            Detected::HugoPage { team_dir } => {
                hugo_teams.entry(team_dir).or_default().pages.push(file);
            }
            Detected::Skip(reason) => report.notices.push(Notice {
                path: file.path,
                message: format!("{reason}, skipped"),
            }),
        }
    }
    for (team_dir, team) in hugo_teams {
        let outcome = hugo::parse_team(&team_dir, team.index.as_ref(), &team.pages);
        report.notices.extend(outcome.notices);
        match outcome.framework {
            Ok(Some(framework)) => parsed.push(framework),
            Ok(None) => {}
            Err(errors) => report.errors.extend(errors),
        }
    }
    parsed
}

/// Rejects a framework whose id or alias another one already uses. The first in path order
/// wins, so adding a file can never silently replace a framework that was already there.
fn check_across_files(
    mut parsed: Vec<ParsedFramework>,
    errors: &mut Vec<FrameworkError>,
) -> Library {
    parsed.sort_by(|a, b| a.framework.origin.path.cmp(&b.framework.origin.path));
    // name (lowercased) → (framework id, "path:line")
    let mut claimed: HashMap<String, (String, String)> = HashMap::new();
    let mut accepted = Vec::with_capacity(parsed.len());
    for candidate in parsed {
        let framework = &candidate.framework;
        let path = &framework.origin.path;
        let mut rejected = Vec::new();
        let id_key = framework.id.to_lowercase();
        if let Some((other_id, other)) = claimed.get(&id_key) {
            let kind = if *other_id == framework.id {
                FrameworkErrorKind::DuplicateId {
                    id: framework.id.clone(),
                    other: other.clone(),
                }
            } else {
                FrameworkErrorKind::DuplicateAlias {
                    alias: framework.id.clone(),
                    other_id: other_id.clone(),
                    other: other.clone(),
                }
            };
            rejected.push(FrameworkError {
                path: path.clone(),
                line: candidate.lines.id,
                kind,
            });
        }
        for (index, alias) in framework.aliases.iter().enumerate() {
            let line = candidate.lines.aliases.get(index).copied().flatten();
            let key = alias.to_lowercase();
            let own_earlier = framework.aliases[..index]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(alias));
            if own_earlier || key == id_key {
                continue;
            }
            if let Some((other_id, other)) = claimed.get(&key) {
                rejected.push(FrameworkError {
                    path: path.clone(),
                    line,
                    kind: FrameworkErrorKind::DuplicateAlias {
                        alias: alias.clone(),
                        other_id: other_id.clone(),
                        other: other.clone(),
                    },
                });
            }
        }
        if !rejected.is_empty() {
            errors.extend(rejected);
            continue;
        }
        claimed.insert(
            id_key,
            (
                framework.id.clone(),
                location_text(path, candidate.lines.id),
            ),
        );
        for (index, alias) in framework.aliases.iter().enumerate() {
            let line = candidate.lines.aliases.get(index).copied().flatten();
            claimed
                .entry(alias.to_lowercase())
                .or_insert_with(|| (framework.id.clone(), location_text(path, line)));
        }
        accepted.push(candidate.framework);
    }
    Library::new(accepted)
}
