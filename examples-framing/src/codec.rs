//! The interface every framing implements, and the two loops that drive it
//! over a socket.
//!
//! A codec turns a message (the *payload*) into a *frame*: bytes on the
//! stream from which the receiver can tell where the message ends. A codec
//! never reads or writes a socket itself (it is *sans-IO*): its encoder
//! appends a frame to a buffer, and its decoder looks at the bytes received
//! so far and says whether they start with a whole frame. The bytes stay in
//! the caller's buffer until a frame is complete, so a read that times out
//! (or returns WouldBlock) in the middle of a frame loses nothing: the next
//! read appends the rest, and the decoder picks up where it stopped.
//!
//! [`FrameReader`] is the loop that feeds a decoder from a [`Read`], and
//! [`FrameWriter`] the one that sends encoded frames to a [`Write`]. The
//! same codecs also plug into tokio-util (`tokio_codec.rs`).

use std::io::{self, IoSlice, Read, Write};
use std::ops::Range;

use bytes::BufMut;

/// The largest frame a decoder accepts unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1 << 20;

// ANCHOR: codec
/// A whole frame found at the start of a decoder's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// How many bytes of the input the frame takes: the caller drops them
    /// before the next call.
    pub used: usize,
    /// Where in the input its payload now is (a decoder that transforms the
    /// payload, like `escaped`, decodes it in place).
    pub payload: Range<usize>,
}

/// One way of marking where each message ends in a byte stream.
pub trait Codec: Send {
    /// The name on the command line (`--strategy`).
    fn name(&self) -> &'static str;

    /// Append the frame that carries `payload` to `out`.
    ///
    /// Fails with InvalidInput, having appended nothing, for a payload this
    /// framing cannot carry (too long for its limit or its length field).
    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()>;

    /// Look for a whole frame at the start of `input`: every byte received
    /// and not yet used. `Ok(None)`: not yet; call again when more bytes
    /// have arrived, with `input` grown at its end. The decoder may remember
    /// how far it looked, so no byte is examined twice.
    ///
    /// Errors: InvalidData when the bytes are not a frame of this codec, or
    /// declare one larger than the limit (refused before anything that size
    /// is buffered).
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>>;

    /// What the stream was in the middle of when it ended after `input`
    /// (not a whole frame): the end of an UnexpectedEof error's message.
    fn cut_short(&self, input: &[u8]) -> String {
        format!("{} bytes into a frame", input.len())
    }

    /// How many leading bytes of an encoded frame are its header: what
    /// `--split-writes` sends in a write of its own. For framings with only
    /// a terminator, everything but the terminator.
    fn header_len(&self, frame: &[u8]) -> usize;

    /// For framings that carry the payload unchanged: put what goes before
    /// it in `head` and what goes after it in `tail`, and return true, so a
    /// sender can write all three in one vectored write without copying the
    /// payload. False (the default) for framings that transform it.
    fn envelope(
        &mut self,
        payload: &[u8],
        head: &mut dyn BufMut,
        tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        let _ = (payload, head, tail);
        Ok(false)
    }

    /// [`Codec::encode`] into a `Vec`, which is what [`FrameWriter`]
    /// calls. By default it is `encode`. A codec may take the same steps
    /// on the concrete buffer instead: then a sender's hot loop, with the
    /// codec as its own type, makes no dynamic call at all (each
    /// `BufMut` call through `&mut dyn` costs one).
    fn encode_vec(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        self.encode(payload, out)
    }
}
// ANCHOR_END: codec

/// A boxed codec is a codec (what `Strategy::codec` returns).
impl<C: Codec + ?Sized> Codec for Box<C> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn encode(
        &mut self,
        payload: &[u8],
        out: &mut dyn BufMut,
    ) -> io::Result<()> {
        (**self).encode(payload, out)
    }
    fn decode(&mut self, input: &mut [u8]) -> io::Result<Option<Frame>> {
        (**self).decode(input)
    }
    fn cut_short(&self, input: &[u8]) -> String {
        (**self).cut_short(input)
    }
    fn header_len(&self, frame: &[u8]) -> usize {
        (**self).header_len(frame)
    }
    fn envelope(
        &mut self,
        payload: &[u8],
        head: &mut dyn BufMut,
        tail: &mut dyn BufMut,
    ) -> io::Result<bool> {
        (**self).envelope(payload, head, tail)
    }
    fn encode_vec(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        (**self).encode_vec(payload, out)
    }
}

