//! The async client: `framing-client`'s exchange on tokio. `FramedWrite`
//! encodes each message with the lesson's codec and `FramedRead` decodes
//! each reply, which must be the message reversed.

use common::tasks::runtime;
use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_util::codec::{FramedRead, FramedWrite};

pub use crate::options::AsyncClientOptions as Options;

// ANCHOR: story
/// Send each message as one frame, and hand each reply to `on_reply`
/// once it is checked; how many replies came.
pub fn run(
    addr: &HostPort,
    messages: &[Vec<u8>],
    opts: &Options,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<usize, Failure> {
    let runtime = runtime()?;
    runtime.block_on(exchange(addr, messages, opts, say, on_reply))
}

async fn exchange(
    addr: &HostPort,
    messages: &[Vec<u8>],
    opts: &Options,
    say: &Narrator,
    on_reply: &mut dyn FnMut(&[u8]),
) -> Result<usize, Failure> {
    let wait = opts.read_timeout;
    let too_long =
        || Failure::msg(format!("no progress for {}", fmt_duration(wait)));
    let addrs = addr.resolve()?;
    let stream = timeout(wait, TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| too_long())?
        .with_context(|| format!("connect to {addr}"))?;
    let codec = opts.strategy.codec(opts.max_frame);
    say!(
        say,
        "connected to {}; framing: {}",
        stream.peer_addr().context("peer_addr")?,
        codec.name()
    );
    let (read, write) = stream.into_split();
    let mut replies =
        FramedRead::new(read, opts.strategy.codec(opts.max_frame));
    let mut requests = FramedWrite::new(write, codec);
    for (number, message) in (1..).zip(messages) {
        // One frame per message: send() encodes it into FramedWrite's
        // buffer and flushes it.
        timeout(wait, requests.send(&message[..]))
            .await
            .map_err(|_| too_long())?
            .with_context(|| format!("send frame {number}"))?;
        say!(say, "sent frame {number}: {} bytes", message.len());
        let reply = match timeout(wait, replies.next())
            .await
            .map_err(|_| too_long())?
        {
            Some(reply) => reply.with_context(|| format!("reply {number}"))?,
            None => {
                return Err(Failure::msg(format!(
                    "the server closed before reply {number}"
                )));
            }
        };
        if !reply.iter().eq(message.iter().rev()) {
            return Err(Failure::msg(format!(
                "reply {number} is not the message reversed"
            )));
        }
        say.event("reply", &[("n", &number), ("bytes", &reply.len())]);
        on_reply(&reply);
    }
    Ok(messages.len())
}
// ANCHOR_END: story
