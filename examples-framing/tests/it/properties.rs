//! Property tests of every codec: arbitrary payloads, several frames back
//! to back, fed to the decoder through arbitrary splits of the stream, down
//! to one byte per read, with reads that fail with WouldBlock or TimedOut
//! anywhere (at every byte, in one property), come back exactly: a read
//! that fails mid-frame loses nothing. And arbitrary bytes, frames or not,
//! never make a decoder panic, over-allocate, or fail without saying why.
//!
//! Cases: 64 per property by default, to keep `cargo test` fast; set
//! PROPTEST_CASES (say, 100000) for a longer run.

use std::io::{self, Read};

use examples_framing::codec::FrameReader;
use examples_framing::codecs::{Strategy as Framing, delimiter_fits};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    // A failure prints its minimal input; no regression files in the tree.
    config.failure_persistence = None;
    config
}

/// Hands out the stream in pieces of the sizes given, in turn: TCP splitting
/// and coalescing, under test control. Before a piece, a read may fail
/// instead (`stalls`, in turn): WouldBlock, or TimedOut as a blocking
/// socket's read timeout does.
struct Chunked<'a> {
    data: &'a [u8],
    cuts: Vec<usize>,
    stalls: Vec<bool>,
    turn: usize,
    stalled: bool,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let turn = self.turn;
        if !self.stalled && self.stalls[turn % self.stalls.len()] {
            self.stalled = true;
            return Err(if turn.is_multiple_of(2) {
                io::ErrorKind::WouldBlock.into()
            } else {
                io::ErrorKind::TimedOut.into()
            });
        }
        self.stalled = false;
        self.turn += 1;
        let cut = self.cuts[turn % self.cuts.len()];
        let n = cut.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Every strategy that can carry any bytes (all but `line`).
fn binary_safe() -> impl Strategy<Value = Framing> {
    prop::sample::select(
        Framing::ALL
            .iter()
            .copied()
            .filter(|s| *s != Framing::Line)
            .collect::<Vec<_>>(),
    )
}

