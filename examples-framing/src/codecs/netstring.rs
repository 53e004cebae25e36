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
//! use examples_framing::codec::{Codec, Frame};
//! use examples_framing::codecs::Netstring;
//!
//! let mut codec = Netstring::new(8);
//! let mut frame = Vec::new();
//! codec.encode(b"hi there", &mut frame)?;
//! assert_eq!(frame, b"8:hi there,");
//!
//! assert_eq!(codec.decode(&mut frame[..10])?, None);
//! assert_eq!(codec.decode(&mut frame)?, Some(Frame { used: 11, payload: 2..10 }));
//! // A length over the limit is refused from its digits alone:
//! let refused = codec.decode(&mut b"999999999".to_vec()).unwrap_err();
//! assert_eq!(refused.kind(), std::io::ErrorKind::InvalidData);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use bytes::BufMut;

use crate::codec::{Codec, Frame, invalid, push_decimal, show, within};

// ANCHOR: netstring
/// `<length>:<bytes>,`
#[derive(Debug)]
pub struct Netstring {
    /// The longest payload accepted.
    max: usize,
}

impl Netstring {
    /// A codec for payloads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        Self { max }
    }

    /// `<length>:<payload>,` into `out`: `encode`'s steps, on any buffer.
    #[inline]
    fn put(
        &self,
        payload: &[u8],
        out: &mut (impl BufMut + ?Sized),
    ) -> io::Result<()> {
        within("netstring", payload.len(), self.max)?;
        push_decimal(out, payload.len(), 0);
        out.put_u8(b':');
        out.put_slice(payload);
        out.put_u8(b',');
        Ok(())
    }
}

impl Codec for Netstring {
    fn name(&self) -> &'static str {
        "netstring"
    }

    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        self.put(payload, out)
    }

    #[inline]
    fn encode_vec(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        // The same steps, on the Vec itself: no dynamic call.
        self.put(payload, out)
    }

    #[inline]
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        // The length is read again on each call: the limit bounds it to a
        // few digits, so there is no state worth keeping.
        let Some((len, colon)) = self.length(input)? else {
            return Ok(None);
        };
        let comma = colon + 1 + len;
        match input.get(comma) {
            None => Ok(None),
            Some(b',') => Ok(Some(Frame {
                used: comma + 1,
                payload: colon + 1..comma,
            })),
            Some(&other) => Err(invalid(
                "netstring",
                format_args!(
                    "expected ',' after the payload, got {}",
                    show(other)
                ),
            )),
        }
    }

    fn cut_short(&self, input: &[u8]) -> String {
        match self.length(input) {
            Ok(Some((len, colon))) if input.len() <= colon + len => format!(
                "{} bytes into a {len}-byte payload",
                input.len() - colon - 1
            ),
            Ok(Some(_)) => "before the ',' after the payload".to_owned(),
            _ => "inside the length".to_owned(),
        }
    }

    fn header_len(&self, frame: &[u8]) -> usize {
        memchr::memchr(b':', frame).map_or(0, |at| at + 1)
    }

    fn envelope(
        &mut self,
        payload: &[u8],
        head: &mut dyn BufMut,
        tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        within("netstring", payload.len(), self.max)?;
        push_decimal(head, payload.len(), 0);
        head.put_u8(b':');
        tail.put_u8(b',');
        Ok(true)
    }
}

impl Netstring {
    /// The length and where its ':' is, once the ':' has arrived; the
    /// digits are checked as they arrive, and a length past the limit is
    /// refused as soon as its digits say so.
    #[inline]
    fn length(&self, input: &[u8]) -> io::Result<Option<(usize, usize)>> {
        // The digits first, with no check per digit (19 cannot overflow a
        // usize): this loop runs for every frame.
        let (mut len, mut at) = (0usize, 0);
        while let Some(&digit @ b'0'..=b'9') = input.get(at) {
            if at == 19 {
                return Err(self.past_limit(input));
            }
            len = len * 10 + usize::from(digit - b'0');
            at += 1;
        }
        if len > self.max {
            return Err(self.past_limit(input));
        }
        if at > 1 && input[0] == b'0' {
            return Err(invalid("netstring", "a length with a leading zero"));
        }
        match input.get(at) {
            None => Ok(None),
            Some(b':') if at > 0 => Ok(Some((len, at))),
            Some(&other) => {
                let expected =
                    if at == 0 { "a digit" } else { "a digit or ':'" };
                Err(invalid(
                    "netstring",
                    format_args!("expected {expected}, got {}", show(other)),
                ))
            }
        }
    }

    /// The error for digits that pass the limit, naming the digit that
    /// did: the slow path, for a frame that is refused.
    #[cold]
    fn past_limit(&self, input: &[u8]) -> io::Error {
        let mut len: usize = 0;
        let mut at = 0;
        for &digit in input.iter().take_while(|b| b.is_ascii_digit()) {
            len = len
                .saturating_mul(10)
                .saturating_add(usize::from(digit - b'0'));
            at += 1;
            if len > self.max {
                break;
            }
        }
        invalid(
            "netstring",
            format_args!(
                "the length passes {}, the limit, at digit {at}",
                self.max
            ),
        )
    }
}
// ANCHOR_END: netstring
