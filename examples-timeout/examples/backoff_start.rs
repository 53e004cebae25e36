//! Exercise 2 of "Timeouts", the starting point: the waits of an exponential
//! backoff with "full jitter". Fill in the `todo!()`s; then `cargo test -p
//! examples-timeout --example backoff_start` runs the solution's tests
//! against your code; `--example backoff` shows them passing on the reference
//! solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::time::Duration;

// ANCHOR: starter
/// How long to wait before attempt `attempt` (0 for the first retry):
/// a random duration between zero and `base * 2^attempt`, never more than
/// `cap`. `random` is a number in [0, 1).
fn wait(attempt: u32, base: Duration, cap: Duration, random: f64) -> Duration {
    todo!("double, cap, then scale by random")
}
// ANCHOR_END: starter

fn main() {}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/backoff.rs"]
mod tests;
