//! Reading text stored before mentions were their own element: replies queued in the outbox
//! by an older version hold plain strings in which `<@ID>` (or `<@ID|name>`) meant a mention,
//! and both renderers treated it so. Such text is read back into words and mentions.

use super::inline::Text;

/// `markup` as [`Text`], each `<@ID>` or `<@ID|name>` read as a mention of ID.
pub fn read(markup: &str) -> Text {
    let mut text = Text::new();
    let mut rest = markup;
    while let Some(start) = rest.find("<@") {
        let (before, tail) = rest.split_at(start);
        text = text.push(before);
        match mention_at_start(tail) {
            Some((user_id, length)) => {
                text = text.mention(user_id);
                rest = &tail[length..];
            }
            None => {
                text = text.push("<@");
                rest = &tail[2..];
            }
        }
    }
    text.push(rest)
}

/// The user id of the `<@ID>` or `<@ID|name>` mention `text` starts with, and its length.
fn mention_at_start(text: &str) -> Option<(&str, usize)> {
    let inner = text.strip_prefix("<@")?;
    let end = inner.find('>')?;
    let body = &inner[..end];
    let user_id = body.split_once('|').map_or(body, |(user_id, _)| user_id);
    let valid = !user_id.is_empty()
        && user_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !body.contains(['<', '\n']);
    valid.then_some((user_id, end + 3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_become_elements_and_the_rest_stays_words() {
        assert_eq!(
            read("ask <@U1> or <@U2|ana>."),
            Text::from("ask ")
                .mention("U1")
                .push(" or ")
                .mention("U2")
                .push(".")
        );
        assert_eq!(read("a <@ broken"), Text::from("a <@ broken"));
        assert_eq!(
            read("<@not a mention> & <b>"),
            Text::from("<@not a mention> & <b>")
        );
        assert_eq!(read(""), Text::new());
    }

    #[test]
    fn a_reply_stored_by_an_older_version_still_reads() {
        use crate::reply::{Action, Field, Reply};

        // An outbox payload as versions before mention elements wrote it.
        let stored = r#"{"blocks":[
            {"type":"heading","text":"Overdue career conversations: 1"},
            {"type":"paragraph","text":"<@U_ANA> says it did not happen. Their reason: \"a & b\"."},
            {"type":"bullets","title":"Team","items":["<@U_ANA> (manager <@U_BOSS>): late"]},
            {"type":"fields","fields":[{"label":"Manager","value":"<@U_BOSS>"}]},
            {"type":"context","text":"Reminder 1"},
            {"type":"actions","actions":[{"kind":"button","label":"Ack","action_id":"checkin.ack",
                "value":"7","primary":true,"typed":"ack"}]},
            {"type":"divider"}
        ]}"#;
        let reply: Reply = serde_json::from_str(stored).expect("an old payload reads");
        let expected = Reply::new()
            .with_heading("Overdue career conversations: 1")
            .with_paragraph(
                Text::new()
                    .mention("U_ANA")
                    .push(" says it did not happen. Their reason: \"a & b\"."),
            )
            .with_bullets(
                Some("Team".to_owned()),
                vec![
                    Text::new()
                        .mention("U_ANA")
                        .push(" (manager ")
                        .mention("U_BOSS")
                        .push("): late"),
                ],
            )
            .with_fields(vec![Field::new("Manager", Text::new().mention("U_BOSS"))])
            .with_context("Reminder 1")
            .with_actions(vec![Action::Button {
                label: "Ack".to_owned(),
                action_id: "checkin.ack".to_owned(),
                value: "7".to_owned(),
                primary: true,
                typed: Some("ack".to_owned()),
            }])
            .with_divider();
        assert_eq!(reply, expected);

        // Written again, it is in the current form and reads back the same.
        let rewritten = serde_json::to_string(&reply).expect("serialises");
        assert!(rewritten.contains(r#"{"mention":"U_ANA"}"#), "{rewritten}");
        assert_eq!(
            serde_json::from_str::<Reply>(&rewritten).expect("reads"),
            expected
        );
    }
}
