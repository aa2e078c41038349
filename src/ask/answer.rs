//! Builds the [`Reply`] for a parsed [`Query`] from the framework text.

use super::query::{
    Alternative, CompareQuery, LevelQuery, PersonalQuery, Query, TitlesQuery, Unknown,
};
use super::search_reply::search_reply;
use super::side_by_side;
use crate::frameworks::{Dimension, Framework, Level, Library, Role};
use crate::reply::{Action, Block, Field, Reply, actions};

/// Answers `query` from `library`.
pub fn answer(library: &Library, query: &Query) -> Reply {
    let framework = query.framework().and_then(|id| library.get(id));
    match (query, framework) {
        (Query::Level(query), Some(framework)) => level_reply(framework, query),
        (Query::Compare(query), Some(framework)) => compare_reply(framework, query),
        (Query::Roles(query), Some(framework)) => side_by_side::roles_reply(framework, query),
        (Query::CrossCompare(query), Some(_)) => side_by_side::cross_reply(library, query)
            .unwrap_or_else(|| unknown_reply(&no_longer_loaded())),
        (Query::Titles(query), Some(framework)) => titles_reply(framework, query),
        (Query::Frameworks, _) => frameworks_reply(library),
        (Query::Help, _) => help_reply(library),
        (Query::Unknown(unknown), _) => unknown_reply(unknown),
        (Query::Personal(personal), _) => personal_reply(library, personal),
        (Query::Search(query), _) => search_reply(library, query),
        (Query::SmallTalk(talk), _) => {
            let mut reply = Reply::paragraph(talk.message.clone());
            if let Some(rest) = &talk.answer {
                reply.blocks.extend(answer(library, rest).blocks);
            }
            reply
        }
        // The parser only names frameworks from this library; a reload between parse and
        // answer could still remove one.
        (_, None) => unknown_reply(&no_longer_loaded()),
    }
}

fn no_longer_loaded() -> Unknown {
    Unknown {
        message: "That framework is no longer loaded.".to_owned(),
        suggestions: vec!["frameworks".to_owned()],
    }
}

/// A question about the asker: the one sentence said instead of an answer, or where their
/// record puts them, right under the answer's heading (which still leads in Slack and the
/// shell).
fn personal_reply(library: &Library, query: &PersonalQuery) -> Reply {
    let Some(answered) = &query.answer else {
        return Reply::paragraph(query.message.clone());
    };
    let mut reply = answer(library, answered);
    let at = usize::from(matches!(reply.blocks.first(), Some(Block::Heading { .. })));
    let intro = Block::Paragraph {
        text: query.message.as_str().into(),
    };
    reply.blocks.insert(at, intro);
    reply
}

fn heading_for(framework: &Framework, level: &Level) -> String {
    format!("{} · {}", framework.name, level.label())
}

fn level_reply(framework: &Framework, query: &LevelQuery) -> Reply {
    let Some(level) = framework.level(query.level) else {
        return unknown_reply(&Unknown {
            message: format!(
                "{} has no level {}; its levels are {}.",
                framework.name,
                query.level,
                framework.level_range_text()
            ),
            suggestions: vec![format!("{} titles", framework.id)],
        });
    };
    let mut reply = Reply::new();
    if let Some(dimension) = &query.dimension {
        reply = reply.with_heading(format!("{dimension} · {}", heading_for(framework, level)));
        if let Some(note) = &query.note {
            reply = reply.with_paragraph(note.clone());
        }
        reply = match level.dimension(dimension) {
            Some(found) => reply.with_bullets(None, found.items.clone()),
            None => reply.with_paragraph(format!(
                "The source says nothing about {} at this level specifically.",
                dimension.to_lowercase()
            )),
        };
        // The time split and tenure answer "how much time … on management" as much as the
        // expectations do.
        reply = reply.with_fields(level_fields(framework, level));
    } else {
        if let Some(role) = query.role.and_then(|index| framework.roles.get(index)) {
            return with_source(role_reply(framework, role), framework);
        }
        reply = reply.with_heading(heading_for(framework, level));
        if let Some(note) = &query.note {
            reply = reply.with_paragraph(note.clone());
        }
        if !level.summary.is_empty() {
            reply = reply.with_paragraph(level.summary.clone());
        }
        for dimension in &level.expectations {
            reply = reply.with_bullets(Some(dimension.name.clone()), dimension.items.clone());
        }
        reply = reply.with_fields(level_fields(framework, level));
        if query.role.is_none() {
            let roles: Vec<String> = framework
                .roles_at(level.number)
                .map(|role| format!("{}: {}", role.titles.join(" / "), role.summary))
                .collect();
            reply = reply.with_bullets(Some("Specialist roles at this level".to_owned()), roles);
        }
    }
    reply = with_alternatives(reply, &query.alternatives);
    reply = with_source(reply, framework);
    if let Some(next) = framework.next_level(level.number) {
        let question = format!(
            "compare {} level {} and level {}",
            framework.id, level.number, next.number
        );
        reply = reply.with_actions(vec![Action::Button {
            label: format!("What changes at Level {}?", next.number),
            action_id: actions::ASK.to_owned(),
            value: question.clone(),
            primary: false,
            typed: Some(question),
        }]);
    }
    reply
}

