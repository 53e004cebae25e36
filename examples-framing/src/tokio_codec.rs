//! Every codec as a tokio-util [`Decoder`] and [`Encoder`], so that
//! `FramedRead` and `FramedWrite` run them over an async stream (feature
//! `tokio`, on by default).
//!
//! Nothing new is decoded here: tokio-util keeps the bytes received in a
//! `BytesMut` and calls `decode` again when more arrive, the same contract
//! as [`FrameReader`](crate::codec::FrameReader)'s, so the core's decoders
//! fit as they are. A frame's payload is split off that buffer without a
//! copy.
//!
//! ```
//! use bytes::BytesMut;
//! use examples_framing::codecs::U32Length;
//! use tokio_util::codec::{Decoder, Encoder, LengthDelimitedCodec};
//!
//! // Byte for byte what LengthDelimitedCodec sends by default.
//! let (mut ours, mut theirs) = (BytesMut::new(), BytesMut::new());
//! U32Length::new(64).encode(&b"hi"[..], &mut ours)?;
//! LengthDelimitedCodec::new().encode(bytes::Bytes::from_static(b"hi"), &mut theirs)?;
//! assert_eq!(ours, theirs);
//!
//! // Half a frame: not yet; the rest: the payload.
//! let mut codec = U32Length::new(64);
//! let mut buffer = BytesMut::from(&ours[..3]);
//! assert_eq!(codec.decode(&mut buffer)?, None);
//! buffer.extend_from_slice(&ours[3..]);
//! assert_eq!(codec.decode(&mut buffer)?.as_deref(), Some(&b"hi"[..]));
//! assert!(buffer.is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::codec::{Codec, cut_short};
use crate::codecs::{
    AsciiLength, Base64, Delimiter, Escaped, Line, Netstring, U32Length,
};

/// A codec tokio-util can drive: its decoder in `FramedRead`, its encoder
/// in `FramedWrite`. Every codec of `codecs/` is one, as its own type (what
/// the async binaries run, through `with_codec!`) or boxed.
pub trait TokioCodec:
    Codec
    + Decoder<Item = BytesMut, Error = io::Error>
    + for<'a> Encoder<&'a [u8], Error = io::Error>
{
}

impl<C> TokioCodec for C where
    C: Codec
        + Decoder<Item = BytesMut, Error = io::Error>
        + for<'a> Encoder<&'a [u8], Error = io::Error>
{
}

/// Split the next frame off `src`, and keep only its payload.
#[inline]
fn decode<C: Codec + ?Sized>(
    codec: &mut C,
    src: &mut BytesMut,
) -> io::Result<Option<BytesMut>> {
    let Some(frame) = codec.decode(&mut src[..])? else {
        return Ok(None);
    };
    let mut payload = src.split_to(frame.used);
    payload.truncate(frame.payload.end);
    payload.advance(frame.payload.start);
    Ok(Some(payload))
}

/// At the end of the stream: a last frame, or a clean end, or the same
/// UnexpectedEof the blocking reader gives.
fn decode_eof<C: Codec + ?Sized>(
    codec: &mut C,
    src: &mut BytesMut,
) -> io::Result<Option<BytesMut>> {
    match decode(codec, src)? {
        None if !src.is_empty() => {
            Err(cut_short(codec.name(), codec.cut_short(src)))
        }
        found => Ok(found),
    }
}

macro_rules! tokio_codec {
    ($($codec:ty),*) => {$(
        impl Decoder for $codec {
            type Item = BytesMut;
            type Error = io::Error;

            fn decode(
                &mut self,
                src: &mut BytesMut,
            ) -> io::Result<Option<BytesMut>> {
                decode(self, src)
            }

            fn decode_eof(
                &mut self,
                src: &mut BytesMut,
            ) -> io::Result<Option<BytesMut>> {
                decode_eof(self, src)
            }
        }

        impl Encoder<&[u8]> for $codec {
            type Error = io::Error;

            fn encode(
                &mut self,
                payload: &[u8],
                dst: &mut BytesMut,
            ) -> io::Result<()> {
                Codec::encode(self, payload, dst)
            }
        }
    )*};
}

tokio_codec!(
    Line,
    Escaped,
    Base64,
    Delimiter,
    AsciiLength,
    U32Length,
    Netstring,
    Box<dyn Codec>
);
