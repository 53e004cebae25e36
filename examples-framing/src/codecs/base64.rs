//! `base64`: each message base64-encoded (standard alphabet, padded), then
//! `\n`. The encoded text never contains a newline, so any bytes survive,
//! at the price of 4 bytes on the wire for every 3 of payload.
//!
//! ```text
//! "hi\n"  →  61 47 6b 4b 0a
//!            a  G  k  K  \n
//! ```
//!
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::Base64;
//!
//! let codec = Base64 { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi\n", &mut frame)?;
//! assert_eq!(frame, b"aGkK\n");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi\n");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // text that decodes to more than the limit is refused:
//! let refused = codec.decode(&mut &b"MDEyMzQ1Njc4OQ==\n"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::codec::{Codec, cannot_carry, invalid, read_until};

// ANCHOR: base64
/// Base64 text, `\n`-terminated.
#[derive(Debug)]
pub struct Base64 {
    /// The longest payload accepted (before encoding).
    pub max: usize,
}

impl Codec for Base64 {
    fn name(&self) -> &'static str {
        "base64"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        if payload.len() > self.max {
            return Err(cannot_carry(
                "base64",
                format_args!(
                    "{} bytes exceed the {}-byte limit",
                    payload.len(),
                    self.max
                ),
            ));
        }
        let start = out.len();
        let len = base64::encoded_len(payload.len(), true)
            .ok_or_else(|| cannot_carry("base64", "too long to encode"))?;
        out.resize(start + len, 0);
        STANDARD
            .encode_slice(payload, &mut out[start..])
            .map_err(|e| cannot_carry("base64", e))?;
        out.push(b'\n');
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        // 4 characters for every 3 bytes, rounded up: the longest line a
        // payload within the limit can need.
        let max_line = self.max.div_ceil(3).saturating_mul(4);
        // When the whole line is already in the reader's buffer, decode it
        // from there; otherwise gather it first.
        let available = input.fill_buf()?;
        if let Some(end) =
            memchr::memchr(b'\n', available).filter(|&end| end <= max_line)
        {
            decode_into(&available[..end], payload)?;
            input.consume(end + 1);
            return Ok(true);
        }
        let mut text = Vec::new();
        if !read_until("base64", input, b'\n', &mut text, max_line)? {
            return Ok(false);
        }
        decode_into(&text, payload)?;
        Ok(true)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }
}
// ANCHOR_END: base64

fn decode_into(text: &[u8], payload: &mut Vec<u8>) -> io::Result<()> {
    payload.clear();
    payload.resize(text.len() / 4 * 3 + 3, 0);
    let n = STANDARD
        .decode_slice(text, payload)
        .map_err(|e| invalid("base64", format_args!("not base64: {e}")))?;
    payload.truncate(n);
    Ok(())
}
