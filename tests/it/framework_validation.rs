//! Native framework files: every kind of mistake is reported with its file, its line and what
//! would be valid, and a broken file never stops the valid ones from loading.

use std::path::{Path, PathBuf};

use career_bot::frameworks::{FrameworkErrorKind, FrameworkSource, LoadReport, load};

const VALID: &str = "\
id: acme-support
name: Acme Support
organisation: Acme
team: Support
aliases: [support]
source:
  url: https://example.com/ladder
  attribution: Acme Inc.
dimensions: [Scope, Ownership]
levels:
  - level: 1
    titles: [Agent]
    summary: Answers tickets with help.
    expectations:
      Scope: Your own tickets.
      Ownership: None yet.
    focus: Learning
    timeframe_to_next: 6 months
  - level: 2
    titles: [Senior Agent]
    summary: Answers any ticket alone.
    expectations:
      Scope: [Your queue., The team's queue when asked.]
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp dir is writable");
    path
}

fn load_dir(dir: &Path) -> LoadReport {
    load(&[FrameworkSource::Path(dir.to_path_buf())])
}

/// Loads one file with `text` and returns the rendered errors.
fn errors_for(text: &str) -> (PathBuf, Vec<String>, LoadReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "broken.yaml", text);
    let report = load_dir(dir.path());
    let rendered = report.errors.iter().map(ToString::to_string).collect();
    // Keep the directory alive until the report is built; paths stay valid as text.
    drop(dir);
    (path, rendered, report)
}

#[test]
fn a_valid_file_loads_with_every_field() {
    let (_, errors, report) = errors_for(VALID);
    assert!(errors.is_empty(), "{errors:?}");
    let framework = report.library.get("acme-support").expect("loaded");
    assert_eq!(framework.dimensions, ["Scope", "Ownership"]);
    let level = framework.level(1).expect("level 1");
    assert_eq!(level.titles, ["Agent"]);
    assert_eq!(level.focus.as_deref(), Some("Learning"));
    assert_eq!(level.timeframe_to_next.as_deref(), Some("6 months"));
    assert_eq!(
        level.dimension("ownership").expect("dim").items,
        ["None yet."]
    );
    let level = framework.level(2).expect("level 2");
    assert_eq!(
        level.dimension("Scope").expect("dim").items,
        ["Your queue.", "The team's queue when asked."]
    );
}

#[test]
fn yaml_syntax_errors_name_file_and_line() {
    let text = VALID.replace("titles: [Agent]", "titles: [Agent");
    let (path, errors, report) = errors_for(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let expected_prefix = format!("{}:13:", path.display());
    assert!(errors[0].starts_with(&expected_prefix), "{}", errors[0]);
    assert!(report.library.is_empty());
}

#[test]
fn unknown_fields_are_rejected_with_the_valid_names() {
    let text = VALID.replace("    focus: Learning", "    focuss: Learning");
    let (path, errors, _) = errors_for(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("{}:17:", path.display())),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("unknown field `focuss`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("focus"),
        "names the valid fields: {}",
        errors[0]
    );
}

#[test]
fn duplicate_level_numbers_point_at_both_definitions() {
    let text = VALID.replace("  - level: 2\n", "  - level: 1\n");
    let (path, _, report) = errors_for(&text);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let error = &report.errors[0];
    assert_eq!(error.path, path);
    assert_eq!(error.line, Some(19));
    assert_eq!(
        error.kind,
        FrameworkErrorKind::DuplicateLevel {
            number: 1,
            first_line: 11
        }
    );
    assert!(error.to_string().contains("first at line 11"));
}

#[test]
fn an_empty_level_is_an_error() {
    let text = format!("{VALID}  - level: 3\n    titles: [Lead]\n");
    let (_, errors, report) = errors_for(&text);
    assert_eq!(report.errors.len(), 1, "{errors:?}");
    assert_eq!(
        report.errors[0].kind,
        FrameworkErrorKind::EmptyLevel { number: 3 }
    );
    assert_eq!(report.errors[0].line, Some(24));
    assert!(errors[0].contains("neither a summary nor any expectations"));
}

#[test]
fn a_framework_without_levels_is_an_error() {
    let cut = VALID.find("levels:").expect("has levels");
    let text = format!("{}levels: []\n", &VALID[..cut]);
    let (_, _, report) = errors_for(&text);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].kind, FrameworkErrorKind::NoLevels);
}

