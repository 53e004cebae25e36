//! Exercise 2 of "Transmitting variable-length messages", the starting point:
//! a length prefix of variable width (LEB128). Fill in the `todo!()`s; then
//! `cargo test -p examples-framing --example varint_start` runs the
//! solution's tests against your code; `--example varint` shows them passing
//! on the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused, clippy::ptr_arg)]

use std::io;

// ANCHOR: starter
/// Append `len` as LEB128: seven bits a byte, least significant first, the
/// top bit set on every byte but the last.
fn put_varint(len: u64, out: &mut Vec<u8>) {
    todo!()
}

/// The LEB128 length at the start of `input`, and how many bytes it takes:
/// `Ok(None)` while it is not whole yet (the next read may finish it).
/// Refuses one over `max`, or longer than it needs to be, or longer than
/// 10 bytes.
fn get_varint(input: &[u8], max: u64) -> io::Result<Option<(u64, usize)>> {
    todo!()
}
// ANCHOR_END: starter

fn main() {}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/varint.rs"]
mod tests;
