//! The action ids of buttons, declared once: the replies that make buttons and the adapters
//! that handle their clicks both read them here. They are plain words, not Slack's: a button is
//! part of the neutral [`super::Reply`].

/// A question to answer (value: the question).
pub const ASK: &str = "ask";
/// "Show more": the next part of a long answer (value: the command and the page).
pub const SHOW_MORE: &str = "reply.more";
/// "We had the conversation": opens the record form (value: `bot::messages::cycle_value`).
pub const RECORD: &str = "checkin.record";
/// "Snooze 1 week" (value: `bot::messages::cycle_value`).
pub const SNOOZE_WEEK: &str = "checkin.snooze_week";
/// "Yes, we talked" (value: check-in id).
pub const ACKNOWLEDGE: &str = "checkin.acknowledge";
/// "That didn't happen" (value: check-in id).
pub const DISPUTE: &str = "checkin.dispute";

/// Every action id.
pub const ALL: [&str; 6] = [ASK, SHOW_MORE, RECORD, SNOOZE_WEEK, ACKNOWLEDGE, DISPUTE];

#[cfg(test)]
mod tests {
    #[test]
    fn action_ids_are_distinct() {
        let distinct: std::collections::HashSet<_> = super::ALL.into_iter().collect();
        assert_eq!(distinct.len(), super::ALL.len());
    }
}
