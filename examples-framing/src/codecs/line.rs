//! `line`: each message ends with `\n`, and nothing is escaped.
//!
//! ```text
//! "hi there"  →  68 69 20 74 68 65 72 65 0a
//!                h  i     t  h  e  r  e  \n
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

    fn decode(&self, input: &mut dyn BufRead, payload: &mut Vec<u8>) -> io::Result<bool> {
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
