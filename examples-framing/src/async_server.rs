//! The async server: `framing-server`'s frames in, reversed frames out, on
//! tokio. `FramedRead` runs the lesson's own decoder over a socket, and
//! `FramedWrite` its encoder: the bytes on the wire are the blocking
//! pair's, so each half of either pair talks to the other. Every
//! connection is a task on one thread (the async accept loop every async
//! server shares, `common::tasks::accept_tasks`). [`answer`] is the story.

pub use common::bind;
use common::tasks::{Rules, accept_tasks, runtime};
use common::{Context, Failure, Narrator, count, fmt_duration, say};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;

use tokio::time::{Instant, timeout};
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::codecs::Strategy;
pub use crate::options::AsyncServerOptions as Options;

// ANCHOR: story
/// One connection: frames in, each payload sent back reversed in a frame,
/// until the client is done. Each wait for a frame lasts `read_timeout`;
/// the client may stay silent for `idle`.
pub async fn answer(
    stream: TcpStream,
    strategy: Strategy,
    max_frame: usize,
    read_timeout: Duration,
    idle: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    let (read, write) = stream.into_split();
    let mut frames = FramedRead::new(read, strategy.codec(max_frame));
    let mut replies = FramedWrite::new(write, strategy.codec(max_frame));
    let (mut number, mut silence) = (1, Silence::new(idle));
    loop {
        // `timeout` cancels `next()` when it passes; the frame so far stays
        // in FramedRead's buffer, and the next call resumes it.
        let payload = match timeout(read_timeout, frames.next()).await {
            Ok(Some(Ok(payload))) => payload,
            Ok(None) => return finished(number - 1, say),
            Ok(Some(Err(e))) => return Err(failed(number, e, say)),
            Err(_) => {
                silence.check(frames.read_buffer().len(), number, say)?;
                continue;
            }
        };
        silence.heard();
        say!(
            say,
            frame(n = number, bytes = payload.len()),
            "frame {n}: {bytes} bytes; sending them back reversed"
        );
        let mut reply = payload;
        reply.reverse();
        let sent = timeout(idle, replies.send(&reply[..])).await;
        let sent =
            sent.map_err(|_| Failure::msg("the client takes no reply"))?;
        sent.with_context(|| format!("send reply {number}"))?;
        number += 1;
    }
}
// ANCHOR_END: story

/// Accept clients on one thread until the process is killed (or one, with
/// `--once`).
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let max = opts.max_clients as usize;
    let busy =
        format!("error: server busy: {max} clients already; try again later");
    let mut frame = bytes::BytesMut::new();
    let mut codec = opts.strategy.codec(opts.max_frame);
    // A --max-frame too small for the message: close without it.
    let busy = match codec.encode(busy.as_bytes(), &mut frame) {
        Ok(()) => frame.to_vec(),
        Err(_) => Vec::new(),
    };
    let rules = Rules {
        max_clients: max,
        once: opts.once,
        busy,
    };
    let runtime = runtime()?;
    runtime.block_on(accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| {
            let (strategy, max) = (opts.strategy, opts.max_frame);
            let (wait, idle) = (opts.read_timeout, opts.idle_timeout);
            async move { answer(stream, strategy, max, wait, idle, &say).await }
        },
    ))
}

/// The client finished, after `n` frames.
fn finished(n: u64, say: &Narrator) -> Result<(), Failure> {
    let done =
        count(usize::try_from(n).unwrap_or(usize::MAX), "frame", "frames");
    say!(say, "the client finished after {done}");
    Ok(())
}

/// Frame `number` could not be read.
fn failed(number: u64, e: std::io::Error, say: &Narrator) -> Failure {
    let kind = format!("{:?}", e.kind());
    say.event("failed", &[("n", &number), ("kind", &kind)]);
    Failure::new(format!("frame {number}"), e)
}

/// When the client last sent something, and how many bytes of the frame in
/// progress we had then: a cancelled wait that found more is progress, and
/// only `idle` without any ends the connection.
struct Silence {
    idle: Duration,
    heard: Instant,
    told: usize,
}

impl Silence {
    fn new(idle: Duration) -> Silence {
        Silence {
            idle,
            heard: Instant::now(),
            told: 0,
        }
    }

    /// A whole frame came.
    fn heard(&mut self) {
        (self.heard, self.told) = (Instant::now(), 0);
    }

    /// A wait was cancelled with `held` bytes of frame `number` in hand.
    fn check(
        &mut self,
        held: usize,
        number: u64,
        say: &Narrator,
    ) -> Result<(), Failure> {
        if held > self.told {
            say!(say, "frame {number}: next() cancelled; {held} kept");
            (self.heard, self.told) = (Instant::now(), held);
        }
        say.event("timeout", &[("n", &number), ("held", &held)]);
        if self.heard.elapsed() < self.idle {
            return Ok(());
        }
        Err(Failure::msg(format!(
            "frame {number}: nothing from the client for {}; closing",
            fmt_duration(self.idle)
        )))
    }
}