#[test]
fn a_level_without_titles_is_an_error() {
    let text = VALID.replace("titles: [Agent]", "titles: []");
    let (_, errors, _) = errors_for(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("at least one title"), "{}", errors[0]);
}

#[test]
fn an_undeclared_dimension_gets_a_did_you_mean() {
    let text = VALID.replace("      Ownership: None yet.", "      Ownershp: None yet.");
    let (path, errors, _) = errors_for(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("{}:16:", path.display())),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("did you mean \"Ownership\"?"),
        "{}",
        errors[0]
    );
}

#[test]
fn level_numbers_must_be_positive() {
    let text = VALID.replace("  - level: 2\n", "  - level: 0\n");
    let (_, _, report) = errors_for(&text);
    assert_eq!(
        report.errors[0].kind,
        FrameworkErrorKind::LevelOutOfRange { number: 0 }
    );
}

#[test]
fn a_bad_id_suggests_a_valid_one() {
    let text = VALID.replace("id: acme-support", "id: Acme Support!");
    let (_, errors, _) = errors_for(&text);
    assert!(errors[0].contains("e.g. \"acme-support\""), "{}", errors[0]);
}

#[test]
fn text_with_a_colon_gets_a_hint_to_quote_it() {
    let text = VALID.replace(
        "      Ownership: None yet.",
        "      Ownership:\n        - Rare: only a few.",
    );
    let (_, errors, _) = errors_for(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("in quotes"), "{}", errors[0]);
}

#[test]
fn duplicate_ids_across_files_keep_the_first_and_report_the_second() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = write(dir.path(), "a.yaml", VALID);
    let second = write(
        dir.path(),
        "b.yaml",
        &VALID.replace("aliases: [support]", "aliases: [helpdesk]"),
    );
    let report = load_dir(dir.path());
    assert_eq!(report.library.len(), 1);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let error = &report.errors[0];
    assert_eq!(error.path, second);
    assert_eq!(error.line, Some(1));
    let text = error.to_string();
    assert!(
        text.contains(&format!("already used by {}:1", first.display())),
        "{text}"
    );
}

#[test]
fn duplicate_aliases_across_files_are_reported_at_the_alias() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.yaml", VALID);
    let second = write(
        dir.path(),
        "b.yaml",
        &VALID
            .replace("id: acme-support", "id: acme-sales")
            .replace("aliases: [support]", "aliases:\n  - sales\n  - support"),
    );
    let report = load_dir(dir.path());
    assert_eq!(report.library.ids().collect::<Vec<_>>(), ["acme-support"]);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].path, second);
    assert_eq!(report.errors[0].line, Some(7));
    assert!(matches!(
        &report.errors[0].kind,
        FrameworkErrorKind::DuplicateAlias { alias, other_id, .. }
            if alias == "support" && other_id == "acme-support"
    ));
}

#[test]
fn a_broken_file_does_not_stop_valid_files_from_loading() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "good.yaml", VALID);
    write(dir.path(), "bad.yaml", "id: [unclosed\n");
    let report = load_dir(dir.path());
    assert_eq!(report.library.ids().collect::<Vec<_>>(), ["acme-support"]);
    assert_eq!(report.errors.len(), 1);
}

#[test]
fn a_missing_directory_is_an_error_not_a_crash() {
    let report = load(&[FrameworkSource::Path(PathBuf::from("/no/such/dir"))]);
    assert!(report.library.is_empty());
    assert!(
        report.errors[0]
            .to_string()
            .contains("no such file or directory")
    );
}

#[test]
fn non_framework_yaml_is_skipped_with_a_notice() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "good.yaml", VALID);
    write(dir.path(), "ci.yml", "on: push\n");
    let report = load_dir(dir.path());
    assert!(report.is_clean());
    assert_eq!(report.notices.len(), 1);
    assert!(report.notices[0].message.contains("not a framework file"));
}

#[test]
fn the_bundled_frameworks_are_valid() {
    let report = load(&[FrameworkSource::Bundled]);
    assert!(report.is_clean(), "{:?}", report.errors);
    for id in ["buffer-engineering", "buffer-happiness", "buffer-marketing"] {
        assert!(report.library.get(id).is_some(), "{id} is bundled");
    }
}
