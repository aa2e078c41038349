//! Renders a [`Reply`] as plain terminal text: what `career-bot ask` and the shell print, and
//! the `text` field of `ask --json`. Words are printed as they are and a mention as `@ID`
//! (the plain reading of a [`Text`](super::Text)).

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
    out
}

fn render_block(block: &Block, out: &mut String) {
    // Writing to a String cannot fail; the results are ignored for that reason.
    match block {
        Block::Heading { text } => {
            let line = text.to_string();
            let _ = writeln!(out, "{line}");
            let _ = writeln!(out, "{}", "=".repeat(line.chars().count().min(72)));
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
        Block::Actions { actions, .. } => {
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
    use crate::reply::Text;

    #[test]
    fn mentions_print_as_at_ids_and_words_as_they_are() {
        let reply = Reply::new()
            .with_heading(Text::from("Career conversations: ").mention("U1"))
            .with_paragraph(
                Text::from("ask ")
                    .mention("U1")
                    .push(" or <@U2|ana> & a <@ broken"),
            );
        assert_eq!(
            render(&reply),
            "Career conversations: @U1\n\
             =========================\n\
             \n\
             ask @U1 or <@U2|ana> & a <@ broken\n"
        );
    }
}
