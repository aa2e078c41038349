//! Slack's escaping of typed text, undone where the text enters the bot.
//!
//! Slack sends the text of a slash command (and of message events) with `&`, `<` and `>`
//! written as `&amp;`, `&lt;` and `&gt;`, so that `<…>` can only be its own markup: a mention
//! `<@U123|ana>`, a channel `<#C1|general>`, `<!channel>`, a link. The bot works on words as
//! people typed them (the shell and the CLI never see entities), and the renderer escapes words
//! once on the way out ([`super::blocks::escape`]); left encoded, a note typed `R&D` would be
//! stored as `R&amp;D` and shown as `R&amp;amp;D`.
//!
//! [`decode`] is applied to command text as it arrives ([`SlackApp::command`] and the question
//! cache, for HTTP and Socket Mode alike). Values that Slack sends raw are not decoded: a
//! modal's `plain_text_input` value, and button values (which the bot wrote itself).
//!
//! Markup stays inert after decoding: `<@U123>` is read as a mention (the person a command
//! names, as Slack's own mention markup is), and everything else a person typed is a word,
//! escaped again whenever it is shown. Nothing typed is ever sent back to Slack as markup.
//!
//! [`SlackApp::command`]: super::app::SlackApp::command

use std::borrow::Cow;

/// `text` with Slack's three entities decoded, in one pass: `&amp;lt;` is the typed
/// characters `&lt;`, never `<`. Any other `&` is left as it is.
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (decoded, length) = if tail.starts_with("&amp;") {
            ('&', 5)
        } else if tail.starts_with("&lt;") {
            ('<', 4)
        } else if tail.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(decoded);
        rest = &tail[length..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::slack::blocks::escape;

    #[test]
    fn decodes_the_three_entities_slack_writes() {
        assert_eq!(decode("R&amp;D review"), "R&D review");
        assert_eq!(decode("a &lt; b &gt; c"), "a < b > c");
        assert_eq!(
            decode("done <@U1|ana> &lt;!channel&gt;"),
            "done <@U1|ana> <!channel>"
        );
    }

    #[test]
    fn decodes_once_never_twice() {
        assert_eq!(decode("&amp;lt;"), "&lt;");
        assert_eq!(decode("&amp;amp;"), "&amp;");
    }

    #[test]
    fn leaves_other_ampersands_and_plain_text_alone() {
        assert_eq!(decode("Q&A & more &quot; &"), "Q&A & more &quot; &");
        assert!(matches!(
            decode("plain words"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(decode("&am"), "&am");
        assert_eq!(decode("ünïcode &amp; ✓"), "ünïcode & ✓");
    }

    #[test]
    fn escaping_for_output_gives_back_what_slack_sent() {
        for sent in [
            "R&amp;D",
            "&lt;@U1&gt; &amp;&amp; &lt;!here&gt;",
            "x &amp;amp; y",
        ] {
            assert_eq!(escape(&decode(sent)), sent);
        }
    }
}
