//! The `career-bot` binary: everything happens in the library; see `career_bot::cli`.

/// mimalloc: answering a question allocates many short-lived strings, which it serves
/// noticeably faster than the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_huge_pages();
    career_bot::cli::run()
}

/// Turns transparent huge pages off for this process. With them, touching one byte of a
/// 2 MB-aligned region of the heap makes all 2 MB resident: mimalloc reserves its heap in
/// such regions and asked for huge pages, and `serve` held 14–20 MB of huge pages right
/// after start for about 3.4 MB of heap (BENCHMARKS.md, "Resident memory"). The `no_thp`
/// feature stops mimalloc asking; this covers hosts that give huge pages unasked (`always`
/// in `/sys/kernel/mm/transparent_hugepage/enabled`). A small heap loses no speed by it.
fn no_huge_pages() {
    // Refused only by kernels without the call (before Linux 3.15) or sandboxes that forbid
    // it: then only memory is at stake, and every command would otherwise warn about it.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
