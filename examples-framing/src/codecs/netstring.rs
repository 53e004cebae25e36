//! `netstring`: `<decimal length>:<bytes>,` (D. J. Bernstein, 1997). Self-
//! delimiting, readable, no fixed width: the length has as many digits as
//! it needs, and the trailing comma catches a reader that lost count.
//!
//! ```text
//! "hi there"  →  38 3a 68 69 20 74 68 65 72 65 2c
//!                8  :  h  i     t  h  e  r  e  ,
//! ```
//!
//! ```
//! use examples_framing::codec::Codec;
//! use examples_framing::codecs::Netstring;
//!
//! let codec = Netstring { max: 8 };
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"8:hi there,");
//!
//! let mut payload = Vec::new();
//! assert!(codec.decode(&mut &frame[..], &mut payload)?);
//! assert_eq!(payload, b"hi there");
//! // The end of the stream, between frames: no frame, no error.
//! assert!(!codec.decode(&mut &b""[..], &mut payload)?);
//! // a length over the limit is refused from the header alone:
//! let refused = codec.decode(&mut &b"999999999:"[..], &mut payload).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead};

use crate::codec::{
    Codec, cannot_carry, cut_short, invalid, push_decimal, read_header,
    read_payload, show,
};

// ANCHOR: netstring
/// `<length>:<bytes>,`
#[derive(Debug)]
pub struct Netstring {
    /// The longest payload accepted.
    pub max: usize,
}

impl Codec for Netstring {
    fn name(&self) -> &'static str {
        "netstring"
    }

    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        out.reserve(payload.len() + 24);
        self.head(payload.len(), out)?;
        out.extend_from_slice(payload);
        out.push(b',');
        Ok(())
    }

    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        // The common case, when the whole frame is already in the reader's
        // buffer and well formed: parse it there.
        let available = input.fill_buf()?;
        if let Some(colon) =
            memchr::memchr(b':', &available[..available.len().min(21)])
            && let Some(len) = simple_length(&available[..colon])
            && len <= self.max
            && available.len() > colon + len + 1
            && available[colon + 1 + len] == b','
        {
            payload.clear();
            payload.extend_from_slice(&available[colon + 1..colon + 1 + len]);
            input.consume(colon + len + 2);
            return Ok(true);
        }
        // Anything else, byte by byte, with every error explained.
        let Some(len) = self.length(input)? else {
            return Ok(false);
        };
        read_payload("netstring", input, len, payload)?;
        let mut comma = [0u8; 1];
        if !read_header("netstring", input, &mut comma)? {
            return Err(cut_short(
                "netstring",
                "before the ',' after the payload",
            ));
        }
        if comma[0] != b',' {
            return Err(invalid(
                "netstring",
                format_args!(
                    "expected ',' after the payload, got {}",
                    show(comma[0])
                ),
            ));
        }
        Ok(true)
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        memchr::memchr(b':', frame).map_or(0, |at| at + 1)
    }

    fn envelope(
        &self,
        payload: &[u8],
        head: &mut Vec<u8>,
        tail: &mut Vec<u8>,
    ) -> io::Result<bool> {
        self.head(payload.len(), head)?;
        tail.push(b',');
        Ok(true)
    }
}

impl Netstring {
    /// `<length>:`, once `len` is known to be within the limit.
    fn head(&self, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        if len > self.max {
            return Err(cannot_carry(
                "netstring",
                format_args!("{len} bytes exceed the {}-byte limit", self.max),
            ));
        }
        push_decimal(out, len, 0);
        out.push(b':');
        Ok(())
    }

    /// Read the digits and the ':' one byte at a time, refusing a length
    /// past the limit as soon as its digits say so.
    fn length(&self, input: &mut dyn BufRead) -> io::Result<Option<usize>> {
        let mut len: usize = 0;
        let mut digits = 0;
        loop {
            let mut byte = [0u8; 1];
            if !read_header("netstring", input, &mut byte)? {
                return if digits == 0 {
                    Ok(None)
                } else {
                    Err(cut_short("netstring", "inside the length"))
                };
            }
            match byte[0] {
                b':' if digits > 0 => return Ok(Some(len)),
                b'0'..=b'9' if digits == 1 && len == 0 => {
                    return Err(invalid(
                        "netstring",
                        "a length with a leading zero",
                    ));
                }
                d @ b'0'..=b'9' => {
                    digits += 1;
                    let longer = len
                        .checked_mul(10)
                        .and_then(|l| l.checked_add(usize::from(d - b'0')));
                    len = longer.unwrap_or(usize::MAX);
                    if len > self.max {
                        return Err(invalid(
                            "netstring",
                            format_args!(
                                "the length passes {}, the limit, at digit \
                                    {digits}",
                                self.max
                            ),
                        ));
                    }
                }
                other => {
                    let expected = if digits == 0 {
                        "a digit"
                    } else {
                        "a digit or ':'"
                    };
                    return Err(invalid(
                        "netstring",
                        format_args!(
                            "expected {expected}, got {}",
                            show(other)
                        ),
                    ));
                }
            }
        }
    }
}
// ANCHOR_END: netstring

/// A well-formed length: digits only, no leading zero (but "0" itself).
fn simple_length(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))
            .flatten()
    })
}
