//! The "We had the conversation" modal: date, level discussed, focus areas agreed (up to
//! three dimensions of the report's framework), next steps, private note. Its submission runs
//! the same `done` as `done @person --focus … --next …`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use crate::bot::command::MAX_FOCUS;
use crate::frameworks::Framework;
use crate::ids::UserId;

/// The modal's callback id.
pub const CALLBACK_ID: &str = "checkin.record";
const DATE_BLOCK: &str = "date";
const LEVEL_BLOCK: &str = "level";
const NOTE_BLOCK: &str = "note";
const FOCUS_BLOCK: &str = "focus";
const NEXT_BLOCK: &str = "next_steps";
/// Slack refuses a select with more options than this.
const MAX_OPTIONS: usize = 100;
/// Slack refuses an option value longer than this.
const MAX_OPTION_VALUE: usize = 150;

/// What the modal carries from the click to the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModalContext {
    /// The report.
    pub report: UserId,
    /// The conversation cycle the button was for (see `messages::cycle_value`).
    pub anchor: NaiveDate,
    /// The message to update afterwards.
    pub channel: Option<String>,
    /// Its ts.
    pub ts: Option<String>,
    /// The block of the person's buttons, when the message lists several people (only those
    /// are settled afterwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// The modal for recording a conversation with `report` (shown as `report_label`);
/// `focus_choices` are the dimensions it can agree as focus areas (no field when none).
pub fn view(
    context: &ModalContext,
    report_label: &str,
    framework: Option<&Framework>,
    level: Option<u32>,
    focus_choices: &[String],
    today: NaiveDate,
) -> SlackView {
    let mut blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(md!(format!("Career conversation with {report_label}")))
            .into(),
        SlackInputBlock::new(
            pt!("Date"),
            SlackBlockDatePickerElement::new()
                .with_action_id(DATE_BLOCK.into())
                .with_initial_date(today.format("%Y-%m-%d").to_string())
                .into(),
        )
        .with_block_id(DATE_BLOCK.into())
        .into(),
    ];
    if let Some(framework) = framework {
        let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = framework
            .levels
            .iter()
            .map(|l| {
                SlackBlockChoiceItem::new(
                    pt!(super::blocks::shorten(&l.label(), 75)),
                    l.number.to_string(),
                )
            })
            .collect();
        let initial = level.and_then(|level| {
            options
                .iter()
                .find(|o| o.value == level.to_string())
                .cloned()
        });
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(LEVEL_BLOCK.into())
            .with_options(options);
        if let Some(initial) = initial {
            select = select.with_initial_option(initial);
        }
        blocks.push(
            SlackInputBlock::new(pt!("Level discussed"), select.into())
                .with_block_id(LEVEL_BLOCK.into())
                .into(),
        );
    }
    if !focus_choices.is_empty() {
        // The value is the dimension's name (a long one cut to a prefix, which `done` matches
        // as it matches a typed prefix), so the submission reads like `--focus`.
        let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = focus_choices
            .iter()
            .take(MAX_OPTIONS)
            .map(|name| {
                SlackBlockChoiceItem::new(
                    pt!(super::blocks::shorten(name, 75)),
                    prefix(name, MAX_OPTION_VALUE).to_owned(),
                )
            })
            .collect();
        let select = SlackBlockMultiStaticSelectElement::new()
            .with_action_id(FOCUS_BLOCK.into())
            .with_options(options)
            .with_max_selected_items(MAX_FOCUS as u64);
        blocks.push(
            SlackInputBlock::new(pt!("Focus areas (up to three)"), select.into())
                .with_block_id(FOCUS_BLOCK.into())
                .with_optional(true)
                .into(),
        );
    }
    blocks.push(
        SlackInputBlock::new(
            pt!("Next steps (you both see them)"),
            SlackBlockPlainTextInputElement::new()
                .with_action_id(NEXT_BLOCK.into())
                .with_multiline(true)
                .into(),
        )
        .with_block_id(NEXT_BLOCK.into())
        .with_optional(true)
        .into(),
    );
    blocks.push(
        SlackInputBlock::new(
            pt!("Private note (only you will see it)"),
            SlackBlockPlainTextInputElement::new()
                .with_action_id(NOTE_BLOCK.into())
                .with_multiline(true)
                .into(),
        )
        .with_block_id(NOTE_BLOCK.into())
        .with_optional(true)
        .into(),
    );
    SlackView::Modal(
        SlackModalView::new(pt!("Career conversation"), blocks)
            .with_callback_id(CALLBACK_ID.into())
            .with_submit(pt!("Record"))
            .with_close(pt!("Cancel"))
            .with_private_metadata(serde_json::to_string(context).unwrap_or_default()),
    )
}

/// What was submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The context from the click.
    pub context: ModalContext,
    /// The date picked.
    pub date: Option<NaiveDate>,
    /// The level picked.
    pub level: Option<u32>,
    /// The note typed.
    pub note: Option<String>,
    /// The focus areas picked (dimension names, as `--focus` gives them).
    pub focus: Vec<String>,
    /// The next steps typed.
    pub next_steps: Option<String>,
}

/// Reads a submission of this modal; `None` when it is not one.
pub fn submission(view: &SlackStatefulView) -> Option<Submission> {
    let form = super::form::submitted(view, CALLBACK_ID)?;
    Some(Submission {
        context: form.metadata()?,
        date: form
            .value(DATE_BLOCK)
            .and_then(|v| v.selected_date.as_deref())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        level: form
            .selected(LEVEL_BLOCK)
            .and_then(|level| level.parse().ok()),
        note: form.text(NOTE_BLOCK),
        focus: form
            .value(FOCUS_BLOCK)
            .and_then(|v| v.selected_options.as_ref())
            .map(|picked| picked.iter().map(|o| o.value.clone()).collect())
            .unwrap_or_default(),
        next_steps: form.text(NEXT_BLOCK),
    })
}

/// The longest start of `text` of at most `max` characters.
fn prefix(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(end, _)| &text[..end])
}

/// The block id where a date error is shown.
pub fn date_block() -> &'static str {
    DATE_BLOCK
}

#[cfg(test)]
mod tests {
    use super::prefix;

    #[test]
    fn a_long_dimension_name_is_cut_to_a_prefix_on_a_character_boundary() {
        assert_eq!(prefix("Ownership", 150), "Ownership");
        assert_eq!(prefix("Éclat et clarté", 5), "Éclat");
        assert_eq!(prefix(&"é".repeat(200), 150).chars().count(), 150);
    }
}
