//! The seven framings, one small module each, all behind [`Codec`]: each
//! file is the codec's byte diagram, its encoder and its decoder.

mod ascii_length;
mod base64;
mod delimiter;
mod escaped;
mod line;
mod netstring;
mod u32_length;

pub use self::ascii_length::{
    AsciiLength, LARGEST as ASCII_LENGTH_LARGEST, WIDTH as ASCII_LENGTH_WIDTH,
};
pub use self::base64::Base64;
pub use self::delimiter::{Delimiter, fits as delimiter_fits};
pub use self::escaped::Escaped;
pub use self::line::Line;
pub use self::netstring::Netstring;
pub use self::u32_length::U32Length;

use crate::codec::Codec;

/// Run `$body` with `$new` bound to the constructor of `$strategy`'s codec
/// (`Line::new`, ...), a `fn(usize) -> C` for the codec's own type `C`:
/// `$body` is compiled once per codec, and a loop in it calls the codec
/// with no dynamic dispatch. [`Strategy::codec`] gives a `Box<dyn Codec>`
/// instead: one body for every codec, and two dynamic calls per frame
/// (the codec's, then the buffer's), which a hot loop feels.
///
/// ```
/// use examples_framing::codec::Codec;
/// use examples_framing::codecs::Strategy;
/// use examples_framing::with_codec;
///
/// fn frame<C: Codec>(new: fn(usize) -> C, payload: &[u8]) -> Vec<u8> {
///     let mut out = Vec::new();
///     new(64).encode(payload, &mut out).expect("a small payload");
///     out
/// }
/// let framed = with_codec!(Strategy::Netstring, |new| frame(new, b"hi"));
/// assert_eq!(framed, b"2:hi,");
/// ```
#[macro_export]
macro_rules! with_codec {
    ($strategy:expr, |$new:ident| $body:expr) => {{
        use $crate::codecs::*;
        match $strategy {
            Strategy::Line => {
                let $new = Line::new;
                $body
            }
            Strategy::Escaped => {
                let $new = Escaped::new;
                $body
            }
            Strategy::Base64 => {
                let $new = Base64::new;
                $body
            }
            Strategy::Delimiter => {
                let $new = Delimiter::new;
                $body
            }
            Strategy::AsciiLength => {
                let $new = AsciiLength::new;
                $body
            }
            Strategy::U32Length => {
                let $new = U32Length::new;
                $body
            }
            Strategy::Netstring => {
                let $new = Netstring::new;
                $body
            }
        }
    }};
}

/// Which framing to use: the `--strategy` of both binaries.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `\n` after each message, no escaping (breaks on a payload with `\n`).
    Line,
    /// `\n` after each message, `\` and newline escaped inside.
    Escaped,
    /// Each message base64-encoded, then `\n`.
    Base64,
    /// A fresh delimiter line before each message, the delimiter after it.
    Delimiter,
    /// Six zero-padded decimal digits of length, then the bytes.
    AsciiLength,
    /// Four bytes of big-endian length, then the bytes.
    U32Length,
    /// `<length>:<bytes>,`
    Netstring,
}

impl Strategy {
    /// Every strategy, in the order of the chapter.
    pub const ALL: [Strategy; 7] = [
        Strategy::Line,
        Strategy::Escaped,
        Strategy::Base64,
        Strategy::Delimiter,
        Strategy::AsciiLength,
        Strategy::U32Length,
        Strategy::Netstring,
    ];

    /// A fresh codec (one per connection: its decoder keeps the state of
    /// the frame in progress), refusing frames larger than `max` bytes.
    pub fn codec(self, max: usize) -> Box<dyn Codec> {
        match self {
            Strategy::Line => Box::new(Line::new(max)),
            Strategy::Escaped => Box::new(Escaped::new(max)),
            Strategy::Base64 => Box::new(Base64::new(max)),
            Strategy::Delimiter => Box::new(Delimiter::new(max)),
            Strategy::AsciiLength => Box::new(AsciiLength::new(max)),
            Strategy::U32Length => Box::new(U32Length::new(max)),
            Strategy::Netstring => Box::new(Netstring::new(max)),
        }
    }

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        self.codec(0).name()
    }
}
