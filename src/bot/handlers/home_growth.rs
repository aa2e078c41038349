//! The home view's part of issue 13: what someone has brought since their last conversation
//! and whether the coming one is prepared. For a person, their evidence count, the focus areas
//! agreed last time, "Log evidence" and, once the conversation is close, "Prepare"; for a
//! manager, per report, the report's evidence count and whether each side has assessed.
//! Counts and states only: no evidence text and no answer is shown here.

use chrono::{Days, NaiveDate, NaiveTime, Utc};

use crate::bot::messages::prepare_button;
use crate::bot::{Bot, HandlerError};
use crate::ids::UserId;
use crate::reply::{Action, Text, actions};
use crate::store::assessments::AssessmentSide;
use crate::store::people::Person;
use crate::store::time;

/// How far one side's assessment for the coming conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessed {
    /// Not started.
    NotYet,
    /// Some answers, not submitted.
    Started,
    /// Submitted.
    Submitted,
}

impl Assessed {
    /// The word shown for it.
    pub fn word(self) -> &'static str {
        match self {
            Assessed::NotYet => "not yet",
            Assessed::Started => "started",
            Assessed::Submitted => "submitted",
        }
    }
}

/// The growth facts about one person for the coming conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    /// Evidence entries (not removed) since the day of their last conversation, in their zone,
    /// as `evidence` counts them; all of them before the first.
    pub evidence: usize,
    /// The focus areas their last conversation agreed.
    pub focus: Vec<String>,
    /// The person's own assessment for the coming conversation.
    pub own: Assessed,
    /// Their manager's assessment of them for it.
    pub manager: Assessed,
}

/// The facts about `person` (their record).
pub async fn growth(bot: &Bot, person: &Person) -> Result<Growth, HandlerError> {
    let store = bot.store();
    let who = &person.user_id;
    let zone = bot.settings().time_zone(person.time_zone.as_deref());
    let since = store
        .history(who)
        .await?
        .first()
        .and_then(|last| {
            last.held_on
                .and_time(NaiveTime::MIN)
                .and_local_timezone(zone)
                .earliest()
        })
        .map(|start| time::to_text(start.with_timezone(&Utc)));
    let evidence = store.evidence_of(who, since.as_deref()).await?.len();
    let focus = store
        .agreed_last(who)
        .await?
        .map(|agreed| agreed.focus)
        .unwrap_or_default();
    let period = store.current_period(who).await?;
    let assessments = store.assessments_for(who, period).await?;
    let side = |side: AssessmentSide| {
        assessments
            .iter()
            .find(|(assessment, _)| assessment.side == side)
            .map_or(Assessed::NotYet, |(assessment, _)| {
                if assessment.submitted_at.is_some() {
                    Assessed::Submitted
                } else {
                    Assessed::Started
                }
            })
    };
    Ok(Growth {
        evidence,
        focus,
        own: side(AssessmentSide::Own),
        manager: side(AssessmentSide::Manager),
    })
}

/// Whether `today` is inside the prep window of a conversation due on `due_on`: from
/// `[prep] days_before` before it until it is recorded (a conversation past due is still to
/// come, so preparing for it still makes sense).
pub fn in_prep_window(bot: &Bot, due_on: NaiveDate, today: NaiveDate) -> bool {
    let days_before = u64::from(bot.settings().prep_days_before);
    due_on
        .checked_sub_days(Days::new(days_before))
        .is_some_and(|opens| today >= opens)
}

/// "3 pieces of evidence since your last conversation": `count` in words.
pub fn evidence_words(count: usize) -> String {
    match count {
        1 => "1 piece of evidence".to_owned(),
        n => format!("{n} pieces of evidence"),
    }
}

/// The line under a report on a manager's home: evidence and both sides' assessments.
pub fn report_line(report: &UserId, growth: &Growth) -> Text {
    Text::from(format!(
        "{} since the last conversation · assessed by ",
        evidence_words(growth.evidence)
    ))
    .mention(report)
    .push(format!(
        ": {} · by you: {}",
        growth.own.word(),
        growth.manager.word()
    ))
}

/// "Log evidence": the evidence form, for the person who clicks (value: their user id).
pub fn log_evidence_button(person: &UserId) -> Action {
    Action::Button {
        label: "Log evidence".to_owned(),
        action_id: actions::LOG_EVIDENCE.to_owned(),
        value: person.as_str().to_owned(),
        primary: false,
        typed: Some("log WHAT YOU DID".to_owned()),
    }
}

/// The buttons of a person's own part of the home: "Log evidence", and "Prepare" when the
/// conversation is close and their assessment is not submitted yet.
pub fn own_actions(person: &UserId, growth: &Growth, preparing: bool) -> Vec<Action> {
    let mut buttons = vec![log_evidence_button(person)];
    if preparing && growth.own != Assessed::Submitted {
        buttons.push(prepare_button(person, true));
    }
    buttons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn growth(own: Assessed) -> Growth {
        Growth {
            evidence: 1,
            focus: vec![],
            own,
            manager: Assessed::NotYet,
        }
    }

    fn action_ids(buttons: &[Action]) -> Vec<&str> {
        buttons
            .iter()
            .filter_map(|b| match b {
                Action::Button { action_id, .. } => Some(action_id.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn prepare_is_offered_only_in_the_window_and_until_submitted() {
        let ana = UserId::new("ana");
        assert_eq!(
            action_ids(&own_actions(&ana, &growth(Assessed::NotYet), false)),
            [actions::LOG_EVIDENCE]
        );
        assert_eq!(
            action_ids(&own_actions(&ana, &growth(Assessed::Started), true)),
            [actions::LOG_EVIDENCE, actions::PREPARE]
        );
        assert_eq!(
            action_ids(&own_actions(&ana, &growth(Assessed::Submitted), true)),
            [actions::LOG_EVIDENCE]
        );
    }

    #[test]
    fn evidence_is_counted_in_words() {
        assert_eq!(evidence_words(0), "0 pieces of evidence");
        assert_eq!(evidence_words(1), "1 piece of evidence");
        assert_eq!(evidence_words(7), "7 pieces of evidence");
    }
}
