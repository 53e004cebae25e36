//! The client: sends each message as one frame, reads the server's reply
//! frame, and checks that it is the message reversed. [`run`] is the story.
//! `--burst` is a whole sibling of it (`client/burst.rs`). The other flags
//! reshape how each frame's bytes travel (one at a time, half and a pause,
//! header apart from body) without changing what a correct receiver must
//! make of them: they are [`Sending`] data, each way in a file of its own.
//! `Options::exchange` connects, and picks the story or the sibling.

use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, Narrator, count, detail, fmt_duration, say};

use crate::codec::{Codec, FrameReader};

pub mod burst; // --burst: every frame in one write
pub(crate) mod guards; // what a run may hold: frames, a burst's bytes
mod report; // what the binary prints: replies, round trips
mod sending; // how each frame's bytes go out: --trickle, --stall, ...
mod stall; // --stall: half a frame, a pause, the rest

pub use crate::options::ClientOptions as Options;
use report::preview;
pub use report::{median, render, round_trip_summary};
pub use sending::Sending;

/// What the exchange brought back (each reply went to `on_reply`).
#[derive(Debug, Default)]
pub struct Outcome {
    /// How many replies came, each the message reversed.
    pub replies: usize,
    /// How long each request took to be answered (not with --burst).
    pub round_trips: Vec<Duration>,
}

// ANCHOR: story
/// Send each of `messages` as one frame on `stream`, read each reply
/// frame, check it is the message reversed, and hand it to `on_reply`.
pub fn run<'m>(
    stream: &TcpStream,
    codec: &mut impl Codec,
    sending: Sending,
    messages: impl Iterator<Item = &'m [u8]>,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<Outcome, Failure> {
    // One FrameReader for the whole connection, as on the server: bytes
    // that arrive with one reply and belong to the next wait in it.
    let mut replies = FrameReader::new(stream);
    // One buffer for every frame we send: no allocation per frame.
    let (mut frame, mut outcome) = (Vec::new(), Outcome::default());
    for (number, message) in (1..).zip(messages) {
        frame.clear();
        codec.encode(message, &mut frame).context("encode")?;
        let started = Instant::now();
        sending.send(stream, &frame, codec, say)?;
        detail!(say, "sent frame {number} ({} bytes)", frame.len());
        let reply = receive(codec, &mut replies, number)?;
        outcome.round_trips.push(started.elapsed());
        check(number, message, reply)?;
        on_reply(reply);
        outcome.replies += 1;
    }
    // Done: our FIN tells the server so (lesson 1).
    let _ = stream.shutdown(Shutdown::Write);
    let replies = count(outcome.replies, "reply", "replies");
    say!(say, "{replies}, each our message reversed");
    Ok(outcome)
}
// ANCHOR_END: story

/// Read one reply frame, turning the ways it can fail into clear errors.
pub(crate) fn receive<'r>(
    codec: &mut impl Codec,
    replies: &'r mut FrameReader<&TcpStream>,
    number: usize,
) -> Result<&'r [u8], Failure> {
    let waited = read_timeout(replies.get_ref());
    match replies.next(codec) {
        Ok(Some(reply)) => Ok(reply),
        Ok(None) => Err(Failure::msg(format!(
            "the server closed the connection before reply {number}"
        ))
        .with_hint(
            "it may use another --strategy, or it refused our frame: \
            see its log",
        )),
        // The read timeout as the kernel holds it.
        Err(e) if is_timeout(&e) => Err(Failure::msg(format!(
            "no reply {number} within {}",
            fmt_duration(waited)
        ))
        .with_hint(
            "same --strategy on both sides? A server waiting \
                    for more never answers",
        )),
        Err(e) => Err(Failure::new(format!("read reply {number}"), e)),
    }
}

/// The socket's read timeout (none: zero).
fn read_timeout(stream: &TcpStream) -> Duration {
    stream.read_timeout().ok().flatten().unwrap_or_default()
}

/// Every reply must be the message reversed.
pub(crate) fn check(
    number: usize,
    message: &[u8],
    reply: &[u8],
) -> Result<(), Failure> {
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
