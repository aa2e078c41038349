//! Loads a set of frameworks from the bundled files or from directories.
//!
//! Loading never fails as a whole: every file that reads cleanly becomes part of the
//! [`Library`], and every problem is returned as a [`FrameworkError`] with file and line. A
//! file with an error is left out entirely (a half-read framework would give wrong answers);
//! the caller decides whether errors are fatal (`validate`) or only reported (a running bot).
//!
//! Files of other organisations' formats (Hugo, Monzo) are read as they are: what does not
//! add up in them (more levels used than declared, a level without content, a prose page
//! among data pages) is a [`Notice`], not an error. Every file gets at most one notice per
//! load, listing everything about it on one line.
//!
//! Ids: a native file declares its id, which must be unique as written. The Hugo and Monzo
//! readers derive theirs from titles, so two files may derive the same one; the later one (in
//! path order, after every declared id) then takes its reader's next choice, with a notice,
//! and ids stay unique across the library.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::detect::{Detected, detect};
use super::error::{FrameworkError, FrameworkErrorKind, location_text};
use super::library::Library;
use super::model::Format;
use super::repository::Repositories;
use super::source::{Notice, ParsedFramework, SourceFile};
use super::{bundled, hugo, monzo, native};

/// Where frameworks are loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkSource {
    /// The files compiled into the binary from `frameworks/`.
    Bundled,
    /// A directory (searched recursively) or a single file.
    Path(PathBuf),
    /// Like [`FrameworkSource::Path`], for a Hugo site or a Monzo repository whose
    /// organisation is given (the config file's `organisation`): its frameworks take this
    /// name instead of the one its README or directory suggests.
    Repository {
        /// The directory or file.
        path: PathBuf,
        /// The organisation's name, e.g. "Monzo".
        organisation: String,
    },
}

impl FrameworkSource {
    /// The directory or file, unless bundled.
    pub fn path(&self) -> Option<&Path> {
        match self {
            FrameworkSource::Bundled => None,
            FrameworkSource::Path(path) | FrameworkSource::Repository { path, .. } => Some(path),
        }
    }

    /// The organisation configured for it, if any.
    pub fn organisation(&self) -> Option<&str> {
        match self {
            FrameworkSource::Repository { organisation, .. } => Some(organisation),
            FrameworkSource::Bundled | FrameworkSource::Path(_) => None,
        }
    }
}

/// The outcome of loading: what loaded, and what was wrong.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Every framework that loaded without error.
    pub library: Library,
    /// Every problem found, in path order.
    pub errors: Vec<FrameworkError>,
    /// Files skipped on purpose, and foreign files read despite inconsistencies: at most one
    /// per file, in path order.
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
        match source.path() {
            None => files.extend(bundled_files()),
            Some(path) => {
                collect_files(path, source.organisation(), &mut files, &mut report.errors)
            }
        }
    }
    report.files_read = files.len();
    let parsed = parse_files(files, &mut report);
    report.library = check_across_files(parsed, &mut report.errors, &mut report.notices);
    report.notices = one_notice_per_file(std::mem::take(&mut report.notices));
    report
}

/// A file to read, with the organisation configured for the source it came from.
struct Candidate {
    file: SourceFile,
    organisation: Option<String>,
}

fn bundled_files() -> impl Iterator<Item = Candidate> {
    bundled::FILES.iter().map(|(path, text)| Candidate {
        file: SourceFile {
            path: PathBuf::from(path),
            text: (*text).to_owned(),
        },
        organisation: None,
    })
}

/// Reads every candidate file under `path` (or `path` itself), sorted for stable results.
fn collect_files(
    path: &Path,
    organisation: Option<&str>,
    files: &mut Vec<Candidate>,
    errors: &mut Vec<FrameworkError>,
) {
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
            Ok(text) => files.push(Candidate {
                file: SourceFile { path, text },
                organisation: organisation.map(str::to_owned),
            }),
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
    organisation: Option<String>,
}

