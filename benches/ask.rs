//! Parsing and answering one question with the bundled frameworks loaded.
//! Budget (issue "Frameworks and answers"): under 50 µs median.
//!
//!     cargo bench --bench ask

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use career_bot::ask::Engine;
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
