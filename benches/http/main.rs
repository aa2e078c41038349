//! Signed slash commands against the real `career-bot serve` process on loopback.
//!
//!     cargo bench --bench http              # issue 12, item 16 (throughput.rs)
//!     cargo bench --bench http -- latency   # the earlier p99 patterns (latency.rs)
//!     cargo bench --bench http -- team      # issue 15: `team` on PostgreSQL against SQLite (team.rs)
//!
//! Issue 12, item 16 (the default): throughput at 50 connections with one repeated question
//! text and rotating through 6,000 new wordings of real questions, against a do-nothing
//! server in the same run; budgets: at least half its throughput, server RSS under 25 MB,
//! zero errors. A summary table with PASS or FAIL per budget ends the output.
//!
//! The server is the release binary in its own process, so its memory is measured alone
//! (`memory.rs`). The fake Slack Web API (for `auth.test` at start-up) and the load
//! generator run here, on the same machine. The load generator writes pre-signed request
//! bytes on kept-alive connections and reads each response by its length (`client.rs`), so
//! it takes as little CPU from the server as it can. Every request is signed once, before a
//! run, with its own `trigger_id` as Slack's are: the server acts on a signature once and
//! answers a replay with an empty 200, which would count as an error here.
//!
//! A baseline server (`server.rs`: the smallest axum server, answering each request with the
//! bytes career-bot gave for its question, verifying and parsing nothing; a process of its
//! own, this binary started with `--baseline-server`) takes turns with career-bot under the
//! same load, so the figures can be read against what this machine's loopback TCP and HTTP
//! stack cost on their own; the machine is shared, so only figures measured side by side
//! compare.

mod client;
mod cpu;
mod latency;
mod memory;
mod questions;
mod server;
mod team;
mod throughput;
// The integration tests' support tree, for its Slack signer and fake Slack; the bench uses
// only those parts of it.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/it/support/mod.rs"]
mod support;
#[path = "../support/team_org.rs"]
mod team_org;

use support::harness;

use std::time::Duration;

use cpu::Placement;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, file, ..] = &args[..]
        && flag == server::BASELINE_FLAG
    {
        server::baseline_main(std::path::Path::new(file));
        return;
    }
    // Decided before any pinning, which would make this process see one CPU.
    let placements = Placement::available();
    let latency = args.iter().any(|arg| arg == "latency");
    let team = args.iter().any(|arg| arg == "team");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let fake = support::FakeSlack::start().await;
        fake.ignore("auth.test");
        fake.ignore("users.info");
        fake.ignore("conversations.open");
        fake.ignore("chat.postMessage");
        if team {
            team::measure(&fake.api_url()).await;
        } else if latency {
            latency::measure(placements, &fake.api_url()).await;
        } else {
            throughput::measure(&fake.api_url()).await;
        }
    });
}