fn parse_files(files: Vec<Candidate>, report: &mut LoadReport) -> Vec<ParsedFramework> {
    let mut parsed = Vec::new();
    let mut repositories = Repositories::default();
    let mut hugo_teams: BTreeMap<PathBuf, HugoTeam> = BTreeMap::new();
    for Candidate { file, organisation } in files {
        match detect(&file.path, &file.text) {
            Detected::Native => match native::parse(&file.path, &file.text) {
                Ok(framework) => parsed.push(framework),
                Err(errors) => report.errors.extend(errors),
            },
            Detected::Monzo => {
                let root = monzo::repository_root(&file.path);
                let repository =
                    repositories.resolve(&root, organisation.as_deref(), Format::Monzo);
                match monzo::parse(&file, &repository) {
                    Ok(monzo::Outcome::Framework(framework, note)) => {
                        parsed.push(*framework);
                        report.notices.extend(note);
                    }
                    Ok(monzo::Outcome::Prose(notice)) => report.notices.push(notice),
                    Err(errors) => report.errors.extend(errors),
                }
            }
            Detected::HugoIndex { team_dir } => {
                let team = hugo_teams.entry(team_dir).or_default();
                team.organisation = team.organisation.take().or(organisation);
                team.index = Some(file);
            }
            Detected::HugoPage { team_dir } => {
                let team = hugo_teams.entry(team_dir).or_default();
                team.organisation = team.organisation.take().or(organisation);
                team.pages.push(file);
            }
            Detected::Skip(reason) => report
                .notices
                .push(Notice::skipped(file.path, format!("{reason}, skipped"))),
        }
    }
    for (team_dir, team) in hugo_teams {
        let root = hugo::site_root(&team_dir);
        let repository = repositories.resolve(&root, team.organisation.as_deref(), Format::Hugo);
        let outcome = hugo::parse_team(&repository, &team_dir, team.index.as_ref(), &team.pages);
        report.notices.extend(outcome.notices);
        match outcome.framework {
            Ok(Some(framework)) => parsed.push(framework),
            Ok(None) => {}
            Err(errors) => report.errors.extend(errors),
        }
    }
    parsed
}

/// Joins the notices about one file into one line ("…; …"), sorted by path; a file read
/// despite inconsistencies is marked so even if it was also skipped in part.
fn one_notice_per_file(notices: Vec<Notice>) -> Vec<Notice> {
    let mut by_path: BTreeMap<PathBuf, Notice> = BTreeMap::new();
    for notice in notices {
        match by_path.get_mut(&notice.path) {
            Some(joined) => {
                if !joined.message.contains(&notice.message) {
                    joined.message.push_str("; ");
                    joined.message.push_str(&notice.message);
                }
                joined.kind = joined.kind.max(notice.kind);
            }
            None => {
                by_path.insert(notice.path.clone(), notice);
            }
        }
    }
    by_path.into_values().collect()
}

/// Rejects a framework whose id or alias another one already uses. Declared (native) ids
/// come first, then derived ones, each in path order; the first wins, so adding a file can
/// never silently replace a framework that was already there. A derived id that is taken
/// moves to its reader's next choice, or gets a number (`acme-web-2`), with a notice.
fn check_across_files(
    mut parsed: Vec<ParsedFramework>,
    errors: &mut Vec<FrameworkError>,
    notices: &mut Vec<Notice>,
) -> Library {
    parsed.sort_by(|a, b| {
        let derived = |p: &ParsedFramework| p.framework.origin.format != Format::Native;
        (derived(a), &a.framework.origin.path).cmp(&(derived(b), &b.framework.origin.path))
    });
    // name (lowercased) → (framework id, "path:line")
    let mut claimed: HashMap<String, (String, String)> = HashMap::new();
    let mut accepted = Vec::with_capacity(parsed.len());
    for mut candidate in parsed {
        if candidate.framework.origin.format != Format::Native {
            move_derived_id(&mut candidate, &claimed, notices);
        }
        let framework = &candidate.framework;
        let path = &framework.origin.path;
        let id_key = framework.id.to_lowercase();
        let mut rejected = Vec::new();
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

/// Gives a framework with a derived id that another framework already has its first free
/// fallback id (or the id with a number), and says so in a notice.
fn move_derived_id(
    candidate: &mut ParsedFramework,
    claimed: &HashMap<String, (String, String)>,
    notices: &mut Vec<Notice>,
) {
    let id = &candidate.framework.id;
    let Some((_, other)) = claimed.get(&id.to_lowercase()) else {
        return;
    };
    let is_free = |id: &String| !claimed.contains_key(&id.to_lowercase());
    let chosen = candidate
        .fallback_ids
        .iter()
        .find(|fallback| is_free(fallback))
        .cloned()
        .unwrap_or_else(|| {
            (2u32..)
                .map(|number| format!("{id}-{number}"))
                .find(is_free)
                .unwrap_or_else(|| id.clone())
        });
    notices.push(Notice::inconsistent(
        &candidate.framework.origin.path,
        format!("the id \"{id}\" is already used by {other}; this framework's id is \"{chosen}\""),
    ));
    candidate.framework.id = chosen;
}
