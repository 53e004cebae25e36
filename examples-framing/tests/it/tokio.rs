//! Every codec is a tokio-util Decoder and Encoder: FramedRead over a
//! stream that arrives in arbitrary pieces, with reads that are not ready
//! (Pending) in between, yields the frames that were encoded; FramedWrite
//! sends what the blocking encoder sends. And u32-length frames are byte
//! for byte tokio-util's LengthDelimitedCodec's default, both ways.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use examples_framing::codec::{Codec, decode_all};
use examples_framing::codecs::{Strategy as Framing, U32Length};
use futures_util::{SinkExt, StreamExt};
use proptest::prelude::*;
use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::codec::{
    Decoder, Encoder, FramedRead, FramedWrite, LengthDelimitedCodec,
};

/// Hands out the stream in pieces of the sizes given, in turn, and is not
/// ready (Pending, after waking its task) whenever `stalls` says so.
struct Chunked {
    data: Vec<u8>,
    cuts: Vec<usize>,
    stalls: Vec<bool>,
    turn: usize,
    stalled: bool,
}

impl AsyncRead for Chunked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let turn = self.turn;
        if !self.stalled && self.stalls[turn % self.stalls.len()] {
            self.stalled = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.stalled = false;
        self.turn += 1;
        let cut = self.cuts[turn % self.cuts.len()];
        let n = cut.min(buf.remaining()).min(self.data.len());
        buf.put_slice(&self.data[..n]);
        self.data.drain(..n);
        Poll::Ready(Ok(()))
    }
}

fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config.failure_persistence = None;
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn framed_read_yields_every_frame_through_any_split(
        strategy in prop::sample::select(Framing::ALL.iter().copied().filter(|s| *s != Framing::Line).collect::<Vec<_>>()),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..6),
        cuts in prop::collection::vec(1usize..50, 1..8),
        stalls in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let mut data = Vec::new();
        let mut codec = strategy.codec(1 << 20);
        for payload in &payloads {
            Codec::encode(&mut codec, payload, &mut data).expect("encode");
        }
        let input = Chunked { data, cuts, stalls, turn: 0, stalled: false };
        let frames = block_on(async {
            let mut framed = FramedRead::new(input, strategy.codec(1 << 20));
            let mut frames = Vec::new();
            while let Some(frame) = framed.next().await {
                frames.push(frame.expect("a frame").to_vec());
            }
            frames
        });
        prop_assert_eq!(frames, payloads);
    }
}

#[test]
fn framed_read_runs_the_lessons_decoder_on_an_async_stream() {
    let stream: &[u8] = b"5:hello,9:two words,";
    let got = block_on(async {
        let mut sizes = Vec::new();
        // ANCHOR: framed_read
        let mut frames =
            FramedRead::new(stream, Framing::Netstring.codec(1 << 20));
        while let Some(payload) = frames.next().await {
            sizes.push(payload?.len());
        }
        // ANCHOR_END: framed_read
        Ok::<_, io::Error>(sizes)
    });
    assert_eq!(got.expect("two frames"), [5, 9]);
}

#[test]
fn framed_write_sends_what_the_blocking_encoder_sends() {
    for strategy in Framing::ALL {
        let payloads: [&[u8]; 3] = [b"hello", b"", b"two\nlines"];
        let sent = block_on(async {
            let mut framed = FramedWrite::new(Vec::new(), strategy.codec(64));
            for payload in payloads {
                framed.send(payload).await.expect("send");
            }
            framed.into_inner()
        });
        let back = decode_all(&mut strategy.codec(64), &sent).expect("decode");
        if strategy == Framing::Line {
            assert_eq!(back, [&b"hello"[..], b"", b"two", b"lines"]);
        } else {
            assert_eq!(back, payloads, "{}", strategy.name());
        }
    }
}

#[test]
fn u32_length_is_byte_for_byte_length_delimited_codec_both_ways() {
    let payloads: [&[u8]; 4] = [b"", b"hi", &[0u8; 300], &[7u8; 70_000]];
    let (mut ours, mut theirs) = (BytesMut::new(), BytesMut::new());
    let mut lengths = LengthDelimitedCodec::new();
    for payload in payloads {
        Encoder::encode(&mut U32Length::new(1 << 20), payload, &mut ours)
            .expect("ours");
        lengths
            .encode(Bytes::copy_from_slice(payload), &mut theirs)
            .expect("theirs");
    }
    assert_eq!(ours, theirs, "the same bytes on the wire");
    // Their frames, our decoder; our frames, their decoder.
    let mut decoder = U32Length::new(1 << 20);
    for payload in payloads {
        let frame = Decoder::decode(&mut decoder, &mut theirs).expect("ours");
        assert_eq!(frame.as_deref(), Some(payload));
        let frame = lengths.decode(&mut ours).expect("theirs");
        assert_eq!(frame.as_deref(), Some(payload));
    }
    assert!(ours.is_empty() && theirs.is_empty());
}

#[test]
fn the_end_of_the_stream_inside_a_frame_is_unexpected_eof() {
    for strategy in Framing::ALL {
        let mut frame = Vec::new();
        let mut codec = strategy.codec(64);
        Codec::encode(&mut codec, b"hello", &mut frame).expect("encode");
        let mut cut = BytesMut::from(&frame[..frame.len() - 1]);
        let e = codec.decode_eof(&mut cut).expect_err("cut short");
        assert_eq!(
            e.kind(),
            io::ErrorKind::UnexpectedEof,
            "{}",
            strategy.name()
        );
        assert!(
            codec
                .decode_eof(&mut BytesMut::new())
                .expect("clean")
                .is_none()
        );
    }
}
