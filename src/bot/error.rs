//! Errors from handlers: those meant for the user (shown as they are) and internal ones
//! (logged; the user sees that nothing was changed).

use crate::ids::UserId;
use crate::reply::Text;
use crate::store::StoreError;

/// Why a handler did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The caller may not do this; the sentence says who may.
    #[error("{0}")]
    Refused(Text),
    /// The input does not work; the sentence says what would.
    #[error("{0}")]
    Invalid(Text),
    /// The command would change records, and the database is open read-only (see
    /// [`crate::store::Store::is_read_only`]): nothing was recorded.
    #[error("the database is read-only")]
    ReadOnly,
    /// Something failed on our side. Writes are transactional, so nothing was changed.
    #[error("internal error: {0}")]
    Internal(StoreError),
}

impl From<StoreError> for HandlerError {
    /// A write refused because the database is read-only is [`HandlerError::ReadOnly`], one
    /// that would close a management loop is a refusal naming the chain (sentences for the
    /// user, not internal errors); anything else is internal.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::ReadOnly => HandlerError::ReadOnly,
            StoreError::Loop(chain) => HandlerError::Refused(loop_refusal(&chain)),
            other => HandlerError::Internal(other),
        }
    }
}

/// What the user sees when a command that changes records meets a read-only database.
pub const READ_ONLY_REPLY: &str = "Nothing was recorded: this database is read-only, so only questions and commands that just show things (team, me, history, help) work.";

/// What the user sees for an internal error.
pub const INTERNAL_ERROR_REPLY: &str = "Something went wrong on my side and nothing was changed. Please try again; if it keeps happening, tell an admin.";

/// The refusal for a change that would close a management loop: `chain` runs from the new
/// manager up to the person who would be placed under them ([`StoreError::Loop`], checked by
/// the store inside the write transaction).
///
/// [`StoreError::Loop`]: crate::store::StoreError::Loop
fn loop_refusal(chain: &[UserId]) -> Text {
    let (Some(manager), Some(person)) = (chain.first(), chain.last()) else {
        return Text::from("That would make a management loop, so nothing was changed.");
    };
    let mut loop_text = Text::from("That would make a management loop (").mention(person);
    for id in chain {
        loop_text = loop_text.push(" → ").mention(id);
    }
    loop_text.append(Text::template_of(
        "), so nothing was changed. {@} already reports, directly or through others, to {@}.",
        &[manager, person],
    ))
}
