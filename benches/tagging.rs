//! Tagging one piece of evidence with the dimension it best supports, as `log` does: the
//! text matched against the expectations of a current and a next level, with the bundled
//! frameworks loaded. Budget (issue 13, "Tests and budgets"): under 200 µs median.
//!
//! Also a `#dimension` looked up by name, prefix and typo, and the longest text `log` takes
//! (3,000 characters).
//!
//!     cargo bench --bench tagging

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use career_bot::ask::Engine;
use career_bot::ask::tagging::find_dimension;
use career_bot::frameworks::{FrameworkSource, load};

/// Evidence as people write it, with the framework and levels it is matched against.
const EVIDENCE: &[(&str, &str, &[u32])] = &[
    (
        "Measured the impact of the spring campaign and connected it to results",
        "buffer-marketing",
        &[2, 3],
    ),
    (
        "Mentored two associate engineers through their first on-call week and debugging sessions",
        "infracloud-engineering",
        &[2, 3],
    ),
    (
        "Owned the billing migration end to end, see https://git.test/pr/1234",
        "buffer-engineering",
        &[3, 4],
    ),
    (
        "xyzzy plugh nothing known here",
        "buffer-marketing",
        &[2, 3],
    ),
];

fn bench(c: &mut Criterion) {
    let engine = Engine::new(load(&[FrameworkSource::Bundled]).library);
    let mut group = c.benchmark_group("log tagging");
    for (text, framework, levels) in EVIDENCE {
        group.bench_function(*text, |b| {
            b.iter(|| black_box(engine.best_dimension(black_box(text), framework, levels, None)))
        });
    }
    let long = EVIDENCE[0].0.repeat(3_000 / EVIDENCE[0].0.len());
    group.bench_function("3,000 characters", |b| {
        b.iter(|| {
            black_box(engine.best_dimension(black_box(&long), "buffer-marketing", &[2, 3], None))
        })
    });
    let marketing = engine.library().get("buffer-marketing").expect("bundled");
    group.bench_function("#dimension by name, prefix and typo", |b| {
        b.iter(|| {
            for typed in ["ownership", "scope", "ownrship"] {
                black_box(find_dimension(marketing, black_box(typed)).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
