//! The people team's figures: per manager and overall, over the last N months, how many
//! career conversations were held, the share held on time, the median days late, the
//! disputes and the share the report confirmed; and the on-time share per month for each
//! top-level team (the chart). Pure: the conversations and the org come in as values, and
//! so does today.
//!
//! A conversation is **on time** when it was held before the day its cycle became overdue
//! (the previous conversation, or the report's start, plus the framework's `overdue_after`).
//! A snooze does not excuse lateness: the figure is how often people talked in time. Days
//! late count from the last day that was on time, so a conversation held on the overdue day
//! is one day late; the median is over the late conversations only (on-time ones would hide
//! how late the late ones are).

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};

use super::Cadence;
use super::org::Org;
use crate::ids::UserId;

/// The default window of `stats`, in months.
pub const DEFAULT_MONTHS: u32 = 12;
/// The longest window `stats` accepts, in months.
pub const MAX_MONTHS: u32 = 120;
/// At most this many team lines on the chart.
pub const MAX_TEAMS: usize = 8;

/// How the report answered a conversation, as the figures count it (the latest answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Not answered yet.
    Pending,
    /// Confirmed.
    Confirmed,
    /// Said it did not happen.
    Disputed,
}

/// A manager's number among the managers of [`Conversations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ManagerNo(u32);

impl ManagerNo {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// One recorded conversation, as the figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversation {
    /// The report's manager of record when it was held.
    pub manager: ManagerNo,
    /// When it was held.
    pub held_on: NaiveDate,
    /// The report's previous conversation, else their start date (`None`: unknown, counted
    /// as on time since no cadence applied).
    pub previous: Option<NaiveDate>,
    /// The cadence of the report's framework.
    pub cadence: Cadence,
    /// The report's latest answer.
    pub answer: Answer,
}

/// The conversations to count, their managers numbered.
///
/// Why numbers: an organisation of 100,000 holds some 200,000 conversations a year between
/// about 1,000 managers; counting by number rather than by id (cloned and hashed per
/// conversation) was a large part of the time of `stats` (see `BENCHMARKS.md`).
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    managers: Vec<UserId>,
    numbers: foldhash::HashMap<String, ManagerNo>,
    /// The manager numbered last: a report's conversations come in a row, mostly with one
    /// manager, so this saves most lookups.
    last: Option<ManagerNo>,
    held: Vec<Conversation>,
}

impl Conversations {
    /// The number of the manager `id`, numbering them if new.
    pub fn manager(&mut self, id: &str) -> ManagerNo {
        if let Some(last) = self.last
            && self.managers[last.index()] == id
        {
            return last;
        }
        let number = match self.numbers.get(id) {
            Some(number) => *number,
            None => {
                let number = ManagerNo(u32::try_from(self.managers.len()).unwrap_or(u32::MAX));
                self.managers.push(UserId::new(id));
                self.numbers.insert(id.to_owned(), number);
                number
            }
        };
        self.last = Some(number);
        number
    }

    /// Adds a conversation (its manager numbered with [`Conversations::manager`]).
    pub fn push(&mut self, conversation: Conversation) {
        self.held.push(conversation);
    }

    /// The managers of record, in order of their numbers.
    pub fn managers(&self) -> &[UserId] {
        &self.managers
    }

    /// The conversations, as added.
    pub fn held(&self) -> &[Conversation] {
        &self.held
    }
}

/// The figures for a set of conversations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Conversations held.
    pub held: usize,
    /// Of those, held before they were overdue.
    pub on_time: usize,
    /// Days late of each late one (unsorted).
    late_days: Vec<u32>,
    /// Disputed by the report.
    pub disputed: usize,
    /// Confirmed by the report.
    pub confirmed: usize,
}

impl Figures {
    fn add(&mut self, days_late: Option<u32>, answer: Answer) {
        self.held += 1;
        match days_late {
            None => self.on_time += 1,
            Some(days) => self.late_days.push(days),
        }
        match answer {
            Answer::Confirmed => self.confirmed += 1,
            Answer::Disputed => self.disputed += 1,
            Answer::Pending => {}
        }
    }

