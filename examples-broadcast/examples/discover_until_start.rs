//! Exercise 1 of "UDP broadcast", the starting point: make discovery ask
//! again, with backoff, until `want` services have answered. Fill in the
//! `todo!()`s; then `cargo test -p examples-broadcast --example
//! discover_until_start` runs the solution's tests against your code;
//! `--example discover_until` shows them passing on the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use common::{Failure, Narrator, Verbosity};
use examples_broadcast::DEFAULT_BROADCAST;
use examples_broadcast::client::{DiscoverOptions, Found, discover};

// ANCHOR: starter
/// Query `target` until `want` distinct services have answered, or until
/// `budget` is spent. The first window is `first`; each next one is twice
/// as long. Returns what was found and how many queries it took.
fn discover_until(
    target: SocketAddr,
    want: usize,
    first: Duration,
    budget: Duration,
) -> Result<(Vec<Found>, u32), Failure> {
    // One query, one window: what `broadcast-client discover` does.
    let opts = DiscoverOptions {
        wait: first,
        ..DiscoverOptions::default()
    };
    let found = discover(target, &opts, &Narrator::client(Verbosity::Silent))?;
    todo!("ask again while fewer than `want` answered and budget is left")
}
// ANCHOR_END: starter

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let port = args
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(examples_broadcast::DEFAULT_PORT);
    let want = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let target = SocketAddr::from((DEFAULT_BROADCAST, port));
    match discover_until(
        target,
        want,
        Duration::from_millis(100),
        Duration::from_secs(3),
    ) {
        Ok((found, queries)) => {
            for f in &found {
                println!(
                    "[client] {} on port {}, from {}",
                    f.service.name, f.service.port, f.from
                );
            }
            println!(
                "[client] {} of {want} wanted, after {queries} queries",
                found.len()
            );
            if found.len() >= want {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/discover_until.rs"]
mod tests;
