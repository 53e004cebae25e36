//! `ascii-length`: the payload's length as exactly six decimal digits,
//! zero-padded, then the payload. Easy to read in a capture and to type by
//! hand; the width is a hard limit: six digits say at most 999999 bytes.
//!
//! ```text
//! "hi there"  →  30 30 30 30 30 38 68 69 20 74 68 65 72 65
//!                0  0  0  0  0  8  h  i     t  h  e  r  e
//! ```
//!
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::AsciiLength;
//!
//! let codec = AsciiLength { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"000008hi there");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi there");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // a length over the limit is refused from the header alone:
//! let refused = codec.decode(&mut &b"999999"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead};

use crate::codec::{
    Codec, cannot_carry, invalid, push_decimal, read_header, read_payload,
};

/// How many digits the length field has.
pub const WIDTH: usize = 6;

/// The largest length six digits can write: 999999.
pub const LARGEST: usize = 999_999;

// ANCHOR: ascii_length
/// A fixed-width, zero-padded decimal length, then the bytes.
#[derive(Debug)]
pub struct AsciiLength {
    /// The longest payload accepted (never more than [`LARGEST`]).
    pub max: usize,
}

impl Codec for AsciiLength {
    fn name(&self) -> &'static str {
        "ascii-length"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        out.reserve(WIDTH + payload.len());
        self.head(payload.len(), out)?;
        out.extend_from_slice(payload);
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        // The common case, when the whole frame is already in the reader's
        // buffer: one look, one copy.
        let available = input.fill_buf()?;
        if let Some((header, rest)) = available.split_first_chunk::<WIDTH>()
            && let Some(len) = digits(header)
            && len <= self.max
            && rest.len() >= len
        {
            payload.clear();
            payload.extend_from_slice(&rest[..len]);
            input.consume(WIDTH + len);
            return Ok(true);
        }
        let mut header = [0u8; WIDTH];
        if !read_header("ascii-length", input, &mut header)? {
            return Ok(false);
        }
        let Some(len) = digits(&header) else {
            return Err(invalid(
                "ascii-length",
                format_args!(
                    "expected {WIDTH} digits, got {:?}",
                    String::from_utf8_lossy(&header)
                ),
            ));
        };
        if len > self.max {
            return Err(invalid(
                "ascii-length",
                format_args!("length {len} > limit {}", self.max),
            ));
        }
        read_payload("ascii-length", input, len, payload)?;
        Ok(true)
    }

    fn header_len(&self, _frame: &[u8]) -> usize {
        WIDTH
    }

    fn envelope(
        &self,
        payload: &[u8],
        head: &mut Vec<u8>,
        _tail: &mut Vec<u8>,
    ) -> io::Result<bool> {
        self.head(payload.len(), head)?;
        Ok(true)
    }
}

impl AsciiLength {
    /// The six digits, once `len` is known to fit in them.
    fn head(&self, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        if len > LARGEST {
            return Err(cannot_carry(
                "ascii-length",
                format_args!(
                    "a {len}-byte message does not fit: {WIDTH} digits say at \
                        most {LARGEST}"
                ),
            ));
        }
        if len > self.max {
            return Err(cannot_carry(
                "ascii-length",
                format_args!("{len} bytes exceed the {}-byte limit", self.max),
            ));
        }
        push_decimal(out, len, WIDTH);
        Ok(())
    }
}
// ANCHOR_END: ascii_length

/// The number six ASCII digits spell, or `None` if one is not a digit.
fn digits(header: &[u8; WIDTH]) -> Option<usize> {
    header.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}
