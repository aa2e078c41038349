//! The `career-bot` binary: everything happens in the library; see `career_bot::cli`.

/// mimalloc: answering a question allocates many short-lived strings, which it serves
/// noticeably faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    career_bot::cli::run()
}
