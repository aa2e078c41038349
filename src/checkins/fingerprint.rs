//! The cadence fingerprint: a stable text naming every period that decides a report's due
//! date, so a start can tell whether the stored due dates were computed with the cadence now
//! configured.
//!
//! Format, version 1 (one line, fields separated by single spaces):
//!
//! ```text
//! v1 due=3m0d overdue=6m0d framework="eng" due=0m14d overdue=1m0d
//! ```
//!
//! - `v1`, the version;
//! - the global cadence: `due=` and `overdue=` periods, each written `<months>m<days>d`;
//! - then, per framework with its own cadence, in byte order of the framework id:
//!   `framework=` and the id as a JSON string, followed by its `due=` and `overdue=`.
//!
//! Any other stored text (such as the `Debug` rendering earlier versions wrote) is simply a
//! different fingerprint: the due dates are recomputed once, which changes nothing when the
//! cadence is the same, and the version 1 text is stored.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::cadence::Cadence;
use super::period::Period;

/// The fingerprint of the global cadence and the per-framework ones (see the module docs).
pub fn fingerprint(global: &Cadence, per_framework: &BTreeMap<String, Cadence>) -> String {
    let mut text = String::from("v1");
    write_cadence(&mut text, global);
    for (framework, cadence) in per_framework {
        // A JSON string never contains a bare space or quote, so fields stay unambiguous.
        let quoted = serde_json::Value::from(framework.as_str()).to_string();
        let _ = write!(text, " framework={quoted}");
        write_cadence(&mut text, cadence);
    }
    text
}

fn write_cadence(text: &mut String, cadence: &Cadence) {
    // Writing to a String cannot fail.
    let _ = write!(
        text,
        " due={} overdue={}",
        period(cadence.due_after),
        period(cadence.overdue_after)
    );
}

fn period(period: Period) -> String {
    format!("{}m{}d", period.months, period.days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cadence_has_a_fixed_text() {
        assert_eq!(
            fingerprint(&Cadence::default(), &BTreeMap::new()),
            "v1 due=3m0d overdue=6m0d"
        );
    }

    #[test]
    fn frameworks_follow_in_order_with_quoted_ids() {
        let fast = Cadence {
            due_after: Period::days(14),
            overdue_after: Period::months(1),
        };
        let per_framework = BTreeMap::from([
            ("zeta team".to_owned(), Cadence::default()),
            ("eng".to_owned(), fast),
        ]);
        assert_eq!(
            fingerprint(&Cadence::default(), &per_framework),
            "v1 due=3m0d overdue=6m0d framework=\"eng\" due=0m14d overdue=1m0d \
             framework=\"zeta team\" due=3m0d overdue=6m0d"
        );
    }

    #[test]
    fn a_changed_period_changes_the_fingerprint() {
        let longer = Cadence {
            due_after: Period::months(4),
            ..Cadence::default()
        };
        assert_ne!(
            fingerprint(&Cadence::default(), &BTreeMap::new()),
            fingerprint(&longer, &BTreeMap::new())
        );
    }
}
