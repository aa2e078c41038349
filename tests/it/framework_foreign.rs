//! Framework repositories of other organisations, as they are published: a Monzo-shaped
//! checkout whose file declares `levels: 5` while its content uses levels 2 to 6 and leaves
//! one empty, beside a prose page and a README; a Hugo site with a prose page among its level
//! pages. Both sit in folders whose names say nothing about whose they are
//! (`tests/fixtures/foreign/`). They load, answer from what is there, are named from their
//! own titles, and note each inconsistency once, one line per file.

use std::path::{Path, PathBuf};
use std::process::Output;

use career_bot::ask::Engine;
use career_bot::frameworks::{Framework, FrameworkSource, LoadReport, Notice, NoticeKind, load};

use crate::support::binary;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/foreign")
        .join(relative)
}

fn monzo() -> LoadReport {
    load(&[FrameworkSource::Path(fixture("monzo-checkout"))])
}

fn hugo() -> LoadReport {
    load(&[FrameworkSource::Path(fixture("hugo-checkout"))])
}

fn only_framework(report: &LoadReport) -> &Framework {
    assert!(report.is_clean(), "unexpected errors: {:#?}", report.errors);
    match report.library.frameworks() {
        [framework] => framework,
        other => panic!("expected one framework, got {}", other.len()),
    }
}

fn notice_for<'a>(report: &'a LoadReport, file_name: &str) -> &'a Notice {
    let found: Vec<&Notice> = report
        .notices
        .iter()
        .filter(|notice| {
            notice
                .path
                .file_name()
                .is_some_and(|name| name == file_name)
        })
        .collect();
    match found.as_slice() {
        [notice] => notice,
        other => panic!("expected one notice for {file_name}, got {other:#?}"),
    }
}

fn ask(report: LoadReport, question: &str) -> String {
    Engine::new(report.library)
        .ask(question)
        .reply
        .to_plain_text()
}

fn numbers(framework: &Framework) -> Vec<u32> {
    framework.levels.iter().map(|level| level.number).collect()
}

#[test]
fn framework_files_that_outgrow_their_level_count_load_with_the_levels_they_use() {
    let report = monzo();
    let framework = only_framework(&report);
    assert_eq!(numbers(framework), [2, 3, 5, 6]);
    let top = framework.level(6).expect("level 6");
    assert_eq!(
        top.dimension("Delivery").expect("delivery").items,
        ["Sets delivery practice for several squads"]
    );
    assert!(
        framework.level(4).is_none(),
        "a level without content is left out"
    );
}

#[test]
fn framework_inconsistencies_are_one_note_per_file_per_load() {
    let report = monzo();
    let mut paths: Vec<&Path> = report.notices.iter().map(|n| n.path.as_path()).collect();
    paths.dedup();
    assert_eq!(paths.len(), report.notices.len(), "{:#?}", report.notices);
    let backend = notice_for(&report, "backend.md");
    assert_eq!(backend.kind, NoticeKind::Inconsistent);
    assert_eq!(
        backend.message,
        "`levels: 5`, but the content uses levels 2–6; levels 1 and 4 have no content; read as levels 2, 3, 5 and 6"
    );
    let about = notice_for(&report, "about.md");
    assert_eq!(about.kind, NoticeKind::Skipped);
    assert!(about.message.contains("prose page"), "{}", about.message);
    assert_eq!(notice_for(&report, "README.md").kind, NoticeKind::Skipped);
    assert_eq!(report.notices.len(), 3, "{:#?}", report.notices);
}

#[test]
fn a_framework_from_a_repository_is_named_from_its_titles_and_readme_not_its_folder() {
    let report = monzo();
    let framework = only_framework(&report);
    assert_eq!(framework.id, "kestrel-backend");
    assert_eq!(framework.name, "Backend Engineering Framework");
    assert_eq!(framework.organisation, "Kestrel");
    assert_eq!(framework.team, "Backend");
    let text = ask(monzo(), "kestrel titles");
    assert!(
        text.starts_with("Backend Engineering Framework: levels and titles"),
        "{text}"
    );
}

#[test]
fn a_configured_organisation_names_the_repository_over_its_readme() {
    let report = load(&[FrameworkSource::Repository {
        path: fixture("monzo-checkout/frameworks"),
        organisation: "Osprey".to_owned(),
    }]);
    let framework = only_framework(&report);
    assert_eq!(framework.id, "osprey-backend");
    assert_eq!(framework.organisation, "Osprey");
    let text = ask(report, "osprey titles");
    assert!(text.contains("Level 6"), "{text}");
}

#[test]
fn a_framework_read_from_a_frameworks_folder_still_finds_its_readme() {
    let report = load(&[FrameworkSource::Path(fixture("monzo-checkout/frameworks"))]);
    assert_eq!(only_framework(&report).organisation, "Kestrel");
}

