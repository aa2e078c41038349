//! The "Prepare" modal: the caller's side of an assessment. Each dimension of the level
//! assessed against shows its expectations, a not yet / sometimes / consistently choice and an
//! optional note; the last page adds "what I'd like to talk about" and submits.
//!
//! Slack holds at most 100 blocks in a modal, and each dimension takes three, so a framework
//! with many dimensions is split into pages of [`DIMENSIONS_PER_PAGE`]: "Next" saves the page
//! and shows the next one (`response_action: update`), the last page submits. Nothing is
//! ever rejected by Slack for its size.

use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

use super::blocks::{MAX_SECTION_TEXT, escape, shorten};
use crate::bot::handlers::FormData;
use crate::ids::UserId;

/// The modal's callback id.
pub const CALLBACK_ID: &str = "assess.form";
/// Dimensions on one page: three blocks each, with room for the intro and the topics.
pub const DIMENSIONS_PER_PAGE: usize = 30;
/// Slack's most blocks in a modal.
pub const MAX_MODAL_BLOCKS: usize = 100;
const TOPICS_BLOCK: &str = "topics";
const RATINGS: [(&str, &str); 3] = [
    ("not-yet", "Not yet"),
    ("sometimes", "Sometimes"),
    ("consistently", "Consistently"),
];

/// What the modal carries from page to page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormContext {
    /// The person assessed.
    pub person: UserId,
    /// The page shown (from 0).
    pub page: usize,
}

/// How many pages `dimensions` take.
pub fn page_count(dimensions: usize) -> usize {
    dimensions.div_ceil(DIMENSIONS_PER_PAGE).max(1)
}

fn rating_block(index: usize) -> String {
    format!("r{index}")
}

fn note_block(index: usize) -> String {
    format!("n{index}")
}

/// Page `page` of the form for `form`.
pub fn view(form: &FormData, page: usize) -> SlackView {
    let pages = page_count(form.dimensions.len());
    let page = page.min(pages - 1);
    let last = page + 1 == pages;
    let whose = if form.own {
        "Rate yourself".to_owned()
    } else {
        format!("Rate {}", super::blocks::mention(form.person.as_str()))
    };
    let mut intro = format!(
        "{whose} against *{}*: for each dimension, not yet, sometimes or consistently.",
        escape(&form.level_label)
    );
    if pages > 1 {
        intro.push_str(&format!(" Page {} of {pages}.", page + 1));
    }
    let mut blocks: Vec<SlackBlock> = vec![SlackSectionBlock::new().with_text(md!(intro)).into()];
    let start = page * DIMENSIONS_PER_PAGE;
    for (index, dimension) in form
        .dimensions
        .iter()
        .enumerate()
        .skip(start)
        .take(DIMENSIONS_PER_PAGE)
    {
        let expectations = dimension
            .expectations
            .iter()
            .map(|e| format!("• {}", escape(e)))
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!(shorten(
                    &format!("*{}*\n{expectations}", escape(&dimension.name)),
                    MAX_SECTION_TEXT
                )))
                .into(),
        );
        let options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>> = RATINGS
            .iter()
            .map(|(value, label)| SlackBlockChoiceItem::new(pt!(*label), (*value).to_owned()))
            .collect();
        let initial = dimension
            .rating
            .and_then(|rating| options.iter().find(|o| o.value == rating).cloned());
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(rating_block(index).into())
            .with_options(options);
        if let Some(initial) = initial {
            select = select.with_initial_option(initial);
        }
        blocks.push(
            SlackInputBlock::new(pt!(shorten(&dimension.name, 150)), select.into())
                .with_block_id(rating_block(index).into())
                .with_optional(true)
                .into(),
        );
        let mut note =
            SlackBlockPlainTextInputElement::new().with_action_id(note_block(index).into());
        if let Some(initial) = &dimension.note {
            note = note.with_initial_value(initial.clone());
        }
        blocks.push(
            SlackInputBlock::new(pt!("Note (optional)"), note.into())
                .with_block_id(note_block(index).into())
                .with_optional(true)
                .into(),
        );
    }
    if last {
        let mut topics = SlackBlockPlainTextInputElement::new()
            .with_action_id(TOPICS_BLOCK.into())
            .with_multiline(true);
        if let Some(initial) = &form.topics {
            topics = topics.with_initial_value(initial.clone());
        }
        blocks.push(
            SlackInputBlock::new(pt!("What I'd like to talk about"), topics.into())
                .with_block_id(TOPICS_BLOCK.into())
                .with_optional(true)
                .into(),
        );
    }
    let context = FormContext {
        person: form.person.clone(),
        page,
    };
    SlackView::Modal(
        SlackModalView::new(pt!("Prepare"), blocks)
            .with_callback_id(CALLBACK_ID.into())
            .with_submit(pt!(if last { "Submit" } else { "Next" }))
            .with_close(pt!("Cancel"))
            .with_private_metadata(serde_json::to_string(&context).unwrap_or_default()),
    )
}

/// A submitted page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSubmission {
    /// The context.
    pub context: FormContext,
    /// `(dimension index, rating word, note)` for each rated dimension of the page.
    pub answers: Vec<(usize, String, Option<String>)>,
    /// What the person would like to talk about (last page only).
    pub topics: Option<String>,
}

/// Reads a submission of this modal; `None` when it is not one.
pub fn submission(view: &SlackStatefulView) -> Option<FormSubmission> {
    let form = super::form::submitted(view, CALLBACK_ID)?;
    let context: FormContext = form.metadata()?;
    let start = context.page * DIMENSIONS_PER_PAGE;
    let answers = (start..start + DIMENSIONS_PER_PAGE)
        .filter_map(|index| {
            let rating = form.selected(&rating_block(index))?;
            Some((index, rating, form.text(&note_block(index))))
        })
        .collect();
    Some(FormSubmission {
        topics: form.text(TOPICS_BLOCK),
        context,
        answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::handlers::FormDimension;

    fn form(dimensions: usize) -> FormData {
        FormData {
            person: UserId::new("U1"),
            own: true,
            level_label: "Wide, Level 2".into(),
            dimensions: (0..dimensions)
                .map(|i| FormDimension {
                    name: format!("Dimension {i}"),
                    expectations: vec!["x".repeat(4000)],
                    rating: None,
                    note: None,
                })
                .collect(),
            topics: None,
            submitted_at: None,
        }
    }

    fn blocks(view: &SlackView) -> usize {
        match view {
            SlackView::Modal(modal) => modal.blocks.len(),
            _ => 0,
        }
    }

    #[test]
    fn many_dimensions_are_split_into_pages_within_slacks_limit() {
        let wide = form(75);
        assert_eq!(page_count(75), 3);
        for page in 0..3 {
            assert!(
                blocks(&view(&wide, page)) <= MAX_MODAL_BLOCKS,
                "page {page}"
            );
        }
        assert_eq!(blocks(&view(&form(10), 0)), 1 + 30 + 1);
        assert_eq!(page_count(0), 1);
    }
}
