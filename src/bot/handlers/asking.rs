//! Questions, in chat and the shell: one about the asker ("what level am I", "how do I get
//! promoted") is answered from their own record; every other from the frameworks alone.

use crate::ask::{Answer, AskerRecord, Query};
use crate::bot::{Bot, HandlerError};
use crate::ids::UserId;
use crate::store::{Store, StoreError};

/// Answers `question` asked by `caller`, and counts it in the metrics by intent. A question
/// about the asker reads their record (and only theirs), so what they see is their own level.
pub async fn ask_as(bot: &Bot, caller: &UserId, question: &str) -> Result<Answer, HandlerError> {
    // One engine for parsing and answering, so a reload in between cannot mix frameworks.
    let engine = bot.engine();
    let answer = engine.ask(question);
    let answer = match &answer.query {
        Query::Personal(personal) => {
            let record = record_of(bot.store(), caller).await?;
            engine.answer_personal(personal, record.as_ref())
        }
        _ => answer,
    };
    super::count_question(bot, &answer.query);
    Ok(answer)
}

/// `user`'s place on a framework from their own record, or `None` when they are not tracked:
/// unknown to the bot, removed (`remove` keeps the record but stops tracking), or a manager
/// with no framework of their own.
pub async fn record_of(store: &Store, user: &UserId) -> Result<Option<AskerRecord>, StoreError> {
    let person = store.person(user).await?.filter(|person| person.active);
    Ok(person.and_then(|person| {
        Some(AskerRecord {
            framework: person.framework_id?.into_string(),
            level: person.level?,
        })
    }))
}