/// How much a [`FrameReader`] asks the kernel for at first: 8 KiB, like
/// std's BufReader.
pub const BUFFER: usize = 8 * 1024;

/// How much a [`FrameWriter`] gathers before it writes, unless told
/// otherwise ([`FrameWriter::with_flush`]): chosen by measurement.
/// `framing-bench` tries 8 KiB to 1 MiB with 64 B frames, each end of the
/// connection on a CPU of its own. In three runs, 8 KiB writes kept 0.46
/// to 0.49 of raw at its best, 64 KiB 0.69 to 0.74, 256 KiB 0.94 to 0.98,
/// and 1 MiB 0.99 to 1.04, in four times the memory in every writer.
pub const FLUSH_AT: usize = 256 * 1024;

/// Reads frames from a byte stream with a codec, keeping every byte that
/// is not yet part of a frame, whatever happens to a read.
#[derive(Debug)]
pub struct FrameReader<R> {
    inner: R,
    /// Received bytes live in `buf[start..end]`; the rest is room to read
    /// into. Zero-filled once when it grows, never per read.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The most `buf` may grow to.
    limit: usize,
}

impl<R: Read> FrameReader<R> {
    /// A reader over `inner` that starts with an 8 KiB buffer.
    pub fn new(inner: R) -> Self {
        Self::with_capacity(BUFFER, inner)
    }

    /// A reader that starts with a buffer of `capacity` bytes (at least 1).
    /// It grows when a frame does not fit, up to what the codec's limit
    /// lets through.
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            limit: usize::MAX,
        }
    }

    /// Grow the buffer to `limit` bytes at most. A frame that needs more
    /// gets an `OutOfMemory` error, every byte received kept, and the call
    /// after raising the limit resumes it: a server with a memory budget
    /// raises it once it has room.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// How large the buffer is now.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Give a grown buffer back, down to `capacity`, if the bytes held fit
    /// in it; false if they do not.
    pub fn shrink_to(&mut self, capacity: usize) -> bool {
        let held = self.end - self.start;
        if held > capacity {
            return false;
        }
        self.buf.copy_within(self.start..self.end, 0);
        (self.start, self.end) = (0, held);
        self.buf.truncate(capacity.max(1));
        self.buf.shrink_to_fit();
        true
    }

    // ANCHOR: next
    /// The next frame's payload, or `None` when the stream ends cleanly
    /// between two frames. The payload is borrowed from the reader's buffer
    /// until the next call: no copy, no allocation.
    ///
    /// A read error (a timeout, WouldBlock, a reset) is returned as it is,
    /// and the bytes received so far stay here: call again to resume the
    /// same frame. The end of the stream inside a frame is UnexpectedEof.
    #[inline]
    pub fn next<C: Codec + ?Sized>(
        &mut self,
        codec: &mut C,
    ) -> io::Result<Option<&[u8]>> {
        let next = self.next_range(codec)?;
        Ok(next.map(|payload| &self.buf[payload]))
    }

    /// [`FrameReader::next`], as where the payload lies in the buffer: a
    /// caller that retries on an error can loop on this without holding a
    /// borrow of the reader, then take the payload with [`payload`].
    ///
    /// [`payload`]: FrameReader::payload
    #[inline]
    pub fn next_range<C: Codec + ?Sized>(
        &mut self,
        codec: &mut C,
    ) -> io::Result<Option<Range<usize>>> {
        loop {
            // First the bytes already here: one read may hold many frames.
            let held = &mut self.buf[self.start..self.end];
            if let Some(frame) = codec.decode(held)? {
                let at = self.start;
                self.start += frame.used;
                return Ok(Some(
                    at + frame.payload.start..at + frame.payload.end,
                ));
            }
            // Not a whole frame: keep it, and read more after it.
            self.make_room()?;
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) if self.start == self.end => return Ok(None),
                Ok(0) => {
                    let held = &self.buf[self.start..self.end];
                    return Err(cut_short(codec.name(), codec.cut_short(held)));
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The frame so far stays in buf[start..end].
                Err(e) => return Err(e),
            }
        }
    }
    // ANCHOR_END: next

    /// Make sure there is room after the bytes held: move them to the front
    /// if frames were taken from there, or double the buffer if they fill
    /// it (a frame larger than the buffer; the codec's limit bounds it), up
    /// to the limit. They move as soon as less than half the buffer is left
    /// to read into: the bytes moved are part of one frame, and a read into
    /// a small tail would cost a system call for a few frames.
    fn make_room(&mut self) -> io::Result<()> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        let room = self.buf.len() - self.end;
        if room > 0 && (room >= self.buf.len() / 2 || self.start == 0) {
            return Ok(());
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        } else if self.buf.len() < self.limit {
            let grown = self.buf.len().saturating_mul(2).min(self.limit);
            self.buf.resize(grown, 0);
        } else {
            let message = "the frame needs a larger buffer than the limit";
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, message));
        }
        Ok(())
    }

    /// The payload [`FrameReader::next_range`] found, until the next call.
    pub fn payload(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// The bytes received that are not yet part of a frame.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The stream read from.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

/// From this payload size on, [`FrameWriter`] sends a frame whose codec
/// allows it with one vectored write, without copying the payload.
pub const VECTORED_FROM: usize = BUFFER;

/// Encodes frames straight into one buffer and writes it out in large
/// writes: no buffer per frame, and one system call for many small frames.
#[derive(Debug)]
pub struct FrameWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    tail: Vec<u8>,
    flush_at: usize,
}

