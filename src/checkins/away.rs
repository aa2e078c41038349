//! Whether someone is there to read a DM: their chat status (away or not, until when) and
//! their do-not-disturb window, as the chat reports them, judged by configurable rules.
//!
//! A status counts as away when its emoji is one of the configured emoji or its text
//! contains one of the configured words or phrases, ignoring letter case. Words match whole
//! words ("leave" matches "On leave" but not "leaves early"), so short words like "OOO" do
//! not fire inside longer ones.

use chrono::{DateTime, Utc};

/// The emoji that mark absence unless `[away] emoji` says otherwise.
pub const DEFAULT_AWAY_EMOJI: &[&str] = &[
    ":palm_tree:",
    ":airplane:",
    ":face_with_thermometer:",
    ":beach_with_umbrella:",
    ":desert_island:",
    ":thermometer:",
    ":mask:",
    ":baby_bottle:",
];

/// The words and phrases that mark absence unless `[away] words` says otherwise.
pub const DEFAULT_AWAY_WORDS: &[&str] = &[
    "OOO",
    "out of office",
    "out of the office",
    "vacation",
    "holiday",
    "holidays",
    "leave",
    "sick",
    "PTO",
    "day off",
    "days off",
];

/// A chat profile status, as `users.info` gives it (or the shell's `:status`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileStatus {
    /// The status text, e.g. "On holiday".
    pub text: String,
    /// The status emoji, e.g. ":palm_tree:" (empty when none).
    pub emoji: String,
    /// When the status clears by itself; `None` when it does not.
    pub expires: Option<DateTime<Utc>>,
}

/// A do-not-disturb window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DndWindow {
    /// When it began.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// What the chat says about someone right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presence {
    /// Their profile status, if they set one.
    pub status: Option<ProfileStatus>,
    /// Their do-not-disturb window, if one is set.
    pub dnd: Option<DndWindow>,
}

impl Presence {
    /// The end of a do-not-disturb window `now` falls in.
    pub fn dnd_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.dnd
            .filter(|window| window.start <= now && now < window.end)
            .map(|window| window.end)
    }
}

/// Whether someone is away at a given time, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    /// Not away.
    No,
    /// Away until this time (the status expires then).
    Until(DateTime<Utc>),
    /// Away with no end set: checked again at the next working day's slot.
    Indefinitely,
}

/// Which statuses mark absence (`[away]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayRules {
    /// Emoji names, lower case, with their colons (":palm_tree:").
    emoji: Vec<String>,
    /// Each word or phrase as its lower-case words.
    words: Vec<Vec<String>>,
    /// The words and phrases as configured, for `config check`.
    listed_words: Vec<String>,
}

impl Default for AwayRules {
    fn default() -> Self {
        Self::new(DEFAULT_AWAY_EMOJI, DEFAULT_AWAY_WORDS)
    }
}

impl AwayRules {
    /// Rules from emoji (with or without colons) and words or phrases, any letter case.
    pub fn new(emoji: &[impl AsRef<str>], words: &[impl AsRef<str>]) -> Self {
        Self {
            emoji: emoji
                .iter()
                .map(|name| emoji_key(name.as_ref()))
                .filter(|name| name.len() > 2)
                .collect(),
            words: words
                .iter()
                .map(|phrase| tokens(phrase.as_ref()))
                .filter(|phrase| !phrase.is_empty())
                .collect(),
            listed_words: words
                .iter()
                .map(|phrase| phrase.as_ref().trim().to_owned())
                .collect(),
        }
    }

    /// The emoji that mark absence, as ":name:".
    pub fn emoji(&self) -> &[String] {
        &self.emoji
    }

    /// The words and phrases that mark absence, as configured.
    pub fn words(&self) -> &[String] {
        &self.listed_words
    }

    /// Whether `status` marks absence (regardless of when it expires).
    pub fn marks_absence(&self, status: &ProfileStatus) -> bool {
        let emoji = emoji_key(&status.emoji);
        if self.emoji.contains(&emoji) {
            return true;
        }
        let text = tokens(&status.text);
        self.words.iter().any(|phrase| {
            text.windows(phrase.len())
                .any(|window| window == phrase.as_slice())
        })
    }

