//! The few SQL fragments that differ between SQLite and PostgreSQL, for the queries that read
//! a JSON batch bound as one parameter (so a batch of any size is one statement) or JSON kept
//! in the audit log.
//!
//! A batch is a JSON array bound as text; [`json_rows`] turns it into rows, each one JSON
//! value in a column named `value`. [`json_text`] and [`json_int`] read a field of a JSON
//! value: on SQLite with `json_extract`, on PostgreSQL with `jsonb` operators (the text is
//! cast to `jsonb`, which costs nothing for a value already `jsonb`).
//!
//! The other way round, [`json_array_agg`] packs the rows of a large read into one JSON
//! text (see its docs for why).

use super::Backend;

/// A `FROM` item with one row per element of the JSON array in parameter `param` (`$1`),
/// its element in the column `value`, named `alias`, in the array's order.
pub fn json_rows(backend: Backend, param: &str, alias: &str) -> String {
    match backend {
        Backend::Sqlite => format!("json_each({param}) AS {alias}"),
        Backend::Postgres => {
            format!("jsonb_array_elements({param}::jsonb) WITH ORDINALITY AS {alias}(value, key)")
        }
    }
}

/// The text at `path` (fields separated by dots, or a number for an array's element; empty
/// for the whole value) of the JSON in `expr`; NULL when absent.
pub fn json_text(backend: Backend, expr: &str, path: &str) -> String {
    if path.is_empty() {
        // The whole value: SQLite's `json_each` gives it as SQL already.
        return match backend {
            Backend::Sqlite => expr.to_owned(),
            Backend::Postgres => format!("(({expr})::jsonb #>> '{{}}')"),
        };
    }
    match backend {
        Backend::Sqlite => {
            let path = path
                .split('.')
                .map(|part| match part.parse::<u32>() {
                    Ok(index) => format!("[{index}]"),
                    Err(_) => format!(".{part}"),
                })
                .collect::<String>();
            format!("json_extract({expr}, '${path}')")
        }
        Backend::Postgres => {
            let path = path.split('.').collect::<Vec<_>>().join(",");
            format!("(({expr})::jsonb #>> '{{{path}}}')")
        }
    }
}

/// The integer at `path` of the JSON in `expr`, as [`json_text`] finds it.
pub fn json_int(backend: Backend, expr: &str, path: &str) -> String {
    match backend {
        Backend::Sqlite => json_text(backend, expr, path),
        Backend::Postgres => format!("CAST({} AS BIGINT)", json_text(backend, expr, path)),
    }
}

/// An aggregate packing every row of a query into one JSON array of arrays, each holding
/// `columns` in order; `[]` when there are none.
///
/// Why: sqlx hands each row over from its SQLite worker thread on its own, so a read of
/// hundreds of thousands of rows spends most of its time waking threads (see `BENCHMARKS.md`,
/// "`stats` over 100,000 people"); one text value crosses once, and serde reads it fast.
pub fn json_array_agg(backend: Backend, columns: &[&str]) -> String {
    let columns = columns.join(", ");
    match backend {
        Backend::Sqlite => format!("json_group_array(json_array({columns}))"),
        Backend::Postgres => {
            format!("COALESCE(CAST(json_agg(json_build_array({columns})) AS TEXT), '[]')")
        }
    }
}

/// An aggregate packing one column of every row into a JSON array (`[]` when there are
/// none); several of them in one `SELECT` list the rows in the same order, so the arrays line
/// up element by element.
///
/// Why columns rather than [`json_array_agg`]'s one array per row: SQLite builds a row's
/// `json_array` at about a microsecond a row, which over `stats`' 200,000 conversations was
/// most of the query. Why the arrays line up: both databases hand each row to every
/// aggregate of the query in turn, and neither splits `json_group_array` or `json_agg`
/// across parallel workers (that needs a combine step, which neither aggregate has).
pub fn json_column_agg(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("json_group_array({column})"),
        Backend::Postgres => format!("COALESCE(CAST(json_agg({column}) AS TEXT), '[]')"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_packed_into_one_array_in_each_dialect() {
        assert_eq!(
            json_array_agg(Backend::Sqlite, &["a", "b"]),
            "json_group_array(json_array(a, b))"
        );
        assert_eq!(
            json_array_agg(Backend::Postgres, &["a", "b"]),
            "COALESCE(CAST(json_agg(json_build_array(a, b)) AS TEXT), '[]')"
        );
        assert_eq!(json_column_agg(Backend::Sqlite, "a"), "json_group_array(a)");
        assert_eq!(
            json_column_agg(Backend::Postgres, "a"),
            "COALESCE(CAST(json_agg(a) AS TEXT), '[]')"
        );
    }

    #[test]
    fn fields_and_elements_are_read_in_each_dialect() {
        assert_eq!(
            json_text(Backend::Sqlite, "details", "ended_snooze.until"),
            "json_extract(details, '$.ended_snooze.until')"
        );
        assert_eq!(
            json_text(Backend::Sqlite, "range.value", "1"),
            "json_extract(range.value, '$[1]')"
        );
        assert_eq!(
            json_text(Backend::Postgres, "details", "ended_snooze.until"),
            "((details)::jsonb #>> '{ended_snooze,until}')"
        );
        assert_eq!(
            json_int(Backend::Postgres, "value", "id"),
            "CAST(((value)::jsonb #>> '{id}') AS BIGINT)"
        );
        assert_eq!(
            json_rows(Backend::Sqlite, "$1", "planned"),
            "json_each($1) AS planned"
        );
    }
}
