//! The Hugo and Monzo readers, run through the loader against small invented sites in
//! `tests/fixtures/`.

use std::path::{Path, PathBuf};

use career_bot::frameworks::{Format, Framework, FrameworkSource, Level, LoadReport, load};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

fn load_fixture(relative: &str) -> LoadReport {
    load(&[FrameworkSource::Path(fixture(relative))])
}

fn only_framework(report: &LoadReport) -> &Framework {
    assert!(report.is_clean(), "unexpected errors: {:#?}", report.errors);
    match report.library.frameworks() {
        [framework] => framework,
        other => panic!("expected one framework, got {}", other.len()),
    }
}

fn hugo() -> LoadReport {
    load_fixture("hugo-site/acme-career-ladders")
}

fn monzo() -> LoadReport {
    load_fixture("monzo/acme-progression-framework")
}

fn level(framework: &Framework, number: u32) -> &Level {
    framework
        .level(number)
        .unwrap_or_else(|| panic!("level {number} is missing"))
}

fn items<'a>(level: &'a Level, dimension: &str) -> &'a [String] {
    &level
        .dimension(dimension)
        .unwrap_or_else(|| panic!("level {} has no {dimension}", level.number))
        .items
}

fn indicators(level: &Level) -> Vec<(&str, &str)> {
    level
        .indicators
        .iter()
        .map(|indicator| (indicator.label.as_str(), indicator.value.as_str()))
        .collect()
}

/// Every piece of text a framework shows, for residue checks.
fn all_text(framework: &Framework) -> Vec<String> {
    let mut text = vec![framework.name.clone(), framework.team.clone()];
    text.extend(framework.summary.clone());
    text.extend(framework.dimensions.iter().cloned());
    for level in &framework.levels {
        text.extend(level.titles.iter().cloned());
        text.push(level.summary.clone());
        for dimension in &level.expectations {
            text.push(dimension.name.clone());
            text.extend(dimension.items.iter().cloned());
        }
        for indicator in &level.indicators {
            text.push(indicator.label.clone());
            text.push(indicator.value.clone());
        }
    }
    text
}

fn notice_for<'a>(report: &'a LoadReport, file_name: &str) -> &'a str {
    report
        .notices
        .iter()
        .find(|notice| {
            notice
                .path
                .file_name()
                .is_some_and(|name| name == file_name)
        })
        .map(|notice| notice.message.as_str())
        .unwrap_or_else(|| panic!("no notice for {file_name}: {:#?}", report.notices))
}

#[test]
fn a_hugo_team_directory_becomes_one_framework_named_after_site_and_team() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(framework.id, "acme-platform");
    assert_eq!(framework.name, "Acme Platform");
    assert_eq!(framework.organisation, "Acme");
    assert_eq!(framework.team, "Platform");
    assert!(framework.aliases.is_empty());
    assert_eq!(
        framework.summary.as_deref(),
        Some("The Platform career ladder at Acme")
    );
    assert_eq!(framework.origin.format, Format::Hugo);
    assert!(framework.origin.path.ends_with("content/docs/platform"));
    assert_eq!(framework.source.attribution, "Acme career ladders");
    assert_eq!(framework.source.url, "content/docs/platform");
}

#[test]
fn hugo_pages_are_ordered_by_weight() {
    let report = hugo();
    let framework = only_framework(&report);
    let levels: Vec<(u32, String)> = framework
        .levels
        .iter()
        .map(|level| (level.number, level.title_text()))
        .collect();
    assert_eq!(
        levels,
        [
            (1, "Junior Engineer".to_owned()),
            (2, "Engineer".to_owned()),
            (3, "Lead Engineer".to_owned()),
        ]
    );
}

#[test]
fn hugo_headings_that_hold_bullets_become_dimensions_in_order_of_appearance() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(
        framework.dimensions,
        ["Core Skills", "Delivery", "Mentoring", "Habits", "Hiring"]
    );
    let lead = level(framework, 3);
    let names: Vec<&str> = lead.expectations.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        ["Core Skills", "Delivery", "Mentoring", "Habits", "Hiring"]
    );
    assert!(level(framework, 1).dimension("Functional Skills").is_none());
    assert!(level(framework, 1).dimension("Broad Indicators").is_none());
}

#[test]
fn hugo_items_are_plain_text_with_nested_bullets_folded_into_their_parent() {
    let report = hugo();
    let framework = only_framework(&report);
    let junior = level(framework, 1);
    assert_eq!(
        items(junior, "Mentoring"),
        [
            "You learn from the people around you. Ways to do that: Pairing sessions with a senior engineer; Reading old incident reviews; Sitting in on design reviews"
        ]
    );
    assert_eq!(
        items(junior, "Habits"),
        [
            "Curiosity: You try things in a sandbox before asking, and then ask anyway.",
            "Care: You tidy up after yourself, including stale branches and test clusters.",
        ]
    );
    assert_eq!(
        items(junior, "Delivery"),
        ["You pick up tickets from the board and say early when one is stuck."]
    );
    let engineer = level(framework, 2);
    assert_eq!(
        items(engineer, "Core Skills")[0],
        "You own a service end to end, from its alerts to its capacity plan."
    );
    assert_eq!(
        items(engineer, "Mentoring"),
        ["You pair with junior engineers every sprint."]
    );
}

