//! Exercise 1 of "Transmitting variable-length messages", the starting point:
//! an eighth codec, COBS. Fill in the `todo!()`s; then `cargo test -p
//! examples-framing --example cobs_start` runs the solution's tests against
//! your code; `--example cobs` shows them passing on the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io;

use bytes::BufMut;
use examples_framing::codec::{Codec, Frame};

// ANCHOR: starter
/// Consistent Overhead Byte Stuffing: the payload is rewritten without any
/// zero byte (each run of non-zero bytes is prefixed by its length plus
/// one), and a single 0x00 ends each frame.
struct Cobs {
    max: usize,
    /// How many bytes of the frame so far are known to hold no 0x00.
    scanned: usize,
}

impl Codec for Cobs {
    fn name(&self) -> &'static str {
        "cobs"
    }
    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        todo!("code bytes, runs of at most 254 non-zero bytes, then 0x00")
    }
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        todo!("find 0x00 (bounded, resuming at `scanned`), then unstuff")
    }
    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}
// ANCHOR_END: starter

fn main() {}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/cobs.rs"]
mod tests;
