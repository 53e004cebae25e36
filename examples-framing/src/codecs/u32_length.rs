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
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::U32Length;
//!
//! let codec = U32Length { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"\x00\x00\x00\x08hi there");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi there");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // a length over the limit (here 4 GiB) is refused from the header alone, before a byte is reserved:
//! let refused = codec.decode(&mut &b"\xff\xff\xff\xff"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead};

use crate::codec::{Codec, cannot_carry, invalid, read_header, read_payload};

// ANCHOR: u32_length
/// A 4-byte big-endian length, then the bytes.
#[derive(Debug)]
pub struct U32Length {
    /// The longest payload accepted.
    pub max: usize,
}

impl Codec for U32Length {
    fn name(&self) -> &'static str {
        "u32-length"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        out.reserve(4 + payload.len());
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
        if let Some((header, rest)) = available.split_first_chunk::<4>() {
            let len = u32::from_be_bytes(*header) as usize;
            if len <= self.max && rest.len() >= len {
                payload.clear();
                payload.extend_from_slice(&rest[..len]);
                input.consume(4 + len);
                return Ok(true);
            }
        }
        let mut header = [0u8; 4];
        if !read_header("u32-length", input, &mut header)? {
            return Ok(false);
        }
        let len = u32::from_be_bytes(header) as usize;
        // Checked before a single byte of the payload is read or reserved:
        // a header that says 4 GiB costs us four bytes.
        if len > self.max {
            return Err(invalid(
                "u32-length",
                format_args!("length {len} > limit {}", self.max),
            ));
        }
        read_payload("u32-length", input, len, payload)?;
        Ok(true)
    }

    fn header_len(&self, _frame: &[u8]) -> usize {
        4
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

impl U32Length {
    /// The 4-byte length, once `len` is known to fit.
    fn head(&self, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        let field = u32::try_from(len).map_err(|_| {
            cannot_carry(
                "u32-length",
                "a message of 4 GiB or more does not fit in 32 bits",
            )
        })?;
        if len > self.max {
            return Err(cannot_carry(
                "u32-length",
                format_args!("{len} bytes exceed the {}-byte limit", self.max),
            ));
        }
        out.extend_from_slice(&field.to_be_bytes());
        Ok(())
    }
}
// ANCHOR_END: u32_length
