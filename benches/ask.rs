//! Parsing and answering one question with the bundled frameworks loaded.
//! Budget (issue "Frameworks and answers"): under 50 µs median.
//!
//! Also long questions (issue 11, "Hardening"): each pattern repeated to 400 and to 4,000
//! characters (the longest question read). Parsing must grow linearly with the length, so the
//! second takes about ten times the first.
//!
//! And searches of what the frameworks say (issue 12, "Search the text"), under the same
//! 50 µs budget: explicit ones, one narrowed to a framework, the fallback for a question that
//! names nothing known, and the ranked matcher alone.
//!
//!     cargo bench --bench ask
//!     cargo bench --bench ask -- search

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use career_bot::ask::{Engine, Filter};
use career_bot::frameworks::{FrameworkSource, load};

const QUESTIONS: &[&str] = &[
    "what does Level 3 Happiness need",
    "senior engineer",
    "how do I get from 2 to 3 in marketing",
    "ownership at marketing level 4",
    "difference between staff and principal at infracloud",
    "hapiness level 2",
    "what does level 3 sales need",
];

fn bench(c: &mut Criterion) {
    let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
    let mut group = c.benchmark_group("ask");
    for question in QUESTIONS {
        group.bench_function(*question, |b| {
            b.iter(|| {
                let answer = engine.ask(black_box(question));
                black_box(answer.reply.to_plain_text())
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("search");
    for question in SEARCHES {
        group.bench_function(*question, |b| {
            b.iter(|| {
                let answer = engine.ask(black_box(question));
                black_box(answer.reply.to_plain_text())
            })
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
                b.iter(|| {
                    let answer = engine.ask(black_box(&question));
                    black_box(answer.reply.to_plain_text())
                })
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
