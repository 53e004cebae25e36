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
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::Delimiter;
//!
//! let mut codec = Delimiter::new(64);
//! let mut frame = b"k3Pq9zLb\nhik3Pq9zLb".to_vec();
//! assert_eq!(codec.decode(&mut frame[..14])?, None);
//! assert_eq!(codec.decode(&mut frame)?, Some(Frame { used: 19, payload: 9..11 }));
//!
//! // The encoder draws a fresh delimiter for each message.
//! let mut frame = Vec::new();
//! codec.encode(b"hi", &mut frame)?;
//! assert_eq!(frame.len(), 19);
//! assert_eq!(frame[..8], frame[11..]);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The encoder must check more than "the delimiter is not in the payload".
//! The receiver stops at the *first* occurrence of the delimiter after the
//! line, and with a delimiter that overlaps itself (`gpgiV9tg` begins as
//! it ends) a payload ending in `-gpgiV9t` makes one appear early, across
//! the seam: `-gpgiV9t` + `gpgiV9tg` holds `gpgiV9tg` at byte 1. So the
//! encoder looks for its candidate in the payload *followed by the
//! delimiter*, and takes it only if the first occurrence is the last.

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, invalid, show, within};

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
    max: usize,
    /// The delimiter's length, once its line has arrived.
    delimiter: Option<usize>,
    /// How many bytes of the input are known to hold no end delimiter.
    scanned: usize,
}

impl Delimiter {
    /// A codec for payloads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            delimiter: None,
            scanned: 0,
        }
    }

    /// Random letters and digits whose first occurrence in `payload`
    /// followed by themselves is at the end: the first try almost always
    /// succeeds.
    fn choose(&self, payload: &[u8]) -> io::Result<[u8; LEN]> {
        within("delimiter", payload.len(), self.max)?;
        loop {
            let candidate = random_delimiter();
            // The quick yes: a first byte that is not in the payload at all
            // cannot start an occurrence before the payload's end (the
            // usual case for short payloads). Otherwise, the full check.
            if memchr::memchr(candidate[0], payload).is_none()
                || fits(payload, &candidate)
            {
                return Ok(candidate);
            }
        }
    }
}

impl Codec for Delimiter {
    fn name(&self) -> &'static str {
        "delimiter"
    }

    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        let delimiter = self.choose(payload)?;
        out.put_slice(&delimiter);
        out.put_u8(b'\n');
        out.put_slice(payload);
        out.put_slice(&delimiter);
        Ok(())
    }

    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        let d = match self.delimiter {
            Some(d) if input.get(d) == Some(&b'\n') => d,
            _ => match delimiter_line(input)? {
                Some(d) => *self.delimiter.insert(d),
                None => return Ok(None),
            },
        };
        // The payload starts after the line. An end delimiter may straddle
        // two reads: look again at the last d - 1 bytes already searched.
        let start = d + 1;
        let from = self.scanned.min(input.len()).saturating_sub(d - 1);
        let from = from.max(start);
        let (delimiter, rest) = input.split_at(start);
        let delimiter = &delimiter[..d];
        let Some(at) = find(&rest[from - start..], delimiter) else {
            self.scanned = input.len();
            if input.len() - start > self.max + d {
                return Err(invalid(
                    "delimiter",
                    format_args!(
                        "no delimiter within {} bytes, the limit",
                        self.max
                    ),
                ));
            }
            return Ok(None);
        };
        let end = from + at;
        (self.delimiter, self.scanned) = (None, 0);
        if end - start > self.max {
            return Err(invalid(
                "delimiter",
                format_args!(
                    "a {}-byte payload exceeds the {}-byte limit",
                    end - start,
                    self.max
                ),
            ));
        }
        Ok(Some(Frame {
            used: end + d,
            payload: start..end,
        }))
    }

    fn cut_short(&self, input: &[u8]) -> String {
        match self.delimiter {
            None => "inside the delimiter line".to_owned(),
            Some(d) => format!(
                "{} bytes into a message, before its delimiter",
                input.len().saturating_sub(d + 1)
            ),
        }
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        memchr::memchr(b'\n', frame).map_or(0, |at| at + 1)
    }

    fn envelope(
        &mut self,
        payload: &[u8],
        head: &mut dyn BufMut,
        tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        let delimiter = self.choose(payload)?;
        head.put_slice(&delimiter);
        head.put_u8(b'\n');
        tail.put_slice(&delimiter);
        Ok(true)
    }
}

/// The length of the delimiter line at the start of `input`, once its
/// `\n` has arrived; letters and digits only, checked as they arrive (one
/// pass over a few bytes: quicker here than a search, then a check).
fn delimiter_line(input: &[u8]) -> io::Result<Option<usize>> {
    for (at, &byte) in input.iter().enumerate().take(MAX_LEN + 1) {
        match byte {
            b'\n' if at == 0 => {
                return Err(invalid(
                    "delimiter",
                    "the delimiter line is empty",
                ));
            }
            b'\n' => return Ok(Some(at)),
            _ if at == MAX_LEN => {
                return Err(invalid(
                    "delimiter",
                    format_args!(
                        "a delimiter line longer than {MAX_LEN} bytes"
                    ),
                ));
            }
            byte if !byte.is_ascii_alphanumeric() => {
                return Err(invalid(
                    "delimiter",
                    format_args!(
                        "expected letters and digits in the delimiter line, \
                            got {}",
                        show(byte)
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(None)
}
// ANCHOR_END: delimiter

/// Can `delimiter` (at most 70 bytes) end `payload`: is its first
/// occurrence in `payload` followed by `delimiter` the one at the end?
/// Not if it is inside the payload; nor if it begins in the payload's last
/// bytes and ends inside the delimiter itself (a suffix of the payload is
/// a prefix of a self-overlapping delimiter).
pub fn fits(payload: &[u8], delimiter: &[u8]) -> bool {
    let d = delimiter.len();
    if d == 0 || d > MAX_LEN || find(payload, delimiter).is_some() {
        return false;
    }
    // The seam: the payload's last d - 1 bytes, then the delimiter.
    let tail = &payload[payload.len().saturating_sub(d - 1)..];
    let mut seam = [0u8; 2 * MAX_LEN];
    seam[..tail.len()].copy_from_slice(tail);
    seam[tail.len()..tail.len() + d].copy_from_slice(delimiter);
    find(&seam[..tail.len() + d], delimiter) == Some(tail.len())
}

/// Eight random letters and digits from one 64-bit random number: six bits
/// each, folded onto the 62 symbols (a slight bias that costs nothing).
fn random_delimiter() -> [u8; LEN] {
    const SYMBOLS: &[u8; 62] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let bits = fastrand::u64(..);
    std::array::from_fn(|i| SYMBOLS[(bits >> (6 * i)) as usize % 64 % 62])
}

/// Where `needle` first occurs in `haystack`. Jumps from one occurrence of
/// its first byte to the next (memchr), then compares: for the short
/// delimiters and payloads here, faster than building a substring searcher
/// on every call (memchr::memmem), and never worse than a byte-by-byte scan.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &haystack[from..]) {
        let at = from + i;
        if haystack.len() - at < needle.len() {
            return None;
        }
        // The last byte first: a mismatch there is the usual case, and
        // cheaper to see than through a call to compare the rest.
        if haystack[at + needle.len() - 1] == needle[needle.len() - 1]
            && &haystack[at + 1..at + needle.len()] == rest
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}
