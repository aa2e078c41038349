//! `log`, `evidence` and `unlog`: what people did between conversations, tagged with the
//! framework dimension it supports. Slack's "Log as evidence" form comes in through the same
//! [`super::run`] as typed `log`, with an [`EvidenceForm`].
//!
//! Tagging matches the text against the expectations of the person's current and next level
//! ([`crate::ask::Engine::best_dimension`]); a dimension named with `#` is looked up with
//! [`crate::ask::tagging::find_dimension`]. Who may log for whom and who sees what is decided
//! in [`super::access`]: the person and their current manager see every entry, anyone else
//! only what they logged themselves; admins have no rule of their own (evidence is personal).

use chrono::{DateTime, NaiveTime, Utc};

use super::access::{EvidenceView, evidence_view, may_log_for};
use crate::ask::tagging::{Tagged, dimension_names, find_dimension};
use crate::bot::mention::Mention;
use crate::bot::{Bot, HandlerError, messages};
use crate::frameworks::Framework;
use crate::ids::{FrameworkId, UserId};
use crate::reply::{Reply, Text};
use crate::store::evidence::{
    Evidence, EvidenceTag, MAX_EVIDENCE_CHARS, NewEvidence, Tell, Unlogged,
};
use crate::store::outbox::{NewMessage, kind};
use crate::store::people::Person;
use crate::store::time;

/// What the "Log as evidence" form adds to `log`.
#[derive(Debug, Clone, Default)]
pub struct EvidenceForm {
    /// The link given in the form (the message's permalink); typed, the text's first URL.
    pub link: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The form's once-only key (its view id): submitting twice logs once.
    pub request_key: Option<String>,
    /// The dimension picked.
    pub dimension: DimensionChoice,
}

/// The dimension picked in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DimensionChoice {
    /// Let the bot choose from the text (as typed `log` does without `#`).
    #[default]
    Auto,
    /// No dimension.
    Untagged,
    /// This dimension of this framework.
    Named {
        /// The framework's id.
        framework: String,
        /// The dimension's name.
        dimension: String,
    },
}

/// The person's framework and the levels evidence is matched against: current and next.
struct Placement<'e> {
    framework: &'e Framework,
    levels: Vec<u32>,
}

fn placement<'e>(engine: &'e crate::ask::Engine, person: Option<&Person>) -> Option<Placement<'e>> {
    let person = person.filter(|person| person.active)?;
    let framework = engine
        .library()
        .get(person.framework_id.as_ref()?.as_str())?;
    let level = person.level?;
    let mut levels = vec![level];
    levels.extend(framework.next_level(level).map(|next| next.number));
    Some(Placement { framework, levels })
}

/// The first `http://` or `https://` link in `text` (Slack's `<URL|label>` unwrapped).
pub fn first_link(text: &str) -> Option<String> {
    text.split_whitespace().find_map(|token| {
        let token = token.trim_start_matches(['<', '(', '[', '"']);
        let start = token.find("https://").or_else(|| token.find("http://"))?;
        let link = token[start..]
            .split(['|', '>', '"'])
            .next()?
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        (link.len() > "https://".len()).then(|| link.to_owned())
    })
}