impl<W: Write> FrameWriter<W> {
    /// A writer over `inner` that gathers up to [`FLUSH_AT`] bytes before
    /// writing.
    pub fn new(inner: W) -> Self {
        Self::with_flush(FLUSH_AT, inner)
    }

    /// A writer over `inner` that writes once it has gathered `flush_at`
    /// bytes (at least 1).
    pub fn with_flush(flush_at: usize, inner: W) -> Self {
        let flush_at = flush_at.max(1);
        Self {
            inner,
            buf: Vec::with_capacity(flush_at + BUFFER),
            tail: Vec::new(),
            flush_at,
        }
    }

    // ANCHOR: frame_writer
    /// Encode one frame into the buffer; write the buffer out once it holds
    /// its flush size, or at once after a large frame. A large payload that
    /// the codec carries unchanged is not copied: what is buffered, its
    /// head, the payload and its tail leave in one `writev`. Generic over
    /// the codec: called with a codec's own type, the loop that calls it
    /// has no dynamic call per frame.
    #[inline]
    pub fn queue<C: Codec + ?Sized>(
        &mut self,
        codec: &mut C,
        payload: &[u8],
    ) -> io::Result<()> {
        if payload.len() >= VECTORED_FROM {
            self.tail.clear();
            let before = self.buf.len();
            if codec.envelope(payload, &mut self.buf, &mut self.tail)? {
                let parts = [&self.buf[..], payload, &self.tail[..]];
                let sent = write_all_vectored(&mut self.inner, &parts);
                self.buf.clear();
                return sent;
            }
            self.buf.truncate(before);
        }
        codec.encode_vec(payload, &mut self.buf)?;
        // A large frame goes at once, like the vectored ones above: base64
        // at 64 KiB kept 0.53 of raw gathered into 256 KiB writes, and
        // 0.59 to 0.69 written frame by frame (framing-bench).
        if self.buf.len() >= self.flush_at || payload.len() >= VECTORED_FROM {
            self.flush()?;
        }
        Ok(())
    }

    /// Send one frame now: queue it, then flush.
    pub fn send<C: Codec + ?Sized>(
        &mut self,
        codec: &mut C,
        payload: &[u8],
    ) -> io::Result<()> {
        self.queue(codec, payload)?;
        self.flush()
    }

    /// Write out everything queued, in one `write_all`.
    pub fn flush(&mut self) -> io::Result<()> {
        let sent = self.inner.write_all(&self.buf);
        self.buf.clear();
        sent
    }
    // ANCHOR_END: frame_writer

    /// The stream written to.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }
}

