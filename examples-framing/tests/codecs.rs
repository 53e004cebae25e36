//! Each codec's limits and errors, checked one by one: what a decoder says
//! about a malformed frame, a frame cut short, a length past the limit; and
//! how many writes a frame takes.

use std::io::{self, Write};

use examples_framing::codec::{read_frame, send, write_frame};
use examples_framing::codecs::Strategy;

fn decode_error(strategy: Strategy, max: usize, bytes: &[u8]) -> io::Error {
    let codec = strategy.codec(max);
    let mut input = bytes;
    match read_frame(codec.as_ref(), &mut input) {
        Err(e) => e,
        Ok(frame) => {
            panic!("{}: {bytes:?} decoded to {frame:?}", strategy.name())
        }
    }
}

fn frame(strategy: Strategy, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    strategy
        .codec(1 << 20)
        .encode(payload, &mut out)
        .expect("encode");
    out
}

#[test]
fn a_declared_length_past_the_limit_is_refused_before_the_payload_is_read() {
    // Only the header is given: had the decoder tried to read the payload,
    // it would have met the end of the stream (UnexpectedEof) instead.
    let cases: [(Strategy, &[u8], &str); 3] = [
        (
            Strategy::U32Length,
            &[0xff, 0xff, 0xff, 0xff],
            "length 4294967295 > limit 1024",
        ),
        (
            Strategy::AsciiLength,
            b"999999",
            "length 999999 > limit 1024",
        ),
        (
            Strategy::Netstring,
            b"4294967296:",
            "the length passes 1024, the limit, at digit 4",
        ),
    ];
    for (strategy, header, message) in cases {
        let e = decode_error(strategy, 1024, header);
        assert_eq!(
            e.kind(),
            io::ErrorKind::InvalidData,
            "{}: {e}",
            strategy.name()
        );
        assert!(e.to_string().contains(message), "{}: {e}", strategy.name());
    }
}

#[test]
fn an_unterminated_message_past_the_limit_is_refused() {
    let endless = vec![b'a'; 5000];
    for strategy in [Strategy::Line, Strategy::Escaped, Strategy::Base64] {
        let e = decode_error(strategy, 1024, &endless);
        assert_eq!(
            e.kind(),
            io::ErrorKind::InvalidData,
            "{}: {e}",
            strategy.name()
        );
        assert!(e.to_string().contains("no terminator within"), "{e}");
    }
    let mut delimited = b"abcdefgh\n".to_vec();
    delimited.extend_from_slice(&endless);
    let e = decode_error(Strategy::Delimiter, 1024, &delimited);
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert!(
        e.to_string().contains("no delimiter within 1024 bytes"),
        "{e}"
    );
}

#[test]
fn the_end_of_the_stream_inside_a_frame_is_unexpected_eof() {
    for strategy in Strategy::ALL {
        let whole = frame(strategy, b"hello, framing");
        for cut in 1..whole.len() {
            let e = decode_error(strategy, 1 << 20, &whole[..cut]);
            assert_eq!(
                e.kind(),
                io::ErrorKind::UnexpectedEof,
                "{} cut at {cut}: {e}",
                strategy.name()
            );
            assert!(
                e.to_string().starts_with(&format!(
                    "{}: the stream ended",
                    strategy.name()
                )),
                "{e}"
            );
        }
    }
}

#[test]
fn the_end_of_the_stream_between_frames_is_a_clean_end() {
    for strategy in Strategy::ALL {
        let codec = strategy.codec(1 << 20);
        let mut input: &[u8] = &[];
        assert!(
            read_frame(codec.as_ref(), &mut input)
                .expect("a clean end")
                .is_none()
        );
    }
}

