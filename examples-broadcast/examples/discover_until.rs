//! Exercise 1 of "UDP broadcast", solved: ask again, with backoff, until
//! `want` services have answered or the budget is spent. One query can be
//! missed (a datagram lost, a server that started a moment later); a
//! client that must find all of a known number of servers asks again.
//!
//! ```text
//! cargo run -p examples-broadcast --example discover_until -- 7104 3
//! ```

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use common::{Failure, Narrator, Verbosity};
use examples_broadcast::DEFAULT_BROADCAST;
use examples_broadcast::client::{DiscoverOptions, Found, discover};

// ANCHOR: solution
/// Query `target` until `want` distinct services have answered, or until
/// `budget` is spent. The first window is `first`; each next one is twice
/// as long, so a slow or late server gets more time, and a crowd of
/// clients does not re-query in lockstep. Returns what was found and how
/// many queries it took.
fn discover_until(
    target: SocketAddr,
    want: usize,
    first: Duration,
    budget: Duration,
) -> Result<(Vec<Found>, u32), Failure> {
    let deadline = Instant::now() + budget;
    let mut found = BTreeSet::new();
    let mut window = first;
    let mut queries = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if found.len() >= want || left.is_zero() {
            return Ok((found.into_iter().collect(), queries));
        }
        // The last window shrinks to fit the budget: a deadline, not a
        // number of tries, bounds the whole search.
        let opts = DiscoverOptions {
            wait: window.min(left),
            ..DiscoverOptions::default()
        };
        queries += 1;
        // Each round is a fresh query with a fresh id: replies are merged
        // by (service, sender), so a server heard twice counts once.
        found.extend(discover(
            target,
            &opts,
            &Narrator::client(Verbosity::Silent),
        )?);
        window = window.saturating_mul(2);
    }
}
// ANCHOR_END: solution

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

// The same tests run against the starter (`--example discover_until_start`).
#[cfg(test)]
#[path = "tests/discover_until.rs"]
mod tests;
