//! `prep [@person]`: a conversation prepared on one screen. Current and next level, both
//! assessments per dimension side by side (gaps of two steps flagged), evidence since the last
//! conversation grouped by dimension, the focus areas agreed last time and what the person
//! would like to talk about.
//!
//! Who sees what: the person and their current manager see everything, except the other
//! side's answers before both submitted ([`super::assess::other_side_visible`]); what the
//! person would like to talk about shows to the manager once the person submitted. An admin
//! may open it (the access rules let them act on anyone) but sees only levels, dates, focus
//! areas, whether each side assessed, and the evidence they logged themselves: answers,
//! topics and other evidence stay between the person and their manager.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::assess::{dimension_names, other_side_visible, target_level};
use super::dimensions::rating_words;
use crate::bot::mention::Mention;
use crate::bot::messages::level_label;
use crate::bot::{Bot, HandlerError};
use crate::ids::UserId;
use crate::reply::{Field, Reply, Text};
use crate::store::assessments::{Assessment, AssessmentAnswer, AssessmentSide};
use crate::store::evidence::Evidence;
use crate::store::people::Person;

/// The most evidence entries listed per dimension; the rest are counted.
pub const EVIDENCE_PER_DIMENSION: usize = 5;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The person themselves.
    Person,
    /// Their current manager.
    Manager,
    /// An admin who is neither.
    Admin,
}

/// The person `caller` prepares for and as whom; a refusal otherwise.
async fn viewer_of(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
) -> Result<(Person, Viewer), HandlerError> {
    let target = person.map_or(caller, |m| &m.user_id);
    let found = bot
        .store()
        .person(target)
        .await?
        .filter(|p| p.active && p.framework_id.is_some());
    let viewer = if target == caller {
        Some(Viewer::Person)
    } else if found.as_ref().and_then(|p| p.manager_id.as_ref()) == Some(caller) {
        Some(Viewer::Manager)
    } else if bot.settings().is_admin(caller) {
        Some(Viewer::Admin)
    } else {
        None
    };
    match (found, viewer) {
        (Some(person), Some(viewer)) => Ok((person, viewer)),
        (None, Some(Viewer::Person)) => Err(HandlerError::Invalid(
            "You are not on a career framework yet, so there is no conversation to prepare; ask your manager to add you with `add @you FRAMEWORK LEVEL`."
                .into(),
        )),
        (None, Some(_)) => Err(HandlerError::Invalid(
            Text::new()
                .mention(target)
                .push(" is not on anyone's team, so there is no conversation to prepare."),
        )),
        (_, None) => Err(HandlerError::Refused(
            Text::from("Only ")
                .mention(target)
                .push(" and their manager can see their preparation."),
        )),
    }
}