/// `write_all` for a vectored write: loop until every part is taken.
pub(crate) fn write_all_vectored(
    out: &mut dyn Write,
    parts: &[&[u8]],
) -> io::Result<()> {
    let mut slices = [IoSlice::new(&[]); 3];
    for (slice, part) in slices.iter_mut().zip(parts) {
        *slice = IoSlice::new(part);
    }
    let mut slices = &mut slices[..parts.len().min(3)];
    IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        match out.write_vectored(slices) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

// ANCHOR: send
/// Send one encoded frame: in one write, or, wrong on purpose
/// (`--split-writes`), its header in one write and the rest in another.
pub fn send<C: Codec + ?Sized>(
    out: &mut dyn Write,
    frame: &[u8],
    codec: &C,
    split: bool,
) -> io::Result<()> {
    if split {
        let (head, body) =
            frame.split_at(codec.header_len(frame).min(frame.len()));
        out.write_all(head)?;
        out.write_all(body)
    } else {
        out.write_all(frame)
    }
}
// ANCHOR_END: send

/// Decode every frame of `bytes`, a whole stream, into owned payloads: for
/// tests and examples.
pub fn decode_all(
    codec: &mut dyn Codec,
    bytes: &[u8],
) -> io::Result<Vec<Vec<u8>>> {
    let mut input = FrameReader::new(bytes);
    let mut frames = Vec::new();
    while let Some(payload) = input.next(codec)? {
        frames.push(payload.to_vec());
    }
    Ok(frames)
}

/// Append `n` in decimal, zero-padded to at least `width` digits (20 at
/// most, as many as a usize can need), without allocating (one frame, one
/// buffer: no String per frame).
///
/// At a frame's rate this is most of a decimal header's cost, so it takes
/// care (netstring's encode at 64 B, in `framing-bench`'s in-memory table:
/// 14 ns a frame at first, 8 now): up to 6 digits leave in one copy whose
/// size the compiler knows, a few stores on a `Vec`, where a copy of a size
/// known only at run time calls memcpy; and digits come two per division.
#[inline]
pub(crate) fn push_decimal(
    out: &mut (impl BufMut + ?Sized),
    n: usize,
    width: usize,
) {
    match digits(n).max(width) {
        1 => out.put_slice(&last_digits::<1>(n)),
        2 => out.put_slice(&last_digits::<2>(n)),
        3 => out.put_slice(&last_digits::<3>(n)),
        4 => out.put_slice(&last_digits::<4>(n)),
        5 => out.put_slice(&last_digits::<5>(n)),
        6 => out.put_slice(&last_digits::<6>(n)),
        wide => {
            let all = last_digits::<20>(n);
            out.put_slice(&all[20 - wide.min(20)..]);
        }
    }
}

/// How many decimal digits `n` has (comparisons: cheaper than `ilog10`
/// for the short lengths most frames have).
#[inline]
fn digits(n: usize) -> usize {
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1_000..=9_999 => 4,
        10_000..=99_999 => 5,
        100_000..=999_999 => 6,
        _ => n.ilog10() as usize + 1,
    }
}

/// "00" to "99": each division by 100 gives two digits. The divisions
/// run one after another (each needs the last one's quotient), so halving
/// their number halves the wait.
const PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// The last `N` decimal digits of `n`, zero-padded.
#[inline]
fn last_digits<const N: usize>(mut n: usize) -> [u8; N] {
    let mut digits = [b'0'; N];
    let mut at = N;
    while at >= 2 {
        let pair = n % 100 * 2;
        n /= 100;
        digits[at - 2..at].copy_from_slice(&PAIRS[pair..pair + 2]);
        at -= 2;
    }
    if at == 1 {
        digits[0] = b'0' + (n % 10) as u8;
    }
    digits
}

/// An InvalidData error: the bytes are not what this framing expects.
pub(crate) fn invalid(codec: &str, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{codec}: {what}"))
}

/// An UnexpectedEof error: the stream ended inside a frame.
pub fn cut_short(codec: &str, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{codec}: the stream ended {what}"),
    )
}

/// An InvalidInput error: a payload this framing cannot carry.
pub(crate) fn cannot_carry(
    codec: &str,
    what: impl std::fmt::Display,
) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{codec}: {what}"))
}

/// Refuse a payload longer than `max`: every encoder's first check.
pub(crate) fn within(codec: &str, len: usize, max: usize) -> io::Result<()> {
    if len > max {
        return Err(cannot_carry(
            codec,
            format_args!("{len} bytes exceed the {max}-byte limit"),
        ));
    }
    Ok(())
}

/// A byte as an error message shows it: `'x' (0x78)`, or `0x0a`.
pub(crate) fn show(byte: u8) -> String {
    if byte.is_ascii_graphic() || byte == b' ' {
        format!("'{}' (0x{byte:02x})", byte as char)
    } else {
        format!("0x{byte:02x}")
    }
}