    /// Whether the person whose presence is `presence` is away at `now`.
    pub fn away(&self, presence: &Presence, now: DateTime<Utc>) -> Away {
        let Some(status) = &presence.status else {
            return Away::No;
        };
        match status.expires {
            Some(expires) if expires <= now => Away::No,
            _ if !self.marks_absence(status) => Away::No,
            Some(expires) => Away::Until(expires),
            None => Away::Indefinitely,
        }
    }
}

/// ":Palm_Tree:" and "palm_tree" alike as ":palm_tree:"; a skin tone (":wave::skin-tone-2:")
/// is dropped, since it does not change what the emoji says.
fn emoji_key(name: &str) -> String {
    let name = name.trim().to_lowercase();
    let name = name.trim_matches(':');
    let base = name.split("::").next().unwrap_or_default();
    format!(":{base}:")
}

/// The lower-case words of `text` (letters and digits; everything else separates).
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str, emoji: &str) -> ProfileStatus {
        ProfileStatus {
            text: text.to_owned(),
            emoji: emoji.to_owned(),
            expires: None,
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a time")
    }

    #[test]
    fn the_default_words_match_whole_words_in_any_case() {
        let rules = AwayRules::default();
        assert!(rules.marks_absence(&status("OOO until Monday", "")));
        assert!(rules.marks_absence(&status("ooo", "")));
        assert!(rules.marks_absence(&status("Out of Office", "")));
        assert!(rules.marks_absence(&status("On parental leave", "")));
        assert!(rules.marks_absence(&status("Sick today", "")));
        assert!(!rules.marks_absence(&status("Cooool project", "")));
        assert!(!rules.marks_absence(&status("leaves at 5", "")));
        assert!(!rules.marks_absence(&status("In a meeting", ":calendar:")));
        assert!(!rules.marks_absence(&ProfileStatus::default()));
    }

    #[test]
    fn the_default_emoji_match_with_or_without_a_skin_tone() {
        let rules = AwayRules::default();
        assert!(rules.marks_absence(&status("", ":palm_tree:")));
        assert!(rules.marks_absence(&status("", ":AIRPLANE:")));
        assert!(rules.marks_absence(&status("", ":face_with_thermometer::skin-tone-3:")));
        assert!(!rules.marks_absence(&status("", ":house_with_garden:")));
    }

    #[test]
    fn configured_rules_replace_the_defaults() {
        let rules = AwayRules::new(&["ski"], &["Urlaub", "off grid"]);
        assert!(rules.marks_absence(&status("", ":ski:")));
        assert!(rules.marks_absence(&status("im URLAUB", "")));
        assert!(rules.marks_absence(&status("Off-grid until May", "")));
        assert!(!rules.marks_absence(&status("vacation", ":palm_tree:")));
    }

    #[test]
    fn an_expired_status_is_not_away_and_one_without_expiry_is_away_indefinitely() {
        let rules = AwayRules::default();
        let now = utc("2026-05-04T09:00:00Z");
        let mut presence = Presence {
            status: Some(status("Vacation", "")),
            dnd: None,
        };
        assert_eq!(rules.away(&presence, now), Away::Indefinitely);
        let expires = utc("2026-05-06T00:00:00Z");
        presence.status = Some(ProfileStatus {
            expires: Some(expires),
            ..status("Vacation", "")
        });
        assert_eq!(rules.away(&presence, now), Away::Until(expires));
        assert_eq!(rules.away(&presence, expires), Away::No);
        assert_eq!(rules.away(&Presence::default(), now), Away::No);
    }

    #[test]
    fn dnd_counts_only_inside_its_window() {
        let presence = Presence {
            status: None,
            dnd: Some(DndWindow {
                start: utc("2026-05-04T08:00:00Z"),
                end: utc("2026-05-04T11:00:00Z"),
            }),
        };
        assert_eq!(
            presence.dnd_until(utc("2026-05-04T09:00:00Z")),
            Some(utc("2026-05-04T11:00:00Z"))
        );
        assert_eq!(presence.dnd_until(utc("2026-05-04T11:00:00Z")), None);
        assert_eq!(presence.dnd_until(utc("2026-05-04T07:00:00Z")), None);
    }
}
