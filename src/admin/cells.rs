//! Spreadsheet formulas in CSV cells: written inert by `export`, read back by `import-org`.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and some
//! treat a leading tab or carriage return the same way), so a display name like
//! `=HYPERLINK("…")` or a dispute reason like `-1+2` would run on the admin's machine when
//! they open an export. [`neutralise`] puts a `'` in front of such a cell: spreadsheets show
//! the cell as text, without the `'`. [`restore`] takes exactly that `'` off again, so export →
//! import → export gives the same file and the same records.
//!
//! A value that already starts with `'` before such a character (a name typed `'=x`) gets
//! one more, so it reads back exactly too: a cell needs the prefix when its text, after any
//! leading `'`s, starts with a formula character.
//!
//! Ids, dates, times, numbers and words the bot writes never start with those characters
//! (the bot writes no negative number), and `event_details` starts with `{`; the rule is
//! applied to every cell all the same, so no column can be forgotten.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, after any leading `'`s, starts like a formula.
fn looks_like_formula(text: &str) -> bool {
    text.trim_start_matches('\'')
        .starts_with(FORMULA_STARTS.as_slice())
}

/// `value` as a cell no spreadsheet runs: with a leading `'` when it would start a formula.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    if looks_like_formula(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value of a cell [`neutralise`] wrote: one leading `'` taken off when what follows
/// starts (after any further `'`s) with a formula character; any other cell as it is.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_one_quote_and_others_none() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("+44 20"), "'+44 20");
        assert_eq!(neutralise("@evil"), "'@evil");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        for plain in [
            "Ana",
            "",
            "U012AB",
            "2026-06-01",
            "{\"from\":1}",
            "'quoted",
            "a=b",
        ] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn restore_takes_back_exactly_what_neutralise_added() {
        for value in [
            "=1+1",
            "-1+2",
            "@evil",
            "\tx",
            "\rx",
            "Ana",
            "",
            "'",
            "''",
            "'quoted",
            "'=x",
            "''=x",
            "'-",
            "a'=b",
            "{\"k\":\"=1\"}",
        ] {
            assert_eq!(restore(&neutralise(value)), value, "{value:?}");
        }
    }

    #[test]
    fn a_hand_written_quote_before_a_formula_character_is_read_as_the_spreadsheet_shows_it() {
        assert_eq!(restore("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(restore("'Ana"), "'Ana");
        assert_eq!(restore("''=x"), "'=x");
    }
}
