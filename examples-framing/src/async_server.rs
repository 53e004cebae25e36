//! The async server: `framing-server`'s frames in, reversed frames out, on
//! tokio. `FramedRead` runs the lesson's own decoder over a socket, and
//! `FramedWrite` its encoder: the bytes on the wire are the blocking
//! pair's, so each half of either pair talks to the other. Every
//! connection is a task on one thread (the async accept loop every async
//! server shares, `common::tasks::accept_tasks`).

pub use common::bind;
use common::tasks::{Rules, accept_tasks, runtime};
use common::{Context, Failure, Narrator, count, fmt_duration, say};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_util::codec::{FramedRead, FramedWrite};

pub use crate::options::AsyncServerOptions as Options;

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
    let opts = std::sync::Arc::new(opts.clone());
    runtime.block_on(accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| {
            let opts = std::sync::Arc::clone(&opts);
            async move { handle(stream, &opts, &say).await }
        },
    ))
}

// ANCHOR: handle
/// One connection: frames in, reversed frames out, until the client is done.
async fn handle(
    stream: TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // Two halves, each owned by its own side of the exchange.
    let (read, write) = stream.into_split();
    let mut frames = FramedRead::new(read, opts.strategy.codec(opts.max_frame));
    let mut replies =
        FramedWrite::new(write, opts.strategy.codec(opts.max_frame));
    let mut number = 1u64;
    // When the client last sent something, and how many bytes of the frame
    // in progress we had then.
    let (mut heard, mut told) = (Instant::now(), 0);
    loop {
        // `timeout` cancels `next()` when it passes; the frame so far stays
        // in FramedRead's buffer, and the next call resumes it.
        let payload = match timeout(opts.read_timeout, frames.next()).await {
            Ok(Some(Ok(payload))) => payload,
            Ok(None) => {
                let done = count((number - 1) as usize, "frame", "frames");
                say!(say, "the client finished after {done}");
                return Ok(());
            }
            Ok(Some(Err(e))) => {
                let kind = format!("{:?}", e.kind());
                say.event("failed", &[("n", &number), ("kind", &kind)]);
                return Err(Failure::new(format!("frame {number}"), e));
            }
            Err(_) => {
                let held = frames.read_buffer().len();
                if held > told {
                    say!(say, "frame {number}: next() cancelled; {held} kept");
                    (heard, told) = (Instant::now(), held);
                }
                say.event("timeout", &[("n", &number), ("held", &held)]);
                if heard.elapsed() < opts.idle_timeout {
                    continue;
                }
                return Err(Failure::msg(format!(
                    "frame {number}: nothing from the client for {}; closing",
                    fmt_duration(opts.idle_timeout)
                )));
            }
        };
        (heard, told) = (Instant::now(), 0);
        say!(
            say,
            "frame {number}: {} bytes; sending them back reversed",
            payload.len()
        );
        say.event("frame", &[("n", &number), ("bytes", &payload.len())]);
        let mut reply = payload;
        reply.reverse();
        match timeout(opts.idle_timeout, replies.send(&reply[..])).await {
            Ok(sent) => sent.with_context(|| format!("send reply {number}"))?,
            Err(_) => return Err(Failure::msg("the client takes no reply")),
        }
        number += 1;
    }
}
// ANCHOR_END: handle
