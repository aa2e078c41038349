//! The question parser against the bundled frameworks: more than a hundred ways people ask,
//! each with what it must be understood as. Rows that must be refused say what the refusal
//! must contain, so a vague "I don't know" would fail.

use career_bot::ask::{AnswerJson, Engine, Intent};
use career_bot::frameworks::{FrameworkSource, load};

/// What a question must be understood as.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Level(&'static str, u32),
    LevelDim(&'static str, u32, &'static str),
    Compare(&'static str, u32, u32),
    CompareDim(&'static str, u32, u32, &'static str),
    Titles(&'static str),
    TitlesDim(&'static str, &'static str),
    Frameworks,
    Help,
    /// Refused: the text must contain this, and there must be suggestions.
    Refused(&'static str),
    /// A level, with this in the text (a remark on how the question was read).
    LevelSays(&'static str, u32, &'static str),
    /// A comparison (lower, higher), with this in the text.
    CompareSays(&'static str, u32, u32, &'static str),
    /// Small talk: this sentence, no framework answer.
    Chat(&'static str),
    /// Small talk: this sentence, then the answer for this level.
    ChatThen(&'static str, &'static str, u32),
    /// One dimension of a level, with this in the text.
    LevelDimSays(&'static str, u32, &'static str, &'static str),
    /// Two frameworks' levels side by side: (framework, level, other framework, level).
    Across(&'static str, u32, &'static str, u32),
    /// Specialist roles described side by side: the framework, with each of these in the text.
    Roles(&'static str, &'static [&'static str]),
    /// One dimension up the ladder, with this in the text.
    LadderSays(&'static str, &'static str, &'static str),
    /// About the asker, with nobody known to be asking: the sentence saying where to ask,
    /// offering this question.
    Personal(&'static str),
    /// A search, within this framework (or all), whose best match says this (any case).
    Search(Option<&'static str>, &'static str),
}

use Expect::*;

const CASES: &[(&str, Expect)] = &[
    // A level, by number, in every spelling.
    (
        "what does Level 3 Happiness need",
        Level("buffer-happiness", 3),
    ),
    ("level 3 happiness", Level("buffer-happiness", 3)),
    ("happiness L3", Level("buffer-happiness", 3)),
    ("Level three happiness", Level("buffer-happiness", 3)),
    ("happiness level III", Level("buffer-happiness", 3)),
    ("happiness level 3?", Level("buffer-happiness", 3)),
    ("hapiness level 2", Level("buffer-happiness", 2)),
    ("markting level 4", Level("buffer-marketing", 4)),
    ("marketing level 1", Level("buffer-marketing", 1)),
    ("Marketing L5", Level("buffer-marketing", 5)),
    ("lvl 2 marketing", Level("buffer-marketing", 2)),
    ("level5 marketing", Level("buffer-marketing", 5)),
    ("the 2nd level in marketing", Level("buffer-marketing", 2)),
    ("second level of marketing", Level("buffer-marketing", 2)),
    ("marketers level 3", Level("buffer-marketing", 3)),
    ("infracloud level 4", Level("infracloud-engineering", 4)),
    ("infranauts level 5", Level("infracloud-engineering", 5)),
    ("L1 infracloud", Level("infracloud-engineering", 1)),
    ("buffer engineering level 8", Level("buffer-engineering", 8)),
    ("engineering level 1", Level("buffer-engineering", 1)),
    ("support level 2", Level("buffer-happiness", 2)),
    ("customer support level 1", Level("buffer-happiness", 1)),
    // A level, by title.
    (
        "what's expected of a senior engineer at InfraCloud",
        Level("infracloud-engineering", 3),
    ),
    ("Happiness Hero II", Level("buffer-happiness", 2)),
    ("Happiness Hero I", Level("buffer-happiness", 1)),
    ("happiness hero 1", Level("buffer-happiness", 1)),
    (
        "what does a Happiness Hero III need?",
        Level("buffer-happiness", 3),
    ),
    ("hapiness hero 2", Level("buffer-happiness", 2)),
    ("Engineer of Distinction", Level("buffer-engineering", 8)),
    ("senior engineer", Level("buffer-engineering", 4)),
    ("what does a strategist need", Level("buffer-marketing", 2)),
    ("coordinator", Level("buffer-marketing", 3)),
    (
        "what is expected from a Content Crafter",
        Level("buffer-marketing", 1),
    ),
    ("social media marketer", Level("buffer-marketing", 1)),
    ("head of marketing", Level("buffer-marketing", 5)),
    (
        "I want to be head of marketing",
        Level("buffer-marketing", 5),
    ),
    ("Software Engineer II", Level("buffer-engineering", 2)),
    ("software engineer III", Level("buffer-engineering", 3)),
    ("software engineer", Level("buffer-engineering", 1)),
    ("Senior Engineer II", Level("buffer-engineering", 5)),
    ("staff engineer at buffer", Level("buffer-engineering", 6)),
    ("principal engineer buffer", Level("buffer-engineering", 7)),
    ("associate engineer", Level("infracloud-engineering", 1)),
    (
        "what does an associate engineer at infracloud need",
        Level("infracloud-engineering", 1),
    ),
    ("infracloud engineer", Level("infracloud-engineering", 2)),
    (
        "principal engineer at infracloud",
        Level("infracloud-engineering", 5),
    ),
    (
        "staff engineer infracloud",
        Level("infracloud-engineering", 4),
    ),
    (
        "Senoir engineer at infracloud",
        Level("infracloud-engineering", 3),
    ),
    (
        "principle engineer at infracloud",
        Level("infracloud-engineering", 5),
    ),
    // Specialist roles answer with the first level they relate to.
    ("Tech Hero", Level("buffer-happiness", 3)),
    ("happiness lead", Level("buffer-happiness", 2)),
    (
        "onboarding and education specialist",
        Level("buffer-happiness", 1),
    ),
    (
        "Onboarding and Education Specialist II",
        Level("buffer-happiness", 1),
    ),
    // One dimension of a level.
    (
        "ownership at marketing level 4",
        LevelDim("buffer-marketing", 4, "Ownership"),
    ),
    (
        "scope of influence for marketing level 2",
        LevelDim("buffer-marketing", 2, "Scope of influence"),
    ),
    (
        "how is work conducted at marketing level 3",
        LevelDim("buffer-marketing", 3, "How work is conducted"),
    ),
    (
        "marketing 5 ownership",
        LevelDim("buffer-marketing", 5, "Ownership"),
    ),
    (
        "what scope does a coordinator have",
        LevelDim("buffer-marketing", 3, "Scope of influence"),
    ),
    (
        "impact at happiness level 2",
        LevelDim("buffer-happiness", 2, "Scope of influence"),
    ),
    (
        "responsibilities of a marketing senior",
        LevelDim("buffer-marketing", 4, "Ownership"),
    ),
    (
        "social capital at infracloud level 3",
        LevelDim("infracloud-engineering", 3, "Social Capital"),
    ),
    (
        "core competencies of a staff engineer at infracloud",
        LevelDim("infracloud-engineering", 4, "Core Competencies"),
    ),
    (
        "enabling traits for associate engineer",
        LevelDim("infracloud-engineering", 1, "Enabling Traits"),
    ),
    (
        "management expectations for a principal engineer at infracloud",
        LevelDim("infracloud-engineering", 5, "Management"),
    ),
    (
        "delighting people at infracloud level 2",
        LevelDim("infracloud-engineering", 2, "Delighting People"),
    ),
    (
        "organisation building for senior engineers at infracloud",
        LevelDim("infracloud-engineering", 3, "Organization Building"),
    ),
    (
        "traits at infracloud level 5",
        LevelDim("infracloud-engineering", 5, "Enabling Traits"),
    ),
    // What changes between two levels.
    (
        "how do I get from level 2 to level 3 in marketing",
        Compare("buffer-marketing", 2, 3),
    ),
    (
        "how do I get from one to two in marketing",
        Compare("buffer-marketing", 1, 2),
    ),
    (
        "how do I get from 2 to 3 in marketing",
        Compare("buffer-marketing", 2, 3),
    ),
    (
        "compare marketing 3 and 5",
        Compare("buffer-marketing", 3, 5),
    ),
    (
        "difference between staff and principal at infracloud",
        Compare("infracloud-engineering", 4, 5),
    ),
    ("marketing 1 vs 2", Compare("buffer-marketing", 1, 2)),
    (
        "compare level 5 and level 3 in marketing",
        Compare("buffer-marketing", 3, 5),
    ),
    (
        "how do I get to level 4 in marketing",
        Compare("buffer-marketing", 3, 4),
    ),
    (
        "what comes after coordinator",
        Compare("buffer-marketing", 3, 4),
    ),
    (
        "next level after Happiness Hero I",
        Compare("buffer-happiness", 1, 2),
    ),
    (
        "how do I become a staff engineer at infracloud",
        Compare("infracloud-engineering", 3, 4),
    ),
    (
        "associate engineer vs engineer",
        Compare("infracloud-engineering", 1, 2),
    ),
    (
        "senior engineer to staff engineer at buffer",
        Compare("buffer-engineering", 4, 6),
    ),
    (
        "diffrence between happiness hero 2 and 3",
        Compare("buffer-happiness", 2, 3),
    ),
    (
        "what changes between software engineer and software engineer II",
        Compare("buffer-engineering", 1, 2),
    ),
    (
        "how long from coordinator to senior",
        Compare("buffer-marketing", 3, 4),
    ),
    (
        "promotion from strategist to coordinator",
        Compare("buffer-marketing", 2, 3),
    ),
    (
        "compare buffer-marketing level 4 and level 5",
        Compare("buffer-marketing", 4, 5),
    ),
    (
        "how does ownership change from marketing 2 to 3",
        CompareDim("buffer-marketing", 2, 3, "Ownership"),
    ),
    // A framework's titles.
    ("marketing titles", Titles("buffer-marketing")),
    ("titles in happiness", Titles("buffer-happiness")),
    (
        "what are the levels at infracloud",
        Titles("infracloud-engineering"),
    ),
    ("marketing", Titles("buffer-marketing")),
    (
        "show me the buffer engineering ladder",
        Titles("buffer-engineering"),
    ),
    ("happiness roles", Titles("buffer-happiness")),
    (
        "ownership in marketing",
        TitlesDim("buffer-marketing", "Ownership"),
    ),
    // The frameworks, and help.
    ("frameworks", Frameworks),
    ("list frameworks", Frameworks),
    ("which frameworks do you know", Frameworks),
    ("what teams are there", Frameworks),
    ("what team are there", Frameworks),
    ("help", Help),
    ("", Help),
    ("?", Help),
    // Refused, with a helpful sentence and suggestions.
    (
        "level 9 marketing",
        Refused("Buffer Marketing has no level 9; its levels are 1–5"),
    ),
    (
        "happiness level 4",
        Refused("Buffer Happiness has no level 4; its levels are 1–3"),
    ),
    ("level 0 marketing", Refused("has no level 0")),
    (
        "engineering level 12",
        Refused("Buffer Engineering has no level 12; its levels are 1–8"),
    ),
    ("markeitng level 42", Refused("has no level 42")),
    (
        "what does level 3 sales need",
        Refused("I don't know a framework or title called \"sales\""),
    ),
    ("salse level 2", Refused("called \"salse\"")),
    (
        "level 3",
        Refused("Which framework do you mean? Level 3 exists in"),
    ),
    ("compare 2 and 3", Refused("Levels 2 and 3 exist in")),
    (
        "what is the weather",
        Chat("I only know the career frameworks"),
    ),
    // A title word beside an explicit level number is context, not a second level.
    (
        "infracloud engineer level 3",
        Level("infracloud-engineering", 3),
    ),
    (
        "engineer level 3 at infracloud",
        Level("infracloud-engineering", 3),
    ),
    ("marketer level 3", Level("buffer-marketing", 3)),
    ("level 3 marketer", Level("buffer-marketing", 3)),
    ("senior marketer", Level("buffer-marketing", 4)),
    (
        "what does a senior marketer need",
        Level("buffer-marketing", 4),
    ),
    ("support level 2", Level("buffer-happiness", 2)),
    (
        "from strategist to coordinator",
        Compare("buffer-marketing", 2, 3),
    ),
    (
        "how do I go from strategist to level 3 in marketing",
        Compare("buffer-marketing", 2, 3),
    ),
    // Abbreviations people type.
    ("sr engineer", Level("buffer-engineering", 4)),
    ("snr engineer", Level("buffer-engineering", 4)),
    (
        "Sr. Engineer at infracloud",
        Level("infracloud-engineering", 3),
    ),
    ("sr eng", Level("buffer-engineering", 4)),
    ("jr engineer", Level("infracloud-engineering", 1)),
    ("eng level 3", Level("buffer-engineering", 3)),
    ("engg level 2", Level("buffer-engineering", 2)),
    ("mktg level 3", Level("buffer-marketing", 3)),
    ("lvl 3 mktg", Level("buffer-marketing", 3)),
    ("mktg L2", Level("buffer-marketing", 2)),
    ("mktg level IV", Level("buffer-marketing", 4)),
    // Levels are whole numbers within the framework's range.
    (
        "marketing level 3.5",
        Refused("Levels are whole numbers: \"3.5\" is not one. Buffer Marketing's levels are 1–5"),
    ),
    (
        "marketing level -1",
        Refused("\"-1\" is not one. Buffer Marketing's levels are 1–5"),
    ),
    (
        "marketing level +1",
        Refused("\"+1\" is not one. Buffer Marketing's levels are 1–5"),
    ),
    (
        "marketing level 99999999999999999999",
        Refused("Buffer Marketing's levels are 1–5"),
    ),
    (
        "what does happiness level 2.0 need",
        Refused("Buffer Happiness's levels are 1–3"),
    ),
    ("level -2", Refused("Levels are whole numbers")),
    // The same level twice, and a step down.
    (
        "compare marketing 3 and 3",
        LevelSays("buffer-marketing", 3, "that is the same level"),
    ),
    (
        "marketing level 2 vs level 2",
        LevelSays("buffer-marketing", 2, "same level"),
    ),
    (
        "how do I get from 3 to 2 in marketing",
        CompareSays("buffer-marketing", 2, 3, "Level 3 → Level 2 (a step down)"),
    ),
    (
        "from level 4 to level 2 in marketing",
        CompareSays(
            "buffer-marketing",
            2,
            4,
            "Level 2 is a step down from Level 4",
        ),
    ),
    // Small talk and what the frameworks do not cover.
    ("thanks!", Chat("You're welcome")),
    ("thank you so much", Chat("You're welcome")),
    ("cheers", Chat("You're welcome")),
    ("hello", Chat("Hi!")),
    ("hey there", Chat("Hi!")),
    (
        "can you write me a poem",
        Chat("I only know the career frameworks"),
    ),
    ("tell me a joke", Chat("I only know the career frameworks")),
    (
        "salary of a senior engineer",
        ChatThen(
            "Pay isn't part of the career frameworks",
            "buffer-engineering",
            4,
        ),
    ),
    (
        "how much does a marketing level 3 earn",
        ChatThen("Pay isn't part", "buffer-marketing", 3),
    ),
    (
        "what's the pay for happiness level 2",
        ChatThen("Pay isn't part", "buffer-happiness", 2),
    ),
    (
        "tech hero in marketing",
        Refused("\"Tech Hero\" is a title in Buffer Happiness, not in Buffer Marketing"),
    ),
    (
        "ownership at infracloud level 2",
        Refused("InfraCloud Engineering has no \"ownership\" dimension"),
    ),
    // A title shortened to its distinctive word and grade.
    (
        "from hero II to hero III",
        Compare("buffer-happiness", 2, 3),
    ),
    ("hero 2 to hero 3", Compare("buffer-happiness", 2, 3)),
    ("what does a hero II need", Level("buffer-happiness", 2)),
    ("hero iii", Level("buffer-happiness", 3)),
    (
        "compare hero I and hero III",
        Compare("buffer-happiness", 1, 3),
    ),
    (
        "difference between hero 1 and hero 2",
        Compare("buffer-happiness", 1, 2),
    ),
    // A dimension only another framework with the same title has.
    (
        "how much time does a staff engineer spend on management",
        LevelDimSays(
            "infracloud-engineering",
            4,
            "Management",
            "Buffer Engineering has no Management dimension, so this answer is from InfraCloud Engineering",
        ),
    ),
    (
        "management for a senior engineer",
        LevelDimSays(
            "infracloud-engineering",
            3,
            "Management",
            "Management: ~10-15%",
        ),
    ),
    (
        "social capital of a principal engineer",
        LevelDimSays(
            "infracloud-engineering",
            5,
            "Social Capital",
            "so this answer is from InfraCloud Engineering",
        ),
    ),
    (
        "staff engineer organization building",
        LevelDimSays(
            "infracloud-engineering",
            4,
            "Organization Building",
            "~15-20%",
        ),
    ),
    // Time and tenure in comparisons and ladders.
    (
        "how long does it take to go from associate engineer to engineer",
        CompareSays(
            "infracloud-engineering",
            1,
            2,
            "Approximate tenure in this role: Level 1 ~1 year → Level 2 ~2 year",
        ),
    ),
    (
        "how long from senior engineer to staff engineer at infracloud",
        CompareSays(
            "infracloud-engineering",
            3,
            4,
            "Management: Level 3 ~10-15% → Level 4 ~20-25%",
        ),
    ),
    (
        "how long from marketing 2 to 3",
        CompareSays("buffer-marketing", 2, 3, "Level 2 → 3: 6–12 months"),
    ),
    ("infracloud titles", Titles("infracloud-engineering")),
    // Specialist roles beside the ladder.
    (
        "tech hero vs happiness lead",
        Roles(
            "buffer-happiness",
            &["Tech Hero", "Happiness Lead", "Happiness Hero III"],
        ),
    ),
    (
        "difference between a happiness lead and a tech hero",
        Roles("buffer-happiness", &["Happiness Lead", "Tech Hero"]),
    ),
    (
        "compare tech hero with happiness hero 2",
        Roles(
            "buffer-happiness",
            &["Tech Hero", "Level 2: Happiness Hero II"],
        ),
    ),
    (
        "onboarding and education specialist vs happiness lead",
        Roles(
            "buffer-happiness",
            &["Onboarding and Education Specialist I", "Happiness Lead"],
        ),
    ),
    // Across frameworks.
    (
        "what's the difference between a senior engineer at buffer and at infracloud",
        Across("buffer-engineering", 4, "infracloud-engineering", 3),
    ),
    (
        "marketing level 2 vs infracloud level 2",
        Across("buffer-marketing", 2, "infracloud-engineering", 2),
    ),
    // "one" standing for the person named before is not Level 1, and "differ from" and
    // "different than" join two sides.
    (
        "how does a senior engineer at buffer differ from one at infracloud",
        Across("buffer-engineering", 4, "infracloud-engineering", 3),
    ),
    (
        "is a senior engineer at buffer different from the one at infracloud",
        Across("buffer-engineering", 4, "infracloud-engineering", 3),
    ),
    (
        "how is a staff engineer at infracloud different than at buffer",
        Across("infracloud-engineering", 4, "buffer-engineering", 6),
    ),
    ("level one happiness", Level("buffer-happiness", 1)),
    (
        "infracloud level 3 versus buffer engineering level 4",
        Across("infracloud-engineering", 3, "buffer-engineering", 4),
    ),
    (
        "compare staff engineer at infracloud with buffer",
        Across("infracloud-engineering", 4, "buffer-engineering", 6),
    ),
    (
        "marketing 3 and happiness 3",
        Across("buffer-marketing", 3, "buffer-happiness", 3),
    ),
    (
        "how does a strategist in marketing compare to a happiness hero 2",
        Across("buffer-marketing", 2, "buffer-happiness", 2),
    ),
    (
        "level 1 at infracloud vs level 1 in marketing",
        Across("infracloud-engineering", 1, "buffer-marketing", 1),
    ),
    (
        "marketing level 9 vs infracloud level 2",
        Refused("Buffer Marketing has no level 9"),
    ),
    // One dimension up the ladder.
    (
        "how does ownership grow in marketing",
        LadderSays("buffer-marketing", "Ownership", "Level 5: Head of"),
    ),
    (
        "scope of influence across happiness levels",
        LadderSays(
            "buffer-happiness",
            "Scope of influence",
            "Level 3: Happiness Hero III",
        ),
    ),
    (
        "management across infracloud levels",
        LadderSays(
            "infracloud-engineering",
            "Management",
            "Management: ~20-25%",
        ),
    ),
    (
        "how does ownership change through the engineering levels",
        LadderSays("buffer-engineering", "Ownership", "Level 8"),
    ),
    (
        "ownership in marketing level by level",
        LadderSays(
            "buffer-marketing",
            "Ownership",
            "to Level 2: typically 3–6 months",
        ),
    ),
    // About the asker: `career-bot ask` does not know who asks, so it says where to ask.
    ("what level am I", Personal(CURRENT)),
    ("What level am I?", Personal(CURRENT)),
    ("what's my level", Personal(CURRENT)),
    ("which level am I at", Personal(CURRENT)),
    ("what is my current level", Personal(CURRENT)),
    ("what's my title", Personal(CURRENT)),
    ("where am I on the ladder", Personal(CURRENT)),
    ("what do I need for my next level", Personal(NEXT)),
    ("how do I get promoted", Personal(NEXT)),
    ("what's my next level", Personal(NEXT)),
    ("whats my next level?", Personal(NEXT)),
    ("what do I need to get to the next level", Personal(NEXT)),
    ("am I ready for a promotion", Personal(NEXT)),
    ("how can I level up", Personal(NEXT)),
    ("what should I work on to get promoted", Personal(NEXT)),
    ("how do I get promtoed", Personal(NEXT)),
    // Explicit questions stay explicit, whatever their pronouns.
    (
        "how do I get to level 4 in marketing",
        Compare("buffer-marketing", 3, 4),
    ),
    (
        "what do I need for level 3 happiness",
        Level("buffer-happiness", 3),
    ),
    // Searches of what the frameworks say: explicit cues, a framework named narrows them.
    ("which level mentions mentoring", Search(None, "mentoring")),
    (
        "where does thought leadership come in",
        Search(None, "is a thought leader"),
    ),
    (
        "who sets strategy in marketing",
        Search(Some("buffer-marketing"), "set strategy"),
    ),
    (
        "who interviews candidates",
        Search(None, "interviews engineers"),
    ),
    ("at what level does hiring come in", Search(None, "hires")),
    ("who's responsible for hiring", Search(None, "hires")),
    ("where does debugging come in", Search(None, "debug")),
    (
        "which level mentions documentation",
        Search(None, "documentation"),
    ),
    ("find code review", Search(None, "reviews the code")),
    ("mentions coaching", Search(None, "coaching on voice")),
    (
        "who mentors associate engineers",
        Search(None, "mentors at least"),
    ),
    ("which level covers estimates", Search(None, "estimates")),
    (
        "where is the community mentioned",
        Search(None, "community"),
    ),
    (
        "who writes proposals",
        Search(None, "writes detailed proposals"),
    ),
    (
        "which infracloud level talks about conferences",
        Search(Some("infracloud-engineering"), "conferences"),
    ),
    ("where do meetups come in", Search(None, "meetups")),
    (
        "find blog posts in infracloud",
        Search(Some("infracloud-engineering"), "blog post"),
    ),
    (
        "who unblocks the whole team in marketing",
        Search(
            Some("buffer-marketing"),
            "unblocks and enables the whole team",
        ),
    ),
    (
        "which level asks for architecture diagrams",
        Search(None, "architecture diagrams"),
    ),
    (
        "which level mentions voice and tone",
        Search(None, "voice and tone"),
    ),
    (
        "which happiness level mentions strategy",
        Search(Some("buffer-happiness"), "strategy"),
    ),
    ("look up conference talks", Search(None, "conference talks")),
    (
        "who runs interviews at infracloud level 2",
        Search(Some("infracloud-engineering"), "interview"),
    ),
    (
        "which marketing level covers vision",
        Search(Some("buffer-marketing"), "strategy and vision"),
    ),
    (
        "who makes decisions for the team",
        Search(None, "makes decisions"),
    ),
    ("search for code quality", Search(None, "code quality")),
    ("where does onboarding come in", Search(None, "onboarding")),
    // A word the frameworks use is no typo of a name ("mentor" is not "senior"), but a name
    // with a final "s" is still that name (a plural, or a possessive without its apostrophe).
    ("where does a mentor come in", Search(None, "mentor")),
    ("happiness leads", Level("buffer-happiness", 2)),
    (
        "what does infracloud's level 3 need",
        Level("infracloud-engineering", 3),
    ),
    ("buffer's engineering ladder", Titles("buffer-engineering")),
    ("give me an example", Help),
    // Nothing known named: the closest passages, before "I don't know".
    ("tell me about tenacity", Search(None, "tenacity")),
    ("mentoring level 2", Search(None, "mentors at least 1-2")),
    ("customer empathy", Search(None, "empathy")),
    // Searches that find nothing, and questions search cannot help.
    (
        "search on-call",
        Refused("Nothing in the frameworks mentions"),
    ),
    (
        "find blogging in marketing",
        Refused("Nothing in Buffer Marketing mentions \"blogging\""),
    ),
    (
        "who sets strategy in marketing level 9",
        Refused("Buffer Marketing has no level 9"),
    ),
    (
        "xyzzy plugh",
        Refused("I don't know a framework or title called \"xyzzy plugh\""),
    ),
    (
        "what does level 3 sales team need",
        Refused("I don't know a framework or title called \"sales\""),
    ),
];

/// The question a personal sentence offers for one's level.
const CURRENT: &str = "what level am I";
/// The question a personal sentence offers for one's next level.
const NEXT: &str = "what do I need for my next level";

fn engine() -> Engine {
    let report = load(&[FrameworkSource::Bundled]);
    assert!(report.is_clean(), "{:?}", report.errors);
    Engine::new(report.library)
}

fn check(engine: &Engine, question: &str, expect: Expect) -> Result<(), String> {
    let answer: AnswerJson = engine.ask(question).to_json();
    let fail = |what: &str| Err(format!("{question:?}: {what}; got {answer:?}"));
    let framework = answer.framework.as_deref();
    let dimension = answer.dimension.as_deref();
    let ok = match expect {
        Level(fw, level) => {
            answer.intent == Intent::Level
                && framework == Some(fw)
                && answer.level == Some(level)
                && dimension.is_none()
        }
        LevelDim(fw, level, dim) => {
            answer.intent == Intent::Level
                && framework == Some(fw)
                && answer.level == Some(level)
                && dimension == Some(dim)
        }
        Compare(fw, from, to) => {
            answer.intent == Intent::Compare
                && framework == Some(fw)
                && answer.from_level == Some(from)
                && answer.to_level == Some(to)
                && answer.level.is_none()
        }
        CompareDim(fw, from, to, dim) => {
            answer.intent == Intent::Compare
                && framework == Some(fw)
                && answer.from_level == Some(from)
                && answer.to_level == Some(to)
                && dimension == Some(dim)
        }
        Titles(fw) => {
            answer.intent == Intent::Titles && framework == Some(fw) && dimension.is_none()
        }
        TitlesDim(fw, dim) => {
            answer.intent == Intent::Dimension && framework == Some(fw) && dimension == Some(dim)
        }
        Frameworks => answer.intent == Intent::Frameworks,
        Help => answer.intent == Intent::Help,
        Refused(text) => {
            answer.intent == Intent::Unknown
                && answer.framework.is_none()
                && answer.text.contains(text)
                && !answer.suggestions.is_empty()
        }
        LevelSays(fw, level, text) => {
            answer.intent == Intent::Level
                && framework == Some(fw)
                && answer.level == Some(level)
                && answer.text.contains(text)
        }
        CompareSays(fw, from, to, text) => {
            answer.intent == Intent::Compare
                && framework == Some(fw)
                && answer.from_level == Some(from)
                && answer.to_level == Some(to)
                && answer.text.contains(text)
        }
        Chat(text) => {
            answer.intent == Intent::SmallTalk
                && answer.framework.is_none()
                && answer.text.starts_with(text)
        }
        LevelDimSays(fw, level, dim, text) => {
            answer.intent == Intent::Level
                && framework == Some(fw)
                && answer.level == Some(level)
                && dimension == Some(dim)
                && answer.text.contains(text)
        }
        Across(fw, level, other, other_level) => {
            answer.intent == Intent::Compare
                && framework == Some(fw)
                && answer.from_level == Some(level)
                && answer.other_framework.as_deref() == Some(other)
                && answer.to_level == Some(other_level)
        }
        Roles(fw, texts) => {
            answer.intent == Intent::Compare
                && framework == Some(fw)
                && answer.from_level.is_none()
                && answer.other_framework.is_none()
                && answer.text.contains("Specialist roles sit beside")
                && texts.iter().all(|text| answer.text.contains(text))
        }
        LadderSays(fw, dim, text) => {
            answer.intent == Intent::Dimension
                && framework == Some(fw)
                && dimension == Some(dim)
                && answer.text.contains(text)
        }
        Personal(question) => {
            answer.intent == Intent::Personal
                && answer.framework.is_none()
                && answer.level.is_none()
                && answer
                    .text
                    .starts_with("I can't tell who is asking here, so I can't look up your level")
                && answer.text.contains(&format!("`/career {question}`"))
                && answer.text.contains(&format!(
                    "`career-bot ask --as USER --db PATH \"{question}\"`"
                ))
                && answer.suggestions
                    == [
                        format!("/career {question}"),
                        "career-bot shell".to_owned(),
                        format!("career-bot ask --as USER --db PATH \"{question}\""),
                    ]
        }
        ChatThen(text, fw, level) => {
            answer.intent == Intent::SmallTalk
                && framework == Some(fw)
                && answer.level == Some(level)
                && answer.text.starts_with(text)
        }
        Search(fw, text) => {
            let best = answer.matches.first();
            let follow_up = best.map(|best| format!("{} level {}", best.framework, best.level));
            answer.intent == Intent::Search
                && framework == fw
                && (1..=10).contains(&answer.matches.len())
                && best.is_some_and(|best| best.text.to_lowercase().contains(text))
                && fw.is_none_or(|fw| answer.matches.iter().all(|m| m.framework == fw))
                && answer.suggestions == Vec::from_iter(follow_up.clone())
                && follow_up.is_some_and(|q| answer.text.contains(&format!("(type: {q})")))
        }
    };
    if ok {
        Ok(())
    } else {
        fail(&format!("expected {expect:?}"))
    }
}

#[test]
fn every_phrasing_is_understood_as_intended() {
    let engine = engine();
    assert!(
        CASES.len() >= 80,
        "the table must keep at least 80 phrasings"
    );
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(question, expect)| check(&engine, question, *expect).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} phrasings misread:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn refusals_suggest_questions_that_work() {
    let engine = engine();
    for (question, expect) in CASES {
        if let Search(..) = expect {
            for suggestion in engine.ask(question).to_json().suggestions {
                let followed = engine.ask(&suggestion).to_json();
                assert_eq!(
                    followed.intent,
                    Intent::Level,
                    "{question:?} offered {suggestion:?}, which is not a level"
                );
            }
        }
        if let Refused(_) = expect {
            for suggestion in engine.ask(question).to_json().suggestions {
                let followed = engine.ask(&suggestion).to_json();
                assert_ne!(
                    followed.intent,
                    Intent::Unknown,
                    "{question:?} suggested {suggestion:?}, which is not understood either"
                );
            }
        }
    }
}

#[test]
fn an_ambiguous_title_answers_the_best_match_and_names_the_alternative() {
    let answer = engine().ask("senior engineer");
    let json = answer.to_json();
    assert_eq!(json.suggestions[0], "infracloud-engineering level 3");
    assert!(json.text.contains("Also matches"), "{}", json.text);
    assert!(
        json.text
            .contains("Senior Engineer is level 3 of InfraCloud Engineering")
    );
}

#[test]
fn a_level_answer_carries_every_dimension_focus_timeframe_and_source() {
    let text = engine().ask("marketing level 2").to_json().text;
    for expected in [
        "Buffer Marketing · Level 2: Strategist",
        "Scope of influence",
        "How work is conducted",
        "Ownership",
        "Focus: Shipping",
        "Typical time to Level 3: 6–12 months",
        "Source: Buffer",
        "https://open.buffer.com/career-framework/",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn a_comparison_shows_what_the_higher_level_adds_dimension_by_dimension() {
    let text = engine()
        .ask("how do I get from 2 to 3 in marketing")
        .to_json()
        .text;
    for expected in [
        "Buffer Marketing: Level 2 → Level 3",
        "Level 2: Your projects.",
        "Level 3: Your whole area.",
        "How work is conducted: what Level 3 adds",
        "Turns ideas into projects and makes sure they ship.",
        "Ownership: what Level 3 adds",
        "Level 2 → 3: 6–12 months",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn infracloud_levels_show_the_time_split_and_tenure() {
    let text = engine().ask("senior engineer at infracloud").to_json().text;
    for expected in [
        "Core: ~50-65%",
        "Approximate tenure in this role: ~2-3 year",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn every_follow_up_offered_in_the_text_is_also_a_suggestion() {
    let engine = engine();
    let mut checked = 0;
    for (question, _) in CASES {
        let answer = engine.ask(question).to_json();
        for offered in answer.text.split("(type: ").skip(1) {
            let offered = offered.split(')').next().unwrap_or_default();
            checked += 1;
            assert!(
                answer.suggestions.iter().any(|s| s == offered),
                "{question:?} offers {offered:?} but suggests {:?}",
                answer.suggestions
            );
        }
    }
    assert!(checked > 20, "only {checked} follow-ups were offered");
}

#[test]
fn a_comparison_across_frameworks_aligns_dimensions_with_the_same_name_and_sets_the_rest_apart() {
    let answer = engine().ask("marketing 3 vs engineering 3").to_json();
    let text = &answer.text;
    for expected in [
        "Two frameworks side by side",
        "Scope of influence (in both)",
        "Buffer Marketing: Your whole area.",
        "Ownership (in both)",
        "How work is conducted",
        "Focus: Results",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("what Level"),
        "no diff across frameworks:\n{text}"
    );
    assert_eq!(
        answer.other_framework.as_deref(),
        Some("buffer-engineering")
    );
    assert!(
        answer
            .suggestions
            .contains(&"buffer-marketing level 3".to_owned())
    );
}

#[test]
fn a_search_lists_framework_level_title_dimension_and_text_closest_first() {
    let text = engine()
        .ask("where does thought leadership come in")
        .to_json()
        .text;
    for expected in [
        "What the frameworks say about \"thought leadership\"",
        "Buffer Marketing · Level 5: Head of … · How work is conducted: Is a thought leader in the industry.",
        "Source: Buffer",
        "[What does Level 5 need?] (type: buffer-marketing level 5)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_question_naming_nothing_known_says_so_above_the_closest_passages() {
    let json = engine().ask("tell me about tenacity").to_json();
    assert_eq!(json.intent, Intent::Search);
    assert!(
        json.text.contains(
            "I don't know a framework or title called \"tenacity\"; these passages come closest."
        ),
        "{}",
        json.text
    );
}

#[test]
fn a_new_wording_of_a_known_question_is_answered_from_the_cache() {
    let engine = engine();
    let first = engine.ask("what does Level 3 Happiness need");
    let before = engine.cache_stats();
    for wording in [
        "HAPPINESS L3",
        "happiness level three",
        "Level 3 in happiness?",
    ] {
        let again = engine.ask(wording);
        assert_eq!(again.reply, first.reply, "{wording:?}");
    }
    let after = engine.cache_stats();
    assert_eq!(after.hits, before.hits + 3, "{after:?}");
    assert_eq!(after.misses, before.misses, "{after:?}");
    engine.ask("happiness level 2");
    assert_eq!(engine.cache_stats().misses, after.misses + 1);
}

#[test]
fn a_nonsense_question_still_gets_the_unknown_with_suggestions() {
    let json = engine().ask("xyzzy plugh").to_json();
    assert_eq!(json.intent, Intent::Unknown);
    assert!(json.matches.is_empty());
    assert!(
        json.text
            .starts_with("I don't know a framework or title called \"xyzzy plugh\"."),
        "{}",
        json.text
    );
    assert_eq!(
        json.suggestions,
        [
            "buffer-engineering titles",
            "buffer-happiness titles",
            "buffer-marketing titles",
            "infracloud-engineering titles"
        ]
    );
}
