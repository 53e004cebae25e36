//! `u32-length`: the payload's length as 4 bytes, most significant first
//! (network byte order, big-endian), then the payload. The compact, fast,
//! binary version of a length prefix; what tokio-util's
//! `LengthDelimitedCodec` does by default.
//!
//! ```text
//! "hi there"  →  00 00 00 08 68 69 20 74 68 65 72 65
//!                '-- 8 ---'  h  i     t  h  e  r  e
//! ```
//!
//! The decoder is fed bytes as they arrive, and answers "not yet" until a
//! whole frame is there:
//!
//! ```
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::U32Length;
//!
//! let mut codec = U32Length::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"\x00\x00\x00\x08hi there");
//!
//! // Three bytes of the header: not yet.
//! assert_eq!(codec.decode(&mut frame[..3])?, None);
//! // The header and half the payload: not yet (the length is kept).
//! assert_eq!(codec.decode(&mut frame[..8])?, None);
//! // All of it: the frame takes 12 bytes, its payload is bytes 4 to 12.
//! assert_eq!(codec.decode(&mut frame)?, Some(Frame { used: 12, payload: 4..12 }));
//! // A length over the limit (here 4 GiB) is refused from the header
//! // alone, before a byte of the payload is buffered:
//! let refused = codec.decode(&mut [0xff; 4]).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, cannot_carry, invalid, within};

// ANCHOR: u32_length
/// A 4-byte big-endian length, then the bytes.
#[derive(Debug)]
pub struct U32Length {
    /// The longest payload accepted.
    max: usize,
    /// The payload's length, once its header has been read.
    len: Option<usize>,
}

impl U32Length {
    /// A codec for payloads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self { max, len: None }
    }

    /// The 4-byte length, once it is known to fit.
    #[inline]
    fn head(
        &self,
        len: usize,
        out: &mut (impl BufMut + ?Sized),
    ) -> io::Result<()> {
        within("u32-length", len, self.max)?;
        let field = u32::try_from(len).map_err(|_| {
            cannot_carry("u32-length", "4 GiB or more does not fit in 32 bits")
        })?;
        out.put_u32(field);
        Ok(())
    }

    /// The length, then the payload, into `out`: `encode`'s steps, on any
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

impl Codec for U32Length {
    fn name(&self) -> &'static str {
        "u32-length"
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
        let len = match self.len {
            Some(len) => len,
            None => {
                let Some(header) = input.first_chunk::<4>() else {
                    return Ok(None);
                };
                let len = u32::from_be_bytes(*header) as usize;
                // Checked before a single byte of the payload is kept: a
                // header that says 4 GiB costs us four bytes.
                if len > self.max {
                    return Err(invalid(
                        "u32-length",
                        format_args!("length {len} > limit {}", self.max),
                    ));
                }
                *self.len.insert(len)
            }
        };
        if input.len() < 4 + len {
            return Ok(None);
        }
        self.len = None;
        Ok(Some(Frame {
            used: 4 + len,
            payload: 4..4 + len,
        }))
    }

    fn cut_short(&self, input: &[u8]) -> String {
        match self.len {
            None => format!("{} bytes into a 4-byte header", input.len()),
            Some(len) => {
                let got = input.len().saturating_sub(4);
                format!("{got} bytes into a {len}-byte payload")
            }
        }
    }

    fn header_len(&self, _frame: &[u8]) -> usize {
        4
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
// ANCHOR_END: u32_length
