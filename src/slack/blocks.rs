//! Renders the neutral [`Reply`] as Slack Block Kit, always within Slack's limits, so Slack
//! never rejects a message:
//!
//! | limit | value | what we do |
//! |---|---|---|
//! | blocks per message | 50 | keep the first 49 and add a "Show more" button |
//! | header text | 150 chars | shorten with "…" |
//! | section text | 3,000 chars | split bullet lists into several sections; shorten one long item |
//! | section fields | 10, 2,000 chars each | split into several sections; shorten |
//! | context elements | 10 | one element per context line |
//! | actions | 25 per block; button text 75, value 2,000 | split; shorten |
//!
//! Text is Slack mrkdwn: words have `&`, `<` and `>` escaped, so markup a user typed stays
//! inert; a mention element is written as `<@USERID>` (Slack shows it as a name).
//!
//! Also the answer to a slash command ([`render_answer`], [`ephemeral`]): pure rendering, so the
//! request handlers (`commands`, `interactions`) and the answer cache (`answers`) all depend on
//! this module and never on each other.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use crate::bot::command;
use crate::reply::{Action, Block, Field, Inline, Reply, Text, actions};

/// The most blocks Slack accepts in one message.
pub const MAX_BLOCKS: usize = 50;
/// The most characters in a header.
pub const MAX_HEADER: usize = 150;
/// The most characters in a section's text.
pub const MAX_SECTION_TEXT: usize = 3000;
/// The most fields in a section.
pub const MAX_FIELDS: usize = 10;
/// The most characters in one field.
pub const MAX_FIELD_TEXT: usize = 2000;
/// The most elements in an actions block.
pub const MAX_ACTIONS: usize = 25;
/// The most characters in a button's text.
pub const MAX_BUTTON_TEXT: usize = 75;
/// The most characters in a button's value.
pub const MAX_BUTTON_VALUE: usize = 2000;

/// How the block id of an item's actions block begins (see [`Block::Actions`]): `item:ID`,
/// so a click says whose buttons it came from and only those are settled.
pub const ITEM_BLOCK_PREFIX: &str = "item:";

/// A reply rendered for Slack.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The blocks, at most [`MAX_BLOCKS`].
    pub blocks: Vec<SlackBlock>,
    /// Plain text for notifications and clients without blocks.
    pub fallback: String,
    /// Whether blocks were left out (a "Show more" button was added).
    pub truncated: bool,
}

/// The value of a "Show more" button: which command, which part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoreValue {
    /// The words after `/career`.
    pub text: String,
    /// The part to show (0 is the first).
    pub page: usize,
}

/// Renders `reply` for Slack, with a "Show more" button when `text` is a read-only command
/// whose answer does not fit.
pub fn render_answer(text: &str, reply: &Reply, page: usize) -> Rendered {
    let read_only = command::parse(text).is_ok_and(|command| command.is_read_only());
    let more = |next: usize| {
        serde_json::to_string(&MoreValue {
            text: text.to_owned(),
            page: next,
        })
        .unwrap_or_default()
    };
    if read_only {
        render(reply, page, Some(&more))
    } else {
        render(reply, page, None)
    }
}

/// An ephemeral slash-command response.
pub fn ephemeral(rendered: Rendered) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(rendered.fallback)
            .with_blocks(rendered.blocks),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// Renders `reply`. `more` is the value of the "Show more" button when the reply does not fit
/// (typically the command that produced it, with the next page); without it, the overflow is
/// cut with a note.
pub fn render(reply: &Reply, page: usize, more: Option<&dyn Fn(usize) -> String>) -> Rendered {
    let mut blocks = Vec::new();
    let mut block_ids = std::collections::HashSet::new();
    for block in &reply.blocks {
        render_block(block, &mut blocks, &mut block_ids);
    }
    let fallback = fallback_text(reply);
    let per_page = MAX_BLOCKS - 1;
    let start = page.saturating_mul(per_page).min(blocks.len());
    let end = (start + per_page).min(blocks.len());
    let truncated = end < blocks.len();
    let mut page_blocks: Vec<SlackBlock> = blocks.drain(start..end).collect();
    if truncated {
        let remaining = blocks.len() - start;
        page_blocks.push(match more {
            Some(value_for) => SlackActionsBlock::new(vec![
                SlackBlockButtonElement::new(pt!(format!("Show more ({remaining} more parts)")))
                    .with_action_id(actions::SHOW_MORE.into())
                    .with_value(shorten(&value_for(page + 1), MAX_BUTTON_VALUE))
                    .into(),
            ])
            .into(),
            None => SlackContextBlock::new(vec![md!(
                "(shortened: the full answer is too long for one message)"
            )])
            .into(),
        });
    }
    Rendered {
        blocks: page_blocks,
        fallback,
        truncated,
    }
}

