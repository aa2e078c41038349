//! The edge between slack-morphism's ids and the bot's own: a Slack user or channel id
//! becomes a [`UserId`] or [`ChannelId`] as it comes in, and goes back as it goes out.

use slack_morphism::prelude::{SlackChannelId, SlackUserId};

use crate::ids::{ChannelId, UserId};

impl From<&SlackUserId> for UserId {
    fn from(id: &SlackUserId) -> Self {
        UserId::new(id.0.clone())
    }
}

impl From<&UserId> for SlackUserId {
    fn from(id: &UserId) -> Self {
        SlackUserId(id.as_str().to_owned())
    }
}

impl From<SlackChannelId> for ChannelId {
    fn from(id: SlackChannelId) -> Self {
        ChannelId::new(id.0)
    }
}

impl From<&ChannelId> for SlackChannelId {
    fn from(id: &ChannelId) -> Self {
        SlackChannelId(id.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cross_the_edge_unchanged() {
        let user = UserId::from(&SlackUserId("U123".to_owned()));
        assert_eq!(user, "U123");
        assert_eq!(SlackUserId::from(&user), SlackUserId("U123".to_owned()));
        let channel = ChannelId::from(SlackChannelId("D9".to_owned()));
        assert_eq!(channel, "D9");
        assert_eq!(
            SlackChannelId::from(&channel),
            SlackChannelId("D9".to_owned())
        );
    }
}