// ANCHOR: find_end
/// Where the first `end` byte is in `input`, looking only past `*scanned`
/// (the bytes examined by earlier calls for the same frame), and moving
/// `*scanned` on. `Ok(None)` if it is not there yet; InvalidData once more
/// than `max` bytes have come without it.
#[inline]
pub(crate) fn find_end(
    codec: &str,
    input: &[u8],
    end: u8,
    scanned: &mut usize,
    max: usize,
) -> io::Result<Option<usize>> {
    // (min: a caller that breaks the contract gets no panic either.)
    let from = (*scanned).min(input.len());
    if let Some(at) = memchr::memchr(end, &input[from..]) {
        let at = from + at;
        *scanned = 0;
        if at > max {
            return Err(no_terminator(codec, max));
        }
        return Ok(Some(at));
    }
    *scanned = input.len();
    if input.len() > max {
        return Err(no_terminator(codec, max));
    }
    Ok(None)
}
// ANCHOR_END: find_end

fn no_terminator(codec: &str, max: usize) -> io::Error {
    invalid(
        codec,
        format_args!("no terminator within {max} bytes, the limit"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_padded() {
        let mut out = Vec::new();
        push_decimal(&mut out, 42, 6);
        push_decimal(&mut out, 0, 0);
        push_decimal(&mut out, 1234567, 3);
        assert_eq!(out, b"00004201234567");
        // Every digit count, each width from none to past it, as format!
        // writes them.
        let mut n = 7usize;
        for digits in 1..=20 {
            for n in
                [0, n, 10usize.saturating_pow(digits as u32) - 1, usize::MAX]
            {
                for width in [0, digits - 1, digits, (digits + 1).min(20), 6] {
                    let mut out = Vec::new();
                    push_decimal(&mut out, n, width);
                    let want = format!("{n:0width$}");
                    assert_eq!(out, want.as_bytes(), "{n} width {width}");
                }
            }
            n = n.saturating_mul(10).saturating_add(7);
        }
    }

    #[test]
    fn bytes_are_shown_readably() {
        assert_eq!(show(b'x'), "'x' (0x78)");
        assert_eq!(show(b'\n'), "0x0a");
    }

    #[test]
    fn find_end_refuses_to_wait_past_the_limit_and_resumes() {
        let mut scanned = 0;
        let e = find_end("t", b"0123456789", b'\n', &mut scanned, 5)
            .expect_err("past the limit");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let mut scanned = 0;
        assert_eq!(
            find_end("t", b"0123", b'\n', &mut scanned, 9).ok(),
            Some(None)
        );
        assert_eq!(scanned, 4, "the next call starts after what it saw");
        let found = find_end("t", b"0123\n", b'\n', &mut scanned, 9);
        assert_eq!(found.ok().flatten(), Some(4));
        assert_eq!(scanned, 0, "reset for the next frame");
    }

    #[test]
    fn the_reader_keeps_a_frame_across_a_failed_read() {
        use crate::codecs::Strategy;
        /// Two bytes, then WouldBlock, then the rest.
        struct Stalls(Vec<Option<&'static [u8]>>);
        impl Read for Stalls {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match self.0.remove(0) {
                    Some(bytes) => {
                        buf[..bytes.len()].copy_from_slice(bytes);
                        Ok(bytes.len())
                    }
                    None => Err(io::ErrorKind::WouldBlock.into()),
                }
            }
        }
        let mut codec = Strategy::U32Length.codec(64);
        let parts =
            vec![Some(&b"\0\0"[..]), None, Some(b"\0\x02hi"), Some(b"")];
        let mut input = FrameReader::new(Stalls(parts));
        let e = input.next(codec.as_mut()).expect_err("would block");
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(input.buffered(), b"\0\0", "kept");
        assert_eq!(input.next(codec.as_mut()).ok().flatten(), Some(&b"hi"[..]));
        assert_eq!(input.next(codec.as_mut()).ok(), Some(None));
    }

    #[test]
    fn past_its_limit_the_reader_asks_for_room_and_resumes_when_given_it() {
        use crate::codecs::Strategy;
        let mut codec = Strategy::U32Length.codec(64);
        let mut frame = Vec::new();
        codec.encode(&[b'x'; 40], &mut frame).expect("encode");
        let mut input = FrameReader::with_capacity(16, &frame[..]);
        input.set_limit(16);
        let e = input.next(codec.as_mut()).expect_err("needs room");
        assert_eq!(e.kind(), io::ErrorKind::OutOfMemory);
        assert_eq!(input.buffered(), &frame[..16], "kept");
        input.set_limit(64);
        let payload = input.next(codec.as_mut()).ok().flatten();
        assert_eq!(payload, Some(&[b'x'; 40][..]));
        assert_eq!(input.capacity(), 64, "doubled, up to the limit");
        assert!(input.shrink_to(16), "nothing held: the buffer shrinks");
        assert_eq!(input.capacity(), 16);
    }
}
