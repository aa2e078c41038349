//! The server's resident memory, read from `/proc/PID/status` by a thread of its own every
//! 10 ms, so a busy load generator cannot make it miss a peak.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One reading of a process's memory, in KiB.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    /// All resident memory (`VmRSS`): the figure the budget is about.
    pub rss: u64,
    /// Of it, anonymous memory: heap, thread stacks (`RssAnon`).
    pub anon: u64,
    /// Of it, pages of mapped files: the binary's code and data (`RssFile`).
    pub file: u64,
    /// Threads of the process.
    pub threads: u64,
}

impl Reading {
    /// The process's memory now, if it is still running.
    pub fn of(pid: u32) -> Option<Reading> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            status
                .lines()
                .find(|line| line.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        Some(Reading {
            rss: field("VmRSS:")?,
            anon: field("RssAnon:").unwrap_or(0),
            file: field("RssFile:").unwrap_or(0),
            threads: field("Threads:").unwrap_or(0),
        })
    }

    /// Resident memory in MB (MiB, as `ps` and `top` count).
    pub fn rss_mb(&self) -> f64 {
        self.rss as f64 / 1024.0
    }

    pub fn describe(&self) -> String {
        format!(
            "{:.1} MB (anonymous {:.1} MB, files {:.1} MB; {} threads)",
            self.rss_mb(),
            self.anon as f64 / 1024.0,
            self.file as f64 / 1024.0,
            self.threads
        )
    }
}

/// Samples a process's memory until dropped, keeping the highest reading since the last
/// [`Sampler::take_peak`].
pub struct Sampler {
    running: Arc<AtomicBool>,
    peak_rss: Arc<AtomicU64>,
    peak: Arc<Mutex<Reading>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    pub fn start(pid: u32) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let peak_rss = Arc::new(AtomicU64::new(0));
        let peak = Arc::new(Mutex::new(Reading::default()));
        let thread = std::thread::spawn({
            let (running, peak_rss, peak) = (
                Arc::clone(&running),
                Arc::clone(&peak_rss),
                Arc::clone(&peak),
            );
            move || {
                while running.load(Ordering::Relaxed) {
                    if let Some(now) = Reading::of(pid)
                        && now.rss > peak_rss.fetch_max(now.rss, Ordering::Relaxed)
                    {
                        *peak.lock().expect("peak") = now;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        });
        Self {
            running,
            peak_rss,
            peak,
            thread: Some(thread),
        }
    }

    /// The highest reading since the last call (or the start), and start again from zero.
    pub fn take_peak(&self) -> Reading {
        let mut peak = self.peak.lock().expect("peak");
        self.peak_rss.store(0, Ordering::Relaxed);
        std::mem::take(&mut *peak)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
