//! The async client: `framing-client`'s exchange on tokio. [`exchange`] is
//! the story: `FramedWrite` encodes each message with the lesson's codec
//! and `FramedRead` decodes each reply, which must be the message reversed.
//! `AsyncClientOptions::run` connects and runs it.

use std::time::Duration;

use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::client::check;
use crate::codecs::Strategy;
pub use crate::options::AsyncClientOptions as Options;
use crate::tokio_codec::TokioCodec;

// ANCHOR: story
/// Send each of `messages` as one frame on `stream`, check each reply, and
/// hand it to `on_reply`; each step waits `wait` at most.
pub async fn exchange<C: TokioCodec>(
    stream: TcpStream,
    codec: fn(usize) -> C,
    max_frame: usize,
    messages: &[Vec<u8>],
    wait: Duration,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<usize, Failure> {
    // FramedRead runs the lesson's decoder over the read half, FramedWrite
    // its encoder over the write half: the bytes are the blocking pair's.
    let (read, write) = stream.into_split();
    let mut replies = FramedRead::new(read, codec(max_frame));
    let mut requests = FramedWrite::new(write, codec(max_frame));
    for (number, message) in (1..).zip(messages) {
        // One frame per message: send() encodes it into FramedWrite's
        // buffer and flushes it.
        let sent = timeout(wait, requests.send(&message[..])).await;
        let sent = sent.map_err(|_| stalled(wait))?;
        sent.with_context(|| format!("send frame {number}"))?;
        say!(say, "sent frame {number}: {} bytes", message.len());
        // next() reads until the decoder has a whole reply.
        let next = timeout(wait, replies.next()).await;
        let Some(reply) = next.map_err(|_| stalled(wait))? else {
            let why = format!("the server closed before reply {number}");
            return Err(Failure::msg(why));
        };
        let reply = reply.with_context(|| format!("reply {number}"))?;
        check(number, message, &reply)?;
        detail!(
            say,
            reply(n = number, bytes = reply.len()),
            "reply {n}: {bytes} bytes, our message reversed"
        );
        on_reply(&reply);
    }
    Ok(messages.len())
}
// ANCHOR_END: story

/// Connect to `addr` within `wait`, and say where to.
pub async fn connect(
    addr: &HostPort,
    strategy: Strategy,
    wait: Duration,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    let addrs = addr.resolve()?;
    let stream = timeout(wait, TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| stalled(wait))?
        .with_context(|| format!("connect to {addr}"))?;
    let peer = stream.peer_addr().context("peer_addr")?;
    let name = strategy.codec(1).name();
    say!(say, "connected to {peer}; framing: {name}");
    Ok(stream)
}

/// A step waited `wait` and got nowhere.
fn stalled(wait: Duration) -> Failure {
    Failure::msg(format!("no progress for {}", fmt_duration(wait)))
}
