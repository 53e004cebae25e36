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
use std::mem::MaybeUninit;

use base64_simd::{Out, STANDARD};
use bytes::BufMut;

use crate::codec::{Codec, Frame, find_end, invalid, within};

/// Base64 works in groups of 3 bytes and 4 characters. The encoder goes
/// through a stack buffer of this many groups (4 KiB, which stays in the
/// CPU's nearest cache), so no buffer is allocated per frame.
const GROUPS: usize = 1024;

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
        // Uninitialized: Out lets the encoder fill it without a memset.
        let mut text = [MaybeUninit::uninit(); 4 * GROUPS];
        for bytes in payload.chunks(3 * GROUPS) {
            // Only the last chunk can be short, so only it gets padding.
            out.put_slice(
                STANDARD.encode(bytes, Out::from_uninit_slice(&mut text)),
            );
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

/// Decode base64 `text` into its own first bytes and return how many: each
/// group's 3 bytes are written over the start of its 4 characters.
fn decode_in_place(text: &mut [u8]) -> io::Result<usize> {
    let decoded = STANDARD
        .decode_inplace(text)
        .map_err(|e| invalid("base64", format_args!("not base64: {e}")))?;
    Ok(decoded.len())
}