#[test]
fn a_hugo_site_is_named_from_its_index_titles_and_skips_its_prose_page() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(framework.id, "wren-data-platform");
    assert_eq!(framework.name, "Wren Data Platform");
    assert_eq!(framework.organisation, "Wren");
    assert_eq!(framework.team, "Data Platform");
    let titles: Vec<(u32, String)> = framework
        .levels
        .iter()
        .map(|level| (level.number, level.title_text()))
        .collect();
    assert_eq!(
        titles,
        [
            (1, "Data Analyst".to_owned()),
            (2, "Senior Data Analyst".to_owned())
        ]
    );
    let overview = notice_for(&report, "overview.md");
    assert!(
        overview.message.contains("no bullets"),
        "{}",
        overview.message
    );
}

#[test]
fn framework_sources_show_the_path_inside_the_repository_once() {
    let machine = env!("CARGO_MANIFEST_DIR");
    for (report, question, inside) in [
        (
            monzo(),
            "kestrel level 3",
            "(frameworks/engineering/backend.md)",
        ),
        (hugo(), "data analyst", "(content/docs/data)"),
    ] {
        let text = ask(report, question);
        let source: Vec<&str> = text.lines().filter(|l| l.contains("Source:")).collect();
        assert_eq!(source.len(), 1, "{text}");
        assert!(source[0].ends_with(inside), "{text}");
        assert_eq!(text.matches(inside).count(), 1, "{text}");
        assert!(!text.contains(machine), "no path of this machine: {text}");
        assert!(!text.contains("tests/fixtures"), "{text}");
    }
}

#[test]
fn a_level_titled_only_level_n_is_shown_once_without_a_made_up_summary() {
    let text = ask(monzo(), "kestrel level 2");
    assert!(
        text.starts_with("Backend Engineering Framework · Level 2\n"),
        "{text}"
    );
    assert!(!text.contains("Level 2: Level 2"), "{text}");
    let first =
        "Criteria for sublevel A (e.g. ships a small change with a test. Asks for review early)";
    assert_eq!(text.matches("Criteria for sublevel A").count(), 1, "{text}");
    assert!(text.contains(first), "the item survives whole: {text}");
    let titles = ask(monzo(), "kestrel titles");
    assert!(titles.contains("  • Level 5\n"), "{titles}");
    assert!(!titles.contains("Level 5: Level 5"), "{titles}");
    let compare = ask(monzo(), "compare kestrel 3 and 5");
    assert!(!compare.contains("Level 3: Level 3"), "{compare}");
}

#[test]
fn a_level_without_content_is_answered_from_the_levels_there_are() {
    let text = ask(monzo(), "kestrel level 4");
    assert!(
        text.contains("has no level 4; its levels are 2, 3, 5, 6."),
        "{text}"
    );
}

#[test]
fn text_in_parentheses_is_never_cut_at_e_g() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(
        framework.level(1).expect("level 1").summary,
        "Builds dashboards people use (e.g. a weekly sales view)."
    );
    let report = monzo();
    let framework = only_framework(&report);
    let items = &framework.level(2).expect("level 2").expectations[0].items;
    assert_eq!(
        items[0],
        "Criteria for sublevel A (e.g. ships a small change with a test. Asks for review early)"
    );
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
    std::fs::write(path, text).expect("write");
}

const WEB: &str = "---\ntitle: \"Web Framework\"\nsidebarTitle: \"Web\"\nlevels: 1\ntopics:\n  - name: craft\n    content:\n      - level: 1\n        criteria: [\"Ships pages\"]\n---\n";

#[test]
fn framework_ids_derived_from_titles_stay_unique_across_the_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "README.md", "# Kestrel Progression Framework\n");
    write(dir.path(), "frameworks/design/web.md", WEB);
    write(dir.path(), "frameworks/engineering/web.md", WEB);
    let native = |id: &str| {
        format!(
            "id: {id}\nname: Native {id}\norganisation: K\nteam: Web\nsource: {{url: u, attribution: a}}\nlevels:\n  - level: 1\n    titles: [Dev]\n    summary: s\n"
        )
    };
    // Declared ids sort after the Markdown files, and still win.
    write(dir.path(), "zz-native.yaml", &native("kestrel-web"));
    write(dir.path(), "zz-other.yaml", &native("kestrel-design-web"));
    let report = load(&[FrameworkSource::Path(dir.path().to_path_buf())]);
    assert!(report.is_clean(), "{:#?}", report.errors);
    let ids: Vec<&str> = report.library.ids().collect();
    assert_eq!(
        ids,
        [
            "kestrel-design-web",
            "kestrel-engineering-web",
            "kestrel-web",
            "kestrel-web-2"
        ]
    );
    assert_eq!(
        report.library.get("kestrel-web").expect("declared").name,
        "Native kestrel-web",
        "a declared id is kept; derived ones move aside"
    );
    let design = report.library.get("kestrel-web-2").expect("numbered");
    assert!(design.origin.path.ends_with("frameworks/design/web.md"));
    let moved: Vec<&Notice> = report
        .notices
        .iter()
        .filter(|notice| notice.path.ends_with("web.md"))
        .collect();
    assert_eq!(moved.len(), 2, "{moved:#?}");
    assert!(
        moved
            .iter()
            .all(|n| n.message.contains("is already used by")),
        "{moved:#?}"
    );
}

fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    binary::career_bot(dir.path())
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn framework_validate_passes_a_foreign_repository_with_one_note_line_per_file() {
    for (name, files) in [("monzo-checkout", 3), ("hugo-checkout", 2)] {
        let path = fixture(name);
        let output = run(&["validate", path.to_str().expect("utf-8")]);
        let stdout = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stdout}{}",
            text(&output.stderr)
        );
        assert_eq!(text(&output.stderr), "", "no errors or warnings");
        let notes: Vec<&str> = stdout.lines().filter(|l| l.starts_with("note: ")).collect();
        assert_eq!(notes.len(), files, "{stdout}");
        let mut paths: Vec<&str> = notes
            .iter()
            .map(|line| line.split(": ").nth(1).expect("a path"))
            .collect();
        paths.dedup();
        assert_eq!(paths.len(), files, "one line per file: {stdout}");
        assert!(stdout.contains("1 framework(s) valid"), "{stdout}");
    }
}

#[test]
fn framework_validate_still_fails_on_a_foreign_file_that_cannot_be_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "frameworks/broken.md",
        "---\ntitle: Broken\nlevels: 2\ntopics:\n  - name: [unclosed\n---\n",
    );
    let output = run(&["validate", dir.path().to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("frameworks/broken.md:5:"), "{stderr}");
}

#[test]
fn framework_questions_about_a_foreign_repository_print_no_warnings() {
    let path = fixture("monzo-checkout");
    let output = run(&[
        "ask",
        "--frameworks",
        path.to_str().expect("utf-8"),
        "kestrel backend level 6",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "", "no warning or note lines");
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("Backend Engineering Framework · Level 6"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Writes the proposals other squads copy"),
        "{stdout}"
    );
}

#[test]
fn framework_organisation_from_the_config_file_answers_its_titles_question() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("career-bot.toml");
    std::fs::write(
        &config,
        format!(
            "frameworks = [{{ path = {:?}, organisation = \"Osprey\" }}]\n",
            fixture("monzo-checkout").display().to_string()
        ),
    )
    .expect("write config");
    let output = binary::career_bot(dir.path())
        .args([
            "--config",
            config.to_str().expect("utf-8"),
            "ask",
            "osprey titles",
        ])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("Backend Engineering Framework: levels and titles"),
        "{stdout}"
    );
}

#[test]
fn framework_files_that_cannot_load_get_one_warning_line_each_on_ask() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "good.yaml",
        "id: good\nname: Good\norganisation: O\nteam: T\nsource: {url: u, attribution: a}\nlevels:\n  - level: 1\n    titles: [Tester]\n    summary: Tests things.\n",
    );
    // Two problems in one file: a repeated level and an empty one.
    write(
        dir.path(),
        "bad.yaml",
        "id: bad\nname: Bad\norganisation: O\nteam: T\nsource: {url: u, attribution: a}\nlevels:\n  - level: 1\n    titles: [A]\n    summary: s\n  - level: 1\n    titles: [B]\n    summary: s\n  - level: 2\n    titles: [C]\n",
    );
    let path = dir.path().to_str().expect("utf-8");
    let output = run(&["ask", "--frameworks", path, "tester"]);
    assert!(output.status.success());
    let stderr = text(&output.stderr);
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].starts_with("warning: "), "{stderr}");
    assert!(
        warnings[0].contains("bad.yaml:10: level 1 is defined twice"),
        "{stderr}"
    );
    assert!(warnings[0].contains("and 1 more problem"), "{stderr}");
    assert!(text(&output.stdout).contains("Good · Level 1: Tester"));
    let validate = run(&["validate", path]);
    assert_eq!(validate.status.code(), Some(1));
    assert_eq!(
        text(&validate.stderr).lines().count(),
        2,
        "validate lists both"
    );
}

#[test]
fn a_level_titled_only_level_n_is_offered_as_an_alternative_without_repeating_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "README.md", "# Kestrel Progression Framework\n");
    write(dir.path(), "frameworks/web.md", WEB);
    write(
        dir.path(),
        "frameworks/mobile.md",
        &WEB.replace("Web", "Mobile"),
    );
    let report = load(&[FrameworkSource::Path(dir.path().to_path_buf())]);
    let text = ask(report, "kestrel level 1");
    assert!(text.contains("Also matches"), "{text}");
    assert!(text.contains("  • Level 1 of "), "{text}");
    assert!(!text.contains("Level 1 is level 1"), "{text}");
}
