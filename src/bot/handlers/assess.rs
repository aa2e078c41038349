//! `assess`: one side's assessment before a conversation, in chat. The person rates
//! themselves (`assess …`), their manager rates them (`assess @person …`), each against the
//! dimensions of the person's **next** level (their current one at the top level).
//!
//! A submitted assessment no longer changes: once the other side may see it, changing it
//! would defeat the point of two independent views. Each side sees the other's answers only
//! once both submitted, or once the conversation is recorded ([`other_side_visible`]).

use chrono::{DateTime, Utc};

use super::dimensions::{DimensionMatch, RatingLine, rating_words, read_rating_line};
use crate::bot::command::AssessAction;
use crate::bot::mention::Mention;
use crate::bot::{Bot, HandlerError};
use crate::frameworks::model::{Framework, Level};
use crate::ids::UserId;
use crate::reply::{Reply, Text};
use crate::store::assessments::{
    Assessment, AssessmentAnswer, AssessmentChange, AssessmentKey, AssessmentSide,
};
use crate::store::people::Person;

/// Whose assessment, from which side, against which level, in which period.
pub(super) struct Subject {
    /// The person assessed.
    pub person: Person,
    /// Which side the caller is.
    pub side: AssessmentSide,
    /// The framework's id.
    pub framework_id: String,
    /// Their current level.
    pub current: u32,
    /// The level assessed against: the next one, or the current one at the top.
    pub target: u32,
    /// Whether the person is at the top level (so `target == current`).
    pub top: bool,
    /// The period: the conversation it follows (0 before the first).
    pub period: i64,
}

impl Subject {
    /// The store key of the caller's assessment.
    pub fn key(&self, caller: &UserId) -> AssessmentKey {
        AssessmentKey {
            person_id: self.person.user_id.clone(),
            side: self.side,
            assessor_id: caller.clone(),
            after_checkin: self.period,
            framework_id: self
                .person
                .framework_id
                .clone()
                .unwrap_or_else(|| crate::ids::FrameworkId::new(self.framework_id.clone())),
            level: self.target,
        }
    }
}

/// The level assessed against in `framework` for someone at `level`, and whether they are at
/// the top (then it is their current level).
pub(super) fn target_level(framework: &Framework, level: u32) -> Option<(&Level, bool)> {
    match framework.next_level(level) {
        Some(next) => Some((next, false)),
        None => framework.level(level).map(|current| (current, true)),
    }
}

/// The dimensions of a level: its expectations' names, else the framework's.
pub(super) fn dimension_names(framework: &Framework, level: &Level) -> Vec<String> {
    if level.expectations.is_empty() {
        framework.dimensions.clone()
    } else {
        level.expectations.iter().map(|d| d.name.clone()).collect()
    }
}

/// Whether one side may see the other's answers for `period`: once both submitted, or once
/// a later conversation was recorded (the period is over).
pub fn other_side_visible(
    own: Option<&Assessment>,
    other: Option<&Assessment>,
    period: i64,
    current_period: i64,
) -> bool {
    period < current_period
        || (own.is_some_and(|a| a.submitted_at.is_some())
            && other.is_some_and(|a| a.submitted_at.is_some()))
}

/// The person the caller assesses and from which side; refusals say why in one sentence
/// and nothing is written.
pub(super) async fn subject(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
) -> Result<Subject, HandlerError> {
    let target = person.map_or(caller, |m| &m.user_id);
    let own = target == caller;
    let found = bot.store().person(target).await?.filter(|p| p.active);
    let person = match found {
        Some(person) if own || person.manager_id.as_ref() == Some(caller) => person,
        _ if own => {
            return Err(HandlerError::Invalid(
                "You are not on a career framework yet, so there is nothing to assess against; ask your manager to add you with `add @you FRAMEWORK LEVEL`."
                    .into(),
            ));
        }
        _ => {
            return Err(HandlerError::Refused(Text::new().mention(target).push(
                " is not your report, so you cannot assess them; nothing was changed.",
            )));
        }
    };
    let (Some(framework_id), Some(current)) = (person.framework_id.clone(), person.level) else {
        let who = if own {
            Text::from("You are")
        } else {
            Text::new().mention(target).push(" is")
        };
        return Err(HandlerError::Invalid(who.push(
            " not on a career framework, so there is nothing to assess against; nothing was changed.",
        )));
    };
    let framework_id = framework_id.into_string();
    let engine = bot.engine();
    let Some((target_level, top)) = engine
        .library()
        .get(&framework_id)
        .and_then(|framework| target_level(framework, current))
        .map(|(level, top)| (level.number, top))
    else {
        return Err(HandlerError::Invalid(
            format!(
                "The framework `{framework_id}` (level {current}) is not loaded any more, so there is nothing to assess against; nothing was changed."
            )
            .into(),
        ));
    };
    let period = bot.store().current_period(&person.user_id).await?;
    Ok(Subject {
        person,
        side: if own {
            AssessmentSide::Own
        } else {
            AssessmentSide::Manager
        },
        framework_id,
        current,
        target: target_level,
        top,
        period,
    })
}