    /// The share held on time, 0.0–1.0; `None` when none were held.
    pub fn on_time_share(&self) -> Option<f64> {
        share(self.on_time, self.held)
    }

    /// The share the report confirmed, 0.0–1.0; `None` when none were held.
    pub fn confirmed_share(&self) -> Option<f64> {
        share(self.confirmed, self.held)
    }

    /// The median days late of the late conversations; `None` when none was late.
    pub fn median_days_late(&self) -> Option<f64> {
        let mut days = self.late_days.clone();
        let n = days.len();
        if n == 0 {
            return None;
        }
        let (_, upper, _) = days.select_nth_unstable(n / 2);
        let upper = f64::from(*upper);
        if n % 2 == 1 {
            return Some(upper);
        }
        let lower = days[..n / 2].iter().max().copied().map_or(upper, f64::from);
        Some((lower + upper) / 2.0)
    }
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One line of the chart: a top-level team's on-time share per month.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSeries {
    /// The team's top manager; `None` for the teams beyond the largest, put together.
    pub team: Option<UserId>,
    /// Conversations the team held in the window.
    pub held: usize,
    /// The on-time share of each month of [`Stats::months`]; `None` for a month without
    /// conversations.
    pub on_time: Vec<Option<f64>>,
}

/// Everything `stats` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted (today).
    pub to: NaiveDate,
    /// The first day of each calendar month the window touches, oldest first.
    pub months: Vec<NaiveDate>,
    /// Over every conversation in scope.
    pub overall: Figures,
    /// Per manager of record, most conversations first (then by id).
    pub per_manager: Vec<(UserId, Figures)>,
    /// At most [`MAX_TEAMS`] lines, most conversations first.
    pub teams: Vec<TeamSeries>,
}

/// A team while counting: conversations held, and per month (on time, held).
type Tally = (usize, Vec<(usize, usize)>);

/// Who the figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The whole organisation (an admin).
    Everyone,
    /// Conversations held by this manager or anyone in their reporting line.
    LineOf(&'a UserId),
}

/// The first day of the window that ends `today` and spans `months` months.
pub fn window_start(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .and_then(|date| date.succ_opt())
        .unwrap_or(NaiveDate::MIN)
}

/// The figures for `conversations` held in the `months` months ending `today`, within `scope`.
pub fn compute(
    conversations: &Conversations,
    org: &Org,
    scope: Scope<'_>,
    today: NaiveDate,
    months: u32,
) -> Stats {
    let from = window_start(today, months);
    let month_starts = month_starts(from, today);
    let managers = conversations.managers();
    // What depends on the manager only, worked out once per manager: whether they are in
    // scope, and the number of their top-level team.
    let (in_scope, scope_root): (Vec<bool>, Option<&UserId>) = match scope {
        Scope::Everyone => (vec![true; managers.len()], None),
        Scope::LineOf(root) => {
            let members = org.reporting_line(root);
            let in_scope = managers
                .iter()
                .map(|manager| manager == root || members.contains(manager))
                .collect();
            (in_scope, Some(root))
        }
    };
    let mut team_ids: Vec<&UserId> = Vec::new();
    let mut team_numbers: HashMap<&UserId, usize> = HashMap::new();
    let team_of: Vec<usize> = managers
        .iter()
        .map(|manager| {
            let team = org.team_of(manager, scope_root);
            *team_numbers.entry(team).or_insert_with(|| {
                team_ids.push(team);
                team_ids.len() - 1
            })
        })
        .collect();
    let mut overall = Figures::default();
    let mut per_manager: Vec<Figures> = vec![Figures::default(); managers.len()];
    let mut teams: Vec<Tally> = vec![(0, vec![(0, 0); month_starts.len()]); team_ids.len()];
    for conversation in conversations.held() {
        let manager = conversation.manager.index();
        if conversation.held_on < from || conversation.held_on > today || !in_scope[manager] {
            continue;
        }
        let days_late = days_late(conversation);
        overall.add(days_late, conversation.answer);
        per_manager[manager].add(days_late, conversation.answer);
        let (held, series) = &mut teams[team_of[manager]];
        *held += 1;
        if let Some(slot) = series.get_mut(month_index(from, conversation.held_on)) {
            slot.1 += 1;
            if days_late.is_none() {
                slot.0 += 1;
            }
        }
    }
    let mut per_manager: Vec<(UserId, Figures)> = managers
        .iter()
        .cloned()
        .zip(per_manager)
        .filter(|(_, figures)| figures.held > 0)
        .collect();
    per_manager.sort_by(|a, b| b.1.held.cmp(&a.1.held).then_with(|| a.0.cmp(&b.0)));
    let teams = team_ids
        .into_iter()
        .zip(teams)
        .filter(|(_, (held, _))| *held > 0)
        .collect();
    Stats {
        from,
        to: today,
        teams: team_lines(teams),
        months: month_starts,
        overall,
        per_manager,
    }
}

