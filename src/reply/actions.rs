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
/// "Yes, add me" on a request to join a team (value: `bot::messages::request_value`).
pub const ACCEPT_ADD: &str = "team.accept";
/// "No" on a request to join a team (value: `bot::messages::request_value`).
pub const DECLINE_ADD: &str = "team.decline";

/// "Prepare": opens the assessment form before a conversation (value: the assessed
/// person's user id).
pub const PREPARE: &str = "prep.open";

/// "Log evidence" on the home: opens the evidence form for the person who clicks (value:
/// their user id).
pub const LOG_EVIDENCE: &str = "evidence.open";

/// Every action id.
pub const ALL: [&str; 10] = [
    ASK,
    SHOW_MORE,
    RECORD,
    SNOOZE_WEEK,
    ACKNOWLEDGE,
    DISPUTE,
    ACCEPT_ADD,
    DECLINE_ADD,
    PREPARE,
    LOG_EVIDENCE,
];

#[cfg(test)]
mod tests {
    #[test]
    fn action_ids_are_distinct() {
        let distinct: std::collections::HashSet<_> = super::ALL.into_iter().collect();
        assert_eq!(distinct.len(), super::ALL.len());
    }
}
