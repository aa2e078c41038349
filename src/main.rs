//! The `career-bot` binary: everything happens in the library; see `career_bot::cli`.

fn main() -> std::process::ExitCode {
    career_bot::cli::run()
}
