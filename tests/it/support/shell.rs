//! Driving the shell adapter (the same handlers as Slack) with a script of lines.

use career_bot::shell::{Outcome, Shell};

/// Runs `lines` in `shell` and returns everything printed, each answer ending with a newline.
pub async fn run(shell: &mut Shell<'_>, lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        if let Outcome::Print(text) = shell.line(line).await {
            out.push_str(&text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}
