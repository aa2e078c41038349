//! Shared YAML handling for the readers: strict parsing and errors turned into file:line form.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_saphyr::SnippetMode;

use super::error::{FrameworkError, FrameworkErrorKind};

/// Parses YAML into `T` (the library's defaults reject duplicate keys and cap nesting and
/// size, so a hostile file cannot exhaust memory). `line_offset` is the number of lines that
/// precede the YAML in its file (front matter starts after a `---` line), so reported lines
/// match what an editor shows.
pub fn parse_yaml<T: DeserializeOwned>(
    text: &str,
    line_offset: usize,
) -> Result<T, (serde_saphyr::Error, usize)> {
    serde_saphyr::from_str(text).map_err(|error| (error, line_offset))
}

/// Converts a YAML error into a [`FrameworkError`] at the right line of `path`.
pub fn yaml_error(
    path: &Path,
    (error, line_offset): &(serde_saphyr::Error, usize),
) -> FrameworkError {
    let line = error
        .location()
        .map(|location| location.line())
        .filter(|line| *line > 0)
        .map(|line| clamp_line(line + *line_offset as u64));
    let rendered = error.render_with_options(serde_saphyr::render_options! {
        snippets: SnippetMode::Off,
    });
    FrameworkError {
        path: path.to_path_buf(),
        line,
        kind: FrameworkErrorKind::Yaml(clean_message(&rendered)),
    }
}

/// The line a spanned value was written on.
pub fn line_of<T>(spanned: &serde_saphyr::Spanned<T>) -> u32 {
    clamp_line(spanned.referenced.line())
}

fn clamp_line(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// Strips the location the YAML library puts in its messages (we print our own) and
/// makes the remainder read as a sentence.
fn clean_message(rendered: &str) -> String {
    let mut message = rendered.trim();
    message = message.strip_prefix("error:").unwrap_or(message).trim();
    if let Some(rest) = message.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        message = after;
    }
    if let Some((before, _)) = message.rsplit_once(" at line ") {
        message = before;
    }
    message
        .replace(
            ", set DuplicateKeyPolicy in Options if acceptable",
            "; each key may appear once",
        )
        .replace(
            "data did not match any variant of untagged enum OneOrMany",
            "expected a sentence or a list of sentences (put text that contains \": \" in quotes)",
        )
        .trim()
        .to_owned()
}
