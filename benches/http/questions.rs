//! The questions the bench asks: real questions, and many new wordings of them.
//!
//! A new wording here is the same question typed differently: letters in random case, extra
//! spaces between words, a question mark or full stop at the end. Each wording is checked,
//! before any request is sent, to resolve to exactly the question its original resolves to
//! (the same [`Command::Ask`], then the same [`Query`]), so answering it from a cache keyed by
//! the resolved question is right, and a run rotating through thousands of them measures what
//! the issue means: an exact text the server has never seen, a question it knows.

use std::collections::HashSet;

use career_bot::ask::{Engine, Query};
use career_bot::bot::command::{self, Command};
use career_bot::frameworks::{FrameworkSource, load};

/// Real questions, as people type them: levels, titles, comparisons (within and across
/// frameworks), a dimension, a ladder, a typo, and one that cannot be answered.
pub const QUESTIONS: &[&str] = &[
    "what does Level 3 Happiness need",
    "how do I get from 2 to 3 in marketing",
    "senior engineer",
    "ownership at marketing level 4",
    "difference between staff and principal at infracloud",
    "Happiness Hero II",
    "compare marketing 3 and 5",
    "what's expected of a senior engineer at InfraCloud",
    "engineer of distinction",
    "hapiness level 2",
    "marketing titles",
    "level 9 marketing",
];

/// One text to ask, and which of [`QUESTIONS`] it is a wording of.
#[derive(Clone, Debug)]
pub struct Wording {
    pub text: String,
    pub question: usize,
}

/// [`QUESTIONS`] as they are, once each.
pub fn originals() -> Vec<Wording> {
    QUESTIONS
        .iter()
        .enumerate()
        .map(|(question, text)| Wording {
            text: (*text).to_owned(),
            question,
        })
        .collect()
}

/// `count` distinct wordings, none of them one of [`QUESTIONS`] as written, spread evenly
/// over the questions and interleaved (question 0, 1, … 11, 0, 1, …), each checked to resolve
/// to the same question as its original. Deterministic: the same list every run.
pub fn rotating(count: usize) -> Vec<Wording> {
    let checker = Checker::new();
    let mut random = SplitMix(0x5eed_1e16);
    let mut seen: HashSet<String> = QUESTIONS.iter().map(|q| (*q).to_owned()).collect();
    let mut wordings = Vec::with_capacity(count);
    let mut question = 0;
    while wordings.len() < count {
        let original = QUESTIONS[question];
        let text = reword(original, &mut random);
        if seen.insert(text.clone()) {
            checker.assert_same_question(original, &text);
            wordings.push(Wording { text, question });
            question = (question + 1) % QUESTIONS.len();
        }
    }
    wordings
}

/// `original` typed differently: each letter upper or lower case at random, one to three
/// spaces between words, sometimes a space before, and sometimes `?`, `.` or `?!` after.
fn reword(original: &str, random: &mut SplitMix) -> String {
    let mut text = String::with_capacity(original.len() + 8);
    if random.below(4) == 0 {
        text.push(' ');
    }
    for (i, word) in original.split(' ').enumerate() {
        if i > 0 {
            for _ in 0..=random.below(3) {
                text.push(' ');
            }
        }
        for letter in word.chars() {
            if random.below(2) == 0 {
                text.extend(letter.to_uppercase());
            } else {
                text.extend(letter.to_lowercase());
            }
        }
    }
    text.push_str(["", "", "?", ".", "?!"][random.below(5)]);
    text
}

/// Checks wordings against the bundled frameworks, which `career-bot serve` loads by default.
struct Checker {
    engine: Engine,
}

impl Checker {
    fn new() -> Self {
        Self {
            engine: Engine::new(load(&[FrameworkSource::Bundled]).library),
        }
    }

    /// The question `text` asks, as the slash-command route resolves it.
    fn resolve(&self, text: &str) -> Query {
        match command::parse(text) {
            Ok(Command::Ask(question)) => self.engine.parse(&question),
            other => panic!("{text:?} is not a question but {other:?}"),
        }
    }

    fn assert_same_question(&self, original: &str, wording: &str) {
        assert_eq!(
            self.resolve(original),
            self.resolve(wording),
            "{wording:?} must ask what {original:?} asks"
        );
    }
}

/// A small, fast pseudo-random generator (SplitMix64): the bench needs variety, not secrecy,
/// and the same sequence every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
