//! `--exact`, wrong on purpose: `timeout(read_exact)`.

use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{Reply, refused_request};
use crate::client::answer;

// ANCHOR: exchange
/// [`exchange`](super::exchange) with `timeout(read_exact)` for the reply,
/// whose length is known: the request's, echoed.
pub async fn exchange(
    stream: &mut TcpStream,
    message: &str,
    read_timeout: Duration,
    retries: u32,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = std::time::Instant::now();
    let line = format!("{message}\n");
    let sent = timeout(read_timeout, stream.write_all(line.as_bytes())).await;
    sent.map_err(|_| refused_request())?
        .context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    let reply =
        read_exact_reply(stream, line.len(), read_timeout, retries, say)
            .await?;
    answer(reply.bytes, reply.timeouts, started, say)
}
// ANCHOR_END: exchange

/// A bare per-call timeout: `None` when it ran out.
async fn bounded<F: Future>(wait: Duration, future: F) -> Option<F::Output> {
    timeout(wait, future).await.ok()
}

// ANCHOR: trap
/// The wrong way: `timeout(d, stream.read_exact(&mut buf))`. read_exact is
/// not cancel-safe: when the timeout drops it mid-reply, some bytes are in
/// `buf` already, but how many dies with the future. The stream is out of
/// step: its next bytes are the middle of the reply.
async fn read_exact_reply(
    stream: &mut TcpStream,
    len: usize,
    read_timeout: Duration,
    retries: u32,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let mut message = vec![0u8; len];
    match bounded(read_timeout, stream.read_exact(&mut message)).await {
        Some(Ok(_)) => {
            return Ok(Reply {
                bytes: message,
                timeouts: 0,
            });
        }
        Some(Err(e)) => return Err(Failure::new("read_exact the reply", e)),
        None => {
            let wait = fmt_duration(read_timeout);
            say!(
                say,
                read_exact(end = "cancelled", len),
                "read_exact cancelled at {wait}: how much of {len} bytes it \
                    had is lost"
            );
        }
    }
    // Show what the stream holds now: not the start of a message.
    let mut next = [0u8; 256];
    for _ in 0..retries {
        match bounded(read_timeout, stream.read(&mut next)).await {
            Some(Ok(n)) => {
                let tail = String::from_utf8_lossy(&next[..n]);
                say!(
                    say,
                    next_read(bytes = n),
                    "the next read returned {n} bytes, {tail:?}: a tail \
                        without its head"
                );
                break;
            }
            Some(Err(e)) => {
                return Err(Failure::new("read after the timeout", e));
            }
            None => {}
        }
    }
    Err(Failure::msg(
        "out of step: a timeout cancelled read_exact in the middle of a \
         message",
    )
    .with_hint(
        "keep the bytes outside the future (run without --exact), or close",
    ))
}
// ANCHOR_END: trap
