//! The neutral reply: what the bot says, independent of where it is shown.
//!
//! Handlers build a [`Reply`] from [`Block`]s; adapters render it: [`text`] for the terminal and
//! JSON, the Slack adapter to Block Kit. Blocks carry words and mentions of users ([`Text`]),
//! never markup, so each renderer escapes, styles and writes mentions for its own medium.

pub mod actions;
pub mod inline;
mod legacy;
pub mod text;

use serde::{Deserialize, Serialize};

pub use inline::{Inline, Text};

/// A complete answer: an ordered list of blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The blocks, top to bottom.
    pub blocks: Vec<Block>,
}

/// One part of a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A title line.
    Heading {
        /// The title.
        text: Text,
    },
    /// A paragraph of prose.
    Paragraph {
        /// The prose.
        text: Text,
    },
    /// A bullet list, optionally with a label above it.
    Bullets {
        /// The label ("Ownership").
        title: Option<String>,
        /// One entry per bullet.
        items: Vec<Text>,
    },
    /// Short label/value pairs shown side by side ("Focus: Learning").
    Fields {
        /// The pairs.
        fields: Vec<Field>,
    },
    /// A small-print line: the source, a hint.
    Context {
        /// The line.
        text: Text,
    },
    /// Buttons and links.
    Actions {
        /// The actions, left to right.
        actions: Vec<Action>,
        /// The item of a list these actions are about (a report, in a reminder listing
        /// several), so a chat can settle one item's buttons and keep the others'; `None`
        /// when the reply is about one thing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// A separator.
    Divider,
}

/// A label and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// What the value is.
    pub label: String,
    /// The value.
    pub value: Text,
}

/// Something the reader can click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A button that sends `action_id` and `value` back to the bot.
    Button {
        /// The button's text.
        label: String,
        /// What the bot should do.
        action_id: String,
        /// The data it needs (an id, a question).
        value: String,
        /// Whether the button is the main action.
        primary: bool,
        /// What to type in a text adapter (the shell) to do the same as clicking, if anything.
        typed: Option<String>,
    },
    /// A link to a page.
    Link {
        /// The link's text.
        label: String,
        /// Where it goes.
        url: String,
    },
}

impl Reply {
    /// An empty reply.
    pub fn new() -> Self {
        Self::default()
    }

    /// What a text reader would type to follow each button that has a typed form ("compare
    /// buffer-marketing level 3 and level 4"), in order.
    pub fn typed_follow_ups(&self) -> impl Iterator<Item = &str> {
        self.blocks
            .iter()
            .filter_map(|block| match block {
                Block::Actions { actions, .. } => Some(actions),
                _ => None,
            })
            .flatten()
            .filter_map(|action| match action {
                Action::Button {
                    typed: Some(typed), ..
                } => Some(typed.as_str()),
                _ => None,
            })
    }

    /// A reply of one paragraph.
    pub fn paragraph(text: impl Into<Text>) -> Self {
        Self::new().with_paragraph(text)
    }

    /// Adds a heading.
    pub fn with_heading(mut self, text: impl Into<Text>) -> Self {
        self.blocks.push(Block::Heading { text: text.into() });
        self
    }

    /// Adds a paragraph.
    pub fn with_paragraph(mut self, text: impl Into<Text>) -> Self {
        self.blocks.push(Block::Paragraph { text: text.into() });
        self
    }

    /// Adds a bullet list (skipped when `items` is empty).
    pub fn with_bullets(mut self, title: Option<String>, items: Vec<impl Into<Text>>) -> Self {
        if !items.is_empty() {
            let items = items.into_iter().map(Into::into).collect();
            self.blocks.push(Block::Bullets { title, items });
        }
        self
    }

    /// Adds label/value fields (skipped when empty).
    pub fn with_fields(mut self, fields: Vec<Field>) -> Self {
        if !fields.is_empty() {
            self.blocks.push(Block::Fields { fields });
        }
        self
    }

    /// Adds a context line.
    pub fn with_context(mut self, text: impl Into<Text>) -> Self {
        self.blocks.push(Block::Context { text: text.into() });
        self
    }

    /// Adds a row of actions (skipped when empty).
    pub fn with_actions(mut self, actions: Vec<Action>) -> Self {
        if !actions.is_empty() {
            self.blocks.push(Block::Actions {
                actions,
                item: None,
            });
        }
        self
    }

    /// Adds a divider.
    pub fn with_divider(mut self) -> Self {
        self.blocks.push(Block::Divider);
        self
    }

    /// Appends all of `other`'s blocks.
    pub fn append(mut self, other: Reply) -> Self {
        self.blocks.extend(other.blocks);
        self
    }

    /// The text of the first heading or paragraph: a one-line summary of the reply (used to
    /// settle a message after a button was clicked).
    pub fn first_line(&self) -> Option<&Text> {
        self.blocks.iter().find_map(|block| match block {
            Block::Heading { text } | Block::Paragraph { text } => Some(text),
            _ => None,
        })
    }

    /// The reply as plain text (the terminal rendering without colour).
    pub fn to_plain_text(&self) -> String {
        text::render(self)
    }
}

impl Field {
    /// A label/value pair.
    pub fn new(label: impl Into<String>, value: impl Into<Text>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
        }
    }
}
