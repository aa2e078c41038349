//! Answers that set things side by side instead of diffing them: two frameworks' levels
//! ([`CrossCompareQuery`]), and specialist roles named together ([`RolesQuery`]).

use super::answer::{level_fields, with_source};
use super::query::{CrossCompareQuery, RoleOrLevel, RolesQuery};
use crate::frameworks::{Framework, Level, Library};
use crate::reply::{Action, Field, Reply, actions};

/// Two levels of different frameworks: titles, summaries, focus, typical time and
/// indicators of each, dimensions with the same name aligned, then each one's own.
pub(super) fn cross_reply(library: &Library, query: &CrossCompareQuery) -> Option<Reply> {
    let first = library.get(&query.framework)?;
    let second = library.get(&query.other_framework)?;
    let (first_level, second_level) = (first.level(query.level)?, second.level(query.other_level)?);
    let sides = [(first, first_level), (second, second_level)];
    let mut reply = Reply::new()
        .with_heading(format!(
            "{} vs {}",
            describe(first, first_level),
            describe(second, second_level)
        ))
        .with_paragraph(
            "Two frameworks side by side. Their dimensions differ, so this shows what each level asks for rather than what one adds to the other; dimensions with the same name are set next to each other.",
        )
        .with_fields(
            sides
                .iter()
                .map(|(framework, level)| {
                    Field::new(
                        &framework.name,
                        level.label(),
                    )
                })
                .collect(),
        );
    let shared: Vec<&String> = first
        .dimensions
        .iter()
        .filter(|name| has_dimension(second, name))
        .collect();
    for name in &shared {
        let items = sides
            .iter()
            .flat_map(|(framework, level)| {
                let items = level
                    .dimension(name)
                    .map_or(&[][..], |d| d.items.as_slice());
                items
                    .iter()
                    .map(move |item| format!("{}: {item}", framework.name))
            })
            .collect::<Vec<_>>();
        reply = reply.with_bullets(Some(format!("{name} (in both)")), items);
    }
    for (framework, level) in sides {
        reply = reply
            .with_divider()
            .with_heading(describe(framework, level));
        if !level.summary.is_empty() {
            reply = reply.with_paragraph(level.summary.clone());
        }
        for dimension in &level.expectations {
            if !shared
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&dimension.name))
            {
                reply = reply.with_bullets(Some(dimension.name.clone()), dimension.items.clone());
            }
        }
        reply = with_source(reply.with_fields(level_fields(framework, level)), framework);
    }
    let follow_ups = sides
        .iter()
        .map(|(framework, level)| {
            let question = format!("{} level {}", framework.id, level.number);
            Action::Button {
                label: format!("Only {}", framework.name),
                action_id: actions::ASK.to_owned(),
                value: question.clone(),
                primary: false,
                typed: Some(question),
            }
        })
        .collect();
    Some(reply.with_actions(follow_ups))
}

/// Specialist roles (and levels) named together: what the framework says about each.
pub(super) fn roles_reply(framework: &Framework, query: &RolesQuery) -> Reply {
    let names: Vec<String> = query
        .named
        .iter()
        .filter_map(|named| match *named {
            RoleOrLevel::Role(index) => framework.roles.get(index).map(|r| r.titles.join(" / ")),
            RoleOrLevel::Level(number) => framework.level(number).map(|l| l.title_text()),
        })
        .collect();
    let mut reply = Reply::new()
        .with_heading(format!("{}: {}", framework.name, names.join(" and ")))
        .with_paragraph(format!(
            "Specialist roles sit beside the {} levels, not on the ladder, so there is no step from one to the other to compare. Here is what the framework says about each.",
            framework.name
        ));
    for named in &query.named {
        reply = match *named {
            RoleOrLevel::Role(index) => {
                let Some(role) = framework.roles.get(index) else {
                    continue;
                };
                let related: Vec<String> = framework
                    .levels
                    .iter()
                    .filter(|level| (role.from_level..=role.to_level).contains(&level.number))
                    .map(|level| level.label())
                    .collect();
                reply
                    .with_bullets(
                        Some(format!("{} (specialist role)", role.titles.join(" / "))),
                        vec![role.summary.clone()],
                    )
                    .with_bullets(Some("Related levels".to_owned()), related)
            }
            RoleOrLevel::Level(number) => {
                let Some(level) = framework.level(number) else {
                    continue;
                };
                let mut items = Vec::new();
                if !level.summary.is_empty() {
                    items.push(level.summary.clone());
                }
                items.extend(
                    level
                        .expectations
                        .iter()
                        .map(|d| format!("{}: {}", d.name, d.items.join(" "))),
                );
                reply.with_bullets(Some(level.label()), items)
            }
        };
    }
    with_source(reply, framework)
}

/// "Senior Engineer (Buffer Engineering, Level 4)".
fn describe(framework: &Framework, level: &Level) -> String {
    format!(
        "{} ({}, Level {})",
        level.title_text(),
        framework.name,
        level.number
    )
}

fn has_dimension(framework: &Framework, name: &str) -> bool {
    framework
        .dimensions
        .iter()
        .any(|other| other.eq_ignore_ascii_case(name))
}
