//! `escaped`: `\n` ends each message; inside it, `\` becomes `\\` and a
//! newline becomes `\n` (a backslash and the letter n). The terminator can
//! then never appear in the data, so any bytes survive.
//!
//! ```text
//! "a\b" NL "c"  →  61 5c 5c 62 5c 6e 63 0a
//!                  a  \  \  b  \  n  c  \n
//! ```
//!
//! ```
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::Escaped;
//!
//! let mut codec = Escaped::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"a\\b\nc", &mut frame)?;
//! assert_eq!(frame, b"a\\\\b\\nc\n");
//!
//! // Unescaped in place: the frame's 8 bytes hold the 5-byte payload.
//! let found = codec.decode(&mut frame)?;
//! assert_eq!(found, Some(Frame { used: 8, payload: 0..5 }));
//! assert_eq!(&frame[..5], b"a\\b\nc");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Byte stuffing, as in SLIP (RFC 1055) or HDLC: an escape byte that
//! protects itself and the terminator. The cost depends on the data: at
//! worst every byte doubles.

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, find_end, invalid, show, within};

// ANCHOR: escaped
/// `\n`-terminated, with `\` and newline escaped inside.
#[derive(Debug)]
pub struct Escaped {
    /// The longest payload accepted (after unescaping).
    max: usize,
    /// How many bytes of the line so far are known to hold no `\n`.
    scanned: usize,
}

impl Escaped {
    /// A codec for payloads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self { max, scanned: 0 }
    }
}

impl Codec for Escaped {
    fn name(&self) -> &'static str {
        "escaped"
    }

    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        within("escaped", payload.len(), self.max)?;
        let mut rest = payload;
        // Copy runs of ordinary bytes whole; stop only at the two special
        // ones.
        while let Some(at) = memchr::memchr2(b'\\', b'\n', rest) {
            out.put_slice(&rest[..at]);
            out.put_slice(if rest[at] == b'\\' { b"\\\\" } else { b"\\n" });
            rest = &rest[at + 1..];
        }
        out.put_slice(rest);
        out.put_u8(b'\n');
        Ok(())
    }

    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        // Escaping at most doubles the payload, so the raw line may be
        // twice the limit.
        let max_line = self.max.saturating_mul(2);
        let found =
            find_end("escaped", input, b'\n', &mut self.scanned, max_line);
        let Some(end) = found? else {
            return Ok(None);
        };
        let len = unescape(&mut input[..end])?;
        if len > self.max {
            return Err(invalid(
                "escaped",
                format_args!(
                    "a {len}-byte payload exceeds the {}-byte limit",
                    self.max
                ),
            ));
        }
        Ok(Some(Frame {
            used: end + 1,
            payload: 0..len,
        }))
    }

    fn cut_short(&self, input: &[u8]) -> String {
        format!("after {} bytes, before the terminator", input.len())
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}

/// Undo the escaping in place, and return the payload's length: copy each
/// run of ordinary bytes down over the space the escapes freed.
fn unescape(line: &mut [u8]) -> io::Result<usize> {
    let Some(first) = memchr::memchr(b'\\', line) else {
        return Ok(line.len());
    };
    let (mut read, mut write) = (first, first);
    while read < line.len() {
        // `read` is at a backslash.
        line[write] = match line.get(read + 1) {
            Some(b'\\') => b'\\',
            Some(b'n') => b'\n',
            Some(&other) => {
                return Err(invalid(
                    "escaped",
                    format_args!(
                        "bad escape: expected '\\' or 'n' after '\\', got {}",
                        show(other)
                    ),
                ));
            }
            None => {
                return Err(invalid(
                    "escaped",
                    "the message ends in the middle of an escape",
                ));
            }
        };
        read += 2;
        write += 1;
        let run =
            memchr::memchr(b'\\', &line[read..]).unwrap_or(line.len() - read);
        line.copy_within(read..read + run, write);
        read += run;
        write += run;
    }
    Ok(write)
}
// ANCHOR_END: escaped
