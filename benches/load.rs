//! Loading 1,000 framework files of realistic size (copies of the bundled files, 4–21 KB each,
//! with unique ids and aliases). Budget (issue "Frameworks and answers"): under 1 s.
//!
//!     cargo bench --bench load

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use career_bot::frameworks::{FrameworkSource, bundled, load};

const FILES: usize = 1000;

/// Writes `FILES` native framework files into `dir`, cycling through the bundled ones.
fn write_corpus(dir: &Path) {
    for i in 0..FILES {
        let (name, text) = bundled::FILES[i % bundled::FILES.len()];
        let id = Path::new(name)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("bundled file names are UTF-8");
        let unique = format!("{id}-{i}");
        let text = text
            .replacen(&format!("id: {id}"), &format!("id: {unique}"), 1)
            // Aliases must be unique across files: drop them from the copies.
            .lines()
            .filter(|line| !line.starts_with("aliases:"))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.join(format!("{unique}.yaml")), text).expect("temp dir is writable");
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_corpus(dir.path());
    let sources = [FrameworkSource::Path(dir.path().to_path_buf())];
    let report = load(&sources);
    assert!(report.is_clean(), "{:?}", report.errors.first());
    assert_eq!(report.library.len(), FILES);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("1000 framework files", |b| b.iter(|| load(&sources)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
