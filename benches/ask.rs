//! Parsing and answering one question with the bundled frameworks loaded.
//! Budget (issue "Frameworks and answers"): under 50 µs median.
//!
//! The engine keeps answers by resolved question (`src/ask/cache.rs`), so `Engine::ask` on a
//! question asked before costs only the parse. The groups say which they measure:
//!
//! - `ask` (the budget): parse and answer **without the cache**, what a question the engine
//!   has not answered before costs: `Engine::parse`, then `ask::answer::answer` on the
//!   library (what `Engine::answer` runs on a cache miss), then the reply rendered to text.
//!   Includes comparisons across frameworks (issue 12).
//! - `ask cached`: `Engine::ask` **with the cache**, after each question was asked once: the
//!   parse, the cache lookup, a copy of the cached reply, and rendering it. Its last cases
//!   are new wordings of known questions (never asked as written, checked to resolve to the
//!   same question): what the cache saves when people ask the same thing differently.
//!
//! Also long questions (issue 11, "Hardening"): each pattern repeated to 400 and to 4,000
//! characters (the longest question read), answered without the cache, as `ask`. Parsing
//! must grow linearly with the length, so the second takes about ten times the first.
//!
//! And searches of what the frameworks say (issue 12, "Search the text"), without the cache, under the same
//! 50 µs budget: explicit ones, one narrowed to a framework, the fallback for a question that
//! names nothing known, the ranked matcher alone, and building the engine with its index.
//!
//!     cargo bench --bench ask
//!     cargo bench --bench ask -- search

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use career_bot::ask::{Engine, Filter, answer};
use career_bot::frameworks::{FrameworkSource, load};

const QUESTIONS: &[&str] = &[
    "what does Level 3 Happiness need",
    "senior engineer",
    "how do I get from 2 to 3 in marketing",
    "ownership at marketing level 4",
    "difference between staff and principal at infracloud",
    "hapiness level 2",
    "what does level 3 sales need",
    "what's the difference between a senior engineer at buffer and at infracloud",
    "marketing level 2 vs infracloud level 2",
];

/// New wordings of questions in [`QUESTIONS`], each with the question it is a wording of.
const WORDINGS: &[(&str, &str)] = &[
    ("HAPPINESS l3?", "what does Level 3 Happiness need"),
    (
        "senior engineer at Buffer vs senior engineer at InfraCloud",
        "what's the difference between a senior engineer at buffer and at infracloud",
    ),
    (
        "compare marketing 2 and infracloud 2",
        "marketing level 2 vs infracloud level 2",
    ),
];

/// Parses and answers `question` without the engine's cache, rendered to text.
fn answered_uncached(engine: &Engine, question: &str) -> String {
    let query = engine.parse(question);
    answer::answer(engine.library(), &query).to_plain_text()
}

/// Asks `question` through the engine (its cache included), rendered to text.
fn answered(engine: &Engine, question: &str) -> String {
    engine.ask(question).reply.to_plain_text()
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
    let mut group = c.benchmark_group("ask");
    for question in QUESTIONS {
        group.bench_function(*question, |b| {
            b.iter(|| answered_uncached(&engine, black_box(question)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("ask cached");
    for question in QUESTIONS {
        answered(&engine, question);
    }
    for (wording, question) in WORDINGS {
        assert_eq!(
            engine.parse(wording),
            engine.parse(question),
            "{wording:?} must ask what {question:?} asks"
        );
        assert_eq!(
            answered(&engine, wording),
            answered_uncached(&engine, question)
        );
    }
    let misses = engine.cache_stats().misses;
    let cases = QUESTIONS
        .iter()
        .chain(WORDINGS.iter().map(|(wording, _)| wording));
    for question in cases {
        group.bench_function(*question, |b| {
            b.iter(|| answered(&engine, black_box(question)))
        });
    }
    assert_eq!(
        engine.cache_stats().misses,
        misses,
        "every case of `ask cached` was answered from the cache"
    );
    group.finish();

    let mut group = c.benchmark_group("search");
    for question in SEARCHES {
        group.bench_function(*question, |b| {
            b.iter(|| answered_uncached(&engine, black_box(question)))
        });
    }
    let filter = Filter::default()
        .framework("infracloud-engineering")
        .levels(&[2, 3])
        .expectations_only();
    group.bench_function(
        "matcher only: infracloud 2-3, a sentence of evidence",
        |b| {
            b.iter(|| {
                black_box(engine.search(
                    black_box(
                        "I mentored two associate engineers and paired with them on debugging",
                    ),
                    &filter,
                ))
                .len()
            })
        },
    );
    // The index is built with the engine, at start and on every reload.
    let library = load(&[FrameworkSource::Bundled]).library;
    group.bench_function("Engine::new: the bundled frameworks indexed", |b| {
        b.iter(|| black_box(Engine::new(black_box(library.clone()))))
    });
    group.finish();

    let mut group = c.benchmark_group("ask long");
    for pattern in LONG_PATTERNS {
        for chars in [400, 4_000] {
            let question = pattern.repeat(chars / pattern.len());
            let label = format!(
                "{} × {} ({chars} chars)",
                pattern.trim(),
                chars / pattern.len()
            );
            group.bench_function(label, |b| {
                b.iter(|| answered_uncached(&engine, black_box(&question)))
            });
        }
    }
    group.finish();
}

/// Questions answered by a search.
const SEARCHES: &[&str] = &[
    "which level mentions mentoring",
    "who sets strategy in marketing",
    "where does thought leadership come in",
    "tell me about tenacity",
];

/// Questions repeated to a length: names and titles (many phrases), and unknown words (typo
/// correction and suggestions).
const LONG_PATTERNS: &[&str] = &[
    "what does level 3 happiness need ",
    "senior engineer staff principal hero ",
    "xyzzy plugh hapiness sales ",
];

criterion_group!(benches, bench);
criterion_main!(benches);
