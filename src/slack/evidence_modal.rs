//! The "Log as evidence" modal, opened by the message shortcut: what was done (the message's
//! text), its link, the dimension (the suggested one chosen), a note, and whom it is for
//! (yourself, or one of your reports).
//!
//! Within Block Kit's limits: the text input holds at most 3,000 characters (the evidence
//! limit), option texts 75, a select 100 options (99 reports and yourself; more are left out
//! and the modal says so).

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use super::blocks::shorten;
use crate::bot::handlers::DimensionChoice;
use crate::frameworks::Framework;
use crate::ids::UserId;
use crate::store::evidence::MAX_EVIDENCE_CHARS;

/// The message shortcut's callback id (declared in `deploy/slack-app-manifest.yaml`).
pub const SHORTCUT_CALLBACK_ID: &str = "log_evidence";
/// The modal's callback id.
pub const CALLBACK_ID: &str = "evidence.log";
/// The block of the text input, where errors are shown.
pub const TEXT_BLOCK: &str = "text";
const LINK_BLOCK: &str = "link";
const DIMENSION_BLOCK: &str = "dimension";
const NOTE_BLOCK: &str = "note";
const FOR_BLOCK: &str = "for";
const AUTO: &str = "auto";
const UNTAGGED: &str = "untagged";
/// Slack's most options in one select.
const MAX_OPTIONS: usize = 100;

/// What the modal carries from the shortcut to the submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceContext {
    /// Where to confirm, ephemerally: the shortcut's `response_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_url: Option<SlackResponseUrl>,
}

/// The dimension to choose first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggested {
    /// The framework's id.
    pub framework: String,
    /// The dimension's name.
    pub dimension: String,
}

/// What the modal offers.
pub struct EvidenceModal<'a> {
    /// The message's words, readable (see [`readable`]).
    pub text: &'a str,
    /// The message's permalink.
    pub link: Option<&'a str>,
    /// The frameworks whose dimensions can be picked (the caller's and their reports').
    pub frameworks: Vec<&'a Framework>,
    /// The dimension chosen first.
    pub suggested: Option<Suggested>,
    /// The caller's reports, with the names to show.
    pub reports: Vec<(UserId, String)>,
    /// The caller.
    pub caller: &'a UserId,
}

fn option(text: &str, value: String) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    SlackBlockChoiceItem::new(pt!(shorten(text, 75)), value)
}

/// The value of a dimension option: `d:FRAMEWORK:DIMENSION`.
fn dimension_value(framework: &str, dimension: &str) -> String {
    // Slack allows 150 characters in a value.
    shorten(&format!("d:{framework}:{dimension}"), 150)
}