/// `prep [@person]`.
pub async fn run(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let (person, viewer) = viewer_of(bot, caller, person).await?;
    let framework_id = person
        .framework_id
        .clone()
        .map(crate::ids::FrameworkId::into_string)
        .unwrap_or_default();
    let who = person.user_id.clone();
    let store = bot.store();
    let period = store.current_period(&who).await?;
    let assessments = store.assessments_for(&who, period).await?;
    let agreed = store.agreed_last(&who).await?;
    let since = agreed
        .as_ref()
        .map(|a| a.held_on.format("%Y-%m-%d").to_string());
    let evidence = store.evidence_of(&who, since.as_deref()).await?;
    let today = bot.local_date(caller, now).await?;
    let engine = bot.engine();
    let framework = engine.library().get(&framework_id);
    let target = framework
        .zip(person.level)
        .and_then(|(f, level)| target_level(f, level));
    let names = match (framework, target) {
        (Some(f), Some((level, _))) => dimension_names(f, level),
        _ => Vec::new(),
    };

    let heading = match (viewer, person.manager_id.as_ref()) {
        (Viewer::Person, Some(manager)) => {
            Text::from("Preparing your conversation with ").mention(manager)
        }
        (Viewer::Person, None) => Text::from("Preparing your next conversation"),
        _ => Text::from("Preparing the conversation with ").mention(&who),
    };
    let mut fields = vec![Field::new(
        "Current level",
        level_label(&engine, &framework_id, person.level),
    )];
    fields.push(Field::new(
        "Next level",
        match target {
            Some((level, false)) => level_label(&engine, &framework_id, Some(level.number)),
            Some((_, true)) => "none: the top level (assessed against the current one)".to_owned(),
            None => "unknown".to_owned(),
        },
    ));
    fields.push(Field::new(
        "Last conversation",
        agreed
            .as_ref()
            .map_or("none yet".to_owned(), |a| a.held_on.to_string()),
    ));
    if let Some(timeline) = person.timeline() {
        let cadence = bot.settings().cadence_for(&framework_id);
        fields.push(Field::new(
            "Next conversation",
            format!(
                "due {} ({})",
                cadence.schedule(&timeline).due_on,
                cadence.status(&timeline, today).word()
            ),
        ));
    }
    let mut reply = Reply::new().with_heading(heading).with_fields(fields);

    // What was agreed last time comes first: the conversation starts from it.
    match &agreed {
        Some(a) if !a.focus.is_empty() => {
            reply = reply.with_bullets(
                Some(format!("Focus areas agreed on {}", a.held_on)),
                a.focus.clone(),
            );
        }
        Some(a) => {
            reply = reply.with_paragraph(format!("No focus areas were agreed on {}.", a.held_on));
        }
        None => {}
    }
    if let Some(steps) = agreed.as_ref().and_then(|a| a.next_steps.as_ref()) {
        reply = reply.with_paragraph(format!("Next steps agreed: {steps}"));
    }

    let own = side(&assessments, AssessmentSide::Own);
    let manager = side(&assessments, AssessmentSide::Manager);
    reply = reply.append(assessment_section(
        viewer,
        &who,
        person.manager_id.as_ref(),
        &names,
        own,
        manager,
        period,
    ));

    // What the person would like to talk about: theirs always; the manager's once submitted.
    if let Some((own, _)) = own
        && let Some(topics) = &own.topics
    {
        let shown = match viewer {
            Viewer::Person => true,
            Viewer::Manager => own.submitted_at.is_some(),
            Viewer::Admin => false,
        };
        if shown {
            let label = match viewer {
                Viewer::Person => Text::from("What you would like to talk about: "),
                _ => Text::from("What ")
                    .mention(&who)
                    .push(" would like to talk about: "),
            };
            reply = reply.with_paragraph(label.push(topics));
        }
    }

    reply = reply.append(evidence_section(
        viewer,
        caller,
        &names,
        &evidence,
        since.as_deref(),
    ));
    if viewer == Viewer::Admin {
        reply = reply.with_context(
            Text::from("Assessment answers, topics and evidence are private to ")
                .mention(&who)
                .push(" and their manager; you see the evidence you logged yourself."),
        );
    }
    Ok(reply)
}

fn side(
    assessments: &[(Assessment, Vec<AssessmentAnswer>)],
    side: AssessmentSide,
) -> Option<&(Assessment, Vec<AssessmentAnswer>)> {
    assessments.iter().find(|(a, _)| a.side == side)
}

fn status(assessment: Option<&(Assessment, Vec<AssessmentAnswer>)>) -> &'static str {
    match assessment {
        Some((a, _)) if a.submitted_at.is_some() => "submitted",
        Some(_) => "in progress",
        None => "not started",
    }
}

