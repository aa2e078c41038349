//! The fixed words of questions: what signals an intent, what is filler, and which ordinary
//! words point at which kind of dimension. Kept in one place so the parser reads as logic.

/// Words that ask to compare or to move between levels.
pub const COMPARE_WORDS: &[&str] = &[
    "compare",
    "comparison",
    "compared",
    "difference",
    "differences",
    "different",
    "differ",
    "diff",
    "between",
    "vs",
    "versus",
    "versa",
];

/// Words that ask what it takes to reach a level ("get to", "become", "reach").
pub const TOWARD_WORDS: &[&str] = &[
    "reach",
    "become",
    "becoming",
    "promoted",
    "promotion",
    "promote",
    "move",
    "moving",
    "get",
    "getting",
    "go",
    "advance",
    "progress",
    "grow",
    "step",
    "up",
    "jump",
];

/// Words that ask what comes after a level.
pub const AFTER_WORDS: &[&str] = &["next", "after", "beyond", "above", "following"];

/// Words that ask for a framework's titles or ladder.
pub const TITLE_WORDS: &[&str] = &[
    "titles",
    "title",
    "roles",
    "ladder",
    "levels",
    "positions",
    "names",
    "path",
    "paths",
    "progression",
    "structure",
    "overview",
];

/// Words that ask for the list of frameworks.
pub const FRAMEWORK_WORDS: &[&str] = &[
    "frameworks",
    "framework",
    "tracks",
    "track",
    "teams",
    "ladders",
    "available",
    "all",
    "list",
    "which",
    "know",
    "supported",
];

/// Words that ask for help.
pub const HELP_WORDS: &[&str] = &["help", "usage", "commands", "command", "examples", "howto"];

/// Words that ask for a search ("which level mentions mentoring"): known words, so never
/// read as typos of names, but not typo targets themselves.
pub const SEARCH_WORDS: &[&str] = &[
    "search",
    "find",
    "grep",
    "lookup",
    "mention",
    "mentions",
    "mentioned",
    "mentioning",
    "talk",
    "talks",
    "talking",
    "whos",
    "where",
];

/// Every cue word; typos of these are corrected too ("diffrence").
pub const CUE_WORDS: &[&str] = &[
    "compare",
    "comparison",
    "difference",
    "differences",
    "between",
    "versus",
    "reach",
    "become",
    "promoted",
    "promotion",
    "progress",
    "advance",
    "next",
    "after",
    "beyond",
    "titles",
    "roles",
    "ladder",
    "levels",
    "frameworks",
    "framework",
    "tracks",
    "teams",
    "ladders",
    "available",
    "help",
    "usage",
    "commands",
    "examples",
    "level",
];

/// Filler that carries no meaning for the parser.
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "what"
            | "whats"
            | "which"
            | "does"
            | "do"
            | "did"
            | "is"
            | "are"
            | "was"
            | "were"
            | "the"
            | "a"
            | "an"
            | "of"
            | "at"
            | "in"
            | "for"
            | "on"
            | "to"
            | "into"
            | "need"
            | "needs"
            | "needed"
            | "require"
            | "requires"
            | "required"
            | "requirements"
            | "expected"
            | "expect"
            | "expectations"
            | "expectation"
            | "me"
            | "my"
            | "i"
            | "im"
            | "you"
            | "your"
            | "we"
            | "our"
            | "us"
            | "how"
            | "about"
            | "tell"
            | "show"
            | "give"
            | "explain"
            | "describe"
            | "with"
            | "and"
            | "or"
            | "be"
            | "being"
            | "someone"
            | "person"
            | "it"
            | "its"
            | "this"
            | "that"
            | "there"
            | "as"
            | "like"
            | "can"
            | "should"
            | "would"
            | "could"
            | "want"
            | "wants"
            | "please"
            | "hi"
            | "hello"
            | "hey"
            | "mean"
            | "means"
            | "look"
            | "looks"
            | "job"
            | "career"
            | "asks"
            | "ask"
            | "take"
            | "takes"
            | "when"
            | "where"
            | "who"
            | "why"
            | "then"
            | "than"
            | "so"
            | "if"
            | "have"
            | "has"
            | "from"
            | "get"
            | "getting"
            | "go"
            | "up"
            | "here"
            | "am"
            | "they"
            | "them"
            | "their"
            | "s"
            | "o"
            | "by"
            | "same"
            | "now"
            | "currently"
            | "current"
            | "one"
            | "kind"
            | "sort"
            | "thing"
            | "things"
            | "stuff"
            | "any"
            | "some"
            | "everything"
            | "long"
            | "time"
            | "much"
            | "more"
            | "less"
            | "see"
            | "read"
            | "let"
            | "lets"
            | "new"
            | "role"
            | "work"
            | "v"
    )
}

/// Maps ordinary words to the dimension word they usually mean: "responsibility" and "own"
/// point at ownership, "impact" and "scope" at scope of influence, and so on. A word that is
/// already a dimension's own word is matched exactly first, so a framework whose dimension is
/// literally called "Impact" still gets it.
pub fn canonical_dimension_word(word: &str) -> &str {
    match word {
        "scope" | "influence" | "influences" | "influencing" | "ripple" | "impact" => "influence",
        "own" | "owns" | "owning" | "owner" | "ownership" | "responsibility"
        | "responsibilities" | "responsible" | "accountable" | "accountability" => "ownership",
        "conduct" | "conducted" | "conducting" | "approach" => "conducted",
        "trait" | "traits" | "behaviour" | "behavior" | "behaviours" | "behaviors"
        | "behavioral" | "behavioural" => "traits",
        "manage" | "managing" | "management" => "management",
        "community" | "social" => "social",
        "organisation" | "organization" => "organization",
        "delight" | "delighting" => "delighting",
        "competency" | "competencies" => "competencies",
        other => other,
    }
}