/// The modal.
pub fn view(modal: &EvidenceModal<'_>, context: &EvidenceContext) -> SlackView {
    let text: String = modal.text.chars().take(MAX_EVIDENCE_CHARS).collect();
    let mut text_input = SlackBlockPlainTextInputElement::new()
        .with_action_id(TEXT_BLOCK.into())
        .with_multiline(true)
        .with_max_length(MAX_EVIDENCE_CHARS as u64);
    if !text.trim().is_empty() {
        text_input = text_input.with_initial_value(text);
    }
    let mut link_input = SlackBlockPlainTextInputElement::new().with_action_id(LINK_BLOCK.into());
    if let Some(link) = modal.link {
        link_input = link_input.with_initial_value(link.to_owned());
    }
    let mut blocks: Vec<SlackBlock> = vec![
        SlackInputBlock::new(pt!("What was done"), text_input.into())
            .with_block_id(TEXT_BLOCK.into())
            .into(),
        SlackInputBlock::new(pt!("Link"), link_input.into())
            .with_block_id(LINK_BLOCK.into())
            .with_optional(true)
            .into(),
    ];
    if !modal.frameworks.is_empty() {
        let choose = option("Choose for me from the text", AUTO.to_owned());
        let mut groups = vec![SlackBlockOptionGroup::new(
            pt!("Any"),
            vec![choose.clone(), option("Untagged", UNTAGGED.to_owned())],
        )];
        let mut initial = choose;
        for framework in &modal.frameworks {
            let options: Vec<_> = crate::ask::tagging::dimension_names(framework)
                .into_iter()
                .take(MAX_OPTIONS)
                .map(|name| option(name, dimension_value(&framework.id, name)))
                .collect();
            if let Some(suggested) = &modal.suggested
                && suggested.framework == framework.id
                && let Some(found) = options
                    .iter()
                    .find(|o| o.value == dimension_value(&framework.id, &suggested.dimension))
            {
                initial = found.clone();
            }
            groups.push(SlackBlockOptionGroup::new(
                pt!(shorten(&framework.name, 75)),
                options,
            ));
        }
        groups.truncate(MAX_OPTIONS);
        let select = SlackBlockStaticSelectElement::new()
            .with_action_id(DIMENSION_BLOCK.into())
            .with_option_groups(groups)
            .with_initial_option(initial);
        blocks.push(
            SlackInputBlock::new(pt!("Dimension"), select.into())
                .with_block_id(DIMENSION_BLOCK.into())
                .into(),
        );
    }
    blocks.push(
        SlackInputBlock::new(
            pt!("Note"),
            SlackBlockPlainTextInputElement::new()
                .with_action_id(NOTE_BLOCK.into())
                .with_multiline(true)
                .with_max_length(MAX_EVIDENCE_CHARS as u64)
                .into(),
        )
        .with_block_id(NOTE_BLOCK.into())
        .with_optional(true)
        .into(),
    );
    if !modal.reports.is_empty() {
        let yourself = option("Yourself", modal.caller.to_string());
        let mut options = vec![yourself.clone()];
        options.extend(
            modal
                .reports
                .iter()
                .take(MAX_OPTIONS - 1)
                .map(|(id, name)| option(name, id.to_string())),
        );
        let select = SlackBlockStaticSelectElement::new()
            .with_action_id(FOR_BLOCK.into())
            .with_options(options)
            .with_initial_option(yourself);
        blocks.push(
            SlackInputBlock::new(pt!("For"), select.into())
                .with_block_id(FOR_BLOCK.into())
                .with_hint(pt!(if modal.reports.len() >= MAX_OPTIONS {
                    "A report you log for is told, and sees it. (Only your first 99 reports are listed; type `log @person …` for the others.)"
                } else {
                    "A report you log for is told, and sees it."
                }))
                .into(),
        );
    }
    SlackView::Modal(
        SlackModalView::new(pt!("Log as evidence"), blocks)
            .with_callback_id(CALLBACK_ID.into())
            .with_submit(pt!("Log"))
            .with_close(pt!("Cancel"))
            .with_private_metadata(serde_json::to_string(context).unwrap_or_default()),
    )
}

/// What was submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The context from the shortcut.
    pub context: EvidenceContext,
    /// The view's id: the once-only key.
    pub view_id: String,
    /// What was done.
    pub text: String,
    /// The link.
    pub link: Option<String>,
    /// The dimension picked (choose for me when the modal had no select).
    pub dimension: DimensionChoice,
    /// The note.
    pub note: Option<String>,
    /// Whom it is for, when someone was picked.
    pub person: Option<UserId>,
}

/// Reads a submission of this modal; `None` when it is not one.
pub fn submission(view: &SlackStatefulView) -> Option<Submission> {
    let form = super::form::submitted(view, CALLBACK_ID)?;
    // A form without its context still logs; only the confirmation goes by DM then.
    let context: EvidenceContext = form.metadata().unwrap_or_default();
    let typed = |block: &str| form.text(block);
    let selected = |block: &str| form.selected(block);
    let dimension = match selected(DIMENSION_BLOCK).as_deref() {
        None | Some(AUTO) => DimensionChoice::Auto,
        Some(UNTAGGED) => DimensionChoice::Untagged,
        Some(other) => match other
            .strip_prefix("d:")
            .and_then(|rest| rest.split_once(':'))
        {
            Some((framework, dimension)) => DimensionChoice::Named {
                framework: framework.to_owned(),
                dimension: dimension.to_owned(),
            },
            None => DimensionChoice::Auto,
        },
    };
    Some(Submission {
        context,
        view_id: view.state_params.id.to_string(),
        text: typed(TEXT_BLOCK).unwrap_or_default(),
        link: typed(LINK_BLOCK),
        dimension,
        note: typed(NOTE_BLOCK),
        person: selected(FOR_BLOCK).map(UserId::new),
    })
}

