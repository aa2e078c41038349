//! Who may act on a report: its manager of record, or an admin; and who may add someone
//! without asking them first.

use crate::bot::{Bot, HandlerError};
use crate::ids::UserId;
use crate::reply::Text;
use crate::store::people::Person;

/// Whether `caller` may record, move, snooze or change `report`.
pub fn can_manage(bot: &Bot, caller: &UserId, report: &Person) -> bool {
    report.manager_id.as_ref() == Some(caller) || bot.settings().is_admin(caller)
}

/// Whether `caller` may add `user_id` to their team without asking them first: an admin
/// may; anyone else only when `user_id` has never had a manager other than `caller` (so a
/// `remove` never lets someone new take over a record and message its person as their
/// manager). Otherwise `add` asks the person, who answers with `accept` or `decline`.
pub async fn may_add_without_asking(
    bot: &Bot,
    caller: &UserId,
    user_id: &UserId,
) -> Result<bool, HandlerError> {
    if bot.settings().is_admin(caller) {
        return Ok(true);
    }
    Ok(bot
        .store()
        .managers_ever(user_id)
        .await?
        .iter()
        .all(|manager| manager == caller))
}

/// The active report `user_id`, if `caller` may manage it; otherwise a refusal that says why
/// and who may. Nothing is written before this check passes.
pub async fn require_manager(
    bot: &Bot,
    caller: &UserId,
    user_id: &UserId,
) -> Result<Person, HandlerError> {
    let Some(report) = bot
        .store()
        .person(user_id)
        .await?
        .filter(|p| p.active && p.framework_id.is_some())
    else {
        return Err(HandlerError::Invalid(
            Text::new()
                .mention(user_id)
                .push(" is not on anyone's team. Add them first with `add ")
                .mention(user_id)
                .push(" FRAMEWORK LEVEL`."),
        ));
    };
    if can_manage(bot, caller, &report) {
        return Ok(report);
    }
    let manager = match report.manager_id.as_ref() {
        Some(manager) => Text::new().mention(manager),
        None => Text::from("nobody"),
    };
    Err(HandlerError::Refused(
        Text::from("Only ")
            .mention(user_id)
            .push("'s manager (")
            .append(manager)
            .push(") or an admin can do that, so nothing was changed."),
    ))
}

/// What someone may see of a person's evidence. Evidence is personal: admins have no rule of
/// their own here (an admin sees evidence only as the person or their manager).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceView {
    /// The person themselves, or their current manager: every entry.
    Everything,
    /// Anyone else: only the entries they logged themselves (a previous manager keeps what
    /// they logged for the person; for others that is nothing).
    OwnEntries,
}

/// Whether `caller` manages `person` now: their manager of record while they are tracked
/// (after a `remove`, the manager of record is a previous manager).
pub fn manages_now(caller: &UserId, person: &Person) -> bool {
    person.active && person.manager_id.as_ref() == Some(caller)
}

/// What `caller` may see of the evidence of `person_id` (`person` is their record, if any).
pub fn evidence_view(caller: &UserId, person_id: &UserId, person: Option<&Person>) -> EvidenceView {
    if caller == person_id || person.is_some_and(|person| manages_now(caller, person)) {
        EvidenceView::Everything
    } else {
        EvidenceView::OwnEntries
    }
}

/// Whether `caller` may log evidence for `person_id`: for themselves, or as the current
/// manager of a tracked report. Not an admin for anyone else: they would then read it.
pub fn may_log_for(caller: &UserId, person_id: &UserId, person: Option<&Person>) -> bool {
    caller == person_id || person.is_some_and(|person| manages_now(caller, person))
}

/// Whether `caller` may see `manager`'s team and figures: an admin may, and so may any
/// manager above them in the org chart (a director sees their whole org).
pub async fn may_oversee(
    bot: &Bot,
    caller: &UserId,
    manager: &UserId,
) -> Result<bool, HandlerError> {
    if bot.settings().is_admin(caller) {
        return Ok(true);
    }
    let org = org(bot).await?;
    Ok(org.is_above(caller, manager))
}

/// The org chart of tracked people, as the people team's views read it.
pub async fn org(bot: &Bot) -> Result<crate::checkins::org::Org, HandlerError> {
    let edges = bot.store().org_edges().await?;
    Ok(crate::checkins::org::Org::new(
        edges
            .into_iter()
            .map(|edge| (edge.user_id, edge.manager_id)),
    ))
}
