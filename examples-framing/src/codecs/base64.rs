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
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::Base64;
//!
//! let mut codec = Base64::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"hi\n", &mut frame)?;
//! assert_eq!(frame, b"aGkK\n");
//!
//! // Decoded in place: the payload's 3 bytes overwrite the text's start.
//! let found = codec.decode(&mut frame)?;
//! assert_eq!(found, Some(Frame { used: 5, payload: 0..3 }));
//! assert_eq!(&frame[..3], b"hi\n");
//! // Text that decodes to more than the limit is refused:
//! let refused = codec.decode(&mut b"MDEyMzQ1Njc4OQ==\n".to_vec()).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::BufMut;

use crate::codec::{Codec, Frame, find_end, invalid, within};

/// Base64 works in groups of 3 bytes and 4 characters; both directions go
/// through a stack buffer of this many groups, so no buffer is zero-filled
/// or allocated per frame.
const GROUPS: usize = 256;

// ANCHOR: base64
/// Base64 text, `\n`-terminated.
#[derive(Debug)]
pub struct Base64 {
    /// The longest payload accepted (before encoding).
    max: usize,
    /// How many bytes of the text so far are known to hold no `\n`.
    scanned: usize,
}

impl Base64 {
    /// A codec for payloads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self { max, scanned: 0 }
    }
}

impl Codec for Base64 {
    fn name(&self) -> &'static str {
        "base64"
    }

    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        within("base64", payload.len(), self.max)?;
        let mut text = [0u8; 4 * GROUPS];
        for bytes in payload.chunks(3 * GROUPS) {
            // Only the last chunk can be short, so only it gets padding.
            let n = STANDARD
                .encode_slice(bytes, &mut text)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            out.put_slice(&text[..n]);
        }
        out.put_u8(b'\n');
        Ok(())
    }

    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        // 4 characters for every 3 bytes, rounded up: the longest line a
        // payload within the limit can need.
        let max_line = self.max.div_ceil(3).saturating_mul(4);
        let found =
            find_end("base64", input, b'\n', &mut self.scanned, max_line);
        let Some(end) = found? else {
            return Ok(None);
        };
        let len = decode_in_place(&mut input[..end])?;
        if len > self.max {
            return Err(invalid(
                "base64",
                format_args!(
                    "{len} bytes decoded, over the {}-byte limit",
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
// ANCHOR_END: base64

/// Decode base64 `text` into its own first bytes and return how many. The
/// bytes decoded from a chunk are written before the chunk's start (3 bytes
/// for every 4 characters), so they never overwrite text not yet decoded.
fn decode_in_place(text: &mut [u8]) -> io::Result<usize> {
    if text.len() % 4 != 0 {
        return Err(invalid(
            "base64",
            format_args!(
                "not base64: {} characters, not a multiple of 4",
                text.len()
            ),
        ));
    }
    let mut bytes = [0u8; 3 * GROUPS];
    let mut written = 0;
    for start in (0..text.len()).step_by(4 * GROUPS) {
        let chunk = &text[start..text.len().min(start + 4 * GROUPS)];
        // Padding ends the text: only the last chunk may have it.
        if start + chunk.len() < text.len() && chunk.ends_with(b"=") {
            return Err(invalid("base64", "not base64: padding mid-text"));
        }
        let n = STANDARD
            .decode_slice(chunk, &mut bytes)
            .map_err(|e| invalid("base64", format_args!("not base64: {e}")))?;
        text[written..written + n].copy_from_slice(&bytes[..n]);
        written += n;
    }
    Ok(written)
}