/// A message's text as Slack sends it, made readable for the form: `<URL|label>` is
/// `label (URL)`, `<URL>` the URL, `<@U1|ana>` `@ana`, `<#C1|general>` `#general`,
/// `<!here>` `@here`, and `&amp;`, `&lt;`, `&gt;` the characters. Nothing in it is markup
/// afterwards: the form's input shows it as it is, and the bot escapes it when it shows it.
pub fn readable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = &after[..close];
        let (target, label) = match inner.split_once('|') {
            Some((target, label)) => (target, Some(label)),
            None => (inner, None),
        };
        let shown = match target.chars().next() {
            Some('@') => format!("@{}", label.unwrap_or(&target[1..])),
            Some('#') => format!("#{}", label.unwrap_or(&target[1..])),
            Some('!') => format!("@{}", label.unwrap_or(&target[1..])),
            _ => match label {
                Some(label) if label != target => format!("{label} ({target})"),
                _ => target.to_owned(),
            },
        };
        out.push_str(&shown);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    super::entities::decode(&out).into_owned()
}

/// A message's permalink made from the workspace's domain, for when `chat.getPermalink`
/// cannot be asked (the bot cannot see the conversation): Slack's own format, with the
/// thread for a reply.
pub fn fallback_permalink(
    domain: &str,
    channel: &str,
    ts: &str,
    thread_ts: Option<&str>,
) -> String {
    let mut link = format!(
        "https://{domain}.slack.com/archives/{channel}/p{}",
        ts.replace('.', "")
    );
    if let Some(thread) = thread_ts.filter(|thread| *thread != ts) {
        link.push_str(&format!("?thread_ts={thread}&cid={channel}"));
    }
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_markup_in_a_message_becomes_plain_words() {
        assert_eq!(
            readable(
                "Thanks <@U1|ana> &amp; <@U2>! See <https://x.test/pr/1|the PR> in <#C1|eng> <!here> <https://y.test>"
            ),
            "Thanks @ana & @U2! See the PR (https://x.test/pr/1) in #eng @here https://y.test"
        );
        assert_eq!(readable("a &lt;b&gt; c < d"), "a <b> c < d");
    }

    #[test]
    fn the_form_stays_within_block_kit_limits_with_many_reports_and_a_long_text() {
        let library =
            crate::frameworks::load(&[crate::frameworks::FrameworkSource::Bundled]).library;
        let caller = UserId::new("U_BOSS");
        let reports: Vec<(UserId, String)> = (0..150)
            .map(|n| {
                (
                    UserId::new(format!("U{n}")),
                    format!("Report {n} {}", "x".repeat(100)),
                )
            })
            .collect();
        let text = "y".repeat(4_000);
        let modal = EvidenceModal {
            text: &text,
            link: Some("https://fake.slack.com/archives/C1/p1"),
            frameworks: library.frameworks().iter().collect(),
            suggested: Some(Suggested {
                framework: "buffer-marketing".into(),
                dimension: "Ownership".into(),
            }),
            reports,
            caller: &caller,
        };
        let view = serde_json::to_value(view(&modal, &EvidenceContext::default())).expect("json");
        let blocks = view["blocks"].as_array().expect("blocks");
        let element = |id: &str| {
            blocks
                .iter()
                .find(|b| b["block_id"] == id)
                .map(|b| b["element"].clone())
                .expect(id)
        };
        assert_eq!(
            element(TEXT_BLOCK)["initial_value"]
                .as_str()
                .map(|t| t.chars().count()),
            Some(MAX_EVIDENCE_CHARS)
        );
        let people = element(FOR_BLOCK)["options"]
            .as_array()
            .expect("options")
            .clone();
        assert_eq!(people.len(), MAX_OPTIONS);
        assert!(people.iter().all(|o| {
            o["text"]["text"]
                .as_str()
                .is_some_and(|t| t.chars().count() <= 75)
        }));
        let dimension = element(DIMENSION_BLOCK);
        assert_eq!(
            dimension["initial_option"]["value"],
            "d:buffer-marketing:Ownership"
        );
        let groups = dimension["option_groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 1 + library.frameworks().len());
    }

    #[test]
    fn a_permalink_is_made_from_the_domain_with_the_thread_of_a_reply() {
        assert_eq!(
            fallback_permalink("acme", "C1", "1700000000.000100", None),
            "https://acme.slack.com/archives/C1/p1700000000000100"
        );
        assert_eq!(
            fallback_permalink("acme", "C1", "1700000000.000200", Some("1700000000.000100")),
            "https://acme.slack.com/archives/C1/p1700000000000200?thread_ts=1700000000.000100&cid=C1"
        );
    }
}
