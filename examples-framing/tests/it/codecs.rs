//! Each codec's limits and errors, checked one by one: what a decoder says
//! about a malformed frame, a frame cut short, a length past the limit; and
//! how many writes a frame takes.

use std::io::{self, Write};

use examples_framing::codec::{FrameWriter, decode_all, send};
use examples_framing::codecs::{Strategy, delimiter_fits};

fn decode_error(strategy: Strategy, max: usize, bytes: &[u8]) -> io::Error {
    match decode_all(&mut strategy.codec(max), bytes) {
        Err(e) => e,
        Ok(frames) => {
            panic!("{}: {bytes:?} decoded to {frames:?}", strategy.name())
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
        let frames = decode_all(&mut strategy.codec(1 << 20), &[]);
        assert!(frames.expect("a clean end").is_empty());
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
    let stream = frame(Strategy::Line, b"two\nlines");
    let frames = decode_all(&mut Strategy::Line.codec(1 << 20), &stream);
    assert_eq!(frames.expect("decode"), [&b"two"[..], b"lines"]);
}

#[test]
fn every_other_codec_carries_its_terminator_and_any_byte() {
    let every_byte: Vec<u8> = (0..=255).collect();
    for strategy in Strategy::ALL.into_iter().filter(|s| *s != Strategy::Line) {
        for payload in [b"two\nlines".as_slice(), b"\\n\\\\", &every_byte, b""]
        {
            let stream = frame(strategy, payload);
            let frames = decode_all(&mut strategy.codec(1 << 20), &stream);
            assert_eq!(
                frames.expect("decode"),
                [payload],
                "{}",
                strategy.name()
            );
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

/// Counts the write calls it receives; a vectored write counts once.
#[derive(Default)]
struct Writes(Vec<usize>);

impl Write for Writes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(buf.len());
        Ok(buf.len())
    }
    fn write_vectored(
        &mut self,
        bufs: &[io::IoSlice<'_>],
    ) -> io::Result<usize> {
        let n = bufs.iter().map(|b| b.len()).sum();
        self.0.push(n);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_frame_goes_out_in_one_write_unless_split_on_purpose() {
    let large = vec![b'x'; 64 * 1024];
    for strategy in Strategy::ALL {
        let mut codec = strategy.codec(1 << 20);
        for payload in [&b"hello"[..], &large] {
            let mut output = FrameWriter::new(Writes::default());
            output.send(&mut codec, payload).expect("send");
            let writes = &output.get_ref().0;
            assert_eq!(writes.len(), 1, "{}: {writes:?}", strategy.name());
            let whole = frame(strategy, payload);
            assert_eq!(writes[0], whole.len(), "{}", strategy.name());
        }

        let whole = frame(strategy, b"hello");
        let mut split = Writes::default();
        send(&mut split, &whole, &codec, true).expect("send");
        assert_eq!(split.0.len(), 2, "{}: {:?}", strategy.name(), split.0);
        assert_eq!(split.0.iter().sum::<usize>(), whole.len());
    }
}

#[test]
fn many_small_frames_leave_in_few_writes() {
    // FrameWriter gathers frames in its 8 KiB buffer: 1000 frames of 64 B
    // (about 68 KiB with u32-length headers) in 9 writes, not 1000.
    let mut codec = Strategy::U32Length.codec(1 << 20);
    let mut output = FrameWriter::new(Writes::default());
    for _ in 0..1000 {
        output.queue(&mut codec, &[7; 64]).expect("queue");
    }
    output.flush().expect("flush");
    let writes = &output.get_ref().0;
    assert_eq!(writes.iter().sum::<usize>(), 1000 * 68);
    assert!(writes.len() <= 9, "{} writes", writes.len());
}

#[test]
fn a_self_overlapping_delimiter_that_would_end_early_is_never_chosen() {
    // The bug this lesson once had: delimiter `gpgiV9tg`, payload
    // `-gpgiV9t`. The delimiter is not inside the payload, yet the payload
    // followed by it holds it at byte 1: the frame decodes as `-` and
    // leaves 7 bytes behind, which throw the next frame out of step.
    let (payload, delimiter) = (b"-gpgiV9t", b"gpgiV9tg");
    let mut stream = delimiter.to_vec();
    stream.push(b'\n');
    stream.extend_from_slice(payload);
    stream.extend_from_slice(delimiter);
    let mut codec = Strategy::Delimiter.codec(1 << 20);
    let mut input = examples_framing::codec::FrameReader::new(&stream[..]);
    assert_eq!(input.next(&mut codec).expect("a frame"), Some(&b"-"[..]));
    assert_eq!(input.buffered(), &delimiter[1..]);
    // The encoder refuses that delimiter for that payload, and takes it for
    // one whose end does not begin it.
    assert!(!delimiter_fits(payload, delimiter));
    assert!(delimiter_fits(b"-gpgiV9x", delimiter));
    assert!(!delimiter_fits(b"a", b"aaaaaaaa"));
    // And whatever it draws, the payload comes back whole.
    for _ in 0..1000 {
        let frames =
            decode_all(&mut codec, &frame(Strategy::Delimiter, payload));
        assert_eq!(frames.expect("decode"), [payload]);
    }
}