/// A specialist role: what it is and which levels it relates to.
fn role_reply(framework: &Framework, role: &Role) -> Reply {
    let related: Vec<String> = framework
        .levels
        .iter()
        .filter(|level| (role.from_level..=role.to_level).contains(&level.number))
        .map(Level::label)
        .collect();
    Reply::new()
        .with_heading(format!("{} · {}", framework.name, role.titles.join(" / ")))
        .with_paragraph(role.summary.clone())
        .with_bullets(Some("Related levels".to_owned()), related)
        .with_context(format!(
            "The source gives no separate expectations for this role; ask \"{} level {}\" for what a related level asks for.",
            framework.id, role.from_level
        ))
}

/// A level's focus, typical time to the next level and indicators, as fields.
pub(super) fn level_fields(framework: &Framework, level: &Level) -> Vec<Field> {
    let mut fields = Vec::new();
    if let Some(focus) = &level.focus {
        fields.push(Field::new("Focus", focus));
    }
    if let Some(timeframe) = &level.timeframe_to_next {
        let label = match framework.next_level(level.number) {
            Some(next) => format!("Typical time to Level {}", next.number),
            None => "Typical time to the next step".to_owned(),
        };
        fields.push(Field::new(label, timeframe));
    }
    fields.extend(
        level
            .indicators
            .iter()
            .map(|indicator| Field::new(&indicator.label, &indicator.value)),
    );
    fields
}

fn compare_reply(framework: &Framework, query: &CompareQuery) -> Reply {
    let (Some(from), Some(to)) = (framework.level(query.from), framework.level(query.to)) else {
        return unknown_reply(&Unknown {
            message: format!(
                "{} has levels {}; pick two of those to compare.",
                framework.name,
                framework.level_range_text()
            ),
            suggestions: vec![format!("{} titles", framework.id)],
        });
    };
    let mut reply = if query.step_down {
        Reply::new()
            .with_heading(format!(
                "{}: Level {} → Level {} (a step down)",
                framework.name, to.number, from.number
            ))
            .with_paragraph(format!(
                "Level {} is a step down from Level {}. Below is what Level {} asks for beyond Level {}: what a move from {} to {} leaves behind.",
                from.number, to.number, to.number, from.number, to.number, from.number
            ))
    } else {
        Reply::new().with_heading(format!(
            "{}: Level {} → Level {}",
            framework.name, from.number, to.number
        ))
    };
    if let Some(note) = &query.note {
        reply = reply.with_paragraph(note.clone());
    }
    // A level titled only "Level N" would read "Level N: Level N".
    let mut fields: Vec<Field> = [from, to]
        .into_iter()
        .filter(|level| level.has_own_title())
        .map(|level| Field::new(format!("Level {}", level.number), level.title_text()))
        .collect();
    if let (Some(before), Some(after)) = (&from.focus, &to.focus) {
        fields.push(Field::new("Focus", format!("{before} → {after}")));
    }
    let steps: Vec<String> = framework
        .levels
        .iter()
        .filter(|level| level.number >= from.number && level.number < to.number)
        .filter_map(|level| {
            let next = framework.next_level(level.number)?;
            let timeframe = level.timeframe_to_next.as_ref()?;
            Some(format!(
                "Level {} → {}: {timeframe}",
                level.number, next.number
            ))
        })
        .collect();
    if !steps.is_empty() {
        fields.push(Field::new("Typical time", steps.join("; ")));
    }
    fields.extend(indicator_changes(from, to));
    reply = reply.with_fields(fields);
    if !to.summary.is_empty() {
        reply = reply.with_paragraph(format!("Level {}: {}", to.number, to.summary));
    }
    let dimensions: Vec<&String> = match &query.dimension {
        Some(name) => framework
            .dimensions
            .iter()
            .filter(|d| d.eq_ignore_ascii_case(name))
            .collect(),
        None => framework.dimensions.iter().collect(),
    };
    for name in dimensions {
        let (title, items) =
            dimension_change(name, from.dimension(name), to.dimension(name), from, to);
        reply = reply.with_bullets(Some(title), items);
    }
    reply = with_alternatives(reply, &query.alternatives);
    with_source(reply, framework)
}