/// `log [@report] TEXT [#dimension]`, or the form's submission.
pub async fn log(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
    text: &str,
    typed_dimension: Option<&str>,
    form: Option<EvidenceForm>,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    let subject = person.map_or(caller, |person| &person.user_id);
    let record = bot.store().person(subject).await?;
    if !may_log_for(caller, subject, record.as_ref()) {
        return Err(HandlerError::Refused(Text::about(
            "You can log evidence for yourself, or for someone on your team; {@} is not, so nothing was logged.",
            subject,
        )));
    }
    let text = text.trim();
    let length = text.chars().count();
    if length > MAX_EVIDENCE_CHARS {
        return Err(HandlerError::Invalid(Text::from(format!(
            "Evidence can be at most 3,000 characters and this is {}, so nothing was logged.",
            thousands(length)
        ))));
    }
    if text.is_empty() {
        return Err(HandlerError::Invalid(Text::from(
            "There is nothing to log: say what was done.",
        )));
    }
    let form = form.unwrap_or_default();
    let engine = bot.engine();
    let placement = placement(&engine, record.as_ref());
    let choice = match typed_dimension {
        Some(typed) => Choice::Typed(typed),
        None => Choice::Form(&form.dimension),
    };
    let tagging = tag(&engine, placement.as_ref(), text, choice, subject == caller)?;
    let tag = tagging.tagged.as_ref().map(|tagged| EvidenceTag {
        framework_id: FrameworkId::new(tagging.framework.unwrap_or_default()),
        level: tagged.level,
        dimension: tagged.dimension.clone(),
    });
    let entry = NewEvidence {
        person_id: subject.clone(),
        author_id: caller.clone(),
        text: text.to_owned(),
        link: form.link.clone().or_else(|| first_link(text)),
        note: form.note.clone().filter(|note| !note.trim().is_empty()),
        tag,
        request_key: form.request_key.clone(),
    };
    let for_report = subject != caller;
    let tell: Option<Tell> = for_report.then(|| {
        let (manager, report) = (caller.clone(), subject.clone());
        Box::new(move |stored: &Evidence| NewMessage {
            key: format!("evidence:{}", stored.id),
            kind: kind::NOTICE,
            recipient: report.into_string(),
            report_id: None,
            payload: messages::evidence_logged_for_you(&manager, stored),
            planned_for: now,
        }) as Tell
    });
    let (stored, new) = bot.store().log_evidence_telling(&entry, tell, now).await?;
    if !new {
        // The same form submitted again: it was logged the first time.
        return Ok(Reply::paragraph(Text::from(format!(
            "Already logged as {}, so nothing was added.",
            stored.short_id()
        ))));
    }
    if for_report {
        bot.wake().ring();
    }
    Ok(logged_reply(&stored, &tagging, for_report))
}

/// How the dimension was asked for.
enum Choice<'a> {
    Typed(&'a str),
    Form(&'a DimensionChoice),
}

/// The outcome of tagging: the expectation matched (or the dimension named), and why there
/// is none when there is none.
struct Tagging<'e> {
    framework: Option<&'e str>,
    tagged: Option<Tagged>,
    /// Whether the dimension was named (not chosen by the bot).
    named: bool,
    untagged_because: Option<Text>,
    level_label: Option<String>,
}

fn tag<'e>(
    engine: &'e crate::ask::Engine,
    placement: Option<&Placement<'e>>,
    text: &str,
    choice: Choice<'_>,
    own: bool,
) -> Result<Tagging<'e>, HandlerError> {
    let Some(placement) = placement else {
        let named = matches!(
            choice,
            Choice::Typed(_) | Choice::Form(DimensionChoice::Named { .. })
        );
        if named {
            return Err(HandlerError::Invalid(Text::from(if own {
                "You are not on a framework, so there is no dimension to tag and nothing was logged; log it without the #dimension to keep it untagged."
            } else {
                "They are not on a framework, so there is no dimension to tag and nothing was logged; log it without a dimension to keep it untagged."
            })));
        }
        return Ok(Tagging {
            framework: None,
            tagged: None,
            named: false,
            untagged_because: Some(Text::from(if own {
                "you are not on a framework yet"
            } else {
                "they are not on a framework yet"
            })),
            level_label: None,
        });
    };
    let framework = placement.framework;
    let named = match choice {
        Choice::Typed(typed) => Some(
            find_dimension(framework, typed)
                .map_err(|problem| {
                    HandlerError::Invalid(Text::from(format!("{problem} Nothing was logged.")))
                })?
                .to_owned(),
        ),
        Choice::Form(DimensionChoice::Named {
            framework: id,
            dimension,
        }) => {
            if id != &framework.id || !dimension_names(framework).contains(&dimension.as_str()) {
                return Err(HandlerError::Invalid(Text::from(format!(
                    "\"{dimension}\" is not a dimension of {}, their framework; pick one of its dimensions. Nothing was logged.",
                    framework.name
                ))));
            }
            Some(dimension.clone())
        }
        Choice::Form(DimensionChoice::Untagged) => {
            return Ok(Tagging {
                framework: Some(&framework.id),
                tagged: None,
                named: true,
                untagged_because: None,
                level_label: None,
            });
        }
        Choice::Form(DimensionChoice::Auto) => None,
    };
    let found = engine.best_dimension(text, &framework.id, &placement.levels, named.as_deref());
    // A named dimension no expectation's words match is still tagged: at the level being
    // worked towards (the next, or the current at the top).
    let tagged = found.or_else(|| {
        named.clone().map(|dimension| Tagged {
            level: *placement.levels.last().unwrap_or(&0),
            dimension,
            expectation: String::new(),
        })
    });
    let level_label = tagged
        .as_ref()
        .and_then(|tagged| framework.level(tagged.level))
        .map(|level| level.label());
    let untagged_because = tagged.is_none().then(|| {
        Text::from(format!(
            "it matches no expectation of {} current or next level in {} (its dimensions: {})",
            if own { "your" } else { "their" },
            framework.name,
            dimension_names(framework).join(", ")
        ))
    });
    Ok(Tagging {
        framework: Some(&framework.id),
        tagged,
        named: named.is_some(),
        untagged_because,
        level_label,
    })
}

