//! One page of a Hugo ladder: its front matter, and its Markdown body read into headed
//! sections of bullets.
//!
//! The body is walked as pulldown-cmark events rather than by matching lines, so that lists
//! written with `*`, `-` or numbers, lazy continuation lines and nested lists all come out the
//! same. Only what sits in list items under a heading is kept; paragraphs are prose about the
//! level, not expectations. Nested items are folded into their parent so every expectation
//! stays one line, and the text is cleaned of what Hugo would have rendered away (HTML
//! comments, shortcodes: see [`clean`](super::clean)) before it is shown in Slack. Raw HTML
//! blocks are collected and handed to [`table`](super::table) for indicators.

use std::path::PathBuf;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::clean::clean_text;
use super::table::table_indicators;
use crate::frameworks::detect::front_matter;
use crate::frameworks::error::{FrameworkError, FrameworkErrorKind};
use crate::frameworks::model::{Dimension, Indicator};
use crate::frameworks::naming::collapse_whitespace;
use crate::frameworks::source::SourceFile;
use crate::frameworks::yaml::{parse_yaml, yaml_error};

/// The front-matter keys this reader uses; all others are ignored.
#[derive(Debug, Default, Deserialize)]
pub(super) struct HugoFrontMatter {
    /// A level's title, or the team's name in `_index.md`.
    #[serde(default)]
    pub(super) title: Option<String>,
    #[serde(default)]
    weight: Option<i64>,
    /// A level's fallback summary, or the framework's summary in `_index.md`.
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    draft: Option<bool>,
}

/// A page's front matter and Markdown body, with the line the body starts after.
pub(super) struct PageParts<'a> {
    pub(super) front: HugoFrontMatter,
    body: &'a str,
    body_line_offset: usize,
}

/// A page recognised as a level, before it is numbered.
pub(super) struct LevelPage {
    pub(super) path: PathBuf,
    /// The front-matter `weight`, which orders levels.
    pub(super) weight: Option<i64>,
    pub(super) title: String,
    /// The front-matter `description`, whitespace collapsed; `None` when blank.
    pub(super) description: Option<String>,
    pub(super) body: PageBody,
}

/// What a page's Markdown holds, in page order.
#[derive(Debug, Default)]
pub(super) struct PageBody {
    /// Headings that hold bullets, with their items (names merged case-insensitively).
    pub(super) sections: Vec<Dimension>,
    /// Line of the first heading, when there is one.
    pub(super) first_heading_line: Option<u32>,
    /// Whether any list item appears before the first heading.
    has_bullets_outside_headings: bool,
    /// Whether any list item appears under a heading.
    has_headed_bullets: bool,
    /// Indicators read from HTML tables.
    pub(super) indicators: Vec<Indicator>,
}

/// What a page turned out to be: a level, or skipped for the given reason.
pub(super) enum PageKind {
    /// A level page, to be numbered with the team's other levels.
    Level(Box<LevelPage>),
    /// Not a level; the reason is shown in a notice.
    Skipped(&'static str),
}

/// Splits a page into front matter and body; a page without front matter has an empty one.
pub(super) fn read_front_matter(file: &SourceFile) -> Result<PageParts<'_>, FrameworkError> {
    let Some(parts) = front_matter(&file.text) else {
        return Ok(PageParts {
            front: HugoFrontMatter::default(),
            body: &file.text,
            body_line_offset: 0,
        });
    };
    // An empty front matter block is valid Hugo; the YAML library would call it a type error.
    let front = if parts.yaml.trim().is_empty() {
        HugoFrontMatter::default()
    } else {
        parse_yaml(parts.yaml, parts.yaml_line_offset)
            .map_err(|error| yaml_error(&file.path, &error))?
    };
    Ok(PageParts {
        front,
        body: parts.body,
        body_line_offset: parts.body_line_offset,
    })
}

/// Decides whether a page is a level and reads it.
pub(super) fn read_page(file: &SourceFile) -> Result<PageKind, FrameworkError> {
    let parts = read_front_matter(file)?;
    if parts.front.draft == Some(true) {
        return Ok(PageKind::Skipped("draft page (`draft: true`)"));
    }
    let title = parts
        .front
        .title
        .as_deref()
        .map(collapse_whitespace)
        .filter(|title| !title.is_empty());
    if title.as_deref().is_some_and(is_faq_title) {
        return Ok(PageKind::Skipped("FAQ page, not a level"));
    }
    let body = read_body(parts.body, parts.body_line_offset);
    let Some(first_heading_line) = body.first_heading_line else {
        return Ok(PageKind::Skipped(
            "not a level page (no headed sections with bullets)",
        ));
    };
    if body.has_bullets_outside_headings && !body.has_headed_bullets {
        return Ok(PageKind::Skipped(
            "not a level page (its bullets are not under any heading)",
        ));
    }
    // Headings over prose only: an overview page beside the levels, or a level whose content
    // was never written. Either way there is nothing to answer from, and it takes no level
    // number, so the levels around it keep theirs in page order.
    if body.sections.is_empty() {
        return Ok(PageKind::Skipped(
            "not a level page (headings, but no bullets under them)",
        ));
    }
    let Some(title) = title else {
        let line = if parts.body_line_offset > 0 {
            1
        } else {
            first_heading_line
        };
        return Err(FrameworkError::at(
            &file.path,
            line,
            FrameworkErrorKind::Empty {
                field: "title".to_owned(),
                hint: "give every level page a `title` in its front matter; it becomes the level's title"
                    .to_owned(),
            },
        ));
    };
    Ok(PageKind::Level(Box::new(LevelPage {
        path: file.path.clone(),
        weight: parts.front.weight,
        title,
        description: parts
            .front
            .description
            .as_deref()
            .map(collapse_whitespace)
            .filter(|text| !text.is_empty()),
        body,
    })))
}