/// Each indicator of either level (InfraCloud's time split and tenure) from one to the
/// other: "Management: Level 3 ~10% → Level 4 ~20-25%".
fn indicator_changes(from: &Level, to: &Level) -> Vec<Field> {
    let mut labels: Vec<&str> = Vec::new();
    for indicator in from.indicators.iter().chain(&to.indicators) {
        if !labels.contains(&indicator.label.as_str()) {
            labels.push(&indicator.label);
        }
    }
    let value = |level: &Level, label: &str| {
        level
            .indicators
            .iter()
            .find(|indicator| indicator.label == label)
            .map_or_else(
                || "not given".to_owned(),
                |indicator| indicator.value.clone(),
            )
    };
    labels
        .into_iter()
        .map(|label| {
            Field::new(
                label,
                format!(
                    "Level {} {} → Level {} {}",
                    from.number,
                    value(from, label),
                    to.number,
                    value(to, label)
                ),
            )
        })
        .collect()
}

/// What `to` adds or changes along one dimension compared with `from`.
fn dimension_change(
    name: &str,
    from: Option<&Dimension>,
    to: Option<&Dimension>,
    from_level: &Level,
    to_level: &Level,
) -> (String, Vec<String>) {
    let from_items = from.map_or(&[][..], |d| d.items.as_slice());
    let to_items = to.map_or(&[][..], |d| d.items.as_slice());
    if to_items.is_empty() {
        return (
            name.to_owned(),
            vec![format!("Level {} lists nothing new here.", to_level.number)],
        );
    }
    // A one-line dimension ("Your projects." → "Whole area.") reads best side by side.
    if from_items.len() <= 1 && to_items.len() == 1 {
        let mut items = Vec::new();
        if let Some(before) = from_items.first() {
            items.push(format!("Level {}: {before}", from_level.number));
        }
        items.push(format!("Level {}: {}", to_level.number, to_items[0]));
        return (name.to_owned(), items);
    }
    // An expectation carried over unchanged is the same sentence in both levels (framework
    // files repeat it verbatim), so plain equality finds it; no per-request normalising.
    let added: Vec<String> = to_items
        .iter()
        .filter(|item| !from_items.contains(item))
        .cloned()
        .collect();
    let kept = to_items.len() - added.len();
    let mut title = format!("{name}: what Level {} adds", to_level.number);
    if kept > 0 {
        title.push_str(&format!(
            " ({kept} expectation{} carried over unchanged)",
            if kept == 1 { "" } else { "s" }
        ));
    }
    (title, added)
}

fn titles_reply(framework: &Framework, query: &TitlesQuery) -> Reply {
    let mut reply = Reply::new();
    if let Some(dimension) = &query.dimension {
        reply = reply.with_heading(format!("{}: {dimension}, level by level", framework.name));
        for level in &framework.levels {
            let mut items = level
                .dimension(dimension)
                .map(|found| found.items.clone())
                .unwrap_or_else(|| vec!["(nothing specific at this level)".to_owned()]);
            items.extend(ladder_figures(framework, level, Some(dimension)));
            reply = reply.with_bullets(Some(level.label()), items);
        }
    } else {
        reply = reply.with_heading(format!("{}: levels and titles", framework.name));
        if let Some(summary) = &framework.summary {
            reply = reply.with_paragraph(summary.clone());
        }
        let items = framework
            .levels
            .iter()
            .map(|level| {
                let mut line = level.label();
                let figures = ladder_figures(framework, level, None);
                if !figures.is_empty() {
                    line.push_str(&format!(" ({})", figures.join("; ")));
                }
                line
            })
            .collect();
        reply = reply.with_bullets(None, items);
        let roles = framework
            .roles
            .iter()
            .map(|role| {
                let levels = if role.from_level == role.to_level {
                    format!("level {}", role.from_level)
                } else {
                    format!("levels {}–{}", role.from_level, role.to_level)
                };
                format!("{} ({levels}): {}", role.titles.join(" / "), role.summary)
            })
            .collect();
        reply = reply.with_bullets(Some("Specialist roles".to_owned()), roles);
    }
    reply = with_alternatives(reply, &query.alternatives);
    with_source(reply, framework)
}

