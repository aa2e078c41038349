//! Splits a question into normalised tokens and reads the numbers people write for levels:
//! digits ("3", "3rd"), words ("three", "third"), roman numerals ("III") and run-together
//! forms ("L3", "lvl3", "level3").

use crate::text::normalize;

/// One word of a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised word ("level", "3", "hero").
    pub word: String,
    /// The number it denotes, if it is one.
    pub number: Option<u32>,
    /// Whether the number is only a number in context: a lone "i", "v" or "x" is usually a
    /// pronoun or "versus", and counts as a roman numeral only after "level" or in a title.
    pub weak_number: bool,
}

impl Token {
    fn word(word: &str) -> Self {
        Self {
            word: word.to_owned(),
            number: None,
            weak_number: false,
        }
    }

    fn number(word: &str, number: u32) -> Self {
        Self {
            word: word.to_owned(),
            number: Some(number),
            weak_number: false,
        }
    }

    /// The form used to match titles: numbers as digits, so "Hero II" matches "hero 2".
    pub fn canonical(&self) -> std::borrow::Cow<'_, str> {
        match self.number {
            Some(number) => number.to_string().into(),
            None => self.word.as_str().into(),
        }
    }
}

/// Words that mark the number after them as a level.
pub fn is_level_word(word: &str) -> bool {
    matches!(
        word,
        "level" | "levels" | "lvl" | "l" | "grade" | "band" | "step" | "tier"
    )
}

/// Tokenises a question.
pub fn tokenize(text: &str) -> Vec<Token> {
    let normalized = normalize(text);
    let mut tokens: Vec<Token> = Vec::with_capacity(normalized.len() / 4 + 1);
    for word in normalized.split(' ').filter(|word| !word.is_empty()) {
        let word = expand_abbreviation(word);
        if let Some((marker, number)) = split_level_prefix(word) {
            tokens.push(Token::word(marker));
            tokens.push(Token::number(word, number));
            continue;
        }
        let after_level_word = tokens.last().is_some_and(|last| is_level_word(&last.word));
        tokens.push(read_number(word, after_level_word));
    }
    weaken_pronoun_one(&mut tokens);
    tokens
}

/// "one" standing for a person or a thing named before ("differ from **one** at
/// InfraCloud", "how does **one** get there", "the **one** who leads") is a pronoun, not
/// Level 1: it keeps its number only as a weak one, like a lone "I". After a level word
/// ("level one") or between numbers ("from one to two") it stays a level.
fn weaken_pronoun_one(tokens: &mut [Token]) {
    for position in 0..tokens.len() {
        if tokens[position].word != "one" || tokens[position].weak_number {
            continue;
        }
        let before = position
            .checked_sub(1)
            .map(|before| tokens[before].word.as_str());
        if before.is_some_and(is_level_word) {
            continue;
        }
        let after = tokens.get(position + 1).map(|after| after.word.as_str());
        let pronoun_before = before.is_some_and(|word| {
            matches!(
                word,
                "a" | "the"
                    | "each"
                    | "every"
                    | "which"
                    | "this"
                    | "that"
                    | "another"
                    | "any"
                    | "no"
                    | "does"
                    | "do"
                    | "can"
                    | "could"
                    | "should"
                    | "would"
                    | "will"
                    | "must"
            )
        });
        let pronoun_after = after.is_some_and(|word| {
            matches!(
                word,
                "at" | "of" | "who" | "whose" | "that" | "with" | "from" | "working"
            )
        });
        if pronoun_before || pronoun_after {
            tokens[position].weak_number = true;
        }
    }
}

/// Tokenises a title or name: here a lone "I" is always the numeral ("Happiness Hero I").
pub fn tokenize_title(text: &str) -> Vec<Token> {
    tokenize(text)
        .into_iter()
        .map(|mut token| {
            token.weak_number = false;
            token
        })
        .collect()
}

/// The word an abbreviation people type stands for ("sr engineer" is "senior engineer");
/// titles are read through the same function, so both sides match.
fn expand_abbreviation(word: &str) -> &str {
    match word {
        "sr" | "snr" => "senior",
        // No bundled title says "junior"; the entry titles say "Associate" (and typo
        // correction would otherwise turn "junior" into "senior").
        "jr" | "jnr" | "junior" => "associate",
        "eng" | "engg" | "engr" => "engineering",
        "mktg" | "mkt" => "marketing",
        other => other,
    }
}