/// Whether `reply` fits in one message: [`render`] would neither cut it nor add a button
/// for the rest.
pub fn fits(reply: &Reply) -> bool {
    !render(reply, 0, None).truncated
}

/// The block id for an actions block about `item` that no other block in the message has
/// (`used` holds those given so far).
fn item_block_id(item: &str, used: &mut std::collections::HashSet<String>) -> SlackBlockId {
    let base = format!("{ITEM_BLOCK_PREFIX}{item}");
    let mut id = base.clone();
    let mut copy = 1;
    while !used.insert(id.clone()) {
        copy += 1;
        id = format!("{base}#{copy}");
    }
    id.into()
}

fn render_block(
    block: &Block,
    out: &mut Vec<SlackBlock>,
    block_ids: &mut std::collections::HashSet<String>,
) {
    match block {
        Block::Heading { text } => out.push(
            SlackHeaderBlock::new(
                SlackBlockPlainText::new(shorten(&unescaped(text), MAX_HEADER))
                    .with_emoji(true)
                    .into(),
            )
            .into(),
        ),
        Block::Paragraph { text } => {
            for chunk in split_text(&mrkdwn(text), MAX_SECTION_TEXT) {
                out.push(SlackSectionBlock::new().with_text(md!(chunk)).into());
            }
        }
        Block::Bullets { title, items } => render_bullets(title.as_deref(), items, out),
        Block::Fields { fields } => render_fields(fields, out),
        Block::Context { text } => out.push(
            SlackContextBlock::new(vec![md!(shorten(&mrkdwn(text), MAX_SECTION_TEXT))]).into(),
        ),
        Block::Actions { actions, item } => {
            for chunk in actions.chunks(MAX_ACTIONS) {
                let elements: Vec<SlackActionBlockElement> =
                    chunk.iter().map(render_action).collect();
                let block = SlackActionsBlock::new(elements);
                out.push(match item {
                    Some(item) => block.with_block_id(item_block_id(item, block_ids)).into(),
                    None => block.into(),
                });
            }
        }
        Block::Divider => out.push(SlackDividerBlock::new().into()),
    }
}

