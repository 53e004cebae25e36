//! `delimiter`: for each message, the sender picks a delimiter that does not
//! occur in it and sends it first, on a line of its own; the message follows,
//! and the delimiter again marks its end. The notes' third fix, and the idea
//! behind MIME's multipart boundaries (RFC 2046).
//!
//! ```text
//! "hi"  →  6b 33 50 71 39 7a 4c 62 0a 68 69 6b 33 50 71 39 7a 4c 62
//!          k  3  P  q  9  z  L  b  \n h  i  k  3  P  q  9  z  L  b
//!          '-- delimiter line ----'    '--'  '-- the delimiter again'
//! ```
//!
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::Delimiter;
//!
//! let codec = Delimiter { max: 64 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi", &mut frame)?;
//! // A random delimiter, its newline, the payload, the delimiter again.
//! let (line, rest) = frame.split_at(frame.iter().position(|&b| b == b'\n').unwrap() + 1);
//! let delimiter = &line[..line.len() - 1];
//! assert_eq!(rest, [&b"hi"[..], delimiter].concat());
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead};

use crate::codec::{Codec, cannot_carry, cut_short, invalid, read_until, show};

/// Delimiters are this long: 62^8 choices, so a random one is almost never
/// in the payload (the encoder checks anyway).
const LEN: usize = 8;

/// The longest delimiter a decoder accepts (MIME allows 70).
const MAX_LEN: usize = 70;

// ANCHOR: delimiter
/// A fresh delimiter before every message.
#[derive(Debug)]
pub struct Delimiter {
    /// The longest payload accepted.
    pub max: usize,
}

impl Codec for Delimiter {
    fn name(&self) -> &'static str {
        "delimiter"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        let delimiter = self.choose(payload)?;
        out.reserve(payload.len() + 2 * LEN + 1);
        out.extend_from_slice(&delimiter);
        out.push(b'\n');
        out.extend_from_slice(payload);
        out.extend_from_slice(&delimiter);
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        let mut delimiter = Vec::new();
        if !read_until("delimiter", input, b'\n', &mut delimiter, MAX_LEN)? {
            return Ok(false);
        }
        if let Some(&bad) =
            delimiter.iter().find(|b| !b.is_ascii_alphanumeric())
        {
            return Err(invalid(
                "delimiter",
                format_args!(
                    "expected letters and digits in the delimiter line, got {}",
                    show(bad)
                ),
            ));
        }
        if delimiter.is_empty() {
            return Err(invalid("delimiter", "the delimiter line is empty"));
        }
        payload.clear();
        let d = delimiter.len();
        loop {
            let available = match input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Err(cut_short(
                    "delimiter",
                    format_args!(
                        "{} bytes into a message, before its delimiter",
                        payload.len()
                    ),
                ));
            }
            // A delimiter may straddle two reads: look across the seam, at
            // the last d-1 bytes kept and the first d-1 just arrived.
            if !payload.is_empty() && d > 1 {
                let tail = payload.len().saturating_sub(d - 1);
                let mut seam = payload[tail..].to_vec();
                seam.extend_from_slice(
                    &available[..available.len().min(d - 1)],
                );
                if let Some(at) = find(&seam, &delimiter) {
                    let used = at + d - (payload.len() - tail);
                    payload.truncate(tail + at);
                    input.consume(used);
                    break;
                }
            }
            // Otherwise look in what just arrived, and copy only up to it.
            if let Some(at) = find(available, &delimiter) {
                payload.extend_from_slice(&available[..at]);
                input.consume(at + d);
                break;
            }
            let n = available.len();
            payload.extend_from_slice(available);
            input.consume(n);
            if payload.len() > self.max + d {
                return Err(invalid(
                    "delimiter",
                    format_args!(
                        "no delimiter within {} bytes, the limit",
                        self.max
                    ),
                ));
            }
        }
        if payload.len() > self.max {
            return Err(invalid(
                "delimiter",
                format_args!(
                    "a {}-byte payload exceeds the {}-byte limit",
                    payload.len(),
                    self.max
                ),
            ));
        }
        Ok(true)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        memchr::memchr(b'\n', frame).map_or(0, |at| at + 1)
    }

    fn envelope(
        &self,
        payload: &[u8],
        head: &mut Vec<u8>,
        tail: &mut Vec<u8>,
    ) -> io::Result<bool> {
        let delimiter = self.choose(payload)?;
        head.extend_from_slice(&delimiter);
        head.push(b'\n');
        tail.extend_from_slice(&delimiter);
        Ok(true)
    }
}

impl Delimiter {
    /// Random letters and digits that do not occur in the payload: the
    /// first try almost always succeeds.
    fn choose(&self, payload: &[u8]) -> io::Result<[u8; LEN]> {
        if payload.len() > self.max {
            return Err(cannot_carry(
                "delimiter",
                format_args!(
                    "{} bytes exceed the {}-byte limit",
                    payload.len(),
                    self.max
                ),
            ));
        }
        loop {
            let candidate: [u8; LEN] =
                std::array::from_fn(|_| fastrand::alphanumeric() as u8);
            if find(payload, &candidate).is_none() {
                return Ok(candidate);
            }
        }
    }
}
// ANCHOR_END: delimiter

/// Where `needle` first occurs in `haystack`. Jumps from one occurrence of
/// its first byte to the next (memchr), then compares: fast for the short
/// delimiters used here, and never worse than a byte-by-byte scan.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &haystack[from..]) {
        let at = from + i;
        if haystack.len() - at < needle.len() {
            return None;
        }
        if &haystack[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}
