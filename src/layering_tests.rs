//! Guards the crate's layering by reading its own source:
//! - the pure core (`frameworks`, `ask`, `checkins`, `reply`, `text`) never names
//!   `slack_morphism`, `sqlx` or an adapter module;
//! - within the groups of sibling modules below, dependencies run one way (no cycles).
//!
//! A module depends on another when its code (outside `#[cfg(test)]`) names a path into it,
//! in a `use` or inline, through `crate::`, `super::` or `self::`. Re-exports hide the module an
//! item comes from, so a path through a parent's re-export counts as a use of the parent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The core's folders and files, relative to `src`.
const CORE: &[&str] = &["frameworks", "ask", "checkins", "reply", "text.rs"];

/// Names the core must never contain: the Slack and SQL libraries.
const FORBIDDEN_CRATES: &[&str] = &["slack_morphism", "sqlx"];

/// Top-level modules that are adapters or wiring, which the core must not depend on.
const ADAPTERS: &[&str] = &[
    "admin",
    "app",
    "bot",
    "chat",
    "cli",
    "config",
    "http_server",
    "logging",
    "metrics",
    "reload",
    "scheduler",
    "serve",
    "shell",
    "slack",
    "store",
];

/// Groups of modules whose dependencies on each other must form no cycle.
const ACYCLIC_GROUPS: &[&[&str]] = &[
    &[
        "ask::answer",
        "ask::clues",
        "ask::index",
        "ask::lookup",
        "ask::parser",
        "ask::personal",
        "ask::query",
        "ask::refusals",
        "ask::resolve",
        "ask::search",
        "ask::search_question",
        "ask::search_reply",
        "ask::tokens",
        "ask::vocabulary",
    ],
    &[
        "frameworks::bundled",
        "frameworks::detect",
        "frameworks::error",
        "frameworks::hugo",
        "frameworks::library",
        "frameworks::loader",
        "frameworks::model",
        "frameworks::monzo",
        "frameworks::naming",
        "frameworks::native",
        "frameworks::source",
        "frameworks::yaml",
    ],
    &[
        "frameworks::hugo::clean",
        "frameworks::hugo::page",
        "frameworks::hugo::table",
    ],
    &[
        "slack::answers",
        "slack::app",
        "slack::blocks",
        "slack::commands",
    ],
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir` (or `dir` itself when it is a file).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The file's code lines before its tests, without comment lines.
fn code_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("readable source file");
    text.lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(str::to_owned)
        .collect()
}

/// The module path of a source file: `src/ask/parser.rs` → `["ask", "parser"]`,
/// `src/frameworks/hugo/mod.rs` → `["frameworks", "hugo"]`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(src_dir()).expect("file under src");
    let mut segments: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Expands a use tree ("super::{a, b::{c, d as e}}") into its paths, segment by segment.
fn expand_use_tree(tree: &str) -> Vec<Vec<String>> {
    // Renames ("d as e") do not change what is used: drop them, then all whitespace.
    let words: Vec<&str> = tree.split_whitespace().collect();
    let mut compact = String::new();
    let mut index = 0;
    while index < words.len() {
        if words[index] == "as" && index + 1 < words.len() {
            compact.push_str(words[index + 1].trim_start_matches(is_ident_char));
            index += 2;
        } else {
            compact.push_str(words[index]);
            index += 1;
        }
    }
    let mut paths = Vec::new();
    expand_into(&compact, &mut Vec::new(), &mut paths);
    paths
}

fn expand_into(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Some(open) = tree.find('{') else {
        let mut full = prefix.clone();
        full.extend(
            tree.split("::")
                .filter(|segment| !segment.is_empty())
                .map(|segment| {
                    segment
                        .chars()
                        .take_while(|c| is_ident_char(*c) || *c == '*')
                        .collect()
                }),
        );
        out.push(full);
        return;
    };
    let head: Vec<String> = tree[..open]
        .split("::")
        .filter(|segment| !segment.is_empty())
        .map(str::to_owned)
        .collect();
    let close = tree
        .rfind('}')
        .filter(|close| *close > open)
        .unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (index, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    let base = prefix.len();
    prefix.extend(head);
    for item in items.into_iter().filter(|item| !item.is_empty()) {
        if item == "self" {
            out.push(prefix.clone());
        } else {
            expand_into(item, prefix, out);
        }
    }
    prefix.truncate(base);
}

/// Every path the code names through `crate::`, `super::` or `self::`, as written.
fn named_paths(lines: &[String]) -> Vec<Vec<String>> {
    let code = lines.join("\n");
    let mut paths = Vec::new();
    // `use` statements (a line starting with `use` or `pub … use`, up to the `;`), whose
    // braces may group several paths.
    let mut statement: Option<String> = None;
    for line in lines {
        let trimmed = line.trim_start();
        if statement.is_none() {
            let after_visibility = match trimmed.strip_prefix("pub") {
                Some(rest) if rest.starts_with('(') => rest.split_once(')').map_or("", |(_, r)| r),
                Some(rest) => rest,
                None => trimmed,
            };
            if let Some(tree) = after_visibility.trim_start().strip_prefix("use ") {
                statement = Some(tree.to_owned());
            }
        } else if let Some(text) = statement.as_mut() {
            text.push(' ');
            text.push_str(trimmed);
        }
        if let Some(text) = statement.take_if(|text| text.contains(';')) {
            let tree = text.split(';').next().unwrap_or_default();
            paths.extend(expand_use_tree(tree));
        }
    }
    // Paths written inline ("super::resolve::Resolver { … }").
    for root in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(root) {
            let preceded_by_ident = code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| is_ident_char(c) || c == ':');
            if preceded_by_ident {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| is_ident_char(*c) || *c == ':')
                .collect();
            paths.push(
                path.split("::")
                    .filter(|segment| !segment.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
    }
    paths
}

/// `path` as written in the module `module`, made absolute (without `crate`); `None` for paths
/// into other crates.
fn absolute(module: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut segments = path.iter();
    let mut resolved: Vec<String> = match segments.next().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("self") => module.to_vec(),
        Some("super") => module[..module.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            resolved.pop();
        } else {
            resolved.push(segment.clone());
        }
    }
    Some(resolved)
}

/// The node of `nodes` that `path` lies in: the longest one it starts with.
fn node_of<'n>(nodes: &[&'n str], path: &[String]) -> Option<&'n str> {
    nodes
        .iter()
        .filter(|node| {
            let node_segments: Vec<&str> = node.split("::").collect();
            node_segments.len() <= path.len()
                && node_segments
                    .iter()
                    .zip(path)
                    .all(|(node, segment)| *node == segment)
        })
        .max_by_key(|node| node.len())
        .copied()
}

/// Which of `nodes` each of them depends on.
fn dependencies<'n>(nodes: &[&'n str]) -> BTreeMap<&'n str, BTreeSet<&'n str>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for file in rust_files(&src_dir()) {
        let module = module_of(&file);
        let Some(owner) = node_of(nodes, &module) else {
            continue;
        };
        for path in named_paths(&code_lines(&file)) {
            if let Some(target) = absolute(&module, &path).and_then(|p| node_of(nodes, &p))
                && target != owner
            {
                graph.entry(owner).or_default().insert(target);
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the nodes along it, if there is one.
fn find_cycle<'n>(graph: &BTreeMap<&'n str, BTreeSet<&'n str>>) -> Option<Vec<&'n str>> {
    fn visit<'n>(
        node: &'n str,
        graph: &BTreeMap<&'n str, BTreeSet<&'n str>>,
        path: &mut Vec<&'n str>,
        done: &mut BTreeSet<&'n str>,
    ) -> Option<Vec<&'n str>> {
        if let Some(start) = path.iter().position(|on_path| *on_path == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_core_never_names_slack_sql_or_an_adapter() {
    let mut offences = Vec::new();
    for part in CORE {
        for file in rust_files(&src_dir().join(part)) {
            let module = module_of(&file);
            for line in code_lines(&file) {
                if let Some(name) = FORBIDDEN_CRATES.iter().find(|name| line.contains(*name)) {
                    offences.push(format!("{}: names {name}: {}", file.display(), line.trim()));
                }
            }
            for path in named_paths(&code_lines(&file)) {
                if let Some(resolved) = absolute(&module, &path)
                    && let Some(first) = resolved.first()
                    && ADAPTERS.contains(&first.as_str())
                {
                    offences.push(format!(
                        "{}: uses the adapter crate::{}",
                        file.display(),
                        resolved.join("::")
                    ));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn sibling_modules_depend_on_each_other_one_way() {
    for group in ACYCLIC_GROUPS {
        let graph = dependencies(group);
        if let Some(cycle) = find_cycle(&graph) {
            panic!("dependency cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_uses_both_grouped_and_inline() {
    let lines = [
        "use super::{a::{B, c}, d as e, self};".to_owned(),
        "fn f() { super::g::H::new(); crate::x::y(); }".to_owned(),
    ];
    let module = ["ask".to_owned(), "parser".to_owned()];
    let resolved: BTreeSet<String> = named_paths(&lines)
        .iter()
        .filter_map(|path| absolute(&module, path))
        .map(|path| path.join("::"))
        .collect();
    for expected in [
        "ask::a::B",
        "ask::a::c",
        "ask::d",
        "ask",
        "ask::g::H::new",
        "x::y",
    ] {
        assert!(resolved.contains(expected), "{expected} in {resolved:?}");
    }
    let mut graph = BTreeMap::new();
    graph.insert("a", BTreeSet::from(["b"]));
    graph.insert("b", BTreeSet::from(["c"]));
    graph.insert("c", BTreeSet::from(["a"]));
    assert_eq!(find_cycle(&graph), Some(vec!["a", "b", "c", "a"]));
    graph.insert("c", BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
}