/// How many days late a conversation was; `None` when on time.
fn days_late(conversation: &Conversation) -> Option<u32> {
    let previous = conversation.previous?;
    let overdue_on = conversation.cadence.overdue_after.after(previous);
    if conversation.cadence.overdue_after.is_zero() || conversation.held_on < overdue_on {
        return None;
    }
    let days = (conversation.held_on - overdue_on).num_days() + 1;
    Some(u32::try_from(days).unwrap_or(u32::MAX))
}

/// The largest teams as lines; beyond [`MAX_TEAMS`], the smallest are put together in one.
fn team_lines(mut teams: Vec<(&UserId, Tally)>) -> Vec<TeamSeries> {
    teams.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    let mut lines = Vec::new();
    let mut others: Option<Tally> = None;
    let keep = if teams.len() > MAX_TEAMS {
        MAX_TEAMS - 1
    } else {
        MAX_TEAMS
    };
    for (index, (team, (held, series))) in teams.into_iter().enumerate() {
        if index < keep {
            lines.push((Some(team.clone()), held, series));
        } else {
            let (total, sum) = others.get_or_insert_with(|| (0, vec![(0, 0); series.len()]));
            *total += held;
            for (slot, (on_time, count)) in sum.iter_mut().zip(series) {
                slot.0 += on_time;
                slot.1 += count;
            }
        }
    }
    if let Some((held, series)) = others {
        lines.push((None, held, series));
    }
    lines
        .into_iter()
        .map(|(team, held, series)| TeamSeries {
            team,
            held,
            on_time: series
                .into_iter()
                .map(|(on_time, count)| share(on_time, count))
                .collect(),
        })
        .collect()
}

fn month_starts(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut month = from.with_day(1).unwrap_or(from);
    while month <= to {
        months.push(month);
        match month.checked_add_months(Months::new(1)) {
            Some(next) => month = next,
            None => break,
        }
    }
    months
}

