//! Exercise 1 of "Transmitting variable-length messages", solved: COBS
//! (Cheshire and Baker, 1997), an eighth codec. Its overhead is at most one
//! byte in 254, whatever the data, where `escaped` may double it.

use std::io::{self, BufRead};

use examples_framing::codec::Codec;

// ANCHOR: solution
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
        if payload.len() > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cobs: payload over the limit",
            ));
        }
        // Each block: a code byte (how many bytes up to the next zero, plus
        // one; 0xFF for a full block of 254 with no zero after it), then the
        // block's non-zero bytes.
        let mut code_at = out.len();
        out.push(0);
        let mut code = 1u8;
        for &byte in payload {
            if byte == 0 {
                out[code_at] = code;
                code_at = out.len();
                out.push(0);
                code = 1;
                continue;
            }
            out.push(byte);
            code += 1;
            if code == 0xFF {
                out[code_at] = code;
                code_at = out.len();
                out.push(0);
                code = 1;
            }
        }
        out[code_at] = code;
        out.push(0);
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        let mut frame = Vec::new();
        let max_frame = self.max + self.max / 254 + 2;
        let read =
            input.take(max_frame as u64 + 1).read_until(0, &mut frame)?;
        if read == 0 {
            return Ok(false);
        }
        if frame.pop() != Some(0) {
            return Err(if frame.len() >= max_frame {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "cobs: no frame end within the limit",
                )
            } else {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "cobs: the stream ended inside a frame",
                )
            });
        }
        payload.clear();
        let mut at = 0;
        while at < frame.len() {
            let code = usize::from(frame[at]);
            if code == 0 || at + code > frame.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "cobs: a code byte points past the frame",
                ));
            }
            payload.extend_from_slice(&frame[at + 1..at + code]);
            at += code;
            // A block shorter than 254 stood before a zero, unless it
            // ends the frame.
            if code < 0xFF && at < frame.len() {
                payload.push(0);
            }
        }
        if payload.len() > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "cobs: payload over the limit",
            ));
        }
        Ok(true)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}
// ANCHOR_END: solution

use std::io::Read as _;

fn main() {
    let mut frame = Vec::new();
    let cobs = Cobs { max: 1 << 20 };
    if cobs.encode(b"\x11\x22\x00\x33", &mut frame).is_ok() {
        println!("11 22 00 33 -> {frame:02x?}");
    }
}

// The same tests run against the starter (`--example cobs_start`).
#[cfg(test)]
#[path = "tests/cobs.rs"]
mod tests;
