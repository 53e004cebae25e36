//! Property tests of every codec: arbitrary payloads, several frames back
//! to back, fed to the decoder through arbitrary splits of the stream, down
//! to one byte per read, come back exactly. And arbitrary bytes, frames or
//! not, never make a decoder panic, over-allocate, or fail without saying
//! why.
//!
//! Cases: 64 per property by default, to keep `cargo test` fast; set
//! PROPTEST_CASES (say, 100000) for a longer run.

use std::io::{self, BufReader, Read};

use examples_framing::codec::read_frame;
use examples_framing::codecs::Strategy as Framing;
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
/// and coalescing, under test control.
struct Chunked<'a> {
    data: &'a [u8],
    cuts: Vec<usize>,
    turn: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let cut = self.cuts[self.turn % self.cuts.len()];
        self.turn += 1;
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

fn decode_all(
    strategy: Framing,
    stream: &[u8],
    cuts: Vec<usize>,
    capacity: usize,
    max: usize,
) -> io::Result<Vec<Vec<u8>>> {
    let codec = strategy.codec(max);
    let mut input = BufReader::with_capacity(
        capacity,
        Chunked {
            data: stream,
            cuts,
            turn: 0,
        },
    );
    let mut frames = Vec::new();
    while let Some(payload) = read_frame(codec.as_ref(), &mut input)? {
        frames.push(payload);
    }
    Ok(frames)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frames_survive_any_split(
        strategy in binary_safe(),
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..400), 0..8),
        cuts in prop::collection::vec(1usize..70, 1..16),
        capacity in 1usize..80,
    ) {
        let codec = strategy.codec(1 << 20);
        let mut stream = Vec::new();
        for payload in &payloads {
            codec.encode(payload, &mut stream).expect("encode");
        }
        let frames = decode_all(strategy, &stream, cuts, capacity, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn line_frames_without_newlines_survive_any_split(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>().prop_map(|b| if b == b'\n' { b' ' } else { b }), 0..400), 0..8),
        cuts in prop::collection::vec(1usize..70, 1..16),
        capacity in 1usize..80,
    ) {
        let codec = Framing::Line.codec(1 << 20);
        let mut stream = Vec::new();
        for payload in &payloads {
            codec.encode(payload, &mut stream).expect("encode");
        }
        let frames = decode_all(Framing::Line, &stream, cuts, capacity, 1 << 20).expect("decode");
        prop_assert_eq!(frames, payloads);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_errors_say_what_was_wrong(
        strategy in prop::sample::select(Framing::ALL.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(1usize..70, 1..8),
    ) {
        let max = 64;
        match decode_all(strategy, &bytes, cuts, 16, max) {
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
}
