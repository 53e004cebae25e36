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
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::Escaped;
//!
//! let codec = Escaped { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"a\\b\nc", &mut frame)?;
//! assert_eq!(frame, b"a\\\\b\\nc\n");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"a\\b\nc");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // an escaped line longer than the limit is refused:
//! let refused = codec.decode(&mut &b"0123456789\n"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Byte stuffing, as in SLIP (RFC 1055) or HDLC: an escape byte that
//! protects itself and the terminator. The cost depends on the data: at
//! worst every byte doubles.

use std::io::{self, BufRead};

use crate::codec::{Codec, cannot_carry, invalid, read_until, show};

// ANCHOR: escaped
/// `\n`-terminated, with `\` and newline escaped inside.
#[derive(Debug)]
pub struct Escaped {
    /// The longest payload accepted (after unescaping).
    pub max: usize,
}

impl Codec for Escaped {
    fn name(&self) -> &'static str {
        "escaped"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        if payload.len() > self.max {
            return Err(cannot_carry(
                "escaped",
                format_args!(
                    "{} bytes exceed the {}-byte limit",
                    payload.len(),
                    self.max
                ),
            ));
        }
        out.reserve(payload.len() + payload.len() / 16 + 1);
        let mut rest = payload;
        // Copy runs of ordinary bytes whole; stop only at the two special ones.
        while let Some(at) = memchr::memchr2(b'\\', b'\n', rest) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(if rest[at] == b'\\' {
                b"\\\\"
            } else {
                b"\\n"
            });
            rest = &rest[at + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'\n');
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        // Escaping at most doubles the payload, so the raw line may be twice
        // the limit.
        if !read_until(
            "escaped",
            input,
            b'\n',
            payload,
            self.max.saturating_mul(2),
        )? {
            return Ok(false);
        }
        unescape(payload)?;
        if payload.len() > self.max {
            return Err(invalid(
                "escaped",
                format_args!(
                    "a {}-byte payload exceeds the {}-byte limit",
                    payload.len(),
                    self.max
                ),
            ));
        }
        Ok(true)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}

/// Undo the escaping in place: copy each run of ordinary bytes down over
/// the space the escapes freed, one run at a time.
fn unescape(line: &mut Vec<u8>) -> io::Result<()> {
    let Some(first) = memchr::memchr(b'\\', line) else {
        return Ok(());
    };
    let (mut read, mut write) = (first, first);
    loop {
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
        if read == line.len() {
            break;
        }
    }
    line.truncate(write);
    Ok(())
}
// ANCHOR_END: escaped
