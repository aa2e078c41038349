//! How the typed ids ([`UserId`], [`ChannelId`], [`FrameworkId`]) are read and written: as
//! text, exactly as `String` is, for any database sqlx supports. So a `FromRow` field or a
//! bound parameter can have the id's type.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

use crate::ids::{ChannelId, FrameworkId, UserId};

/// Implements sqlx's `Type`, `Encode` and `Decode` for a string id by delegating to `String`.
macro_rules! text_id {
    ($name:ty) => {
        impl<DB: Database> Type<DB> for $name
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $name
        where
            String: Encode<'q, DB>,
        {
            fn encode(self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, DB>>::encode(self.into_string(), buf)
            }

            fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, DB>>::encode_by_ref(self.as_string(), buf)
            }

            fn produces(&self) -> Option<DB::TypeInfo> {
                <String as Encode<'q, DB>>::produces(self.as_string())
            }

            fn size_hint(&self) -> usize {
                <String as Encode<'q, DB>>::size_hint(self.as_string())
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $name
        where
            String: Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
                <String as Decode<'r, DB>>::decode(value).map(<$name>::new)
            }
        }
    };
}

text_id!(UserId);
text_id!(ChannelId);
text_id!(FrameworkId);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ids_are_bound_and_read_as_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bot.db");
        let store = crate::store::Store::open(&path.to_string_lossy())
            .await
            .expect("open");
        // By value and by reference: `bind` encodes each way.
        let channel = ChannelId::new("C1");
        let (user, read_channel, framework): (UserId, ChannelId, FrameworkId) =
            sqlx::query_as("SELECT $1, $2, $3")
                .bind(UserId::new("U1"))
                .bind(&channel)
                .bind(FrameworkId::new("engineering"))
                .fetch_one(store.pool())
                .await
                .expect("select");
        assert_eq!(user, "U1");
        assert_eq!(read_channel, channel);
        assert_eq!(framework, "engineering");
        let typeof_user: String = sqlx::query_scalar("SELECT typeof($1)")
            .bind(UserId::new("U1"))
            .fetch_one(store.pool())
            .await
            .expect("typeof");
        assert_eq!(typeof_user, "text");
        store.close().await;
    }
}
