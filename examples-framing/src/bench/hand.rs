//! The floors: four framings written out by hand, with no codec, no
//! `FrameWriter` and no `FrameReader`. Where a codec misses its target, the
//! hand-written row of the same framing says whether the framing itself
//! (a scan, decimal digits, base64's extra third) or our machinery stops it.
//!
//! The sender appends each frame to one buffer and writes it once it holds
//! `FLUSH_AT` bytes, or at once for a frame of `VECTORED_FROM` bytes or
//! more (u32-length's with its payload where it lies); the receiver reads into one buffer, takes every whole
//! frame in it, and moves a cut frame to the front before the next read.
//! Each framing does the least its format allows, the fastest way we know.

use std::io::{self, Read, Write};

use base64_simd::STANDARD;

use crate::codec::{FLUSH_AT, VECTORED_FROM, push_decimal, write_all_vectored};
use crate::codecs::Strategy;

/// Send `count` frames of `message` in `framing` on `out`.
pub fn send(
    framing: Strategy,
    mut out: impl Write,
    message: &[u8],
    count: usize,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(FLUSH_AT + 2 * message.len() + 32);
    let large = message.len() >= VECTORED_FROM;
    for _ in 0..count {
        match framing {
            // Its header, then the payload where it lies: no copy.
            Strategy::U32Length if large => {
                let header = (message.len() as u32).to_be_bytes();
                write_all_vectored(&mut out, &[&header, message])?;
                continue;
            }
            Strategy::U32Length => {
                buf.extend_from_slice(&(message.len() as u32).to_be_bytes());
                buf.extend_from_slice(message);
            }
            Strategy::Line => {
                buf.extend_from_slice(message);
                buf.push(b'\n');
            }
            Strategy::Netstring => {
                // The digits as the codec writes them: the fastest way
                // we know (push_decimal's comment).
                push_decimal(&mut buf, message.len(), 0);
                buf.push(b':');
                buf.extend_from_slice(message);
                buf.push(b',');
            }
            Strategy::Base64 => {
                STANDARD.encode_append(message, &mut buf);
                buf.push(b'\n');
            }
            other => return Err(no_floor(other)),
        }
        // Small frames gather; a large one goes at once, as FrameWriter
        // sends it.
        if buf.len() >= FLUSH_AT || large {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// Count the frames of `framing` on `input` to its end, reading `read`
/// bytes at a time.
pub fn receive(
    framing: Strategy,
    input: impl Read,
    read: usize,
) -> io::Result<usize> {
    match framing {
        Strategy::U32Length => through_reads(input, read, |b| u32_length(b)),
        Strategy::Line => through_reads(input, read, line),
        Strategy::Netstring => through_reads(input, read, netstring),
        Strategy::Base64 => through_reads(input, read, base64),
        other => Err(no_floor(other)),
    }
}

/// A framing with no target has no floor written here.
fn no_floor(framing: Strategy) -> io::Error {
    io::Error::other(format!("no hand-written {}", framing.name()))
}

/// Take frames with `frame` (which gives the bytes a whole frame at the
/// start of its input uses, or `None`) from reads of `read` bytes.
pub fn through_reads(
    mut input: impl Read,
    read: usize,
    mut frame: impl FnMut(&mut [u8]) -> Option<usize>,
) -> io::Result<usize> {
    let mut buf = vec![0u8; read];
    let (mut start, mut end, mut found) = (0, 0, 0);
    loop {
        while let Some(used) = frame(&mut buf[start..end]) {
            (start, found) = (start + used, found + 1);
        }
        buf.copy_within(start..end, 0);
        (start, end) = (0, end - start);
        if end == buf.len() {
            // A frame larger than the buffer: room for it.
            buf.resize(2 * buf.len(), 0);
        }
        match input.read(&mut buf[end..])? {
            0 => return Ok(found),
            n => end += n,
        }
    }
}

/// A 4-byte big-endian length, then the payload.
#[inline]
pub fn u32_length(input: &[u8]) -> Option<usize> {
    let (header, after) = input.split_first_chunk::<4>()?;
    let n = u32::from_be_bytes(*header) as usize;
    std::hint::black_box(after.get(..n)?);
    Some(4 + n)
}

/// The payload up to a `\n`.
#[inline]
fn line(input: &mut [u8]) -> Option<usize> {
    let end = memchr::memchr(b'\n', input)?;
    std::hint::black_box(&input[..end]);
    Some(end + 1)
}

/// Decimal digits, `:`, the payload, `,`.
#[inline]
fn netstring(input: &mut [u8]) -> Option<usize> {
    let mut n = 0usize;
    let mut at = 0;
    while let Some(&digit @ b'0'..=b'9') = input.get(at) {
        n = n * 10 + usize::from(digit - b'0');
        at += 1;
    }
    if input.get(at)? != &b':' || input.get(at + 1 + n)? != &b',' {
        return None;
    }
    std::hint::black_box(&input[at + 1..at + 1 + n]);
    Some(at + n + 2)
}

/// Base64 text up to a `\n`, decoded where it lies.
#[inline]
fn base64(input: &mut [u8]) -> Option<usize> {
    let end = memchr::memchr(b'\n', input)?;
    std::hint::black_box(STANDARD.decode_inplace(&mut input[..end]).ok()?);
    Some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hand_written_framing_reads_back_what_it_sent() {
        // Through reads of 7 bytes: every frame is cut somewhere.
        for (framing, _, _) in crate::bench::TARGETS {
            for size in [0, 1, 64, 1000] {
                let mut wire = Vec::new();
                send(framing, &mut wire, &vec![b'a'; size], 5).expect("send");
                let mut codec = framing.codec(1 << 20);
                let frames = crate::codec::decode_all(codec.as_mut(), &wire);
                let frames = frames.expect("the codec reads it too");
                assert_eq!(frames, vec![vec![b'a'; size]; 5], "{framing:?}");
                let found = receive(framing, &wire[..], 7).expect("receive");
                assert_eq!(found, 5, "{framing:?} {size}");
            }
        }
    }
}
