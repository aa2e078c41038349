//! Renders a [`Reply`] as plain terminal text: what `career-bot ask` and the shell print, and
//! the `text` field of `ask --json`.

use std::fmt::Write as _;

use super::{Action, Block, Reply};

/// Renders the reply as plain text, blocks separated by blank lines.
pub fn render(reply: &Reply) -> String {
    let mut out = String::new();
    for block in &reply.blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        render_block(block, &mut out);
    }
    plain_mentions(&out)
}

/// Turns `<@U123>` and `<@U123|name>` mentions into `@U123` and `@name`.
pub fn plain_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('>') {
            Some(end) if !after[..end].contains(char::is_whitespace) => {
                let inner = &after[..end];
                let shown = inner.split_once('|').map_or(inner, |(_, name)| name);
                out.push('@');
                out.push_str(shown);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("<@");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn render_block(block: &Block, out: &mut String) {
    // Writing to a String cannot fail; the results are ignored for that reason.
    match block {
        Block::Heading { text } => {
            let _ = writeln!(out, "{text}");
            let _ = writeln!(out, "{}", "=".repeat(text.chars().count().min(72)));
        }
        Block::Paragraph { text } => {
            let _ = writeln!(out, "{text}");
        }
        Block::Bullets { title, items } => {
            if let Some(title) = title {
                let _ = writeln!(out, "{title}");
            }
            for item in items {
                let _ = writeln!(out, "  • {item}");
            }
        }
        Block::Fields { fields } => {
            for field in fields {
                let _ = writeln!(out, "{}: {}", field.label, field.value);
            }
        }
        Block::Context { text } => {
            let _ = writeln!(out, "— {text}");
        }
        Block::Actions { actions } => {
            let labels: Vec<String> = actions
                .iter()
                .map(|action| match action {
                    Action::Button {
                        label,
                        typed: Some(typed),
                        ..
                    } => format!("[{label}] (type: {typed})"),
                    Action::Button { label, .. } => format!("[{label}]"),
                    Action::Link { label, url } => format!("{label}: {url}"),
                })
                .collect();
            let _ = writeln!(out, "{}", labels.join("  "));
        }
        Block::Divider => {
            let _ = writeln!(out, "{}", "-".repeat(40));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_print_as_at_names() {
        assert_eq!(plain_mentions("ask <@U1> or <@U2|ana>"), "ask @U1 or @ana");
        assert_eq!(plain_mentions("a <@ broken"), "a <@ broken");
    }
}
