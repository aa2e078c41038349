//! Thanks, greetings, and questions the frameworks cannot answer (pay, poems): one friendly
//! sentence about what the bot covers, plus the framework answer where there is one ("salary
//! of a senior engineer" still shows the level, saying pay is not in the frameworks).

/// What kind of small talk a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// "thanks!", "cheers", "ok".
    Thanks,
    /// "hi", "hello".
    Greeting,
    /// Salary, pay, bonus: not in any framework.
    Pay,
    /// Poems, jokes, the weather.
    OutOfScope,
}

const THANKS: &[&str] = &[
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "great",
    "cool",
    "ok",
    "okay",
    "awesome",
    "nice",
    "perfect",
    "brilliant",
    "bye",
    "goodbye",
];
const GREETINGS: &[&str] = &["hi", "hello", "hey", "hiya", "howdy", "morning", "yo"];
/// Words that may come with thanks or a greeting without making it a question.
const FILLER: &[&str] = &[
    "you", "so", "much", "very", "a", "lot", "good", "there", "bot", "again", "all", "for", "the",
    "help", "that", "s", "it",
];
const PAY: &[&str] = &[
    "salary",
    "salaries",
    "pay",
    "paid",
    "compensation",
    "comp",
    "wage",
    "wages",
    "earn",
    "earns",
    "earning",
    "bonus",
    "bonuses",
    "equity",
    "money",
    "stock",
    "raise",
];
const OUT_OF_SCOPE: &[&str] = &[
    "poem", "poems", "joke", "jokes", "weather", "song", "recipe", "essay", "haiku", "limerick",
    "story",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The kind of small talk `text` is, if it is.
pub(super) fn kind(text: &str) -> Option<Kind> {
    let words = words(text);
    if words.is_empty() {
        return None;
    }
    let only = |set: &[&str]| {
        words
            .iter()
            .all(|word| set.contains(&word.as_str()) || FILLER.contains(&word.as_str()))
            && words.iter().any(|word| set.contains(&word.as_str()))
    };
    if only(THANKS) {
        return Some(Kind::Thanks);
    }
    if only(GREETINGS) || (only(&[GREETINGS, THANKS].concat())) {
        return Some(Kind::Greeting);
    }
    if words
        .iter()
        .any(|word| OUT_OF_SCOPE.contains(&word.as_str()))
    {
        return Some(Kind::OutOfScope);
    }
    if words.iter().any(|word| PAY.contains(&word.as_str())) {
        return Some(Kind::Pay);
    }
    None
}

/// `text` without its pay words, to answer the rest ("salary of a senior engineer" →
/// "of a senior engineer").
pub(super) fn without_pay_words(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| {
            let bare: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
            !PAY.contains(&bare.to_lowercase().as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one sentence for `kind`.
pub(super) fn sentence(kind: Kind) -> &'static str {
    match kind {
        Kind::Thanks => {
            "You're welcome! I answer questions about the career frameworks (levels, titles, what the next level asks for) and keep track of career conversations; type help to see how."
        }
        Kind::Greeting => {
            "Hi! I answer questions about the career frameworks, such as \"what does level 3 marketing need\" or \"senior engineer\"; type help to see more."
        }
        Kind::Pay => {
            "Pay isn't part of the career frameworks, so I can't say anything about salaries or compensation; ask your manager or the people team."
        }
        Kind::OutOfScope => {
            "I only know the career frameworks, so I can't help with that; ask me about a level, a title, or how to get to the next level."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, kind, without_pay_words};

    #[test]
    fn thanks_greetings_pay_and_other_requests_are_told_apart_from_questions() {
        assert_eq!(kind("thanks!"), Some(Kind::Thanks));
        assert_eq!(kind("Thank you so much"), Some(Kind::Thanks));
        assert_eq!(kind("hi there"), Some(Kind::Greeting));
        assert_eq!(kind("can you write me a poem"), Some(Kind::OutOfScope));
        assert_eq!(kind("salary of a senior engineer"), Some(Kind::Pay));
        for question in [
            "what does level 3 happiness need",
            "senior engineer",
            "thanks, and what about marketing level 4",
            "how do I get from 2 to 3 in marketing",
        ] {
            assert_eq!(kind(question), None, "{question}");
        }
        assert_eq!(
            without_pay_words("salary of a senior engineer?"),
            "of a senior engineer?"
        );
    }
}
