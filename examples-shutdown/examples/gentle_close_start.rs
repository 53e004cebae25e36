//! Exercise 2 of "Half-open sockets", the starting point: a lingering close
//! with a budget. Fill in `close_gently`; then `cargo test -p
//! examples-shutdown --example gentle_close_start` runs the solution's tests
//! against your code; `--example gentle_close` shows them passing on the
//! reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

// ANCHOR: starter
/// We have answered early and want to close without RST: send our FIN,
/// then read and drop what the peer still sends until its FIN, but never
/// more than `budget` bytes nor for longer than `limit`. Return how many
/// bytes were drained.
fn close_gently(
    stream: TcpStream,
    budget: usize,
    limit: Duration,
) -> io::Result<usize> {
    todo!("shutdown(Write), then a bounded drain")
}
// ANCHOR_END: starter

fn main() {}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/gentle_close.rs"]
mod tests;