/// Whether a title names an FAQ page ("FAQ", "FAQs", "Frequently asked questions"), which has
/// headed bullets like a level but holds questions, not expectations.
fn is_faq_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    lower.contains("frequently asked questions")
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word == "faq" || word == "faqs")
}

/// A list item being read: its own text and its folded sub-items.
#[derive(Default)]
struct OpenItem {
    text: String,
    children: Vec<String>,
}

/// Walks the Markdown events of a page body, collecting headed bullet sections and HTML.
#[derive(Default)]
struct BodyReader {
    body: PageBody,
    /// Text of the heading being read, if inside one.
    heading: Option<String>,
    /// The heading bullets currently belong to; `None` before the first heading.
    section: Option<String>,
    /// Open list items, outermost first.
    items: Vec<OpenItem>,
    /// Inside an image, whose alt text is not content.
    image_depth: usize,
    /// Block HTML of the page, searched for indicator tables.
    html: String,
}

/// Reads a page body; `line_offset` is the number of lines before it in its file.
fn read_body(body: &str, line_offset: usize) -> PageBody {
    let mut reader = BodyReader::default();
    for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
        if let Event::Start(Tag::Heading { .. }) = event
            && reader.body.first_heading_line.is_none()
        {
            let line = line_offset + 1 + body[..range.start].matches('\n').count();
            reader.body.first_heading_line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        }
        reader.event(event);
    }
    reader.body.indicators = table_indicators(&reader.html);
    reader.body
}

impl BodyReader {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { .. }) => self.heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let text = self.heading.take().unwrap_or_default();
                let name = clean_text(&text);
                let name = name.trim_end_matches(':').trim_end().to_owned();
                self.section = Some(name);
            }
            Event::Start(Tag::Item) => {
                if self.section.is_some() {
                    self.body.has_headed_bullets = true;
                } else {
                    self.body.has_bullets_outside_headings = true;
                }
                self.items.push(OpenItem::default());
            }
            Event::End(TagEnd::Item) => self.close_item(),
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
            // Paragraph and line breaks inside an item separate words.
            Event::End(TagEnd::Paragraph) | Event::SoftBreak | Event::HardBreak => {
                self.push_text(" ");
            }
            Event::Text(text) | Event::Code(text) => self.push_text(&text),
            Event::Html(html) => self.html.push_str(&html),
            // Other inline HTML is formatting (`<span>`) or a comment, which joins no words.
            Event::InlineHtml(html) if html.to_ascii_lowercase().starts_with("<br") => {
                self.push_text(" ");
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.image_depth > 0 {
            return;
        }
        if let Some(heading) = &mut self.heading {
            heading.push_str(text);
        } else if let Some(item) = self.items.last_mut() {
            item.text.push_str(text);
        }
    }

    /// Folds a finished item into its parent, or files it under the current heading.
    fn close_item(&mut self) {
        let Some(item) = self.items.pop() else {
            return;
        };
        let text = fold_item(clean_text(&item.text), item.children);
        if text.is_empty() {
            return;
        }
        if let Some(parent) = self.items.last_mut() {
            parent.children.push(text);
        } else if let Some(section) = self.section.as_deref().filter(|name| !name.is_empty()) {
            add_item(&mut self.body.sections, section, text);
        }
    }
}

/// Files `item` under the section `name`, merging sections whose names differ only in case
/// (a page may repeat a heading to continue it).
fn add_item(sections: &mut Vec<Dimension>, name: &str, item: String) {
    match sections
        .iter_mut()
        .find(|section| section.name.eq_ignore_ascii_case(name))
    {
        Some(section) => section.items.push(item),
        None => sections.push(Dimension {
            name: name.to_owned(),
            items: vec![item],
        }),
    }
}

/// "Activities:" + ["Meetups", "Talks"] → "Activities: Meetups; Talks". The first child follows
/// its parent after a colon (or a space when the parent ends in punctuation); later children
/// follow a finished sentence after a space and anything else after "; ".
fn fold_item(parent: String, children: Vec<String>) -> String {
    let mut text = parent;
    for (index, child) in children.into_iter().enumerate() {
        if !text.is_empty() {
            let ends_in_punctuation = text.ends_with(['.', '!', '?', ':', ';']);
            let separator = match (index, ends_in_punctuation) {
                (_, true) => " ",
                (0, false) => ": ",
                (_, false) => "; ",
            };
            text.push_str(separator);
        }
        text.push_str(&child);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_items_are_folded_into_their_parent() {
        assert_eq!(
            fold_item(
                "Join in. For instance".to_owned(),
                vec!["a".into(), "b".into()]
            ),
            "Join in. For instance: a; b"
        );
        assert_eq!(
            fold_item("Activities:".to_owned(), vec!["a".into(), "b".into()]),
            "Activities: a; b"
        );
        assert_eq!(
            fold_item(
                "Weigh costs.".to_owned(),
                vec!["First.".into(), "Then".into()]
            ),
            "Weigh costs. First. Then"
        );
    }

    #[test]
    fn markdown_is_reduced_to_headed_bullets() {
        let body = "Intro\n\n## Core\n* **Bold**: text with [a link](x) <!-- hidden -->\n\
                    * Parent:\n  * child {{< tip >}}one{{< /tip >}}\n  * child two\n\
                    ## Group\n### Leaf\n- leaf item\n";
        let read = read_body(body, 4);
        assert_eq!(read.first_heading_line, Some(7));
        let names: Vec<&str> = read.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Core", "Leaf"]);
        assert_eq!(
            read.sections[0].items,
            ["Bold: text with a link", "Parent: child one; child two"]
        );
    }
}
