//! Lesson 3's tests: transmitting variable-length messages, one module per topic.
//!
//! One test binary for the whole crate: cargo links it once, and libtest
//! runs every test of the lesson at once, so the crate takes as long as
//! its longest test, not as the sum of its files. Each test starts its own
//! servers on port 0 and reads their address back, so any test may run
//! beside any other. `cargo test -p examples-framing --test it codecs`
//! runs one module (any filter on the test's path works).

mod allocation;
#[cfg(feature = "tokio")]
mod async_pair;
mod bad_input;
mod bench;
mod codecs;
mod fair;
mod faults;
mod hostile;
mod ipv6;
mod load;
mod memory;
mod mistakes;
mod nagle;
mod peers;
mod properties;
mod python;
mod resume;
mod story;
mod stream;
#[cfg(feature = "tokio")]
mod tokio;

// The chapter's exercises: each solution, with its tests
// (examples/tests/), which `cargo test --example NAME_start` runs against
// the starter.
#[allow(dead_code)]
#[path = "../../examples/cobs.rs"]
mod cobs;
#[allow(dead_code)]
#[path = "../../examples/varint.rs"]
mod varint;