fn month_index(from: NaiveDate, date: NaiveDate) -> usize {
    let months = (date.year() - from.year()) * 12 + date.month() as i32 - from.month() as i32;
    usize::try_from(months).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn id(text: &str) -> UserId {
        UserId::new(text)
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    /// Conversations from `(report, manager, held on, previous, answer)`; the report is
    /// only for reading the cases (the figures count by manager).
    fn talks(items: &[(&str, &str, &str, &str, Answer)]) -> Conversations {
        let mut conversations = Conversations::default();
        for (_report, manager, held, previous, answer) in items {
            let manager = conversations.manager(manager);
            conversations.push(Conversation {
                manager,
                held_on: date(held),
                previous: Some(date(previous)),
                cadence: Cadence::default(),
                answer: *answer,
            });
        }
        conversations
    }

    fn org() -> Org {
        Org::new(
            [
                ("lead", "vp"),
                ("ana", "lead"),
                ("bo", "lead"),
                ("cy", "vp"),
                ("dee", "solo"),
            ]
            .map(|(p, m)| (id(p), id(m))),
        )
    }

    fn sample() -> Conversations {
        talks(&[
            // On time: overdue from 2026-07-01.
            ("ana", "lead", "2026-06-30", "2026-01-01", Answer::Confirmed),
            // One day late (held on the overdue day).
            ("bo", "lead", "2026-07-01", "2026-01-01", Answer::Disputed),
            // 10 days late.
            ("cy", "vp", "2026-07-10", "2026-01-01", Answer::Pending),
            // 20 days late, another top-level team.
            ("dee", "solo", "2026-07-20", "2026-01-01", Answer::Confirmed),
            // Outside a three-month window.
            ("ana", "lead", "2025-01-01", "2024-12-01", Answer::Confirmed),
        ])
    }

    #[test]
    fn the_figures_of_a_small_org_are_as_counted_by_hand() {
        let stats = compute(&sample(), &org(), Scope::Everyone, date("2026-08-15"), 3);
        assert_eq!(stats.from, date("2026-05-16"));
        assert_eq!(stats.months.len(), 4);
        assert_eq!(stats.overall.held, 4);
        assert_eq!(stats.overall.on_time, 1);
        assert_eq!(stats.overall.on_time_share(), Some(0.25));
        assert_eq!(stats.overall.median_days_late(), Some(10.0));
        assert_eq!(stats.overall.disputed, 1);
        assert_eq!(stats.overall.confirmed_share(), Some(0.5));
        let lead = &stats.per_manager[0];
        assert_eq!(lead.0, id("lead"));
        assert_eq!(lead.1.held, 2);
        assert_eq!(lead.1.median_days_late(), Some(1.0));
        let teams: Vec<(Option<&str>, usize)> = stats
            .teams
            .iter()
            .map(|t| (t.team.as_ref().map(UserId::as_str), t.held))
            .collect();
        assert_eq!(teams, [(Some("vp"), 3), (Some("solo"), 1)]);
        // June: one on time of one; July: none of two.
        assert_eq!(stats.teams[0].on_time, [None, Some(1.0), Some(0.0), None]);
    }

    #[test]
    fn a_manager_sees_their_line_only_with_teams_under_them() {
        let stats = compute(
            &sample(),
            &org(),
            Scope::LineOf(&id("vp")),
            date("2026-08-15"),
            3,
        );
        assert_eq!(stats.overall.held, 3);
        let teams: Vec<Option<&str>> = stats
            .teams
            .iter()
            .map(|t| t.team.as_ref().map(UserId::as_str))
            .collect();
        assert_eq!(teams, [Some("lead"), Some("vp")]);
        let lead = compute(
            &sample(),
            &org(),
            Scope::LineOf(&id("lead")),
            date("2026-08-15"),
            3,
        );
        assert_eq!(lead.overall.held, 2);
    }

    #[test]
    fn the_median_of_an_even_count_is_between_the_middle_two() {
        let mut figures = Figures::default();
        for days in [1, 3, 10, 2] {
            figures.add(Some(days), Answer::Pending);
        }
        assert_eq!(figures.median_days_late(), Some(2.5));
        assert_eq!(Figures::default().median_days_late(), None);
        assert_eq!(Figures::default().on_time_share(), None);
    }

    #[test]
    fn more_than_eight_teams_keep_seven_and_put_the_rest_together() {
        let items: Vec<(String, String)> = (0..12)
            .map(|i| (format!("r{i}"), format!("m{i:02}")))
            .collect();
        let items: Vec<(&str, &str, &str, &str, Answer)> = items
            .iter()
            .map(|(report, manager)| {
                (
                    report.as_str(),
                    manager.as_str(),
                    "2026-03-01",
                    "2026-01-01",
                    Answer::Pending,
                )
            })
            .collect();
        let stats = compute(
            &talks(&items),
            &Org::default(),
            Scope::Everyone,
            date("2026-03-31"),
            1,
        );
        assert_eq!(stats.teams.len(), MAX_TEAMS);
        assert_eq!(stats.teams[7].team, None);
        assert_eq!(stats.teams[7].held, 5);
    }

    #[test]
    fn a_manager_is_numbered_once() {
        let mut conversations = Conversations::default();
        let lead = conversations.manager("lead");
        assert_eq!(conversations.manager("vp"), ManagerNo(1));
        assert_eq!(conversations.manager("lead"), lead);
        assert_eq!(conversations.managers(), [id("lead"), id("vp")]);
    }

    /// The managers of the model: `m1` and `m2` report to `m0`, `m3` to no one tracked.
    const MANAGERS: [&str; 4] = ["m0", "m1", "m2", "m3"];

    proptest! {
        /// Against a plain model: the overall counts are the counts of the conversations in
        /// the window and the scope, each manager's are theirs, and each team's are those of
        /// its managers.
        #[test]
        fn counts_match_a_plain_model(
            items in proptest::collection::vec((0usize..4, 0i64..700, 0i64..400, 0u8..3), 0..60),
            scope in 0usize..3,
        ) {
            let base = date("2025-01-01");
            let org = Org::new([("m1", "m0"), ("m2", "m0")].map(|(p, m)| (id(p), id(m))));
            let root = id(MANAGERS[scope.saturating_sub(1)]);
            let scope = if scope == 0 { Scope::Everyone } else { Scope::LineOf(&root) };
            let mut conversations = Conversations::default();
            let mut model = Vec::new();
            for (manager, held, gap, answer) in &items {
                let held_on = base + chrono::Duration::days(*held);
                let conversation = Conversation {
                    manager: conversations.manager(MANAGERS[*manager]),
                    held_on,
                    previous: Some(held_on - chrono::Duration::days(*gap)),
                    cadence: Cadence::default(),
                    answer: [Answer::Pending, Answer::Confirmed, Answer::Disputed][usize::from(*answer)],
                };
                conversations.push(conversation);
                model.push((MANAGERS[*manager], conversation));
            }
            let today = date("2026-10-01");
            let stats = compute(&conversations, &org, scope, today, 12);
            // In scope: everyone; within m0's line, m0 to m2; within m1's, m1 alone.
            let in_scope = |manager: &str| match scope {
                Scope::Everyone => true,
                Scope::LineOf(root) => manager == root.as_str() || (root == "m0" && manager != "m3"),
            };
            let counted: Vec<&(&str, Conversation)> = model
                .iter()
                .filter(|(manager, c)| c.held_on >= stats.from && c.held_on <= today && in_scope(manager))
                .collect();
            prop_assert_eq!(stats.overall.held, counted.len());
            let on_time = counted
                .iter()
                .filter(|(_, c)| c.held_on < Cadence::default().overdue_after.after(c.previous.unwrap()))
                .count();
            prop_assert_eq!(stats.overall.on_time, on_time);
            let disputed = counted.iter().filter(|(_, c)| c.answer == Answer::Disputed).count();
            prop_assert_eq!(stats.overall.disputed, disputed);
            for manager in MANAGERS {
                let want = counted.iter().filter(|(m, _)| *m == manager).count();
                let got = stats
                    .per_manager
                    .iter()
                    .find(|(id, _)| id == manager)
                    .map_or(0, |(_, figures)| figures.held);
                prop_assert_eq!(got, want, "{}", manager);
            }
            // Everyone: the teams are m0 (m0 to m2) and m3; within m0's line, each manager
            // is their own team.
            let team_of = |manager: &'static str| match scope {
                Scope::Everyone if manager == "m3" => "m3",
                Scope::Everyone => "m0",
                Scope::LineOf(_) => manager,
            };
            for team in MANAGERS {
                let want = counted.iter().filter(|(m, _)| team_of(m) == team).count();
                let got = stats
                    .teams
                    .iter()
                    .find(|line| line.team.as_ref().is_some_and(|id| id == team))
                    .map_or(0, |line| line.held);
                prop_assert_eq!(got, want, "team {}", team);
            }
        }
    }
}