/// Decode the whole stream, calling again after each failed read, as a
/// caller whose read timed out does: the frame in progress must survive.
fn decode_all(
    strategy: Framing,
    stream: &[u8],
    cuts: Vec<usize>,
    stalls: Vec<bool>,
    capacity: usize,
    max: usize,
) -> io::Result<Vec<Vec<u8>>> {
    let mut codec = strategy.codec(max);
    let chunked = Chunked {
        data: stream,
        cuts,
        stalls,
        turn: 0,
        stalled: false,
    };
    let mut input = FrameReader::with_capacity(capacity, chunked);
    let mut frames = Vec::new();
    loop {
        match input.next(&mut codec) {
            Ok(Some(payload)) => frames.push(payload.to_vec()),
            Ok(None) => return Ok(frames),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

fn encode_all(strategy: Framing, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut codec = strategy.codec(1 << 20);
    let mut stream = Vec::new();
    for payload in payloads {
        codec.encode(payload, &mut stream).expect("encode");
    }
    stream
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frames_survive_any_split(
        strategy in binary_safe(),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..400), 0..8),
        cuts in prop::collection::vec(1usize..70, 1..16),
        stalls in prop::collection::vec(any::<bool>(), 1..16),
        capacity in 1usize..80,
    ) {
        let stream = encode_all(strategy, &payloads);
        let frames = decode_all(strategy, &stream, cuts, stalls, capacity, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn encode_vec_appends_what_encode_does(
        strategy in prop::sample::select(Framing::ALL.to_vec()),
        payload in prop::collection::vec(any::<u8>(), 0..7000),
        before in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        // FrameWriter's path (encode_vec, on the Vec) and the dynamic one
        // (encode, through &mut dyn BufMut) must put the same bytes on the
        // wire, after whatever the buffer already holds; 7000 bytes cross
        // base64's 3 KiB chunks.
        let mut payload = payload;
        if strategy == Framing::Line {
            // A line cannot carry its terminator.
            payload.iter_mut().filter(|b| **b == b'\n').for_each(|b| *b = b' ');
        }
        let mut codec = strategy.codec(1 << 20);
        let (mut fast, mut dynamic) = (before.clone(), before.clone());
        codec.encode_vec(&payload, &mut fast).expect("encode_vec");
        let out: &mut dyn bytes::BufMut = &mut dynamic;
        codec.encode(&payload, out).expect("encode");
        prop_assert_eq!(&fast[..before.len()], &before[..]);
        let frames = decode_all(strategy, &fast[before.len()..], vec![1 << 20], vec![false], 64, 1 << 20);
        prop_assert_eq!(frames.expect("decode"), vec![payload]);
        // Each delimiter frame draws a delimiter of its own.
        if strategy != Framing::Delimiter {
            prop_assert_eq!(fast, dynamic);
        }
    }

    #[test]
    fn line_frames_without_newlines_survive_any_split(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>().prop_map(|b| if b == b'\n' { b' ' } else { b }), 0..400), 0..8),
        cuts in prop::collection::vec(1usize..70, 1..16),
        stalls in prop::collection::vec(any::<bool>(), 1..16),
        capacity in 1usize..80,
    ) {
        let stream = encode_all(Framing::Line, &payloads);
        let frames = decode_all(Framing::Line, &stream, cuts, stalls, capacity, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn a_failed_read_at_every_byte_loses_nothing(
        strategy in binary_safe(),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..100), 1..4),
    ) {
        // One byte per read, and a WouldBlock or TimedOut before each.
        let stream = encode_all(strategy, &payloads);
        let frames = decode_all(strategy, &stream, vec![1], vec![true], 1, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn a_delimiter_fits_exactly_when_the_frame_decodes_whole(
        payload in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 0..24),
        delimiter in prop::collection::vec(prop::sample::select(b"ab".to_vec()), 1..9),
        cuts in prop::collection::vec(1usize..20, 1..8),
    ) {
        // Two letters: delimiters that overlap themselves (`abab`, `aaa`)
        // and payloads that hold them, or end in their prefix, are the
        // rule, not the exception. The encoder's test, delimiter_fits, must
        // say yes exactly when the frame it would send decodes to the
        // payload and nothing else.
        let mut stream = delimiter.clone();
        stream.push(b'\n');
        stream.extend_from_slice(&payload);
        stream.extend_from_slice(&delimiter);
        let whole = decode_all(Framing::Delimiter, &stream, cuts, vec![false], 8, 1 << 20)
            .is_ok_and(|frames| frames == [payload.clone()]);
        prop_assert_eq!(delimiter_fits(&payload, &delimiter), whole);
    }

    #[test]
    fn delimiter_frames_of_self_overlapping_payloads_survive(
        payloads in prop::collection::vec(prop::collection::vec(prop::sample::select(b"gpiV9t".to_vec()), 0..40), 1..8),
        cuts in prop::collection::vec(1usize..20, 1..8),
    ) {
        let stream = encode_all(Framing::Delimiter, &payloads);
        let frames = decode_all(Framing::Delimiter, &stream, cuts, vec![false, true], 8, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_say_what_was_wrong(
        strategy in prop::sample::select(Framing::ALL.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(1usize..70, 1..8),
    ) {
        let max = 64;
        match decode_all(strategy, &bytes, cuts, vec![false, true], 16, max) {
            Ok(frames) => {
                for frame in frames {
                    prop_assert!(frame.len() <= max, "{} bytes passed a {max}-byte limit", frame.len());
                }
            }
            Err(e) => {
                prop_assert!(
                    matches!(e.kind(), io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof),
                    "unexpected error kind {:?}: {e}", e.kind()
                );
                prop_assert!(e.to_string().starts_with(strategy.name()), "{e}");
            }
        }
    }

    #[test]
    fn a_decoder_fed_unrelated_inputs_never_panics(
        strategy in prop::sample::select(Framing::ALL.to_vec()),
        inputs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..8),
    ) {
        // The contract says the input only grows until a frame is found; a
        // caller that breaks it may get wrong frames or errors, but no
        // panic and no frame past the limit.
        let mut codec = strategy.codec(64);
        for mut input in inputs {
            if let Ok(Some(frame)) = codec.decode(&mut input) {
                prop_assert!(frame.used <= input.len());
                prop_assert!(frame.payload.end <= frame.used);
                prop_assert!(frame.payload.len() <= 64);
            }
        }
    }
}
