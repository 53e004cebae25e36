//! Exercise 2 of "Transmitting variable-length messages", solved: a length
//! prefix of variable width (LEB128, as Protocol Buffers and WebAssembly use
//! it): one byte for lengths under 128, two under 16384.

use std::io;

// ANCHOR: solution
/// Append `len` as LEB128: seven bits a byte, least significant first, the
/// top bit set on every byte but the last.
fn put_varint(mut len: u64, out: &mut Vec<u8>) {
    loop {
        let low = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// The LEB128 length at the start of `input`, and how many bytes it takes:
/// `Ok(None)` while it is not whole yet (the next read may finish it).
/// Refuses one over `max`, or longer than it needs to be, or longer than
/// 10 bytes.
fn get_varint(input: &[u8], max: u64) -> io::Result<Option<(u64, usize)>> {
    let invalid = |why: &str| {
        io::Error::new(io::ErrorKind::InvalidData, format!("varint: {why}"))
    };
    let mut value: u64 = 0;
    for (at, &byte) in input.iter().enumerate().take(10) {
        let shift = 7 * at as u32;
        let bits = u64::from(byte & 0x7F);
        // A fixed width never needed these checks: a varint can be too
        // long (a sender padding with 0x80 bytes), or overflow 64 bits.
        if shift == 63 && bits > 1 {
            return Err(invalid("more than 64 bits"));
        }
        if at > 0 && byte == 0 {
            return Err(invalid("a needless trailing zero byte"));
        }
        value |= bits << shift;
        if value > max {
            return Err(invalid("a length over the limit"));
        }
        if byte & 0x80 == 0 {
            return Ok(Some((value, at + 1)));
        }
    }
    if input.len() >= 10 {
        return Err(invalid("longer than 10 bytes"));
    }
    Ok(None)
}
// ANCHOR_END: solution

fn main() {
    for len in [0u64, 127, 128, 300, 16_384] {
        let mut out = Vec::new();
        put_varint(len, &mut out);
        let back = get_varint(&out, u64::MAX);
        println!("{len:>6} -> {out:02x?} -> {back:?}");
    }
}

// The same tests run against the starter (`--example varint_start`).
#[cfg(test)]
#[path = "tests/varint.rs"]
mod tests;
