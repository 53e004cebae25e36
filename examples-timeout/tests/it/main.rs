//! Lesson 2's tests: timeouts, one module per topic.
//!
//! One test binary for the whole crate: cargo links it once, and libtest
//! runs every test of the lesson at once, so the crate takes as long as
//! its longest test, not as the sum of its files. Each test starts its own
//! servers on port 0 and reads their address back, so any test may run
//! beside any other. `cargo test -p examples-timeout --test it read_timeout`
//! runs one module (any filter on the test's path works).

mod async_pair;
mod bad_input;
mod connect_timeout;
mod crowd;
mod deadline;
mod fair;
mod faults;
mod ipv6;
mod keepalive;
mod load;
mod partial_message;
mod peers;
mod python;
mod read_timeout;
mod server_side;
mod udp_retry;
mod write_timeout;

// The chapter's exercises: each solution, with its tests
// (examples/tests/), which `cargo test --example NAME_start` runs against
// the starter.
#[allow(dead_code)]
#[path = "../../examples/backoff.rs"]
mod backoff;
#[allow(dead_code)]
#[path = "../../examples/deadline_reader.rs"]
mod deadline_reader;
