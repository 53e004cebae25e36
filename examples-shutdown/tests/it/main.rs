//! Lesson 1's tests: half-open sockets, one module per topic.
//!
//! One test binary for the whole crate: cargo links it once, and libtest
//! runs every test of the lesson at once, so the crate takes as long as
//! its longest test, not as the sum of its files. Each test starts its own
//! servers on port 0 and reads their address back, so any test may run
//! beside any other. `cargo test -p examples-shutdown --test it half_close`
//! runs one module (any filter on the test's path works).

mod async_pair;
mod bad_input;
mod fair;
mod faults;
mod guards;
mod half_close;
mod ipv6;
mod lingering_close;
mod load;
mod memory;
mod no_shutdown;
mod peers;
mod python;
mod shutdown_read;
mod story;
mod watchdog;

// The chapter's exercises: each solution, with its tests
// (examples/tests/), which `cargo test --example NAME_start` runs against
// the starter.
#[allow(dead_code)]
#[path = "../../examples/gentle_close.rs"]
mod gentle_close;
#[allow(dead_code)]
#[path = "../../examples/half_close_client.rs"]
mod half_close_client;