/// A bullet list as one or more sections, split between items so each fits.
fn render_bullets(title: Option<&str>, items: &[Text], out: &mut Vec<SlackBlock>) {
    let mut text = title
        .map(|title| format!("*{}*", escape(title)))
        .unwrap_or_default();
    for item in items {
        let line = format!("• {}", mrkdwn(item));
        let line = shorten(&line, MAX_SECTION_TEXT - 2);
        let separator = usize::from(!text.is_empty());
        if text.chars().count() + separator + line.chars().count() > MAX_SECTION_TEXT {
            out.push(
                SlackSectionBlock::new()
                    .with_text(md!(std::mem::take(&mut text)))
                    .into(),
            );
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
    }
    if !text.is_empty() {
        out.push(SlackSectionBlock::new().with_text(md!(text)).into());
    }
}

fn render_fields(fields: &[Field], out: &mut Vec<SlackBlock>) {
    for chunk in fields.chunks(MAX_FIELDS) {
        let texts: Vec<SlackBlockText> = chunk
            .iter()
            .map(|field| {
                md!(shorten(
                    &format!("*{}*\n{}", escape(&field.label), mrkdwn(&field.value)),
                    MAX_FIELD_TEXT
                ))
            })
            .collect();
        out.push(SlackSectionBlock::new().with_fields(texts).into());
    }
}

fn render_action(action: &Action) -> SlackActionBlockElement {
    match action {
        Action::Button {
            label,
            action_id,
            value,
            primary,
            ..
        } => {
            let button = SlackBlockButtonElement::new(pt!(shorten(label, MAX_BUTTON_TEXT)))
                .with_action_id(action_id.clone().into())
                .with_value(shorten(value, MAX_BUTTON_VALUE));
            let button = if *primary {
                button.with_style(SlackBlockButtonStyle::Primary)
            } else {
                button
            };
            button.into()
        }
        Action::Link { label, url } => {
            let button = SlackBlockButtonElement::new(pt!(shorten(label, MAX_BUTTON_TEXT)))
                .with_action_id("link".into());
            match url.parse() {
                Ok(url) => button.with_url(url).into(),
                Err(_) => button.into(),
            }
        }
    }
}

/// The plain text Slack shows in notifications: the heading, else the first paragraph.
/// The message's `text`: Slack reads it as mrkdwn (mentions, `<!channel>`, links), so words
/// are escaped as in the blocks and only mention elements are live.
fn fallback_text(reply: &Reply) -> String {
    let first = reply.blocks.iter().find_map(|block| match block {
        Block::Heading { text } | Block::Paragraph { text } => Some(mrkdwn(text)),
        _ => None,
    });
    shorten(first.as_deref().unwrap_or("career-bot"), 300)
}

/// A mention of `user_id` in Slack markup: `<@USERID>`.
pub fn mention(user_id: &str) -> String {
    format!("<@{user_id}>")
}

/// `text` as mrkdwn: words escaped, mentions written as Slack mentions.
pub fn mrkdwn(text: &Text) -> String {
    write_text(text, escape)
}

/// `text` for a plain-text object (a header, a modal's error): words as they are, mentions
/// written as Slack mentions. Never for a message's `text`, which Slack reads as mrkdwn.
pub fn unescaped(text: &Text) -> String {
    write_text(text, str::to_owned)
}

fn write_text(text: &Text, words_as: fn(&str) -> String) -> String {
    text.parts()
        .iter()
        .map(|part| match part {
            Inline::Text(words) => words_as(words),
            Inline::Mention(user_id) => mention(user_id),
        })
        .collect()
}

/// Escapes mrkdwn control characters: `&`, `<` and `>`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `limit` characters, ending in "…" when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Splits text into chunks of at most `limit` characters, preferring line breaks.
fn split_text(text: &str, limit: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > limit && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
        }
        if line.chars().count() > limit {
            let chars: Vec<char> = line.chars().collect();
            for piece in chars.chunks(limit) {
                chunks.push(piece.iter().collect());
            }
        } else {
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Reply;

    fn text_lengths(blocks: &[SlackBlock]) -> Vec<usize> {
        let json = serde_json::to_value(blocks).expect("serialises");
        let mut lengths = Vec::new();
        collect_text_lengths(&json, &mut lengths);
        lengths
    }

    fn collect_text_lengths(value: &serde_json::Value, out: &mut Vec<usize>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(text)) = map.get("text") {
                    out.push(text.chars().count());
                }
                map.values().for_each(|v| collect_text_lengths(v, out));
            }
            serde_json::Value::Array(items) => {
                items.iter().for_each(|v| collect_text_lengths(v, out))
            }
            _ => {}
        }
    }

    #[test]
    fn escapes_control_characters_in_words_and_writes_mention_elements() {
        assert_eq!(escape("a < b & c > d"), "a &lt; b &amp; c &gt; d");
        assert_eq!(
            mrkdwn(
                &Text::from("ask ")
                    .mention("U123")
                    .push(" or ")
                    .mention("U9")
            ),
            "ask <@U123> or <@U9>"
        );
        assert_eq!(escape("<@not a mention>"), "&lt;@not a mention&gt;");
    }

    #[test]
    fn markup_a_user_typed_stays_inert_and_a_mention_element_renders() {
        let said = Text::from("Their reason: \"<@U123> and <!channel> & co\". Ask ")
            .mention("U123")
            .push(".");
        let reply = Reply::new()
            .with_paragraph(said.clone())
            .with_bullets(None, vec![said.clone()])
            .with_fields(vec![Field::new("Manager", said.clone())])
            .with_context(said);
        let json = serde_json::to_value(render(&reply, 0, None).blocks).expect("serialises");
        let inert = "Their reason: \"&lt;@U123&gt; and &lt;!channel&gt; &amp; co\". Ask <@U123>.";
        assert_eq!(json[0]["text"]["text"], inert);
        assert_eq!(json[1]["text"]["text"], format!("• {inert}"));
        assert_eq!(json[2]["fields"][0]["text"], format!("*Manager*\n{inert}"));
        assert_eq!(json[3]["elements"][0]["text"], inert);
    }

    #[test]
    fn a_heading_writes_words_unescaped_and_the_fallback_escapes_them_once() {
        let reply = Reply::new().with_heading(
            Text::from("History of ")
                .mention("U1")
                .push(" & co <!channel>"),
        );
        let rendered = render(&reply, 0, None);
        let json = serde_json::to_value(&rendered.blocks).expect("serialises");
        // A header is plain text: Slack shows it as it is.
        assert_eq!(json[0]["text"]["text"], "History of <@U1> & co <!channel>");
        // The fallback is mrkdwn: the mention is live, the typed markup is not.
        assert_eq!(
            rendered.fallback,
            "History of <@U1> &amp; co &lt;!channel&gt;"
        );
    }

    #[test]
    fn a_huge_answer_stays_within_every_limit() {
        let long_item = "x".repeat(5000);
        let mut reply = Reply::new().with_heading("H".repeat(400));
        for i in 0..80 {
            reply = reply.with_bullets(
                Some(format!("Dimension {i}")),
                vec![long_item.clone(), "short".into()],
            );
        }
        let fields = (0..25)
            .map(|i| Field::new(format!("L{i}"), "v".repeat(3000)))
            .collect();
        reply = reply.with_fields(fields);
        let rendered = render(&reply, 0, Some(&|page| format!("more:{page}")));
        assert_eq!(rendered.blocks.len(), MAX_BLOCKS);
        assert!(rendered.truncated);
        assert!(
            text_lengths(&rendered.blocks)
                .iter()
                .all(|len| *len <= MAX_SECTION_TEXT)
        );
        let json = serde_json::to_value(&rendered.blocks).expect("serialises");
        assert_eq!(json[0]["type"], "header");
        assert_eq!(
            json[0]["text"]["text"]
                .as_str()
                .expect("text")
                .chars()
                .count(),
            MAX_HEADER
        );
        let last = &json[MAX_BLOCKS - 1];
        assert_eq!(last["type"], "actions");
        assert_eq!(last["elements"][0]["action_id"], actions::SHOW_MORE);
        assert_eq!(last["elements"][0]["value"], "more:1");

        // The second page continues where the first stopped, and the last page has no button.
        let second = render(&reply, 1, Some(&|page| format!("more:{page}")));
        assert!(!second.blocks.is_empty());
        let mut page = 1;
        while render(&reply, page, Some(&|p| format!("more:{p}"))).truncated {
            page += 1;
        }
        let last_page = render(&reply, page, Some(&|p| format!("more:{p}")));
        assert!(last_page.blocks.len() <= MAX_BLOCKS);
    }

    #[test]
    fn fields_are_split_into_sections_of_ten() {
        let fields = (0..23).map(|i| Field::new(format!("L{i}"), "v")).collect();
        let rendered = render(&Reply::new().with_fields(fields), 0, None);
        let json = serde_json::to_value(&rendered.blocks).expect("serialises");
        let counts: Vec<usize> = json
            .as_array()
            .expect("array")
            .iter()
            .map(|block| block["fields"].as_array().map_or(0, Vec::len))
            .collect();
        assert_eq!(counts, [10, 10, 3]);
    }

    #[test]
    fn each_items_actions_get_their_own_block_id_and_other_actions_none() {
        let button = |value: &str| Action::Button {
            label: "Snooze 1 week".into(),
            action_id: "checkin.snooze_week".into(),
            value: value.into(),
            primary: false,
            typed: None,
        };
        let item = |item: &str| Block::Actions {
            actions: vec![button(item)],
            item: Some(item.into()),
        };
        let mut reply = Reply::new().with_actions(vec![button("plain")]);
        reply.blocks.extend([item("U1"), item("U2"), item("U1")]);
        let json = serde_json::to_value(render(&reply, 0, None).blocks).expect("serialises");
        let ids: Vec<&serde_json::Value> = (0..4).map(|i| &json[i]["block_id"]).collect();
        assert_eq!(
            ids,
            [
                &serde_json::Value::Null,
                &serde_json::json!("item:U1"),
                &serde_json::json!("item:U2"),
                &serde_json::json!("item:U1#2")
            ],
            "distinct within the message"
        );
    }

    #[test]
    fn a_reply_fits_while_render_keeps_it_whole() {
        let paragraphs = |count: usize| {
            (0..count).fold(Reply::new(), |reply, i| {
                reply.with_paragraph(format!("paragraph {i}"))
            })
        };
        assert!(fits(&paragraphs(MAX_BLOCKS - 1)));
        assert!(!fits(&paragraphs(MAX_BLOCKS)));
        assert!(!render(&paragraphs(MAX_BLOCKS - 1), 0, None).truncated);
    }

    #[test]
    fn buttons_carry_action_id_value_and_style() {
        let reply = Reply::new().with_actions(vec![Action::Button {
            label: "We had the conversation".into(),
            action_id: "checkin.record".into(),
            value: "U2".into(),
            primary: true,
            typed: None,
        }]);
        let json = serde_json::to_value(render(&reply, 0, None).blocks).expect("serialises");
        let button = &json[0]["elements"][0];
        assert_eq!(button["type"], "button");
        assert_eq!(button["action_id"], "checkin.record");
        assert_eq!(button["value"], "U2");
        assert_eq!(button["style"], "primary");
    }
}
