//! Exercise 1 of "Transmitting variable-length messages", the starting point:
//! an eighth codec, COBS. Fill in the `todo!()`s; then `cargo test -p
//! examples-framing --example cobs_start` runs the solution's tests against
//! your code; `--example cobs` shows them passing on the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io::{self, BufRead};

use examples_framing::codec::Codec;

// ANCHOR: starter
/// Consistent Overhead Byte Stuffing: the payload is rewritten without any
/// zero byte (each run of non-zero bytes is prefixed by its length plus
/// one), and a single 0x00 ends each frame.
struct Cobs {
    max: usize,
}

impl Codec for Cobs {
    fn name(&self) -> &'static str {
        "cobs"
    }
    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        todo!("code bytes, runs of at most 254 non-zero bytes, then 0x00")
    }
    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        todo!("read up to 0x00 (bounded), then undo the stuffing")
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
