//! Indicators from the HTML tables of a Hugo page (InfraCloud's "Broad Indicators").
//!
//! Markdown has no table cells that span rows, so InfraCloud writes these tables in raw HTML,
//! which pulldown-cmark hands over as opaque blocks. This module scans that HTML with plain
//! string search rather than an HTML parser: the tables are small and hand-written, closing
//! tags are often left out, and all that is needed is each cell's text, whether it is a header
//! and whether it spans rows. How rows map to [`Indicator`]s is described in the
//! [module docs of the reader](super).

use super::clean::{clean_text, remove_between};
use crate::frameworks::model::Indicator;

/// One table cell: its text, the label part of it (before a `<br>`), and its kind.
struct Cell {
    text: String,
    label: String,
    header: bool,
    spans_rows: bool,
}

/// Reads every `<table>` in `html` as indicators (see the [reader's docs](super) for the
/// mapping).
pub(super) fn table_indicators(html: &str) -> Vec<Indicator> {
    let html = remove_between(html, "<!--", "-->");
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut indicators = Vec::new();
    let mut from = 0;
    while let Some(start) = find_tag(&lower, from, lower.len(), "table") {
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

/// Byte position of the next opening tag `<name` (followed by `>`, `/` or whitespace) in
/// `from..end`. The search stops at `end`, so finding the cells of each row reads that row
/// only, and a whole table is read a bounded number of times however many rows it has.
fn find_tag(lower: &str, mut from: usize, end: usize, name: &str) -> Option<usize> {
    let needle = format!("<{name}");
    let end = end.min(lower.len());
    while let Some(offset) = lower.get(from..end)?.find(&needle) {
        scanned(offset + needle.len());
        let start = from + offset;
        let next = lower[start + needle.len()..].chars().next();
        if next.is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace()) {
            return Some(start);
        }
        from = start + needle.len();
    }
    scanned(end.saturating_sub(from));
    None
}

/// Spans from each `<name` to the next one (or `end`): closing tags are optional in HTML.
fn element_spans(lower: &str, start: usize, end: usize, name: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut from = start;
    while let Some(found) = find_tag(lower, from, end, name) {
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
        while let Some(found) = find_tag(lower, from, end, name) {
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

/// Decodes `&name;` and `&#code;` entities; an unknown or unterminated one stays as written,
/// since a bare `&` ("R&D") is common in hand-written HTML.
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

/// The character an entity name (between `&` and `;`) stands for: the few named ones tables
/// use, and any numeric one.
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

/// Counts bytes searched for tags. Reading a table must search each byte a bounded number of
/// times, whatever the table's length; the tests check it with this count (which costs nothing
/// outside tests).
#[inline]
fn scanned(bytes: usize) {
    #[cfg(test)]
    SCANNED.with(|scanned| scanned.set(scanned.get() + bytes));
    let _ = bytes;
}

#[cfg(test)]
thread_local! {
    static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// An InfraCloud-style table of `rows` rows, each a label and a value.
    fn table(rows: usize) -> String {
        let mut html = String::from("<table>\n<tr><th>Indicator</th><th>Value</th></tr>\n");
        for row in 0..rows {
            html.push_str(&format!(
                "<tr><td>Indicator {row} <br><i>(rough)</i></td><td>~{row} weeks</td></tr>\n"
            ));
        }
        html.push_str("</table>\n");
        html
    }

    #[test]
    fn reading_a_table_searches_each_byte_a_bounded_number_of_times_however_many_rows() {
        for rows in [200, 2_000] {
            let html = table(rows);
            let before = SCANNED.with(std::cell::Cell::get);
            let indicators = table_indicators(&html);
            let searched = SCANNED.with(std::cell::Cell::get) - before;
            assert_eq!(indicators.len(), rows);
            assert_eq!(indicators[rows - 1].value, format!("~{} weeks", rows - 1));
            assert!(
                searched <= 8 * html.len(),
                "{rows} rows: searched {searched} bytes of {}",
                html.len()
            );
        }
    }

    #[test]
    fn html_text_decodes_entities_and_keeps_lone_angle_brackets() {
        assert_eq!(html_text("<b>A &amp; B</b> &lt;5% <3"), "A & B <5% <3");
    }
}
