//! Loading 1,000 framework files of realistic size (copies of the bundled files, 4–21 KB each,
//! with unique ids and aliases). Budget (issue "Frameworks and answers"): under 1 s.
//!
//! Also reading a Hugo level page whose indicator table has 2,000 and 20,000 rows (issue 11,
//! "Hardening"): reading must grow linearly with the rows, so the second takes about ten times
//! the first (it took 6.4 s for 20,000 rows when each row searched to the end of the file).
//!
//!     cargo bench --bench load

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use career_bot::frameworks::repository::Repository;
use career_bot::frameworks::source::SourceFile;
use career_bot::frameworks::{FrameworkSource, bundled, hugo, load};

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

    let mut group = c.benchmark_group("hugo table");
    group.sample_size(10);
    for rows in [2_000, 20_000] {
        let page = hugo_page(rows);
        let team = Path::new("site/content/docs/platform");
        let site = Repository::new("site", "Site");
        let outcome = hugo::parse_team(&site, team, None, std::slice::from_ref(&page));
        let framework = outcome.framework.expect("the page reads").expect("a level");
        assert_eq!(framework.framework.levels[0].indicators.len(), rows);
        group.bench_function(format!("{rows} rows"), |b| {
            b.iter(|| hugo::parse_team(&site, team, None, std::slice::from_ref(&page)))
        });
    }
    group.finish();
}

/// A Hugo level page (InfraCloud's layout) whose "Broad Indicators" table has `rows` rows.
fn hugo_page(rows: usize) -> SourceFile {
    let mut text = String::from(
        "---\ntitle: \"Engineer\"\nweight: 1\n---\n\n## Core Skills\n* You own a service.\n\n## Broad Indicators\n\n<table>\n<tbody>\n",
    );
    for row in 0..rows {
        text.push_str(&format!(
            "  <tr>\n    <td>Indicator {row} <br>\n    <span style=\"font-style:italic\">(rough)</span></td>\n    <td>~{row} weeks</td>\n  </tr>\n"
        ));
    }
    text.push_str("</tbody>\n</table>\n");
    SourceFile {
        path: "site/content/docs/platform/engineer.md".into(),
        text,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
