//! Text that can name people: words and mentions of users, in order. A mention is its own
//! element, so each renderer writes it for its medium (Slack's `<@U123>`, the terminal's
//! `@U123`) and words never carry markup.
//!
//! ```
//! use career_bot::reply::Text;
//!
//! let text = Text::from("Reminder for ").mention("U123").push(": talk soon.");
//! assert_eq!(text.to_string(), "Reminder for @U123: talk soon.");
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::legacy;

/// One element of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inline {
    /// Words, shown as they are: a renderer escapes them for its medium, so markup in them
    /// (a user's `<@U123>` or `<!channel>`) stays inert.
    Text(String),
    /// A user, by id.
    Mention(String),
}

/// Words and mentions, in order. Plain strings convert into it (one text element).
///
/// Stored as a list of elements; a plain string is read as text written before mentions were
/// elements, where `<@ID>` meant a mention (read by `reply::legacy`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    parts: Vec<Inline>,
}

impl Text {
    /// Empty text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds words at the end.
    pub fn push(mut self, words: impl AsRef<str>) -> Self {
        self.push_words(words.as_ref());
        self
    }

    /// Adds a mention of `user_id` at the end.
    pub fn mention(mut self, user_id: impl AsRef<str>) -> Self {
        self.parts
            .push(Inline::Mention(user_id.as_ref().to_owned()));
        self
    }

    /// Adds all of `other` at the end.
    pub fn append(mut self, other: Text) -> Self {
        other
            .parts
            .into_iter()
            .for_each(|part| self.push_part(part));
        self
    }

    /// Words with people in them: each `{@}` in `template` becomes a mention of the next of
    /// `people`, in order (extra placeholders stay as written). Handy with `format!`, where
    /// the placeholder is written `{{@}}`. Templates are the bot's own words: text a user
    /// typed never goes into one (push it as words instead), so it cannot make a mention.
    pub fn template(template: &str, people: &[&str]) -> Self {
        Self::template_of(template, people)
    }

    /// [`Text::template`] for any kind of id.
    pub fn template_of<Id: AsRef<str>>(template: &str, people: &[Id]) -> Self {
        let mut text = Self::new();
        let mut people = people.iter();
        let mut rest = template;
        while let Some(at) = rest.find("{@}") {
            let Some(person) = people.next() else {
                break;
            };
            text = text.push(&rest[..at]).mention(person.as_ref());
            rest = &rest[at + 3..];
        }
        text.push(rest)
    }

    /// Words about one person: every `{@}` in `template` is a mention of `person`.
    pub fn about(template: &str, person: impl AsRef<str>) -> Self {
        let count = template.matches("{@}").count();
        Self::template(template, &vec![person.as_ref(); count])
    }

    /// The elements, in order. Neighbouring words are always one element.
    pub fn parts(&self) -> &[Inline] {
        &self.parts
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    fn push_part(&mut self, part: Inline) {
        match part {
            Inline::Text(words) => self.push_words(&words),
            mention @ Inline::Mention(_) => self.parts.push(mention),
        }
    }

    fn push_words(&mut self, words: &str) {
        if words.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(Inline::Text(last)) => last.push_str(words),
            _ => self.parts.push(Inline::Text(words.to_owned())),
        }
    }
}

/// The plain reading, as the terminal shows it: words as they are, a mention as `@ID`.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Inline::Text(words) => f.write_str(words)?,
                Inline::Mention(user_id) => write!(f, "@{user_id}")?,
            }
        }
        Ok(())
    }
}

impl From<String> for Text {
    fn from(words: String) -> Self {
        Self::new().push(words)
    }
}

impl From<&String> for Text {
    fn from(words: &String) -> Self {
        Self::new().push(words)
    }
}

impl From<&str> for Text {
    fn from(words: &str) -> Self {
        Self::new().push(words)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.parts.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Parts(Vec<Inline>),
            Markup(String),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Parts(parts) => {
                let mut text = Text::new();
                parts.into_iter().for_each(|part| text.push_part(part));
                text
            }
            Stored::Markup(markup) => legacy::read(&markup),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_puts_each_person_where_the_placeholder_is() {
        let text = Text::template("{@} is on {@}'s team", &["U1", "U2"]);
        assert_eq!(
            text.parts(),
            [
                Inline::Mention("U1".into()),
                Inline::Text(" is on ".into()),
                Inline::Mention("U2".into()),
                Inline::Text("'s team".into()),
            ]
        );
        assert_eq!(
            Text::template("{@} and {@}", &["U1"]).to_string(),
            "@U1 and {@}"
        );
    }

    #[test]
    fn neighbouring_words_merge_and_mentions_stay_apart() {
        let text = Text::from("a")
            .push("b")
            .mention("U1")
            .push("")
            .append(Text::from("c").mention("U2"));
        assert_eq!(
            text.parts(),
            [
                Inline::Text("ab".into()),
                Inline::Mention("U1".into()),
                Inline::Text("c".into()),
                Inline::Mention("U2".into()),
            ]
        );
        assert_eq!(text.to_string(), "ab@U1c@U2");
    }

    #[test]
    fn text_round_trips_as_a_list_of_elements() {
        let text = Text::from("ask ").mention("U1").push(" about <@U2>");
        let json = serde_json::to_string(&text).expect("serialises");
        assert_eq!(
            json,
            r#"[{"text":"ask "},{"mention":"U1"},{"text":" about <@U2>"}]"#
        );
        let read: Text = serde_json::from_str(&json).expect("reads");
        assert_eq!(read, text, "the user's <@U2> stays words");
    }

    #[test]
    fn a_stored_plain_string_reads_its_mentions() {
        let read: Text = serde_json::from_str(r#""with <@U1> & co""#).expect("reads");
        assert_eq!(read, Text::from("with ").mention("U1").push(" & co"));
    }
}
