//! The [`Reply`] for a [`SearchQuery`]: the passages found, closest first, each with its
//! framework, level and title, and dimension; the sources; and a button for the best
//! match's level (its question is also the query's suggestion).

use super::query::SearchQuery;
use super::search::Passage;
use crate::frameworks::{Framework, Library};
use crate::reply::{Action, Reply, actions};

/// Answers `query` from `library`.
pub(super) fn search_reply(library: &Library, query: &SearchQuery) -> Reply {
    let mut reply = Reply::new().with_heading(heading(library, query));
    if query.fallback {
        reply = reply.with_paragraph(format!(
            "I don't know a framework or title called \"{}\"; these passages come closest.",
            query.terms
        ));
    }
    let items: Vec<String> = query
        .matches
        .iter()
        .map(|passage| match library.get(&passage.framework) {
            Some(framework) => line(framework, passage),
            None => passage.text.clone(),
        })
        .collect();
    reply = reply
        .with_bullets(None, items)
        .with_context("Closest first. Ask about a level to see everything it asks for.".to_owned());
    let mut sources: Vec<String> = Vec::new();
    for passage in &query.matches {
        if let Some(framework) = library.get(&passage.framework) {
            let source = format!(
                "Source: {} ({})",
                framework.source.attribution, framework.source.url
            );
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
    }
    for source in sources {
        reply = reply.with_context(source);
    }
    if let (Some(best), Some(question)) = (query.matches.first(), query.follow_up()) {
        reply = reply.with_actions(vec![Action::Button {
            label: format!("What does Level {} need?", best.level),
            action_id: actions::ASK.to_owned(),
            value: question.clone(),
            primary: false,
            typed: Some(question),
        }]);
    }
    reply
}

/// "What the frameworks say about "mentoring"", narrowed to the frameworks and levels searched.
fn heading(library: &Library, query: &SearchQuery) -> String {
    let names: Vec<&str> = query
        .frameworks
        .iter()
        .filter_map(|id| library.get(id))
        .map(|framework| framework.name.as_str())
        .collect();
    let mut heading = match names.as_slice() {
        [] => format!("What the frameworks say about \"{}\"", query.terms),
        [one] => format!("What {one} says about \"{}\"", query.terms),
        several => format!(
            "What {} say about \"{}\"",
            several.join(" and "),
            query.terms
        ),
    };
    match query.levels.as_slice() {
        [] => {}
        [one] => heading.push_str(&format!(" at Level {one}")),
        several => heading.push_str(&format!(
            " at Levels {}",
            several
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    heading
}

/// "Buffer Marketing · Level 5: Head of … · How work is conducted: Is a thought leader…".
fn line(framework: &Framework, passage: &Passage) -> String {
    let level = match framework.level(passage.level) {
        Some(level) => format!("Level {}: {}", level.number, level.title_text()),
        None => format!("Level {}", passage.level),
    };
    let label = match &passage.dimension {
        Some(dimension) => format!("{dimension}: "),
        None if framework
            .level(passage.level)
            .is_some_and(|level| level.summary == passage.text) =>
        {
            "Summary: ".to_owned()
        }
        // A specialist role's text starts with its titles.
        None => String::new(),
    };
    format!("{} · {level} · {label}{}", framework.name, passage.text)
}
