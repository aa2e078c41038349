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
    /// Something failed on our side. Writes are transactional, so nothing was changed.
    #[error("internal error: {0}")]
    Internal(#[from] StoreError),
}

/// What the user sees for an internal error.
pub const INTERNAL_ERROR_REPLY: &str = "Something went wrong on my side and nothing was changed. Please try again; if it keeps happening, tell an admin.";