/// Both assessments per dimension, as far as `viewer` may see them.
fn assessment_section(
    viewer: Viewer,
    who: &UserId,
    manager_id: Option<&UserId>,
    names: &[String],
    own: Option<&(Assessment, Vec<AssessmentAnswer>)>,
    manager: Option<&(Assessment, Vec<AssessmentAnswer>)>,
    period: i64,
) -> Reply {
    let both = other_side_visible(own.map(|(a, _)| a), manager.map(|(a, _)| a), period, period);
    let (see_own, see_manager) = match viewer {
        Viewer::Person => (true, both),
        Viewer::Manager => (both, true),
        Viewer::Admin => (false, false),
    };
    let person_label = |t: Text| match viewer {
        Viewer::Person => t.push("you"),
        _ => t.mention(who),
    };
    let manager_label = |t: Text| match (viewer, manager_id) {
        (Viewer::Manager, _) => t.push("you"),
        (_, Some(m)) => t.mention(m),
        (_, None) => t.push("manager"),
    };
    let status_line = manager_label(
        person_label(Text::from("Assessments: ")).push(format!(" {} · ", status(own))),
    )
    .push(format!(" {}", status(manager)));
    let mut reply = Reply::new().with_paragraph(status_line);
    if own.is_none() && manager.is_none() {
        return reply;
    }
    fn rating_of<'a>(
        assessment: Option<&'a (Assessment, Vec<AssessmentAnswer>)>,
        name: &str,
    ) -> Option<&'a AssessmentAnswer> {
        assessment.and_then(|(_, answers)| answers.iter().find(|a| a.dimension == name))
    }
    let mut items = Vec::new();
    for name in names {
        let own_answer = rating_of(own, name);
        let manager_answer = rating_of(manager, name);
        let shown = |answer: Option<&AssessmentAnswer>, visible: bool| match (answer, visible) {
            (_, false) => "hidden until both submit".to_owned(),
            (None, true) => "not rated".to_owned(),
            (Some(a), true) => format!(
                "{}{}",
                rating_words(a.rating),
                a.note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
        };
        let mut line = manager_label(
            person_label(Text::from(format!("{name}: ")))
                .push(format!(" {} · ", shown(own_answer, see_own))),
        )
        .push(format!(" {}", shown(manager_answer, see_manager)));
        if see_own
            && see_manager
            && let (Some(a), Some(b)) = (own_answer, manager_answer)
            && a.rating.steps_from(b.rating) >= 2
        {
            line = line.push(" ⚠ two steps apart: worth talking about");
        }
        items.push(line);
    }
    if viewer != Viewer::Admin {
        reply = reply.with_bullets(Some("Side by side".to_owned()), items);
    }
    reply
}

/// Evidence since the last conversation, grouped by dimension (the level's order, then
/// others, then untagged), as far as `viewer` may see it.
fn evidence_section(
    viewer: Viewer,
    caller: &UserId,
    names: &[String],
    evidence: &[Evidence],
    since: Option<&str>,
) -> Reply {
    let visible: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| viewer != Viewer::Admin || &e.author_id == caller)
        .collect();
    let since = since.map_or("so far".to_owned(), |d| format!("since {d}"));
    if visible.is_empty() {
        return Reply::paragraph(format!("No evidence logged {since}."));
    }
    let mut groups: BTreeMap<(usize, String), Vec<&Evidence>> = BTreeMap::new();
    for entry in &visible {
        let key = match &entry.dimension {
            Some(d) => (
                names.iter().position(|n| n == d).unwrap_or(names.len()),
                d.clone(),
            ),
            None => (names.len() + 1, "Untagged".to_owned()),
        };
        groups.entry(key).or_default().push(entry);
    }
    let mut reply = Reply::paragraph(format!("Evidence {since}: {}", visible.len()));
    for ((_, dimension), entries) in groups {
        let mut items: Vec<Text> = entries
            .iter()
            .take(EVIDENCE_PER_DIMENSION)
            .map(|e| {
                let mut line = Text::from(format!(
                    "{} {} {}",
                    e.short_id(),
                    &e.logged_at[..e.logged_at.len().min(10)],
                    e.text
                ));
                if let Some(link) = &e.link {
                    line = line.push(format!(" ({link})"));
                }
                if e.author_id != e.person_id {
                    line = line.push(" · logged by ").mention(&e.author_id);
                }
                line
            })
            .collect();
        if entries.len() > EVIDENCE_PER_DIMENSION {
            items.push(Text::from(format!(
                "and {} more (see `evidence`)",
                entries.len() - EVIDENCE_PER_DIMENSION
            )));
        }
        reply = reply.with_bullets(Some(format!("{dimension} ({})", entries.len())), items);
    }
    reply
}