/// The caller's side's assessment this period, with its answers.
pub(super) async fn own_assessment(
    bot: &Bot,
    subject: &Subject,
) -> Result<Option<(Assessment, Vec<AssessmentAnswer>)>, HandlerError> {
    Ok(bot
        .store()
        .assessments_for(&subject.person.user_id, subject.period)
        .await?
        .into_iter()
        .find(|(a, _)| a.side == subject.side))
}

/// `assess [@person] …`.
pub async fn run(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
    action: AssessAction,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let subject = subject(bot, caller, person).await?;
    let mut existing = own_assessment(bot, &subject).await?;
    // The person moved to the caller during the period: the previous manager's draft is not
    // the caller's (a submitted one stays, and is refused below).
    if let Some((assessment, _)) = &existing
        && &assessment.assessor_id != caller
        && assessment.submitted_at.is_none()
    {
        if matches!(action, AssessAction::Show) {
            existing = None;
        } else {
            bot.store()
                .restart_assessment(assessment.id, caller, now)
                .await?;
            existing = own_assessment(bot, &subject).await?;
        }
    }
    if !matches!(action, AssessAction::Show)
        && let Some((assessment, _)) = &existing
        && let Some(at) = &assessment.submitted_at
    {
        return Err(HandlerError::Refused(
            format!(
                "This assessment was submitted on {}, so it no longer changes; nothing was changed.",
                &at[..at.len().min(10)]
            )
            .into(),
        ));
    }
    let engine = bot.engine();
    let framework = engine
        .library()
        .get(&subject.framework_id)
        .ok_or_else(|| HandlerError::Invalid("That framework is not loaded any more.".into()))?;
    let level = framework.level(subject.target).ok_or_else(|| {
        HandlerError::Invalid("That level is not in the framework any more.".into())
    })?;
    let names = dimension_names(framework, level);
    match action {
        AssessAction::Show => Ok(show(&subject, framework, level, &names, existing.as_ref())),
        AssessAction::Rate(text) => {
            let (dimension, rating, note) = match read_rating_line(&names, &text) {
                RatingLine::Rated {
                    dimension,
                    rating,
                    note,
                } => (dimension.to_owned(), rating, note),
                RatingLine::NoRating { dimension, typed } => {
                    return Err(HandlerError::Invalid(
                        match typed {
                            Some(word) => format!(
                                "\"{word}\" is not a rating: rate {dimension} not-yet, sometimes or consistently; nothing was changed."
                            ),
                            None => format!(
                                "Say how you rate {dimension}: not-yet, sometimes or consistently; nothing was changed."
                            ),
                        }
                        .into(),
                    ));
                }
                RatingLine::NoDimension { typed, matched } => {
                    return Err(HandlerError::Invalid(
                        unknown_dimension(&typed, &matched, &names).into(),
                    ));
                }
            };
            let answered = bot
                .store()
                .change_assessment(
                    &subject.key(caller),
                    &AssessmentChange::Answer {
                        dimension: dimension.clone(),
                        rating,
                        note: note.clone(),
                    },
                    now,
                )
                .await?;
            let count = bot
                .store()
                .assessments_for(&subject.person.user_id, subject.period)
                .await?
                .into_iter()
                .find(|(a, _)| a.id == answered.id)
                .map_or(0, |(_, answers)| answers.len());
            let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
            Ok(Reply::paragraph(format!(
                "Noted: {dimension}, {}{note}. {count} of {} dimensions rated; `{}done` submits.",
                rating_words(rating),
                names.len(),
                syntax_prefix(&subject)
            )))
        }
        AssessAction::Form {
            answers,
            topics,
            submit,
        } => {
            // Check every answer before writing any: a bad one changes nothing.
            let mut checked = Vec::with_capacity(answers.len());
            for (dimension, rating, note) in answers {
                let Some(name) = names.iter().find(|n| **n == dimension) else {
                    return Err(HandlerError::Invalid(
                        format!("\"{dimension}\" is not a dimension of this level any more; open the form again. Nothing was changed.").into(),
                    ));
                };
                let Some(rating) = super::dimensions::read_rating(&rating) else {
                    return Err(HandlerError::Invalid(
                        format!("\"{rating}\" is not a rating: use not-yet, sometimes or consistently. Nothing was changed.").into(),
                    ));
                };
                checked.push((name.clone(), rating, note));
            }
            let key = subject.key(caller);
            for (dimension, rating, note) in checked {
                bot.store()
                    .change_assessment(
                        &key,
                        &AssessmentChange::Answer {
                            dimension,
                            rating,
                            note,
                        },
                        now,
                    )
                    .await?;
            }
            if let Some(topics) = topics {
                bot.store()
                    .change_assessment(&key, &AssessmentChange::Topics(topics), now)
                    .await?;
            }
            if !submit {
                return Ok(Reply::paragraph("Saved this page."));
            }
            let answered = own_assessment(bot, &subject)
                .await?
                .map_or(0, |(_, answers)| answers.len());
            if answered == 0 {
                return Err(HandlerError::Invalid(
                    "Rate at least one dimension before submitting; nothing was submitted.".into(),
                ));
            }
            bot.store()
                .change_assessment(&key, &AssessmentChange::Submit, now)
                .await?;
            Ok(Reply::paragraph(format!(
                "Submitted your assessment ({answered} of {} dimensions); `prep` shows it.",
                names.len()
            )))
        }
        AssessAction::Topics(topics) => {
            bot.store()
                .change_assessment(&subject.key(caller), &AssessmentChange::Topics(topics), now)
                .await?;
            Ok(Reply::paragraph(
                "Noted what you would like to talk about; it shows in `prep`.",
            ))
        }
        AssessAction::Done => {
            let answered = existing.as_ref().map_or(0, |(_, answers)| answers.len());
            if answered == 0 {
                return Err(HandlerError::Invalid(
                    format!(
                        "Rate at least one dimension before submitting (`{}DIMENSION sometimes`); nothing was submitted.",
                        syntax_prefix(&subject)
                    )
                    .into(),
                ));
            }
            bot.store()
                .change_assessment(&subject.key(caller), &AssessmentChange::Submit, now)
                .await?;
            let other_submitted = bot
                .store()
                .assessments_for(&subject.person.user_id, subject.period)
                .await?
                .iter()
                .any(|(a, _)| a.side == subject.side.other() && a.submitted_at.is_some());
            let other = match (subject.side, subject.person.manager_id.as_ref()) {
                (AssessmentSide::Own, Some(manager)) => Text::new().mention(manager),
                (AssessmentSide::Own, None) => Text::from("your manager"),
                (AssessmentSide::Manager, _) => Text::new().mention(&subject.person.user_id),
            };
            let prep = match subject.side {
                AssessmentSide::Own => "`prep`".to_owned(),
                AssessmentSide::Manager => "`prep @person`".to_owned(),
            };
            Ok(Reply::paragraph(if other_submitted {
                Text::from(format!(
                    "Submitted ({answered} of {} dimensions). Both sides have now submitted: {prep} shows them side by side.",
                    names.len()
                ))
            } else {
                Text::from(format!(
                    "Submitted ({answered} of {} dimensions). You will see ",
                    names.len()
                ))
                .append(other)
                .push(format!("'s answers in {prep} once they submit theirs."))
            }))
        }
    }
}

