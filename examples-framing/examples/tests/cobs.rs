//! The tests of exercise `cobs`, shared by the starter and the solution:
//! `cargo test --example cobs_start` runs them against your code.

use super::Cobs;
use std::io;

use examples_framing::codec::Codec;
use std::io::BufReader;

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
    let cobs = Cobs { max: 1 << 20 };
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
        let cobs = Cobs { max: 1 << 20 };
        let mut stream = Vec::new();
        for payload in &payloads {
            cobs.encode(payload, &mut stream).unwrap();
        }
        // No zero byte inside a frame: only the terminators.
        prop_assert_eq!(stream.iter().filter(|&&b| b == 0).count(), payloads.len());
        let mut input = BufReader::with_capacity(capacity, Chunked { data: &stream, cuts, turn: 0 });
        let mut got = Vec::new();
        let mut payload = Vec::new();
        while cobs.decode(&mut input, &mut payload).unwrap() {
            got.push(payload.clone());
        }
        prop_assert_eq!(got, payloads);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let cobs = Cobs { max: 64 };
        let mut input = bytes.as_slice();
        let mut payload = Vec::new();
        while let Ok(true) = cobs.decode(&mut input, &mut payload) {
            prop_assert!(payload.len() <= 64);
        }
    }
}
