//! The usual mistakes of reading and writing frames, kept on purpose, each
//! beside the right way to do it. They all use `u32-length` framing, the
//! one where they are most often made. The server turns one on with
//! `--mistake`; the tests show each failing.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use crate::codec::FrameReader;
use crate::codecs::U32Length;

/// A mistake the server can make on purpose while reading requests.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMistake {
    /// One `read()` for the payload, taken for the whole message.
    Read,
    /// `read_exact` into `Vec::with_capacity(len)`, which reads nothing.
    Capacity,
    /// A new reader for every message: its read-ahead is lost with it.
    Bufreader,
    /// `read_exact` for the header, then for the payload: a read timeout in
    /// the middle of either loses the bytes it had taken.
    ReadExact,
}

/// A mistake the client can make on purpose while sending requests.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMistake {
    /// One `write()` for the frame, as if it always took every byte.
    Write,
}

/// Read one u32-length frame from `stream` the wrong way `mistake` says.
/// `Ok(false)` at a clean end of stream.
pub fn read_frame_wrongly(
    mistake: ReadMistake,
    mut stream: &TcpStream,
    max: usize,
    payload: &mut Vec<u8>,
) -> io::Result<bool> {
    match mistake {
        // ANCHOR: mistake_read
        ReadMistake::Read => {
            let Some(len) = read_len(stream, max)? else {
                return Ok(false);
            };
            payload.clear();
            payload.resize(len, 0);
            // WRONG: read() returns what has arrived so far, which may be
            // one byte of a thousand. Right: read_exact, which loops until
            // the buffer is full (or the codec's read_payload).
            let n = stream.read(payload)?;
            payload.truncate(n);
            Ok(true)
        }
        // ANCHOR_END: mistake_read
        // ANCHOR: mistake_capacity
        ReadMistake::Capacity => {
            let Some(len) = read_len(stream, max)? else {
                return Ok(false);
            };
            // WRONG: with_capacity reserves memory but the vector's length
            // is still 0, so read_exact fills an empty slice: it reads
            // nothing and succeeds. The payload's bytes stay in the stream
            // and are taken for the next header. Right: `vec![0; len]`, or
            // `resize(len, 0)`, before read_exact.
            let mut body = Vec::with_capacity(len);
            stream.read_exact(&mut body)?;
            *payload = body;
            Ok(true)
        }
        // ANCHOR_END: mistake_capacity
        // ANCHOR: mistake_bufreader
        ReadMistake::Bufreader => {
            // WRONG: a FrameReader (like a BufReader) reads ahead, as much
            // as has arrived (up to 8 KiB). Made per message and dropped
            // after it, it takes the next messages' bytes with it. Right:
            // one reader per connection, kept as long as the connection.
            let mut input = FrameReader::new(stream);
            let got = input.next(&mut U32Length::new(max))?;
            *payload = got.unwrap_or_default().to_vec();
            Ok(got.is_some())
        }
        // ANCHOR_END: mistake_bufreader
        ReadMistake::ReadExact => read_exact_twice(stream, max, payload),
    }
}

// ANCHOR: mistake_read_exact
/// `--mistake read-exact`: the header, then the payload, each read with
/// `read_exact`.
fn read_exact_twice(
    mut stream: &TcpStream,
    max: usize,
    payload: &mut Vec<u8>,
) -> io::Result<bool> {
    let Some(len) = read_len(stream, max)? else {
        return Ok(false);
    };
    payload.clear();
    payload.resize(len, 0);
    // WRONG, when a read can time out: read_exact returns the timeout, and
    // the bytes it had already taken from the socket are gone with it. The
    // caller reads again, in the middle of the frame, and takes payload
    // bytes for the next header. Right: keep every byte until a frame is
    // whole (FrameReader).
    stream.read_exact(payload)?;
    Ok(true)
}
// ANCHOR_END: mistake_read_exact

/// The 4-byte length, read correctly, checked against `max`.
fn read_len(mut stream: &TcpStream, max: usize) -> io::Result<Option<usize>> {
    let mut header = [0u8; 4];
    match stream.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(header) as usize;
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("u32-length: length {len} > limit {max}"),
        ));
    }
    Ok(Some(len))
}

// ANCHOR: mistake_write
/// Send a frame with a single `write()`, the wrong way: it returns how many
/// bytes it took, which may be fewer than asked (a signal, a non-blocking
/// socket, or, as here, a write timeout while the peer is not reading).
/// Right: `write_all`, which loops until every byte is taken.
pub fn write_frame_wrongly(
    mut stream: &TcpStream,
    frame: &[u8],
) -> io::Result<usize> {
    stream.write(frame)
}
// ANCHOR_END: mistake_write