/// A level's typical time to the next level and its indicators, for a line of a ladder.
/// Along one dimension, only the indicators about that dimension ("Management" for
/// Management, "Core" for Core Competencies) or about none (tenure).
fn ladder_figures(framework: &Framework, level: &Level, dimension: Option<&str>) -> Vec<String> {
    let mut figures = Vec::new();
    if let (Some(timeframe), Some(next)) =
        (&level.timeframe_to_next, framework.next_level(level.number))
    {
        figures.push(format!("to Level {}: typically {timeframe}", next.number));
    }
    let about = |label: &str, name: &str| name.to_lowercase().starts_with(&label.to_lowercase());
    for indicator in &level.indicators {
        let about_some = framework
            .dimensions
            .iter()
            .any(|name| about(&indicator.label, name));
        let shown = match dimension {
            Some(name) => about(&indicator.label, name) || !about_some,
            None => true,
        };
        if shown {
            figures.push(format!("{}: {}", indicator.label, indicator.value));
        }
    }
    figures
}

fn frameworks_reply(library: &Library) -> Reply {
    if library.is_empty() {
        return Reply::new()
            .with_heading("Career frameworks")
            .with_paragraph("No frameworks are loaded. Ask an admin to check the framework files (`career-bot validate`).");
    }
    let items = library
        .frameworks()
        .iter()
        .map(|framework| {
            format!(
                "{} ({}): {} levels, {}",
                framework.name,
                framework.id,
                framework.levels.len(),
                framework.level_range_text()
            )
        })
        .collect();
    let example = &library.frameworks()[0];
    Reply::new()
        .with_heading("Career frameworks")
        .with_bullets(None, items)
        .with_context(format!(
            "Ask e.g. \"{} level {}\" or \"{} titles\".",
            example.id, example.levels[0].number, example.id
        ))
}

fn help_reply(library: &Library) -> Reply {
    let examples = [
        "what does Level 3 Happiness need",
        "senior engineer",
        "Happiness Hero II",
        "ownership at marketing level 4",
        "how do I get from 2 to 3 in marketing",
        "compare marketing 3 and 5",
        "difference between staff and principal at infracloud",
        "which level mentions mentoring",
        "marketing titles",
        "frameworks",
        "what level am I",
    ];
    Reply::new()
        .with_heading("Ask me about career levels")
        .with_paragraph(
            "Name a level (a number, a title, or both) and a team or framework. Typos are fine.",
        )
        .with_bullets(
            Some("For example".to_owned()),
            examples.iter().map(|e| (*e).to_owned()).collect(),
        )
        .with_context(format!(
            "Frameworks loaded: {}",
            library.ids().collect::<Vec<_>>().join(", ")
        ))
}

fn unknown_reply(unknown: &Unknown) -> Reply {
    Reply::paragraph(unknown.message.clone())
        .with_bullets(Some("Try".to_owned()), unknown.suggestions.clone())
}

fn with_alternatives(reply: Reply, alternatives: &[Alternative]) -> Reply {
    if alternatives.is_empty() {
        return reply;
    }
    let items = alternatives
        .iter()
        .map(|alternative| {
            format!(
                "{} (ask \"{}\")",
                alternative.description, alternative.question
            )
        })
        .collect();
    reply.with_bullets(Some("Also matches".to_owned()), items)
}

/// `reply` with the framework's notes and source line.
pub(super) fn with_source(mut reply: Reply, framework: &Framework) -> Reply {
    for note in &framework.notes {
        reply = reply.with_context(note.clone());
    }
    reply.with_context(format!(
        "Source: {} ({})",
        framework.source.attribution, framework.source.url
    ))
}
