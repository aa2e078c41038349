//! Typed identifiers: a Slack user, a Slack channel, a framework. Each is a distinct type, so
//! a function that takes a report and a manager (or a person and a framework) cannot have
//! its arguments swapped without the compiler noticing.
//!
//! They are plain values of the core: the store reads and writes them as text
//! (`store::ids`), the Slack adapter converts from and to slack-morphism's own ids.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that is already known to be well formed (from the store, from
            /// Slack, from a parsed command).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }

            /// The inner string, for the store's sqlx impls (which delegate to `String`).
            pub(crate) fn as_string(&self) -> &String {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_id!(
    /// A chat user: a Slack user id (`U…`, `W…`) or, in the shell, a local name.
    UserId
);
/// Why some text is not a user id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserIdError {
    /// Nothing was given.
    #[error("a user id is needed, e.g. U012AB3CD in Slack or a name such as ana in the shell")]
    Empty,
    /// Spaces, punctuation or too long.
    #[error(
        "\"{0}\" is not a user id; write one id alone, e.g. U012AB3CD in Slack or ana in the shell (letters, digits, _ . -; at most 64)"
    )]
    Malformed(String),
}

impl UserId {
    /// The one user-id rule, for commands, the shell and imports: letters, digits, `_`, `.`
    /// and `-`, at most 64 of them. Names are case-insensitive: one with any lowercase
    /// letter is folded to lowercase (`Ana` is `ana`), while one written all in capitals is
    /// kept as it is, as Slack's own ids (`U012AB3CD`) are.
    pub fn parse(text: &str) -> Result<UserId, UserIdError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UserIdError::Empty);
        }
        let well_formed = text.len() <= 64
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !well_formed {
            return Err(UserIdError::Malformed(text.to_owned()));
        }
        if text.chars().any(|c| c.is_ascii_lowercase()) {
            Ok(UserId(text.to_ascii_lowercase()))
        } else {
            Ok(UserId(text.to_owned()))
        }
    }
}

string_id!(
    /// A chat channel: a Slack channel id (`C…`, `G…`, `D…`) or, in the shell, a name.
    ChannelId
);
string_id!(
    /// A framework's id, as declared in its file (`buffer-marketing`).
    FrameworkId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_and_compare_as_their_text() {
        let user = UserId::new("U123");
        assert_eq!(user.to_string(), "U123");
        assert_eq!(user, "U123");
        assert_eq!(user.as_str(), "U123");
        assert_eq!(
            FrameworkId::new("buffer-marketing").into_string(),
            "buffer-marketing"
        );
    }

    #[test]
    fn one_user_id_rule_folds_names_and_keeps_slack_ids() {
        assert_eq!(UserId::parse("Ana"), Ok(UserId::new("ana")));
        assert_eq!(UserId::parse(" ana "), Ok(UserId::new("ana")));
        assert_eq!(UserId::parse("U012AB3CD"), Ok(UserId::new("U012AB3CD")));
        assert_eq!(UserId::parse("U_ADMIN"), Ok(UserId::new("U_ADMIN")));
        assert_eq!(UserId::parse(""), Err(UserIdError::Empty));
        for bad in ["ana bob", "<@U1>", "a/b", &"x".repeat(65)] {
            assert!(
                matches!(UserId::parse(bad), Err(UserIdError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn ids_serialise_as_plain_strings() {
        let json = serde_json::to_string(&ChannelId::new("C9")).expect("json");
        assert_eq!(json, "\"C9\"");
        let back: ChannelId = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, ChannelId::new("C9"));
    }
}
