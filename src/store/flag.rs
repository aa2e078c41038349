//! A yes/no column read the same from both databases.
//!
//! PostgreSQL returns `boolean` for `EXISTS (…)` and boolean columns, while SQLite has no
//! boolean type: its flags and `EXISTS` are integers 0 and 1, which sqlx's `Any` driver will
//! not decode as `bool`. [`Flag`] reads either, so a query written once works on both.

use sqlx::any::{AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

/// A boolean read from a PostgreSQL `boolean` or a SQLite integer (0 is false, anything else
/// true). Use it as `query_scalar::<_, Flag>` or as a `FromRow` field's
/// `#[sqlx(try_from = "Flag")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind() == AnyTypeInfoKind::Bool || ty.kind().is_integer()
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <bool as Decode<'r, Any>>::decode(value.clone()) {
            Ok(flag) => Ok(Flag(flag)),
            Err(_) => Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0)),
        }
    }
}
