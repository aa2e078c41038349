//! Reader for Hugo career-ladder sites laid out like InfraCloud's (`content/docs/<team>/<role>.md`).
//!
//! The loader groups the pages of one `content/docs/<team>/` directory and calls
//! [`parse_team`] once per directory. One directory becomes one [`Framework`]:
//!
//! - **Levels.** Every page that is a level page becomes a [`Level`]. Pages are ordered by the
//!   front-matter `weight` (pages without one go last, as Hugo does), ties by file name, and
//!   numbered 1..n in that order. The level's title is the front-matter `title`.
//! - **Which pages are levels.** A page is a level page when it has Markdown headings. Pages
//!   titled "FAQ", drafts (`draft: true`) and pages without any heading (or whose bullets all sit
//!   before the first heading) are skipped with a [`Notice`]. A page with headings but no bullets
//!   at all is an empty level and an error, since it looks like a level whose content is missing.
//! - **Dimensions.** Each heading that directly holds bullets becomes a [`Dimension`] named after
//!   the heading; a heading that only groups sub-headings ("Functional Competencies") is not one.
//!   The framework's dimensions are listed in order of first appearance (levels in order), and
//!   names differing only in case are merged. Nested bullets are folded into their parent item
//!   ("… activities: Internal meetups; Shadow interviews"). Markdown formatting, links (their text
//!   is kept), images, inline HTML, HTML comments and Hugo shortcodes (`{{< … >}}`, `{{% … %}}`)
//!   are stripped and whitespace is collapsed.
//! - **Indicators.** HTML tables (InfraCloud's "Broad Indicators") become [`Indicator`]s: a cell
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
//!   root's name without suffixes such as `-career-ladders` (`infracloud-career-ladders` →
//!   "Infracloud"); the team is the `title` of the team's `_index.md`, else the directory name in
//!   title case. The id is `<organisation slug>-<team directory slug>`. The framework summary is
//!   the `_index.md` description, if any.
//!
//! Front matter is someone else's format, so unknown keys are ignored rather than rejected.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::detect::front_matter;
use super::error::{FrameworkError, FrameworkErrorKind};
use super::loader::{Notice, SourceFile};
use super::model::{Dimension, Format, Framework, Indicator, Level, Origin, Source};
use super::native::{is_valid_id, slugify};
use super::yaml::{parse_yaml, yaml_error};
use super::{ParsedFramework, SourceLines};

/// What reading one team directory produced.
#[derive(Debug)]
pub struct TeamOutcome {
    /// The team's framework; `Ok(None)` when the directory holds no level pages.
    pub framework: Result<Option<ParsedFramework>, Vec<FrameworkError>>,
    /// Pages skipped on purpose (an FAQ…).
    pub notices: Vec<Notice>,
}

/// The front-matter keys this reader uses; all others are ignored.
#[derive(Debug, Default, Deserialize)]
struct HugoFrontMatter {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    draft: Option<bool>,
}

/// A page's front matter and Markdown body, with the line the body starts after.
struct PageParts<'a> {
    front: HugoFrontMatter,
    body: &'a str,
    body_line_offset: usize,
}

/// A page recognised as a level, before it is numbered.
struct LevelPage {
    path: PathBuf,
    weight: Option<i64>,
    title: String,
    description: Option<String>,
    body: PageBody,
}

/// What a page's Markdown holds, in page order.
#[derive(Debug, Default)]
struct PageBody {
    /// Headings that hold bullets, with their items (names merged case-insensitively).
    sections: Vec<Dimension>,
    /// Line of the first heading, when there is one.
    first_heading_line: Option<u32>,
    /// Whether any list item appears before the first heading.
    has_bullets_outside_headings: bool,
    /// Whether any list item appears under a heading.
    has_headed_bullets: bool,
    /// Indicators read from HTML tables.
    indicators: Vec<Indicator>,
}