#[test]
fn malformed_headers_say_what_was_expected_and_what_arrived() {
    let cases: [(Strategy, &[u8], &str); 7] = [
        (
            Strategy::AsciiLength,
            b"12a456hello",
            "expected 6 digits, got \"12a456\"",
        ),
        (
            Strategy::Netstring,
            b"12x",
            "expected a digit or ':', got 'x' (0x78)",
        ),
        (
            Strategy::Netstring,
            b"x",
            "expected a digit, got 'x' (0x78)",
        ),
        (
            Strategy::Netstring,
            b"5:helloX",
            "expected ',' after the payload, got 'X' (0x58)",
        ),
        (
            Strategy::Netstring,
            b"05:hello,",
            "a length with a leading zero",
        ),
        (
            Strategy::Escaped,
            b"a\\qb\n",
            "bad escape: expected '\\' or 'n' after '\\', got 'q' (0x71)",
        ),
        (Strategy::Base64, b"not base64!\n", "base64: not base64"),
    ];
    for (strategy, bytes, message) in cases {
        let e = decode_error(strategy, 1 << 20, bytes);
        assert_eq!(
            e.kind(),
            io::ErrorKind::InvalidData,
            "{}: {e}",
            strategy.name()
        );
        assert!(e.to_string().contains(message), "{}: {e}", strategy.name());
    }
    let e =
        decode_error(Strategy::Delimiter, 1 << 20, b"no spaces allowed\nhi");
    assert!(
        e.to_string().contains(
            "expected letters and digits in the delimiter line, got ' ' (0x20)"
        ),
        "{e}"
    );
}

#[test]
fn line_splits_a_payload_that_contains_its_terminator() {
    let codec = Strategy::Line.codec(1 << 20);
    let stream = frame(Strategy::Line, b"two\nlines");
    let mut input = stream.as_slice();
    assert_eq!(
        read_frame(codec.as_ref(), &mut input).expect("first"),
        Some(b"two".to_vec())
    );
    assert_eq!(
        read_frame(codec.as_ref(), &mut input).expect("second"),
        Some(b"lines".to_vec())
    );
}

#[test]
fn every_other_codec_carries_its_terminator_and_any_byte() {
    let every_byte: Vec<u8> = (0..=255).collect();
    for strategy in Strategy::ALL.into_iter().filter(|s| *s != Strategy::Line) {
        for payload in [b"two\nlines".as_slice(), b"\\n\\\\", &every_byte, b""]
        {
            let stream = frame(strategy, payload);
            let codec = strategy.codec(1 << 20);
            let mut input = stream.as_slice();
            assert_eq!(
                read_frame(codec.as_ref(), &mut input)
                    .expect("decode")
                    .as_deref(),
                Some(payload),
                "{}",
                strategy.name()
            );
            assert!(input.is_empty(), "{} left bytes behind", strategy.name());
        }
    }
}

#[test]
fn encoders_refuse_what_they_cannot_carry() {
    for strategy in Strategy::ALL.into_iter().filter(|s| *s != Strategy::Line) {
        let mut out = Vec::new();
        let e = strategy
            .codec(16)
            .encode(&[b'x'; 17], &mut out)
            .expect_err(strategy.name());
        assert_eq!(
            e.kind(),
            io::ErrorKind::InvalidInput,
            "{}: {e}",
            strategy.name()
        );
    }
    // Six digits cannot say a million, whatever the limit.
    let mut out = Vec::new();
    let e = Strategy::AsciiLength
        .codec(usize::MAX)
        .encode(&vec![0; 1_000_000], &mut out)
        .expect_err("too long");
    assert!(e.to_string().contains("6 digits say at most 999999"), "{e}");
}

/// Counts the write calls it receives.
#[derive(Default)]
struct Writes(Vec<usize>);

impl Write for Writes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_frame_goes_out_in_one_write_unless_split_on_purpose() {
    for strategy in Strategy::ALL {
        let codec = strategy.codec(1 << 20);
        let mut writes = Writes::default();
        write_frame(codec.as_ref(), &mut writes, b"hello").expect("write");
        assert_eq!(writes.0.len(), 1, "{}", strategy.name());

        let whole = frame(strategy, b"hello");
        let mut split = Writes::default();
        send(&mut split, &whole, codec.as_ref(), true).expect("send");
        assert_eq!(split.0.len(), 2, "{}: {:?}", strategy.name(), split.0);
        assert_eq!(split.0.iter().sum::<usize>(), whole.len());
    }
}
