//! Exercise 1 of "Transmitting variable-length messages", solved: COBS
//! (Cheshire and Baker, 1997), an eighth codec. Its overhead is at most one
//! byte in 254, whatever the data, where `escaped` may double it.

use std::io;

use bytes::BufMut;
use examples_framing::codec::{Codec, Frame};

// ANCHOR: solution
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
        if payload.len() > self.max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cobs: payload over the limit",
            ));
        }
        // Each run of non-zero bytes between two zeros: full blocks of 254
        // (code 0xFF, no zero after them), then the rest, whose code (its
        // length plus one) also says "a zero follows", unless it ends the
        // frame.
        for run in payload.split(|&byte| byte == 0) {
            let mut blocks = run.chunks_exact(254);
            for block in &mut blocks {
                out.put_u8(0xFF);
                out.put_slice(block);
            }
            let rest = blocks.remainder();
            out.put_u8(rest.len() as u8 + 1);
            out.put_slice(rest);
        }
        out.put_u8(0);
        Ok(())
    }

    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        let invalid = |why: &str| {
            io::Error::new(io::ErrorKind::InvalidData, format!("cobs: {why}"))
        };
        let max_frame = self.max + self.max / 254 + 2;
        let Some(at) = memchr::memchr(0, &input[self.scanned..]) else {
            self.scanned = input.len();
            if input.len() > max_frame {
                return Err(invalid("no frame end within the limit"));
            }
            return Ok(None);
        };
        let end = self.scanned + at;
        self.scanned = 0;
        // Undo the stuffing in place: each block's bytes move down over the
        // code bytes before them, and a zero goes where a code said.
        let (mut read, mut write) = (0, 0);
        while read < end {
            let code = usize::from(input[read]);
            if read + code > end {
                return Err(invalid("a code byte points past the frame"));
            }
            input.copy_within(read + 1..read + code, write);
            write += code - 1;
            read += code;
            if code < 0xFF && read < end {
                input[write] = 0;
                write += 1;
            }
        }
        if write > self.max {
            return Err(invalid("payload over the limit"));
        }
        Ok(Some(Frame {
            used: end + 1,
            payload: 0..write,
        }))
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}
// ANCHOR_END: solution

fn main() {
    let mut frame = Vec::new();
    let mut cobs = Cobs {
        max: 1 << 20,
        scanned: 0,
    };
    if cobs.encode(b"\x11\x22\x00\x33", &mut frame).is_ok() {
        println!("11 22 00 33 -> {frame:02x?}");
    }
}

// The same tests run against the starter (`--example cobs_start`).
#[cfg(test)]
#[path = "tests/cobs.rs"]
mod tests;
