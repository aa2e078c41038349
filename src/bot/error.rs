//! Errors from handlers: those meant for the user (shown as they are) and internal ones
//! (logged; the user sees that nothing was changed).

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
    /// A write refused because the database is read-only is [`HandlerError::ReadOnly`] (a
    /// sentence for the user, not an internal error); anything else is internal.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::ReadOnly => HandlerError::ReadOnly,
            other => HandlerError::Internal(other),
        }
    }
}

/// What the user sees when a command that changes records meets a read-only database.
pub const READ_ONLY_REPLY: &str = "Nothing was recorded: this database is read-only, so only questions and commands that just show things (team, me, history, help) work.";

/// What the user sees for an internal error.
pub const INTERNAL_ERROR_REPLY: &str = "Something went wrong on my side and nothing was changed. Please try again; if it keeps happening, tell an admin.";
