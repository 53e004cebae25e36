//! The tests of exercise `varint`, shared by the starter and the solution:
//! `cargo test --example varint_start` runs them against your code.

use super::{get_varint, put_varint};
use proptest::prelude::*;
use std::io;

#[test]
fn known_encodings() {
    for (len, bytes) in [
        (0u64, &[0x00][..]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (300, &[0xac, 0x02]),
    ] {
        let mut out = Vec::new();
        put_varint(len, &mut out);
        assert_eq!(out, bytes);
        assert_eq!(
            get_varint(&out, u64::MAX).unwrap(),
            Some((len, bytes.len()))
        );
        // Any shorter, it is not whole yet.
        for cut in 0..out.len() {
            assert_eq!(get_varint(&out[..cut], u64::MAX).unwrap(), None);
        }
    }
}

#[test]
fn bad_varints_are_refused() {
    for (bytes, kind) in [
        (&[0x80, 0x00][..], io::ErrorKind::InvalidData),
        (&[0xff; 11], io::ErrorKind::InvalidData),
        (&[0xff, 0xff, 0xff, 0xff, 0x0f], io::ErrorKind::InvalidData),
    ] {
        let e = get_varint(bytes, 1 << 20).unwrap_err();
        assert_eq!(e.kind(), kind, "{bytes:02x?}");
    }
    assert_eq!(get_varint(&[], 10).unwrap(), None);
    assert_eq!(get_varint(&[0x80], 10).unwrap(), None, "not whole yet");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_length_round_trips(len in any::<u64>()) {
        let mut out = Vec::new();
        put_varint(len, &mut out);
        prop_assert!(out.len() <= 10);
        prop_assert_eq!(get_varint(&out, u64::MAX).unwrap(), Some((len, out.len())));
    }
}
