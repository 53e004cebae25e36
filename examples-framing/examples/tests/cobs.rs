//! The tests of exercise `cobs`, shared by the starter and the solution:
//! `cargo test --example cobs_start` runs them against your code.

use super::Cobs;
use std::io;

use examples_framing::codec::{Codec, FrameReader, decode_all};

use proptest::prelude::*;

/// Hands the stream out in pieces of the given sizes.
struct Chunked<'a> {
    data: &'a [u8],
    cuts: Vec<usize>,
    turn: usize,
}

impl io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let cut = self.cuts[self.turn % self.cuts.len()];
        self.turn += 1;
        let n = cut.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn the_examples_of_the_paper() {
    let mut cobs = Cobs {
        max: 1 << 20,
        scanned: 0,
    };
    for (payload, frame) in [
        (&b"\x00"[..], &b"\x01\x01\x00"[..]),
        (b"\x00\x00", b"\x01\x01\x01\x00"),
        (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33\x00"),
        (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44\x00"),
    ] {
        let mut out = Vec::new();
        cobs.encode(payload, &mut out).unwrap();
        assert_eq!(out, frame, "{payload:02x?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn frames_survive_any_split(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..700), 0..6),
        cuts in prop::collection::vec(1usize..70, 1..16),
        capacity in 1usize..80,
    ) {
        let mut cobs = Cobs { max: 1 << 20, scanned: 0 };
        let mut stream = Vec::new();
        for payload in &payloads {
            cobs.encode(payload, &mut stream).unwrap();
        }
        // No zero byte inside a frame: only the terminators.
        prop_assert_eq!(stream.iter().filter(|&&b| b == 0).count(), payloads.len());
        let mut input = FrameReader::with_capacity(capacity, Chunked { data: &stream, cuts, turn: 0 });
        let mut got = Vec::new();
        while let Some(payload) = input.next(&mut cobs).unwrap() {
            got.push(payload.to_vec());
        }
        prop_assert_eq!(got, payloads);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut cobs = Cobs { max: 64, scanned: 0 };
        if let Ok(frames) = decode_all(&mut cobs, &bytes) {
            prop_assert!(frames.iter().all(|f| f.len() <= 64));
        }
    }
}
