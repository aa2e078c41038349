//! Answering a question about the asker from their own record (or saying why it cannot be).

use super::AskerRecord;
use crate::ask::answer::answer;
use crate::ask::query::{CompareQuery, LevelQuery, PersonalKind, PersonalQuery, Query};
use crate::ask::{Answer, Engine};
use crate::frameworks::{Framework, Library};
use crate::reply::{Action, Block, Reply};

impl Engine {
    /// Answers `query`, a question about the asker, from their own `record`: their framework
    /// and level, or `None` when they are not tracked. Their level, or the step from it to
    /// the next, is answered as if they had named it (the answer's intent is then `level` or
    /// `compare`); not tracked, it is one sentence saying so and who can add them.
    pub fn answer_personal(&self, query: &PersonalQuery, record: Option<&AskerRecord>) -> Answer {
        // Answered through the cache: the resolved question names the asker's framework and
        // level, so everyone at the same level shares one entry.
        Engine::answer(
            self,
            Query::Personal(resolve(self.library(), query.kind, record)),
        )
    }
}

/// What `record` (`None`: not tracked) makes of a question of this `kind`: their level, the
/// step to their next one, or one sentence saying why there is neither.
pub fn resolve(
    library: &Library,
    kind: PersonalKind,
    record: Option<&AskerRecord>,
) -> PersonalQuery {
    let Some(record) = record else {
        return not_tracked(kind);
    };
    let Some(framework) = library.get(&record.framework) else {
        // A framework file removed or renamed since the record was written.
        return sentence(
            kind,
            format!(
                "Your record puts you on the framework \"{}\", which is not loaded now, so I can't show your level; `frameworks` lists the ones that are.",
                record.framework
            ),
            vec!["frameworks".to_owned()],
        );
    };
    let Some(level) = framework.level(record.level) else {
        let fix = "level @you N".to_owned();
        return sentence(
            kind,
            format!(
                "Your record puts you at Level {} of {}, whose levels are {}, so I can't show it; your manager can correct it with `{fix}`.",
                record.level,
                framework.name,
                framework.level_range_text()
            ),
            vec![fix],
        );
    };
    let here = format!(
        "Your record puts you at Level {} of {}: {}",
        level.number,
        framework.name,
        level.title_text()
    );
    let (message, answered) = match (kind, framework.next_level(level.number)) {
        (PersonalKind::NextLevel, Some(next)) => (
            format!(
                "{here}. Below is what Level {} ({}) adds.",
                next.number,
                next.title_text()
            ),
            compare(framework, level.number, next.number),
        ),
        (PersonalKind::NextLevel, None) => (
            format!(
                "{here}, its top level, so there is no next level to reach; below is what your level asks for."
            ),
            level_query(framework, level.number),
        ),
        (PersonalKind::CurrentLevel, _) => {
            (format!("{here}."), level_query(framework, level.number))
        }
    };
    PersonalQuery {
        kind,
        follow_ups: buttons(&answer(library, &answered)),
        answer: Some(Box::new(answered)),
        message,
    }
}

/// A question of this `kind` as parsed, where nobody is known to be asking (the CLI without
/// `--as`): one sentence saying where to ask it, offering it there.
pub(super) fn as_parsed(kind: PersonalKind) -> PersonalQuery {
    let question = match kind {
        PersonalKind::CurrentLevel => "what level am I",
        PersonalKind::NextLevel => "what do I need for my next level",
    };
    let in_slack = format!("/career {question}");
    let shell = "career-bot shell".to_owned();
    let cli = format!("career-bot ask --as USER --db PATH \"{question}\"");
    sentence(
        kind,
        format!(
            "I can't tell who is asking here, so I can't look up your level: ask in Slack (`{in_slack}`) or in `{shell}`, or run `{cli}`."
        ),
        vec![in_slack, shell, cli],
    )
}

/// The asker is not on a framework (unknown to the bot, removed, or a manager only).
fn not_tracked(kind: PersonalKind) -> PersonalQuery {
    // The command names are the registry's: `add` for a manager, `import-org` for an admin.
    let manager = "add @you FRAMEWORK LEVEL".to_owned();
    let admin = "career-bot import-org".to_owned();
    sentence(
        kind,
        format!(
            "You are not tracked on a career framework yet, so I have no level to show you: your manager can add you with `{manager}`, or an admin with `{admin}`."
        ),
        vec![manager, admin],
    )
}

/// One sentence instead of an answer, with the commands it offers.
fn sentence(kind: PersonalKind, message: String, follow_ups: Vec<String>) -> PersonalQuery {
    PersonalQuery {
        kind,
        answer: None,
        message,
        follow_ups,
    }
}

fn level_query(framework: &Framework, level: u32) -> Query {
    Query::Level(LevelQuery {
        framework: framework.id.clone(),
        level,
        dimension: None,
        role: None,
        alternatives: Vec::new(),
        note: None,
    })
}

