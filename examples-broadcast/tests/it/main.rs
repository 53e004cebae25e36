//! Lesson 4's tests: UDP broadcast, one module per topic.
//!
//! One test binary for the whole crate: cargo links it once, and libtest
//! runs every test of the lesson at once, so the crate takes as long as
//! its longest test, not as the sum of its files. Each test starts its own
//! servers on port 0 and reads their address back, so any test may run
//! beside any other. `cargo test -p examples-broadcast --test it discovery`
//! runs one module (any filter on the test's path works).

mod announcements;
mod async_pair;
mod bad_input;
mod discovery;
mod flood;
mod foreign;
mod multicast;
mod parser;
mod peers;
mod python;

// The chapter's exercises: each solution, with its tests
// (examples/tests/), which `cargo test --example NAME_start` runs against
// the starter.
#[allow(dead_code)]
#[path = "../../examples/discover_until.rs"]
mod discover_until;
#[allow(dead_code)]
#[path = "../../examples/std_announcer.rs"]
mod std_announcer;
