//! Reading a submitted modal, shared by the bot's forms ([`super::modal`],
//! [`super::assess_modal`], [`super::evidence_modal`]): whether it is the form with a given
//! callback id, what it carried in `private_metadata` (JSON), and the value of each input,
//! found by its block id (each form uses the block id as the action id too).

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use slack_morphism::prelude::*;

/// A submission of one of the bot's forms.
pub struct Submitted<'v> {
    metadata: Option<&'v str>,
    values: Option<&'v HashMap<SlackBlockId, HashMap<SlackActionId, SlackViewStateValue>>>,
}

/// `view` as a submission of the modal whose callback id is `callback_id`; `None` when it is
/// another view.
pub fn submitted<'v>(view: &'v SlackStatefulView, callback_id: &str) -> Option<Submitted<'v>> {
    let SlackView::Modal(modal) = &view.view else {
        return None;
    };
    if modal.callback_id.as_ref().map(|id| id.0.as_str()) != Some(callback_id) {
        return None;
    }
    Some(Submitted {
        metadata: modal.private_metadata.as_deref(),
        values: view.state_params.state.as_ref().map(|state| &state.values),
    })
}

impl<'v> Submitted<'v> {
    /// What the form carried from when it was opened; `None` when it carried nothing or
    /// something else.
    pub fn metadata<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(self.metadata?).ok()
    }

    /// The state of the input in `block`.
    pub fn value(&self, block: &str) -> Option<&'v SlackViewStateValue> {
        self.values?
            .get(&block.to_owned().into())?
            .get(&block.to_owned().into())
    }

    /// The text typed in `block`, trimmed; `None` when nothing but blanks was typed.
    pub fn text(&self, block: &str) -> Option<String> {
        self.value(block)?
            .value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    }

    /// The value of the option picked in `block`.
    pub fn selected(&self, block: &str) -> Option<String> {
        Some(self.value(block)?.selected_option.as_ref()?.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(callback_id: &str, metadata: Option<&str>) -> SlackStatefulView {
        serde_json::from_value(serde_json::json!({
            "id": "V1",
            "team_id": "T1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "title": { "type": "plain_text", "text": "Form" },
            "blocks": [],
            "hash": "1.a",
            "state": { "values": {
                "note": { "note": { "type": "plain_text_input", "value": "  kept  " } },
                "blank": { "blank": { "type": "plain_text_input", "value": "   " } },
                "level": { "level": { "type": "static_select", "selected_option": {
                    "text": { "type": "plain_text", "text": "Level 2" }, "value": "2" } } }
            } }
        }))
        .expect("a view")
    }

    #[test]
    fn a_submission_is_read_by_callback_id_metadata_and_block() {
        let view = view("form.a", Some(r#"{"n":3}"#));
        assert!(submitted(&view, "form.b").is_none(), "another form");
        let form = submitted(&view, "form.a").expect("this form");
        #[derive(serde::Deserialize, PartialEq, Debug)]
        struct Carried {
            n: u32,
        }
        assert_eq!(form.metadata::<Carried>(), Some(Carried { n: 3 }));
        assert_eq!(form.text("note").as_deref(), Some("kept"));
        assert_eq!(form.text("blank"), None);
        assert_eq!(form.text("missing"), None);
        assert_eq!(form.selected("level").as_deref(), Some("2"));
        assert_eq!(form.selected("note"), None);
    }

    #[test]
    fn missing_or_foreign_metadata_reads_as_none() {
        let none = view("form.a", None);
        let form = submitted(&none, "form.a").expect("this form");
        assert_eq!(form.metadata::<u32>(), None);
        let foreign = view("form.a", Some("not json"));
        let form = submitted(&foreign, "form.a").expect("this form");
        assert_eq!(form.metadata::<u32>(), None);
    }
}
