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

    fn encode_vec(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        within("base64", payload.len(), self.max)?;
        // Straight into the Vec's spare room, in one pass: no stack buffer
        // to copy from (a sixth faster at 64 KiB).
        STANDARD.encode_append(payload, out);
        out.push(b'\n');
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
/// chunk of 4 KiB of text is decoded into a stack buffer, then copied over
/// the text's start. A chunk that fails to decode is still whole, so the
/// error can say what arrived.
fn decode_in_place(text: &mut [u8]) -> io::Result<usize> {
    let mut bytes = [MaybeUninit::uninit(); 3 * GROUPS];
    let (mut read, mut written) = (0, 0);
    while read < text.len() {
        let end = text.len().min(read + 4 * GROUPS);
        let chunk = &text[read..end];
        let Ok(decoded) =
            STANDARD.decode(chunk, Out::from_uninit_slice(&mut bytes))
        else {
            let why = what_arrived(chunk, read, end == text.len());
            return Err(invalid("base64", format_args!("not base64: {why}")));
        };
        // The decoded bytes never pass the text not yet read: 3 for 4.
        text[written..written + decoded.len()].copy_from_slice(decoded);
        written += decoded.len();
        read = end;
    }
    Ok(written)
}

/// What is wrong with `chunk`, which starts at byte `at` of the text and is
/// its end if `last`: the first byte outside the standard alphabet, named,
/// or else the padding.
fn what_arrived(chunk: &[u8], at: usize, last: bool) -> String {
    let standard =
        |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/');
    let bad = chunk.iter().position(|b| !standard(b) && *b != b'=');
    match bad.map(|i| (at + i, chunk[i])) {
        Some((i, b'-' | b'_')) => format!(
            "{:?} at byte {i}: the URL-safe alphabet, where the standard one \
             (+ and /) was expected",
            char::from(chunk[i - at])
        ),
        Some((i, b'\r')) if i - at == chunk.len() - 1 && last => {
            "a \\r before the \\n: a CRLF line end, where \\n alone was \
             expected"
                .to_owned()
        }
        Some((i, b' ')) => format!("a space at byte {i}"),
        Some((i, b)) => format!(
            "byte {b:#04x} at byte {i}, which is not in the base64 alphabet"
        ),
        None => match chunk.iter().position(|&b| b == b'=') {
            Some(i) if !last || chunk[i..].iter().any(|&b| b != b'=') => {
                format!("padding '=' at byte {}, before the end", at + i)
            }
            _ if !(at + chunk.len()).is_multiple_of(4) => format!(
                "{} characters, not a multiple of 4: the padding is missing \
                 or wrong",
                at + chunk.len()
            ),
            _ => "bad padding: bits left over after the last group".to_owned(),
        },
    }
}
