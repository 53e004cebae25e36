//! `--burst`: every frame in one buffer, one write. The server's first
//! read may well return all of them at once; its decoder must separate
//! them.

use std::io::Write;
use std::net::{Shutdown, TcpStream};

use common::{Context, Failure, Narrator, count, say};

use super::{Outcome, check, receive};
use crate::codec::{Codec, FrameReader};

// ANCHOR: run
/// [`run`](super::run), every frame sent in one write before any reply is
/// read.
pub fn run<'m>(
    stream: &TcpStream,
    codec: &mut impl Codec,
    messages: impl Iterator<Item = &'m [u8]> + Clone,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<Outcome, Failure> {
    let mut replies = FrameReader::new(stream);
    let mut outcome = Outcome::default();
    send(stream, codec, messages.clone(), say)?;
    for (number, message) in (1..).zip(messages) {
        let reply = receive(codec, &mut replies, number)?;
        check(number, message, reply)?;
        on_reply(reply);
        outcome.replies += 1;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let replies = count(outcome.replies, "reply", "replies");
    say!(say, "{replies}, each our message reversed");
    Ok(outcome)
}
// ANCHOR_END: run

// ANCHOR: burst
/// Encode every message into one buffer and send it with one write.
fn send<'m>(
    stream: &TcpStream,
    codec: &mut impl Codec,
    sequence: impl Iterator<Item = &'m [u8]>,
    say: &Narrator,
) -> Result<(), Failure> {
    // Every frame in one buffer, one write: the server's first read may
    // well return all of them at once, and its decoder must separate them.
    let (mut all, mut frames) = (Vec::new(), 0);
    for message in sequence {
        codec.encode(message, &mut all).context("encode")?;
        frames += 1;
    }
    (&*stream).write_all(&all).context("send the burst")?;
    say!(
        say,
        burst(frames, bytes = all.len()),
        "sent {frames} frames in one write of {bytes} bytes"
    );
    Ok(())
}
// ANCHOR_END: burst