/// What a page turned out to be: a level, or skipped for the given reason.
enum PageKind {
    Level(Box<LevelPage>),
    Skipped(&'static str),
}

/// Reads one team directory: its `_index.md` (if any) and its pages.
pub fn parse_team(
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
            Ok(PageKind::Skipped(reason)) => notices.push(Notice {
                path: page.path.clone(),
                message: format!("{reason}, skipped"),
            }),
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
        build_framework(team_dir, index_front.unwrap_or_default(), levels).map(Some)
    };
    TeamOutcome { framework, notices }
}

/// Splits a page into front matter and body; a page without front matter has an empty one.
fn read_front_matter(file: &SourceFile) -> Result<PageParts<'_>, FrameworkError> {
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
fn read_page(file: &SourceFile) -> Result<PageKind, FrameworkError> {
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

fn is_faq_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    lower.contains("frequently asked questions")
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word == "faq" || word == "faqs")
}

/// Builds the framework from the team's level pages (at least one).
fn build_framework(
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
    let mut errors = Vec::new();
    let mut dimensions: Vec<String> = Vec::new();
    let mut levels = Vec::with_capacity(pages.len());
    for (index, page) in pages.into_iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if page.body.sections.is_empty() {
            errors.push(FrameworkError {
                path: page.path.clone(),
                line: page.body.first_heading_line,
                kind: FrameworkErrorKind::EmptyLevel { number },
            });
            continue;
        }
        levels.push(build_level(number, page, &mut dimensions));
    }
    for level in &mut levels {
        level.expectations.sort_by_key(|dimension| {
            dimensions
                .iter()
                .position(|name| *name == dimension.name)
                .unwrap_or(usize::MAX)
        });
    }

    let root = site_root(team_dir);
    let root_name = dir_name(&root).unwrap_or_else(|| root.display().to_string());
    let organisation = organisation_from_dir_name(&root_name);
    let team_dir_name = dir_name(team_dir).unwrap_or_default();
    let team = index
        .title
        .as_deref()
        .map(collapse_whitespace)
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| title_case(&team_dir_name));
    let id = [slugify(&organisation), slugify(&team_dir_name)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if !is_valid_id(&id) {
        errors.push(FrameworkError::file(
            team_dir,
            FrameworkErrorKind::Structure(format!(
                "cannot derive a framework id from the site directory \"{root_name}\" and the team directory \"{team_dir_name}\"; rename them to use letters or digits"
            )),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let framework = Framework {
        id,
        name: format!("{organisation} {team}"),
        source: Source {
            url: team_dir.display().to_string(),
            attribution: format!(
                "{organisation} career ladders (Hugo site at {})",
                root.display()
            ),
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
    })
}

/// Turns one level page into a [`Level`], registering new dimension names in `dimensions`.
fn build_level(number: u32, page: LevelPage, dimensions: &mut Vec<String>) -> Level {
    let summary = page
        .body
        .sections
        .first()
        .and_then(|section| section.items.first())
        .map(|item| first_sentence(item).to_owned())
        .or(page.description)
        .unwrap_or_default();
    let expectations = page
        .body
        .sections
        .into_iter()
        .map(|section| {
            let name = match dimensions
                .iter()
                .find(|known| known.eq_ignore_ascii_case(&section.name))
            {
                Some(known) => known.clone(),
                None => {
                    dimensions.push(section.name.clone());
                    section.name
                }
            };
            Dimension {
                name,
                items: section.items,
            }
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

// ---------------------------------------------------------------------------------------------
// Markdown body
// ---------------------------------------------------------------------------------------------

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

/// Removes shortcodes and leftover comments and collapses whitespace.
fn clean_text(text: &str) -> String {
    let text = remove_between(text, "<!--", "-->");
    let text = remove_between(&text, "{{<", ">}}");
    let text = remove_between(&text, "{{%", "%}}");
    tidy_punctuation(&collapse_whitespace(&text))
}

/// Removes every `open … close` span (an unterminated one runs to the end).
fn remove_between(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        out.push(' ');
        let after = &rest[start + open.len()..];
        rest = match after.find(close) {
            Some(end) => &after[end + close.len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Collapses runs of whitespace into single spaces and trims the ends.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes the space a stripped shortcode or tag leaves before punctuation ("word ." → "word."),
/// but only before punctuation that ends a word, so " .env" stays as written.
fn tidy_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (index, &c) in chars.iter().enumerate() {
        let before_punctuation = c == ' '
            && chars
                .get(index + 1)
                .is_some_and(|next| matches!(next, ',' | '.' | ';' | ':' | '!' | '?'))
            && chars
                .get(index + 2)
                .is_none_or(|after| after.is_whitespace());
        if !before_punctuation {
            out.push(c);
        }
    }
    out
}

/// The first sentence of `text`, or all of it. Common abbreviations ("e.g.") do not end one.
pub(crate) fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    for (index, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let end = index + c.len_utf8();
        let followed_by_space = text[end..].starts_with(' ');
        if !followed_by_space {
            continue;
        }
        let word = text[..index].rsplit(' ').next().unwrap_or_default();
        let abbreviation = matches!(
            word.to_lowercase().as_str(),
            "e.g" | "i.e" | "etc" | "vs" | "approx" | "incl" | "cf" | "mr" | "ms" | "dr"
        ) || (word.chars().count() == 1
            && word.chars().all(char::is_alphabetic));
        if c == '.' && abbreviation {
            continue;
        }
        return &text[..end];
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Indicator tables
// ---------------------------------------------------------------------------------------------

/// One table cell: its text, the label part of it (before a `<br>`), and its kind.
struct Cell {
    text: String,
    label: String,
    header: bool,
    spans_rows: bool,
}

/// Reads every `<table>` in `html` as indicators (see the module docs for the mapping).
fn table_indicators(html: &str) -> Vec<Indicator> {
    let html = remove_between(html, "<!--", "-->");
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut indicators = Vec::new();
    let mut from = 0;
    while let Some(start) = find_tag(&lower, from, "table") {
        let end = lower[start..]
            .find("</table")
            .map_or(lower.len(), |offset| start + offset);
        for (row_start, row_end) in element_spans(&lower, start, end, "tr") {
            let cells = row_cells(&html, &lower, row_start, row_end);
            indicators.extend(row_indicators(&cells));
        }
        from = end.max(start + 1);
    }
    indicators
}

/// Byte position of the next opening tag `<name` (followed by `>`, `/` or whitespace).
fn find_tag(lower: &str, mut from: usize, name: &str) -> Option<usize> {
    let needle = format!("<{name}");
    while let Some(offset) = lower.get(from..)?.find(&needle) {
        let start = from + offset;
        let next = lower[start + needle.len()..].chars().next();
        if next.is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace()) {
            return Some(start);
        }
        from = start + needle.len();
    }
    None
}

/// Spans from each `<name` to the next one (or `end`): closing tags are optional in HTML.
fn element_spans(lower: &str, start: usize, end: usize, name: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut from = start;
    while let Some(found) = find_tag(lower, from, name).filter(|found| *found < end) {
        starts.push(found);
        from = found + 1;
    }
    starts
        .iter()
        .enumerate()
        .map(|(index, &row_start)| (row_start, starts.get(index + 1).copied().unwrap_or(end)))
        .collect()
}

/// The `<td>` and `<th>` cells between `start` and `end`.
fn row_cells(html: &str, lower: &str, start: usize, end: usize) -> Vec<Cell> {
    let mut positions: Vec<(usize, bool)> = Vec::new();
    for (name, header) in [("td", false), ("th", true)] {
        let mut from = start;
        while let Some(found) = find_tag(lower, from, name).filter(|found| *found < end) {
            positions.push((found, header));
            from = found + 1;
        }
    }
    positions.sort_unstable();
    let mut cells = Vec::with_capacity(positions.len());
    for (index, &(open, header)) in positions.iter().enumerate() {
        let next = positions
            .get(index + 1)
            .map_or(end, |(position, _)| *position);
        let Some(content_start) = lower[open..next].find('>').map(|gt| open + gt + 1) else {
            continue;
        };
        let attributes = &lower[open..content_start];
        let closing = if header { "</th" } else { "</td" };
        let content_end = lower[content_start..next]
            .find(closing)
            .map_or(next, |offset| content_start + offset);
        let content = &html[content_start..content_end];
        let content_lower = &lower[content_start..content_end];
        let before_break = content_lower
            .find("<br")
            .map_or(content, |position| &content[..position]);
        cells.push(Cell {
            text: html_text(content),
            label: drop_trailing_remark(&html_text(before_break)),
            header,
            spans_rows: rowspan(attributes) > 1,
        });
    }
    cells
}

/// The `rowspan` of a cell's opening tag, 1 when absent or unreadable.
fn rowspan(attributes: &str) -> u32 {
    let Some(position) = attributes.find("rowspan") else {
        return 1;
    };
    let digits: String = attributes[position + "rowspan".len()..]
        .trim_start_matches(|c: char| c == '=' || c == '"' || c == '\'' || c.is_whitespace())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(1)
}

/// Indicators in one table row.
fn row_indicators(cells: &[Cell]) -> Vec<Indicator> {
    if cells.iter().all(|cell| cell.header) {
        return Vec::new();
    }
    let cells: Vec<&Cell> = cells
        .iter()
        .filter(|cell| !cell.spans_rows && !cell.text.is_empty())
        .collect();
    let labelled: Vec<Indicator> = cells
        .iter()
        .filter_map(|cell| labelled(&cell.text))
        .collect();
    if labelled.len() == cells.len() {
        return labelled;
    }
    match cells.as_slice() {
        [label, values @ ..] if !values.is_empty() && !label.label.is_empty() => {
            vec![Indicator {
                label: label_case(&label.label),
                value: values
                    .iter()
                    .map(|cell| cell.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            }]
        }
        _ => labelled,
    }
}

/// "Core: ~80%" → label "Core", value "~80%". Long "labels" are prose, not labels.
fn labelled(text: &str) -> Option<Indicator> {
    let (label, value) = text.split_once(':')?;
    let (label, value) = (label.trim(), value.trim());
    let plausible = !label.is_empty() && label.split_whitespace().count() <= 6;
    (plausible && !value.is_empty()).then(|| Indicator {
        label: label_case(label),
        value: value.to_owned(),
    })
}

/// "Approximate Tenure in this role" → "Approximate tenure in this role": a label with
/// lowercase words is a phrase and gets sentence case; a name ("Delighting People") is kept.
fn label_case(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    let is_phrase = words
        .iter()
        .skip(1)
        .any(|word| word.chars().next().is_some_and(char::is_lowercase));
    if !is_phrase {
        return words.join(" ");
    }
    words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let is_acronym = word
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
                && word.chars().filter(|c| c.is_alphabetic()).count() > 1;
            if index == 0 || is_acronym {
                (*word).to_owned()
            } else {
                word.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Tenure (not exact)" → "Tenure".
fn drop_trailing_remark(label: &str) -> String {
    let trimmed = label.trim();
    if trimmed.ends_with(')')
        && let Some(open) = trimmed.rfind('(')
        && open > 0
    {
        return trimmed[..open].trim_end().to_owned();
    }
    trimmed.to_owned()
}

/// The text of an HTML fragment: tags removed, common entities decoded, whitespace collapsed.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        // `<` not starting a tag ("<5%") is text.
        if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            text.push(' ');
            rest = after.find('>').map_or("", |gt| &after[gt + 1..]);
        } else {
            text.push('<');
            rest = after;
        }
    }
    text.push_str(rest);
    clean_text(&decode_entities(&text))
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|semi| *semi <= 10)
            .and_then(|semi| entity(&after[..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// The site root (the directory holding `content/`) of `content/docs/<team>`.
fn site_root(team_dir: &Path) -> PathBuf {
    team_dir
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .filter(|root| !root.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A directory's own name; for `""`, `.` or `..` the name of the directory they stand for.
pub(crate) fn dir_name(dir: &Path) -> Option<String> {
    let named = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    named.or_else(|| {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let absolute = std::fs::canonicalize(dir).ok()?;
        Some(absolute.file_name()?.to_string_lossy().into_owned())
    })
}

/// Suffixes that name the kind of repository rather than the organisation, longest first.
const REPOSITORY_SUFFIXES: &[&str] = &[
    "-progression-frameworks",
    "-progression-framework",
    "-career-frameworks",
    "-career-framework",
    "-career-ladders",
    "-career-ladder",
    "-ladders",
];

/// "infracloud-career-ladders" → "Infracloud"; the name as is when nothing else is left.
pub(crate) fn organisation_from_dir_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let stem = REPOSITORY_SUFFIXES
        .iter()
        .find(|suffix| lower.ends_with(*suffix) && lower.len() > suffix.len())
        .map_or(name, |suffix| &name[..name.len() - suffix.len()]);
    let organisation = title_case(stem);
    if organisation.is_empty() {
        name.to_owned()
    } else {
        organisation
    }
}

/// "platform-engineering" → "Platform Engineering" (dashes and underscores become spaces).
pub(crate) fn title_case(name: &str) -> String {
    name.split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Upper-cases the first letter and keeps the rest as written ("infraCloud" → "InfraCloud").
pub(crate) fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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
        parse_team(Path::new("site/content/docs/ops"), None, pages)
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
    fn headings_without_bullets_are_an_empty_level_at_the_first_heading() {
        let outcome = team(&[page("a.md", "---\ntitle: A\n---\n\n## Core\nProse only.\n")]);
        let errors = outcome.framework.expect_err("empty level");
        assert_eq!(errors[0].line, Some(5));
        assert_eq!(errors[0].kind, FrameworkErrorKind::EmptyLevel { number: 1 });
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

    #[test]
    fn organisation_drops_repository_suffixes() {
        assert_eq!(
            organisation_from_dir_name("infracloud-career-ladders"),
            "Infracloud"
        );
        assert_eq!(
            organisation_from_dir_name("acme-progression-framework"),
            "Acme"
        );
        assert_eq!(
            organisation_from_dir_name("big-co-career-framework"),
            "Big Co"
        );
        assert_eq!(organisation_from_dir_name("ladders"), "Ladders");
        assert_eq!(organisation_from_dir_name("--"), "--");
    }

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

    #[test]
    fn table_cells_become_indicators() {
        let html = "<table><tr><td rowspan=\"2\">Split</td>\
                    <td><span style=\"font-weight:bold\">Core</span>: ~80%</td></tr>\
                    <tr><td>Approximate Tenure in this role <br><i>(not exact)</i></td>\
                    <td>~1 year</td></table>";
        let indicators = table_indicators(html);
        let pairs: Vec<(&str, &str)> = indicators
            .iter()
            .map(|i| (i.label.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("Core", "~80%"),
                ("Approximate tenure in this role", "~1 year")
            ]
        );
    }

    #[test]
    fn first_sentence_skips_abbreviations() {
        assert_eq!(
            first_sentence("Use tools, e.g. git. Then more."),
            "Use tools, e.g. git."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
    }

    #[test]
    fn html_text_decodes_entities_and_keeps_lone_angle_brackets() {
        assert_eq!(html_text("<b>A &amp; B</b> &lt;5% <3"), "A & B <5% <3");
    }
}