fn logged_reply(stored: &Evidence, tagging: &Tagging<'_>, for_report: bool) -> Reply {
    let id = stored.short_id();
    let mut first = Text::from(format!("Logged {id} for "));
    first = if for_report {
        first.mention(&stored.person_id)
    } else {
        first.push("you")
    };
    let mut reply = Reply::new();
    match (&tagging.tagged, &tagging.untagged_because) {
        (Some(tagged), _) => {
            let level = tagging
                .level_label
                .clone()
                .unwrap_or_else(|| format!("Level {}", tagged.level));
            first = first.push(format!(", as evidence of {} ({level}).", tagged.dimension));
            reply = reply.with_paragraph(first);
            if !tagged.expectation.is_empty() {
                reply = reply.with_paragraph(Text::from(format!(
                    "It matches: \"{}\"",
                    tagged.expectation
                )));
            }
            if !tagging.named {
                reply = reply.with_context(format!(
                    "Another dimension? `unlog {id}`, then log it again ending with #dimension (e.g. #ownership, or a prefix)."
                ));
            }
        }
        (None, Some(because)) => {
            reply =
                reply.with_paragraph(first.push(", untagged: ").append(because.clone()).push("."));
            if tagging.framework.is_some() {
                reply = reply.with_context(format!(
                    "To tag it, `unlog {id}`, then log it again ending with #dimension."
                ));
            }
        }
        (None, None) => reply = reply.with_paragraph(first.push(", untagged.")),
    }
    if for_report {
        reply = reply.with_context(Text::about(
            "I've told {@}; they see it with `evidence`.",
            &stored.person_id,
        ));
    }
    reply
}

/// `evidence [@person] [--all]`.
pub async fn list(
    bot: &Bot,
    caller: &UserId,
    person: Option<&Mention>,
    all: bool,
) -> Result<Reply, HandlerError> {
    let subject = person.map_or(caller, |person| &person.user_id);
    let own = subject == caller;
    let record = bot.store().person(subject).await?;
    let view = evidence_view(caller, subject, record.as_ref());
    let zone = bot
        .settings()
        .time_zone(record.as_ref().and_then(|p| p.time_zone.as_deref()));
    let last = bot
        .store()
        .history(subject)
        .await?
        .first()
        .map(|c| c.held_on);
    let since = match (all, last) {
        (false, Some(day)) => day
            .and_time(NaiveTime::MIN)
            .and_local_timezone(zone)
            .earliest()
            .map(|start| time::to_text(start.with_timezone(&Utc))),
        _ => None,
    };
    let mut entries = bot.store().evidence_of(subject, since.as_deref()).await?;
    if view == EvidenceView::OwnEntries {
        // Someone who never logged for the person (another manager, a stranger, an admin)
        // gets one sentence, whether or not the person has evidence.
        let logged_any = bot
            .store()
            .evidence_of(subject, None)
            .await?
            .iter()
            .any(|entry| &entry.author_id == caller);
        if !logged_any {
            return Err(refusal(subject));
        }
        entries.retain(|entry| &entry.author_id == caller);
    }
    let whose = if own {
        Text::from("your")
    } else {
        Text::new().mention(subject).push("'s")
    };
    let period = match (all, last) {
        (false, Some(day)) => format!("since the conversation on {day}"),
        _ => "all of it".to_owned(),
    };
    if entries.is_empty() {
        let mut text = Text::from("No evidence of ")
            .append(whose)
            .push(format!(" is logged ({period})."));
        if !all && last.is_some() {
            text = text.push(" `evidence --all` shows earlier entries.");
        }
        if own {
            text = text.push(" `log TEXT` adds some.");
        }
        return Ok(Reply::paragraph(text));
    }
    let heading = Text::from("Evidence: ")
        .append(if own {
            Text::from("yours")
        } else {
            Text::new().mention(subject)
        })
        .push(format!(" ({}, {period})", entries.len()));
    let items: Vec<Text> = entries
        .iter()
        .map(|entry| line(entry, subject, zone))
        .collect();
    let mut reply = Reply::new().with_heading(heading).with_bullets(None, items);
    if view == EvidenceView::OwnEntries {
        reply = reply.with_context(
            "Only the entries you logged yourself: the rest is for them and their manager.",
        );
    } else {
        reply = reply.with_context("`unlog ID` removes an entry you logged.");
    }
    Ok(reply)
}