#[test]
fn hugo_text_keeps_no_comment_shortcode_or_markup_residue() {
    let report = hugo();
    let framework = only_framework(&report);
    for text in all_text(framework) {
        for residue in ["<", ">", "{{", "}}", "TODO", "**", "](", "  "] {
            assert!(!text.contains(residue), "{residue:?} left in {text:?}");
        }
        assert_eq!(text.trim(), text);
    }
}

#[test]
fn hugo_level_summary_is_the_first_sentence_of_the_first_bullet() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(
        level(framework, 1).summary,
        "You ship small, well-scoped changes to our deploy tooling."
    );
    assert_eq!(
        level(framework, 3).summary,
        "You set the technical direction for a group of services, e.g. how they are deployed."
    );
}

#[test]
fn hugo_broad_indicator_tables_become_labelled_indicators() {
    let report = hugo();
    let framework = only_framework(&report);
    assert_eq!(
        indicators(level(framework, 1)),
        [
            ("Core", "~85%"),
            ("Delivery", "~10%"),
            ("Mentoring", "~5%"),
            ("Habits", "We expect these habits every week."),
            ("Approximate tenure in this role", "~18 months"),
        ]
    );
    let lead = indicators(level(framework, 3));
    assert!(lead.contains(&("Hiring", "~10%")), "{lead:?}");
    assert_eq!(
        lead.last(),
        Some(&("Approximate tenure in this role", "~3 years"))
    );
    assert!(level(framework, 2).timeframe_to_next.is_none());
}

#[test]
fn hugo_faq_and_pages_outside_team_directories_are_skipped_with_notices() {
    let report = hugo();
    assert!(notice_for(&report, "faq.md").contains("FAQ"));
    assert!(notice_for(&report, "introduction.md").contains("skipped"));
    let skipped_index = report
        .notices
        .iter()
        .any(|notice| notice.path.ends_with("content/docs/_index.md"));
    assert!(skipped_index, "{:#?}", report.notices);
}

#[test]
fn a_monzo_file_becomes_a_framework_with_numbered_levels() {
    let report = monzo();
    let framework = only_framework(&report);
    assert_eq!(framework.id, "acme-support");
    assert_eq!(framework.name, "Customer Support Framework");
    assert_eq!(framework.organisation, "Acme");
    assert_eq!(framework.team, "Support");
    assert_eq!(framework.origin.format, Format::Monzo);
    let titles: Vec<String> = framework.levels.iter().map(Level::title_text).collect();
    assert_eq!(titles, ["Level 1", "Level 2", "Level 3"]);
    assert_eq!(
        framework.source.url, "frameworks/support.md",
        "the path inside the repository"
    );
    assert!(
        report
            .notices
            .iter()
            .all(|notice| !notice.path.ends_with("support.md")),
        "a file that agrees with itself gets no note: {:#?}",
        report.notices
    );
}

#[test]
fn monzo_topics_become_dimensions_named_without_emoji() {
    let report = monzo();
    let framework = only_framework(&report);
    assert_eq!(
        framework.dimensions,
        ["Customer Empathy", "Ownership", "Tooling"]
    );
    assert!(level(framework, 1).dimension("Tooling").is_none());
    assert_eq!(
        items(level(framework, 3), "Ownership"),
        ["Fixes the cause of repeated tickets with the owning team"]
    );
}

#[test]
fn monzo_example_criteria_follow_the_criteria_with_their_examples() {
    let report = monzo();
    let framework = only_framework(&report);
    assert_eq!(
        items(level(framework, 2), "Customer Empathy"),
        [
            "Spots when a customer is upset and adjusts their tone",
            "Explains a policy without hiding behind it (e.g. Walks a customer through why a refund takes five days; Offers a next step instead of a flat no)",
        ]
    );
    assert_eq!(
        items(level(framework, 3), "Tooling"),
        [
            "Improves the help-desk setup for everyone (e.g. Writes saved replies for common questions)"
        ]
    );
    assert_eq!(
        level(framework, 1).summary,
        "",
        "Monzo levels have no summary; the first item is not repeated as one"
    );
}

#[test]
fn monzo_prose_pages_are_skipped_with_a_notice() {
    let report = monzo();
    assert!(notice_for(&report, "about.md").contains("prose page"));
}

#[test]
fn a_monzo_level_number_that_cannot_be_a_level_is_reported_at_its_line() {
    let report = load_fixture("monzo-broken");
    assert!(report.library.is_empty());
    let [error] = report.errors.as_slice() else {
        panic!("expected one error, got {:#?}", report.errors);
    };
    assert_eq!(error.path, fixture("monzo-broken/frameworks/broken.md"));
    assert_eq!(error.line, Some(18));
    let message = error.to_string();
    assert!(message.contains("level 0"), "{message}");
    assert!(message.contains("from 1 to 99"), "{message}");
}