/// "assess " or "assess @ana ", to start the syntax shown.
fn syntax_prefix(subject: &Subject) -> String {
    match subject.side {
        AssessmentSide::Own => "assess ".to_owned(),
        AssessmentSide::Manager => "assess @person ".to_owned(),
    }
}

/// The sentence for a dimension that is not one of the level's.
pub(super) fn unknown_dimension(
    typed: &str,
    matched: &DimensionMatch<'_>,
    names: &[String],
) -> String {
    match matched {
        DimensionMatch::Ambiguous(several) => format!(
            "\"{typed}\" could be {}; write more of the name. Nothing was changed.",
            several.join(" or ")
        ),
        DimensionMatch::Unknown(Some(close)) => format!(
            "\"{typed}\" is not a dimension of this level; did you mean {close}? Nothing was changed."
        ),
        _ => format!(
            "\"{typed}\" is not a dimension of this level (they are: {}). Nothing was changed.",
            names.join(", ")
        ),
    }
}

/// `assess` alone: the dimensions with their expectations, the answers so far and the syntax.
fn show(
    subject: &Subject,
    framework: &Framework,
    level: &Level,
    names: &[String],
    existing: Option<&(Assessment, Vec<AssessmentAnswer>)>,
) -> Reply {
    let whose = match subject.side {
        AssessmentSide::Own => Text::from("Your self-assessment"),
        AssessmentSide::Manager => {
            Text::from("Your assessment of ").mention(&subject.person.user_id)
        }
    };
    let mut reply = Reply::new().with_heading(whose.push(format!(
        " against {}, {}",
        framework.name,
        level.label()
    )));
    if subject.top {
        reply = reply.with_paragraph(format!(
            "Level {} is the top level of {}, so this assesses against it, the current level.",
            subject.current, framework.name
        ));
    }
    for name in names {
        let mut items: Vec<Text> = level
            .dimension(name)
            .map(|d| d.items.iter().map(Text::from).collect())
            .unwrap_or_default();
        let answer =
            existing.and_then(|(_, answers)| answers.iter().find(|a| &a.dimension == name));
        items.push(Text::from(match answer {
            Some(answer) => format!(
                "Your answer: {}{}",
                rating_words(answer.rating),
                answer
                    .note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ),
            None => "Your answer: not rated yet".to_owned(),
        }));
        reply = reply.with_bullets(Some(name.clone()), items);
    }
    let status = match existing {
        Some((a, _)) if a.submitted_at.is_some() => "submitted",
        Some(_) => "draft",
        None => "not started",
    };
    if let Some(topics) = existing.and_then(|(a, _)| a.topics.as_ref()) {
        reply = reply.with_paragraph(format!("What I'd like to talk about: {topics}"));
    }
    let prefix = syntax_prefix(subject);
    reply.with_context(format!(
        "Status: {status}. Rate a dimension with `{prefix}DIMENSION not-yet|sometimes|consistently [note]` (a name or the start of one), say what you would like to talk about with `{prefix}topics TEXT`, and submit with `{prefix}done`. The other side's answers show in `prep` once you have both submitted."
    ))
}