/// One entry in a list: id, date, dimension, words (shortened), link, note, and who logged
/// it when it was not the person.
fn line(entry: &Evidence, subject: &UserId, zone: chrono_tz::Tz) -> Text {
    let day = time::from_text(&entry.logged_at)
        .map(|at| at.with_timezone(&zone).date_naive().to_string())
        .unwrap_or_else(|_| entry.logged_at.chars().take(10).collect());
    let dimension = entry.dimension.as_deref().unwrap_or("untagged");
    let mut text = Text::from(format!(
        "{} · {day} · {dimension}: {}",
        entry.short_id(),
        shorten(&entry.text, 300)
    ));
    if let Some(link) = entry
        .link
        .as_deref()
        .filter(|link| !entry.text.contains(link))
    {
        text = text.push(format!(" ({link})"));
    }
    if let Some(note) = &entry.note {
        text = text.push(format!(" (note: {})", shorten(note, 200)));
    }
    if &entry.author_id != subject {
        text = text
            .push(" (logged by ")
            .mention(&entry.author_id)
            .push(")");
    }
    text
}

fn refusal(subject: &UserId) -> HandlerError {
    HandlerError::Refused(Text::about(
        "Only {@} and their manager can see their evidence.",
        subject,
    ))
}

/// `unlog ID`: remove one of the caller's own entries.
pub async fn unlog(
    bot: &Bot,
    caller: &UserId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Reply, HandlerError> {
    match bot.store().unlog_evidence(id, caller, now).await? {
        Unlogged::Removed(entry) => Ok(Reply::paragraph(Text::from(format!(
            "Removed {}: \"{}\".",
            entry.short_id(),
            shorten(&entry.text, 120)
        )))),
        // The person sees entries their manager logged: they learn who may remove it. Anyone
        // else learns nothing about an entry that is not theirs.
        Unlogged::NotYours(entry) if &entry.person_id == caller => {
            Err(HandlerError::Refused(Text::template(
                &format!(
                    "E{id} was logged by {{@}}, so only they can remove it; nothing was changed."
                ),
                &[entry.author_id.as_str()],
            )))
        }
        Unlogged::NotYours(_) | Unlogged::NotFound => {
            Err(HandlerError::Invalid(Text::from(format!(
                "You have no entry E{id} to remove (`evidence` lists yours), so nothing was changed."
            ))))
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// `3412` → `3,412`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_link_is_found_plain_or_in_slack_markup() {
        assert_eq!(
            first_link("shipped it, see https://x.test/pr/1."),
            Some("https://x.test/pr/1".to_owned())
        );
        assert_eq!(
            first_link("see <https://x.test/a|the PR> and http://y.test"),
            Some("https://x.test/a".to_owned())
        );
        assert_eq!(first_link("no link here, just https://"), None);
    }

    #[test]
    fn counts_are_written_with_thousands_separators() {
        assert_eq!(thousands(3412), "3,412");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
