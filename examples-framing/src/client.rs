//! The client: sends each message as one frame, reads the server's reply
//! frame, and checks that it is the message reversed. Its flags reshape how
//! the bytes travel (one at a time, all at once, header apart from body)
//! without changing what a correct receiver must make of them.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{
    Context, Failure, HostPort, Narrator, count, detail, fmt_duration, say,
};

use crate::codec::{Codec, FrameReader, send};
use crate::mistakes::{self, WriteMistake};

mod burst; // --burst: every frame in one write
mod guards; // what a run may hold: frames, a burst's bytes
mod report; // what the binary prints: replies, round trips
mod stall; // --stall: half a frame, a pause, the rest

pub use crate::options::ClientOptions as Options;
use report::preview;
pub use report::{render, round_trip_summary};

/// What the exchange brought back (each reply went to `on_reply`).
#[derive(Debug, Default)]
pub struct Outcome {
    /// How many replies came, each the message reversed.
    pub replies: usize,
    /// How long each request took to be answered (not with --burst).
    pub round_trips: Vec<Duration>,
}

// ANCHOR: story
/// Send `messages` (`repeat` times over), check every reply, and hand it
/// to `on_reply`.
pub fn run(
    addr: &HostPort,
    messages: &[Vec<u8>],
    opts: &Options,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<Outcome, Failure> {
    guards::check(messages, opts)?;
    let mut codec = opts.strategy.codec(opts.max_frame);
    let addrs = addr.resolve()?;
    let stream = TcpStream::connect(&addrs[..])
        .with_context(|| format!("connect to {addr}"))?;
    stream
        .set_read_timeout(Some(opts.read_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.read_timeout))
        .context("set_write_timeout")?;
    stream.set_nodelay(opts.nodelay).context("TCP_NODELAY")?;
    say!(
        say,
        "connected to {}; framing: {}",
        stream.peer_addr().context("peer_addr")?,
        codec.name()
    );

    let sequence =
        || (0..opts.repeat).flat_map(|_| messages.iter().map(Vec::as_slice));
    // One FrameReader for the whole connection, as on the server.
    let mut replies = FrameReader::new(&stream);
    let mut outcome = Outcome::default();

    if opts.burst {
        // VARIANT: every frame in one write.
        burst::send(&stream, &mut codec, sequence(), say)?;
        for (number, message) in sequence().enumerate() {
            let reply = receive(&mut codec, &mut replies, number + 1, opts)?;
            check(number + 1, message, reply)?;
            on_reply(reply);
            outcome.replies += 1;
        }
    } else {
        // One buffer for every frame we send: no allocation per frame.
        let mut frame = Vec::new();
        for (number, message) in sequence().enumerate() {
            frame.clear();
            codec.encode(message, &mut frame).context("encode")?;
            let started = Instant::now();
            transmit(&stream, &frame, &codec, opts, say)?;
            detail!(say, "sent frame {} ({} bytes)", number + 1, frame.len());
            let reply = receive(&mut codec, &mut replies, number + 1, opts)?;
            outcome.round_trips.push(started.elapsed());
            check(number + 1, message, reply)?;
            on_reply(reply);
            outcome.replies += 1;
        }
    }
    // Done: our FIN tells the server so (lesson 1).
    let _ = stream.shutdown(std::net::Shutdown::Write);
    say!(
        say,
        "{}, each our message reversed",
        count(outcome.replies, "reply", "replies")
    );
    if outcome.round_trips.len() > 1 || opts.repeat > 1 {
        say!(say, "{}", round_trip_summary(&outcome.round_trips));
        let (count, median) = (
            outcome.round_trips.len(),
            report::median(&outcome.round_trips),
        );
        let us = median.as_micros();
        say.event("round_trips", &[("count", &count), ("median_us", &us)]);
    }
    Ok(outcome)
}
// ANCHOR_END: story

// ANCHOR: transmit
/// Put one encoded frame on the wire, the way the flags say.
fn transmit(
    mut stream: &TcpStream,
    frame: &[u8],
    codec: &dyn Codec,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    if let Some(pause) = opts.stall {
        // VARIANT: half the frame, a pause, the rest.
        return stall::send(stream, frame, pause, say);
    }
    if opts.trickle {
        // One byte per write, with a pause: each byte leaves in a segment of
        // its own, and the server's reads return a byte at a time.
        for (i, byte) in frame.iter().enumerate() {
            stream
                .write_all(std::slice::from_ref(byte))
                .context("send a byte")?;
            detail!(say, "sent byte {} of {}", i + 1, frame.len());
            thread::sleep(opts.pause);
        }
        say!(
            say,
            "trickled a {}-byte frame, one byte per write, {} apart",
            frame.len(),
            fmt_duration(opts.pause)
        );
        return Ok(());
    }
    if opts.mistake == Some(WriteMistake::Write) {
        let took =
            mistakes::write_frame_wrongly(stream, frame).context("write")?;
        if took < frame.len() {
            say!(
                say,
                "--mistake write: write() took {took} of {} bytes; we go on \
                    as if all",
                frame.len()
            );
        }
        return Ok(());
    }
    send(&mut stream, frame, codec, opts.split_writes).context("send the frame")
}
// ANCHOR_END: transmit

/// Read one reply frame, turning the ways it can fail into clear errors.
fn receive<'r>(
    codec: &mut dyn Codec,
    replies: &'r mut FrameReader<&TcpStream>,
    number: usize,
    opts: &Options,
) -> Result<&'r [u8], Failure> {
    match replies.next(codec) {
        Ok(Some(reply)) => Ok(reply),
        Ok(None) => Err(Failure::msg(format!(
            "the server closed the connection before reply {number}"
        ))
        .with_hint(
            "it may use another --strategy, or it refused our frame: \
            see its log",
        )),
        Err(e) if is_timeout(&e) => Err(Failure::msg(format!(
            "no reply {number} within {}",
            fmt_duration(opts.read_timeout)
        ))
        .with_hint(
            "same --strategy on both sides? A server waiting \
                    for more never answers",
        )),
        Err(e) => Err(Failure::new(format!("read reply {number}"), e)),
    }
}

/// Every reply must be the message reversed.
fn check(number: usize, message: &[u8], reply: &[u8]) -> Result<(), Failure> {
    // The server's transform, checked without building its result.
    if reply.iter().eq(message.iter().rev()) {
        return Ok(());
    }
    if let Some(reason) = reply.strip_prefix(b"error: ") {
        return Err(Failure::msg(format!(
            "the server refused: {}",
            String::from_utf8_lossy(reason)
        )));
    }
    Err(Failure::msg(format!(
        "reply {number} is not our message reversed: sent {} bytes, got {} \
            ({})",
        message.len(),
        reply.len(),
        preview(reply)
    ))
    .with_hint(
        "the server read another message than we sent: frame boundaries were \
            lost",
    ))
}