/// What the assessment form shows: the caller's side of `person`'s assessment this period.
#[derive(Debug, Clone)]
pub struct FormData {
    /// The person assessed.
    pub person: UserId,
    /// Whether the caller assesses themselves.
    pub own: bool,
    /// "Buffer Marketing, Level 3: Coordinator": the level assessed against.
    pub level_label: String,
    /// Each dimension: its name, its expectations, the answer so far (rating word, note).
    pub dimensions: Vec<FormDimension>,
    /// What the person would like to talk about, so far.
    pub topics: Option<String>,
    /// When it was submitted, if it was (the form then only says so).
    pub submitted_at: Option<String>,
}

/// One dimension of the form.
#[derive(Debug, Clone)]
pub struct FormDimension {
    /// As the framework spells it.
    pub name: String,
    /// What the level expects along it.
    pub expectations: Vec<String>,
    /// The rating given so far, as stored (`not-yet`…).
    pub rating: Option<&'static str>,
    /// The note given so far.
    pub note: Option<String>,
}

/// The form for the caller's side of `person`'s assessment (their own when `person` is the
/// caller), with the same checks as `assess`.
pub async fn assessment_form(
    bot: &Bot,
    caller: &UserId,
    person: &UserId,
) -> Result<FormData, HandlerError> {
    let mention = Mention {
        user_id: person.clone(),
        name: None,
    };
    let subject = subject(bot, caller, Some(&mention)).await?;
    let existing = own_assessment(bot, &subject)
        .await?
        .filter(|(a, _)| &a.assessor_id == caller);
    let engine = bot.engine();
    let framework = engine
        .library()
        .get(&subject.framework_id)
        .ok_or_else(|| HandlerError::Invalid("That framework is not loaded any more.".into()))?;
    let level = framework.level(subject.target).ok_or_else(|| {
        HandlerError::Invalid("That level is not in the framework any more.".into())
    })?;
    let dimensions = dimension_names(framework, level)
        .into_iter()
        .map(|name| {
            let answer = existing
                .as_ref()
                .and_then(|(_, answers)| answers.iter().find(|a| a.dimension == name));
            FormDimension {
                expectations: level
                    .dimension(&name)
                    .map(|d| d.items.clone())
                    .unwrap_or_default(),
                rating: answer.map(|a| a.rating.as_str()),
                note: answer.and_then(|a| a.note.clone()),
                name,
            }
        })
        .collect();
    Ok(FormData {
        person: subject.person.user_id.clone(),
        own: subject.side == AssessmentSide::Own,
        level_label: format!("{}, {}", framework.name, level.label()),
        dimensions,
        topics: existing.as_ref().and_then(|(a, _)| a.topics.clone()),
        submitted_at: existing.and_then(|(a, _)| a.submitted_at),
    })
}
