//! `line`: each message ends with `\n`, and nothing is escaped.
//!
//! ```text
//! "hi there"  →  68 69 20 74 68 65 72 65 0a
//!                h  i     t  h  e  r  e  \n
//! ```
//!
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::Line;
//!
//! let codec = Line { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"hi there\n");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi there");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // a line longer than the limit (here 8 bytes) is refused before it is held whole:
//! let refused = codec.decode(&mut &b"0123456789\n"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The naive framing: right for text that never contains a newline, wrong
//! for anything else. A payload with a `\n` inside arrives as two messages;
//! the tests show it.

use std::io::{self, BufRead};

use crate::codec::{Codec, read_until};

// ANCHOR: line
/// `\n`-terminated messages, no escaping.
#[derive(Debug)]
pub struct Line {
    /// The longest line accepted.
    pub max: usize,
}

impl Codec for Line {
    fn name(&self) -> &'static str {
        "line"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        // Nothing stops a payload from containing the terminator: that is
        // this framing's flaw, kept on purpose.
        out.extend_from_slice(payload);
        out.push(b'\n');
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        read_until("line", input, b'\n', payload, self.max)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }

    fn envelope(
        &self,
        _payload: &[u8],
        _head: &mut Vec<u8>,
        tail: &mut Vec<u8>,
    ) -> io::Result<bool> {
        tail.push(b'\n');
        Ok(true)
    }
}
// ANCHOR_END: line
