//! Text as Hugo would have shown it: HTML comments and shortcodes removed, whitespace
//! collapsed and the space a removed piece leaves before punctuation dropped. Used by both
//! [`page`](super::page) (bullets and headings) and [`table`](super::table) (cells).

use crate::frameworks::naming::collapse_whitespace;

/// Removes shortcodes and leftover comments and collapses whitespace.
pub(super) fn clean_text(text: &str) -> String {
    let text = remove_between(text, "<!--", "-->");
    let text = remove_between(&text, "{{<", ">}}");
    let text = remove_between(&text, "{{%", "%}}");
    tidy_punctuation(&collapse_whitespace(&text))
}

/// Removes every `open … close` span (an unterminated one runs to the end).
pub(super) fn remove_between(text: &str, open: &str, close: &str) -> String {
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