/// "l3" → ("level", 3); also "lvl3", "level3", "lv3".
fn split_level_prefix(word: &str) -> Option<(&'static str, u32)> {
    let digits_at = word.find(|c: char| c.is_ascii_digit())?;
    let (prefix, digits) = word.split_at(digits_at);
    if !matches!(prefix, "l" | "lv" | "lvl" | "level") {
        return None;
    }
    let number = digits.parse().ok()?;
    Some(("level", number))
}

fn read_number(word: &str, after_level_word: bool) -> Token {
    if let Some(number) = digits_with_ordinal(word) {
        return Token::number(word, number);
    }
    if let Some(number) = number_word(word) {
        return Token::number(word, number);
    }
    if let Some(number) = roman(word) {
        let ambiguous = matches!(word, "i" | "v" | "x");
        if !ambiguous || after_level_word {
            return Token::number(word, number);
        }
        return Token {
            word: word.to_owned(),
            number: Some(number),
            weak_number: true,
        };
    }
    Token::word(word)
}

/// "3", "3rd", "2nd", "1st", "4th".
fn digits_with_ordinal(word: &str) -> Option<u32> {
    let end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    if end == 0 || end > 3 {
        return None;
    }
    let suffix = &word[end..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    word[..end].parse().ok()
}

fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "one" | "first" => 1,
        "two" | "second" => 2,
        "three" | "third" => 3,
        "four" | "fourth" => 4,
        "five" | "fifth" => 5,
        "six" | "sixth" => 6,
        "seven" | "seventh" => 7,
        "eight" | "eighth" => 8,
        "nine" | "ninth" => 9,
        "ten" | "tenth" => 10,
        _ => return None,
    })
}

fn roman(word: &str) -> Option<u32> {
    Some(match word {
        "i" => 1,
        "ii" => 2,
        "iii" => 3,
        "iv" => 4,
        "v" => 5,
        "vi" => 6,
        "vii" => 7,
        "viii" => 8,
        "ix" => 9,
        "x" => 10,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<Option<u32>> {
        tokenize(text)
            .iter()
            .map(|t| t.number.filter(|_| !t.weak_number))
            .collect()
    }

    #[test]
    fn one_as_a_pronoun_is_not_level_1() {
        assert_eq!(
            numbers("differ from one at infracloud"),
            [None, None, None, None, None]
        );
        assert_eq!(numbers("how does one get there")[2], None);
        assert_eq!(numbers("the one who leads")[1], None);
        assert_eq!(numbers("level one at buffer")[1], Some(1));
        assert_eq!(numbers("from one to two"), [None, Some(1), None, Some(2)]);
        assert_eq!(numbers("marketing one"), [None, Some(1)]);
    }

    #[test]
    fn reads_every_way_of_writing_a_level_number() {
        assert_eq!(numbers("level 3"), [None, Some(3)]);
        assert_eq!(numbers("L3"), [None, Some(3)]);
        assert_eq!(numbers("lvl 3"), [None, Some(3)]);
        assert_eq!(numbers("level three"), [None, Some(3)]);
        assert_eq!(numbers("level III"), [None, Some(3)]);
        assert_eq!(numbers("3rd level"), [Some(3), None]);
        assert_eq!(numbers("level i"), [None, Some(1)]);
    }

    #[test]
    fn abbreviations_people_type_read_as_the_words_they_stand_for() {
        let words = |text: &str| -> Vec<String> {
            tokenize(text).into_iter().map(|token| token.word).collect()
        };
        assert_eq!(words("Sr. engineer"), ["senior", "engineer"]);
        assert_eq!(words("snr eng"), ["senior", "engineering"]);
        assert_eq!(
            words("jr mktg lvl 2"),
            ["associate", "marketing", "lvl", "2"]
        );
    }

    #[test]
    fn a_lone_i_is_a_pronoun_unless_after_level() {
        let tokens = tokenize("how do I get there");
        assert!(tokens[2].weak_number);
        assert_eq!(tokenize_title("Happiness Hero I")[2].number, Some(1));
        assert!(!tokenize_title("Happiness Hero I")[2].weak_number);
    }
}
