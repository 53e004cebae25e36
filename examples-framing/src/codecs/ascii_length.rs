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
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::AsciiLength;
//!
//! let mut codec = AsciiLength::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"000008hi there");
//!
//! assert_eq!(codec.decode(&mut frame[..7])?, None);
//! assert_eq!(codec.decode(&mut frame)?, Some(Frame { used: 14, payload: 6..14 }));
//! // A length over the limit is refused from the header alone:
//! let refused = codec.decode(&mut b"999999".to_vec()).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, cannot_carry, invalid, push_decimal, within};

/// How many digits the length field has.
pub const WIDTH: usize = 6;

/// The largest length six digits can write: 999999.
pub const LARGEST: usize = 999_999;

// ANCHOR: ascii_length
/// A fixed-width, zero-padded decimal length, then the bytes.
#[derive(Debug)]
pub struct AsciiLength {
    /// The longest payload accepted (never more than [`LARGEST`]).
    max: usize,
}

impl AsciiLength {
    /// A codec for payloads of at most `max` bytes (and six digits).
    pub fn new(max: usize) -> Self {
        Self {
            max: max.min(LARGEST),
        }
    }

    /// The six digits, once `len` is known to fit in them.
    #[inline]
    fn head(
        &self,
        len: usize,
        out: &mut (impl BufMut + ?Sized),
    ) -> io::Result<()> {
        if len > LARGEST {
            return Err(cannot_carry(
                "ascii-length",
                format_args!(
                    "a {len}-byte message does not fit: {WIDTH} digits say \
                        at most {LARGEST}"
                ),
            ));
        }
        within("ascii-length", len, self.max)?;
        push_decimal(out, len, WIDTH);
        Ok(())
    }

    /// The digits, then the payload, into `out`: `encode`'s steps, on any
    /// buffer.
    #[inline]
    fn put(
        &self,
        payload: &[u8],
        out: &mut (impl BufMut + ?Sized),
    ) -> io::Result<()> {
        self.head(payload.len(), out)?;
        out.put_slice(payload);
        Ok(())
    }
}

impl Codec for AsciiLength {
    fn name(&self) -> &'static str {
        "ascii-length"
    }

    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        self.put(payload, out)
    }

    #[inline]
    fn encode_vec(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        // The same steps, on the Vec itself: no dynamic call.
        self.put(payload, out)
    }

    #[inline]
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        // Six digits are cheap to read again: no state to keep.
        let Some(header) = input.first_chunk::<WIDTH>() else {
            return Ok(None);
        };
        let Some(len) = digits(header) else {
            return Err(invalid(
                "ascii-length",
                format_args!(
                    "expected {WIDTH} digits, got {:?}",
                    String::from_utf8_lossy(header)
                ),
            ));
        };
        if len > self.max {
            return Err(invalid(
                "ascii-length",
                format_args!("length {len} > limit {}", self.max),
            ));
        }
        if input.len() < WIDTH + len {
            return Ok(None);
        }
        Ok(Some(Frame {
            used: WIDTH + len,
            payload: WIDTH..WIDTH + len,
        }))
    }

    fn cut_short(&self, input: &[u8]) -> String {
        match input.first_chunk::<WIDTH>().and_then(digits) {
            None => format!("{} bytes into a {WIDTH}-byte header", input.len()),
            Some(len) => format!(
                "{} bytes into a {len}-byte payload",
                input.len() - WIDTH
            ),
        }
    }

    fn header_len(&self, _frame: &[u8]) -> usize {
        WIDTH
    }

    fn envelope(
        &mut self,
        payload: &[u8],
        head: &mut dyn BufMut,
        _tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        self.head(payload.len(), head)?;
        Ok(true)
    }
}
// ANCHOR_END: ascii_length

/// The number six ASCII digits spell, or `None` if one is not a digit.
#[inline]
fn digits(header: &[u8; WIDTH]) -> Option<usize> {
    header.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}
