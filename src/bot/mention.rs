//! People in commands: `@USER` in the shell, `<@U123>` or `<@U123|name>` from Slack.

use crate::ids::UserId;

/// A person named in a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The chat user id.
    pub user_id: UserId,
    /// The name Slack sent along, if any.
    pub name: Option<String>,
}

/// Reads a mention token; `None` when the token is not one.
pub fn parse(token: &str) -> Option<Mention> {
    if let Some(inner) = token.strip_prefix("<@").and_then(|t| t.strip_suffix('>')) {
        let (id, name) = match inner.split_once('|') {
            Some((id, name)) => (id, Some(name.to_owned()).filter(|n| !n.is_empty())),
            None => (inner, None),
        };
        return UserId::parse(id)
            .ok()
            .map(|user_id| Mention { user_id, name });
    }
    let id = token
        .strip_prefix('@')?
        .trim_end_matches([',', '.', ';', ':', '!', '?']);
    UserId::parse(id).ok().map(|user_id| Mention {
        user_id,
        name: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_slack_and_shell_mentions() {
        assert_eq!(
            parse("<@U123|ana>"),
            Some(Mention {
                user_id: UserId::new("U123"),
                name: Some("ana".into())
            })
        );
        assert_eq!(
            parse("<@U123>").map(|m| m.user_id),
            Some(UserId::new("U123"))
        );
        assert_eq!(parse("@ana,").map(|m| m.user_id), Some(UserId::new("ana")));
        assert_eq!(parse("ana"), None);
        assert_eq!(parse("@"), None);
        assert_eq!(parse("<@U1 2>"), None);
    }
}