fn compare(framework: &Framework, from: u32, to: u32) -> Query {
    Query::Compare(CompareQuery {
        framework: framework.id.clone(),
        from,
        to,
        step_down: false,
        dimension: None,
        alternatives: Vec::new(),
        note: None,
    })
}

/// What each button of `reply` would have the reader type next.
fn buttons(reply: &Reply) -> Vec<String> {
    reply
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Actions { actions, .. } => Some(actions),
            _ => None,
        })
        .flatten()
        .filter_map(|action| match action {
            Action::Button { typed, .. } => typed.clone(),
            Action::Link { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::AskerRecord;
    use super::as_parsed;
    use crate::ask::{AnswerJson, Engine, Intent, PersonalKind, PersonalQuery, Query};
    use crate::frameworks::{FrameworkSource, load};

    fn engine() -> Engine {
        Engine::new(load(&[FrameworkSource::Bundled]).library)
    }

    fn asked(kind: PersonalKind, framework: &str, level: u32) -> AnswerJson {
        let record = AskerRecord {
            framework: framework.to_owned(),
            level,
        };
        engine()
            .answer_personal(&as_parsed(kind), Some(&record))
            .to_json()
    }

    /// The answer with nobody known to be asking.
    fn unanswered(engine: &Engine, query: &PersonalQuery) -> crate::ask::Answer {
        let query = Query::Personal(query.clone());
        let reply = crate::ask::answer::answer(engine.library(), &query);
        crate::ask::Answer { query, reply }
    }

    /// Every `code` span of `text`: the commands and questions it offers.
    fn offered(text: &str) -> Vec<&str> {
        text.split('`').skip(1).step_by(2).collect()
    }

    #[test]
    fn the_current_level_is_the_level_answer_and_offers_what_changes_next() {
        let json = asked(PersonalKind::CurrentLevel, "buffer-marketing", 2);
        assert_eq!(json.intent, Intent::Level);
        assert_eq!(json.framework.as_deref(), Some("buffer-marketing"));
        assert_eq!(json.level, Some(2));
        assert!(
            json.text
                .starts_with("Buffer Marketing · Level 2: Strategist\n")
                && json
                    .text
                    .contains("Your record puts you at Level 2 of Buffer Marketing: Strategist."),
            "{}",
            json.text
        );
        assert_eq!(
            json.suggestions,
            ["compare buffer-marketing level 2 and level 3"]
        );
    }

    #[test]
    fn the_next_level_is_the_step_from_the_askers_level() {
        let json = asked(PersonalKind::NextLevel, "buffer-marketing", 2);
        assert_eq!(json.intent, Intent::Compare);
        assert_eq!((json.from_level, json.to_level), (Some(2), Some(3)));
        assert_eq!(json.level, None);
        assert!(
            json.text
                .contains("Below is what Level 3 (Coordinator) adds."),
            "{}",
            json.text
        );
        assert!(json.text.contains("Ownership: what Level 3 adds"));
    }

    #[test]
    fn at_the_top_level_the_answer_says_so_and_shows_the_level() {
        let json = asked(PersonalKind::NextLevel, "buffer-happiness", 3);
        assert_eq!(json.intent, Intent::Level);
        assert_eq!(json.level, Some(3));
        assert!(
            json.text
                .contains("its top level, so there is no next level to reach")
        );
        assert!(json.suggestions.is_empty(), "{:?}", json.suggestions);
    }

    #[test]
    fn sentences_offer_only_what_their_suggestions_list() {
        let engine = engine();
        let kinds = [PersonalKind::CurrentLevel, PersonalKind::NextLevel];
        let gone = AskerRecord {
            framework: "sales".to_owned(),
            level: 2,
        };
        let out_of_range = AskerRecord {
            framework: "buffer-happiness".to_owned(),
            level: 9,
        };
        for kind in kinds {
            let query = as_parsed(kind);
            for (answer, says) in [
                (
                    unanswered(&engine, &query),
                    "I can't tell who is asking here",
                ),
                (
                    engine.answer_personal(&query, None),
                    "You are not tracked on a career framework yet",
                ),
                (
                    engine.answer_personal(&query, Some(&gone)),
                    "\"sales\", which is not loaded now",
                ),
                (
                    engine.answer_personal(&query, Some(&out_of_range)),
                    "whose levels are 1–3",
                ),
            ] {
                let json = answer.to_json();
                assert_eq!(json.intent, Intent::Personal, "{}", json.text);
                assert_eq!(json.framework, None);
                assert!(json.text.contains(says), "{}", json.text);
                assert_eq!(
                    json.text.matches(". ").count(),
                    0,
                    "one sentence: {}",
                    json.text
                );
                assert_eq!(offered(&json.text), json.suggestions, "{}", json.text);
            }
        }
    }
}
