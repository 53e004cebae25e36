//! `line`: each message ends with `\n`, and nothing is escaped.
//!
//! ```text
//! "hi there"  →  68 69 20 74 68 65 72 65 0a
//!                h  i     t  h  e  r  e  \n
//! ```
//!
//! ```
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::Line;
//!
//! let mut codec = Line::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"hi there\n");
//!
//! assert_eq!(codec.decode(&mut frame[..5])?, None);
//! assert_eq!(codec.decode(&mut frame)?, Some(Frame { used: 9, payload: 0..8 }));
//! // A line longer than the limit (here 8 bytes) is refused before it is
//! // held whole:
//! let refused = codec.decode(&mut b"0123456789".to_vec()).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The naive framing: right for text that never contains a newline, wrong
//! for anything else. A payload with a `\n` inside arrives as two messages;
//! the tests show it.

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, find_end};

// ANCHOR: line
/// `\n`-terminated messages, no escaping.
#[derive(Debug)]
pub struct Line {
    /// The longest line accepted.
    max: usize,
    /// How many bytes of the line so far are known to hold no `\n`.
    scanned: usize,
}

impl Line {
    /// A codec for lines of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self { max, scanned: 0 }
    }
}

impl Codec for Line {
    fn name(&self) -> &'static str {
        "line"
    }

    #[inline]
    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        // Nothing stops a payload from containing the terminator: that is
        // this framing's flaw, kept on purpose.
        out.put_slice(payload);
        out.put_u8(b'\n');
        Ok(())
    }

    #[inline]
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        let found = find_end("line", input, b'\n', &mut self.scanned, self.max);
        Ok(found?.map(|end| Frame {
            used: end + 1,
            payload: 0..end,
        }))
    }

    fn cut_short(&self, input: &[u8]) -> String {
        format!("after {} bytes, before the terminator", input.len())
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        frame.len().saturating_sub(1)
    }

    fn envelope(
        &mut self,
        _payload: &[u8],
        _head: &mut dyn BufMut,
        tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        tail.put_u8(b'\n');
        Ok(true)
    }
}
// ANCHOR_END: line
