//! The interface every framing implements, and the reading helpers they
//! share.
//!
//! A codec turns a message (the *payload*) into a *frame*: bytes on the
//! stream from which the receiver can tell where the message ends. Writing
//! is [`Codec::encode`], into a contiguous buffer, so that a frame leaves in
//! one write. Reading is [`Codec::decode`], from a [`BufRead`] (one per
//! connection, kept for its whole life), because every decoder needs to look
//! at bytes before deciding how many to take.

use std::io::{self, BufRead, Read, Write};

/// The largest frame a decoder accepts unless told otherwise: 1 MiB.
pub const DEFAULT_MAX_FRAME: usize = 1 << 20;

// ANCHOR: codec
/// One way of marking where each message ends in a byte stream.
pub trait Codec: Send + Sync {
    /// The name on the command line (`--strategy`).
    fn name(&self) -> &'static str;

    /// Append the frame that carries `payload` to `out`.
    ///
    /// Fails with InvalidInput for a payload this framing cannot carry (too
    /// long for its limit or its length field).
    fn encode(&self, payload: &[u8], out: &mut Vec<u8>) -> io::Result<()>;

    /// Read the next frame from `input` and leave its payload in `payload`
    /// (cleared first). `Ok(false)` means the stream ended cleanly between
    /// two frames.
    ///
    /// Errors: UnexpectedEof when the stream ends inside a frame;
    /// InvalidData when the bytes are not a frame of this codec, or declare
    /// one larger than the limit (refused before anything that size is
    /// allocated or buffered).
    fn decode(
        &self,
        input: &mut dyn BufRead,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool>;

    /// How many leading bytes of an encoded frame are its header: what
    /// `--split-writes` sends in a write of its own. For framings with only
    /// a terminator, everything but the terminator.
    fn header_len(&self, frame: &[u8]) -> usize;

    /// For framings that carry the payload unchanged: put what goes before
    /// it in `head` and what goes after it in `tail`, and return true, so a
    /// sender can write all three in one vectored write without copying the
    /// payload (see [`write_frame_vectored`]). False (the default) for
    /// framings that transform the payload.
    fn envelope(
        &self,
        payload: &[u8],
        head: &mut Vec<u8>,
        tail: &mut Vec<u8>,
    ) -> io::Result<bool> {
        let _ = (payload, head, tail);
        Ok(false)
    }
}
// ANCHOR_END: codec

// ANCHOR: write_frame
/// Send one frame the right way: encoded into one contiguous buffer, then
/// one `write_all`. Never a header write followed by a body write: see the
/// chapter on Nagle's algorithm and delayed ACKs.
pub fn write_frame(
    codec: &dyn Codec,
    out: &mut dyn Write,
    payload: &[u8],
) -> io::Result<()> {
    let mut frame = Vec::with_capacity(payload.len() + 16);
    codec.encode(payload, &mut frame)?;
    out.write_all(&frame)
}
// ANCHOR_END: write_frame

// ANCHOR: send
/// Send one encoded frame: in one write, or, wrong on purpose
/// (`--split-writes`), its header in one write and the rest in another.
pub fn send(
    out: &mut dyn Write,
    frame: &[u8],
    codec: &dyn Codec,
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

// ANCHOR: write_frame_vectored
/// Send one frame without copying its payload, when the codec allows it:
/// head, payload and tail go out in one vectored write (`writev`), a single
/// system call like [`write_frame`]'s, so Nagle has nothing to hold back.
/// Falls back to [`write_frame`] for codecs that transform the payload.
pub fn write_frame_vectored(
    codec: &dyn Codec,
    out: &mut dyn Write,
    payload: &[u8],
) -> io::Result<()> {
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    if !codec.envelope(payload, &mut head, &mut tail)? {
        return write_frame(codec, out, payload);
    }
    let mut parts = [
        io::IoSlice::new(&head),
        io::IoSlice::new(payload),
        io::IoSlice::new(&tail),
    ];
    let mut parts = &mut parts[..];
    io::IoSlice::advance_slices(&mut parts, 0);
    while !parts.is_empty() {
        match out.write_vectored(parts) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => io::IoSlice::advance_slices(&mut parts, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
// ANCHOR_END: write_frame_vectored

/// Read the next frame's payload, or `None` at a clean end of stream.
pub fn read_frame(
    codec: &dyn Codec,
    input: &mut dyn BufRead,
) -> io::Result<Option<Vec<u8>>> {
    let mut payload = Vec::new();
    Ok(codec.decode(input, &mut payload)?.then_some(payload))
}

/// Append `n` in decimal, zero-padded to at least `width` digits, without
/// allocating (one frame, one buffer: no String per frame).
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: usize, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let at = at.min(digits.len().saturating_sub(width));
    out.extend_from_slice(&digits[at..]);
}

/// An InvalidData error: the bytes are not what this framing expects.
pub(crate) fn invalid(codec: &str, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{codec}: {what}"))
}

/// An UnexpectedEof error: the stream ended inside a frame.
pub(crate) fn cut_short(
    codec: &str,
    what: impl std::fmt::Display,
) -> io::Error {
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

/// A byte as an error message shows it: `'x' (0x78)`, or `0x0a`.
pub(crate) fn show(byte: u8) -> String {
    if byte.is_ascii_graphic() || byte == b' ' {
        format!("'{}' (0x{byte:02x})", byte as char)
    } else {
        format!("0x{byte:02x}")
    }
}

// ANCHOR: read_until
/// Read up to the next `end` byte into `out` (without the `end`), refusing
/// to buffer more than `max` bytes while looking for it. `Ok(false)` if the
/// stream ends before a single byte.
pub(crate) fn read_until(
    codec: &str,
    input: &mut dyn BufRead,
    end: u8,
    out: &mut Vec<u8>,
    max: usize,
) -> io::Result<bool> {
    out.clear();
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return if out.is_empty() {
                Ok(false)
            } else {
                Err(cut_short(
                    codec,
                    format_args!(
                        "after {} bytes, before the terminator",
                        out.len()
                    ),
                ))
            };
        }
        let (take, found) = match memchr::memchr(end, available) {
            Some(at) => (at, true),
            None => (available.len(), false),
        };
        if out.len() + take > max {
            return Err(invalid(
                codec,
                format_args!("no terminator within {max} bytes, the limit"),
            ));
        }
        out.extend_from_slice(&available[..take]);
        input.consume(take + usize::from(found));
        if found {
            return Ok(true);
        }
    }
}
// ANCHOR_END: read_until

/// Fill `header` completely. `Ok(false)` if the stream ends before its first
/// byte (a clean end between frames); UnexpectedEof if it ends inside it.
pub(crate) fn read_header(
    codec: &str,
    input: &mut dyn BufRead,
    header: &mut [u8],
) -> io::Result<bool> {
    let mut got = 0;
    while got < header.len() {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return if got == 0 {
                Ok(false)
            } else {
                Err(cut_short(
                    codec,
                    format_args!(
                        "{got} bytes into a {}-byte header",
                        header.len()
                    ),
                ))
            };
        }
        let n = available.len().min(header.len() - got);
        header[got..got + n].copy_from_slice(&available[..n]);
        input.consume(n);
        got += n;
    }
    Ok(true)
}

/// Read exactly `len` payload bytes into `out` (cleared first), growing it
/// as bytes arrive rather than all at once: a peer that declares a large
/// frame and sends nothing costs us nothing.
pub(crate) fn read_payload(
    codec: &str,
    input: &mut dyn BufRead,
    len: usize,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    out.clear();
    // `take` + `read_to_end` grows `out` as data comes, and lets a BufReader
    // hand large reads straight to the socket instead of copying them
    // through its own buffer.
    let got = input.take(len as u64).read_to_end(out)?;
    if got < len {
        return Err(cut_short(
            codec,
            format_args!("{got} bytes into a {len}-byte payload"),
        ));
    }
    Ok(())
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
    }

    #[test]
    fn bytes_are_shown_readably() {
        assert_eq!(show(b'x'), "'x' (0x78)");
        assert_eq!(show(b'\n'), "0x0a");
    }

    #[test]
    fn read_until_refuses_to_buffer_past_the_limit() {
        let mut input: &[u8] = b"0123456789\n";
        let mut out = Vec::new();
        let err = read_until("t", &mut input, b'\n', &mut out, 5).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(out.len() <= 5);
    }
}
