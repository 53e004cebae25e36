//! The async server: `framing-server`'s frames in, reversed frames out, on
//! tokio. `FramedRead` runs the lesson's own decoder over a socket, and
//! `FramedWrite` its encoder: the bytes on the wire are the blocking
//! pair's, so each half of either pair talks to the other. Every
//! connection is a task on one thread (the async accept loop every async
//! server shares, `common::tasks::accept_tasks`). [`answer`] is the story.

pub use common::bind;
use common::room::Reading;
use common::tasks::{Rules, accept_tasks, runtime};
use common::{Context, Failure, Narrator, count, fmt_duration, say};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;

use tokio::time::{Instant, timeout};
use tokio_util::codec::{FramedRead, FramedWrite};

use std::io;
use std::sync::Arc;

use bytes::BytesMut;
use common::{Budget, Share};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio_util::codec::Decoder;

use crate::codec::{BUFFER, Codec};
pub use crate::options::AsyncServerOptions as Options;
use crate::server::check_frame;
use crate::server::memory::{self, FIRST, check_sizes, sizes};
use crate::tokio_codec::TokioCodec;

// ANCHOR: story
/// One connection: frames in, each payload sent back reversed in a frame,
/// until the client is done. Each wait for a frame lasts `read_timeout`;
/// the client may stay silent for `idle`. `frames` runs the lesson's
/// decoder over the read half, `replies` its encoder over the write half.
pub async fn answer<C: TokioCodec>(
    frames: &mut Frames<C>,
    replies: &mut Replies<C>,
    read_timeout: Duration,
    idle: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
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

/// Check the options before serving anyone: the blocking server's bounds.
pub fn check(opts: &Options) -> Result<(), Failure> {
    check_frame(opts.max_frame)?;
    check_sizes(opts.max_frame, opts.max_memory)
}

/// Accept clients on one thread until the process is killed (or one, with
/// `--once`).
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check(opts)?;
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
        when_full: opts.when_full,
        once: opts.once,
        busy,
    };
    // Part of the budget stays free for first frames (see the blocking
    // server's): a small frame is answered while the largest hold the rest.
    let (_, largest) = sizes(opts.max_frame);
    let budget = Budget::with_reserve(opts.max_memory, largest);
    let opts = Arc::new(opts.clone());
    let runtime = runtime()?;
    runtime.block_on(accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| {
            let (opts, budget) = (Arc::clone(&opts), budget.clone());
            async move { connection(stream, &opts, &budget, &say).await }
        },
    ))
}

/// The frames the story reads: the lesson's decoder `C`, guarded by the
/// budget.
pub type Frames<C> = FramedRead<Reading<OwnedReadHalf>, Guarded<C>>;

/// The replies the story writes: the lesson's encoder `C`.
pub type Replies<C> = FramedWrite<OwnedWriteHalf, C>;

// ANCHOR: connection
/// One connection, hardened: room in `--max-memory` for its first frames,
/// the decoder guarded, then the story; a frame that finds no room is
/// refused politely.
async fn connection(
    stream: TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    let (read, write) = stream.into_split();
    // The codec as its own type (with_codec!): no dynamic call per frame.
    crate::with_codec!(opts.strategy, |new| {
        let mut replies = FramedWrite::new(write, new(opts.max_frame));
        let Ok(share) = budget.take(FIRST, Duration::ZERO) else {
            return no_memory(&mut replies, budget, say).await;
        };
        let (_, whole) = sizes(opts.max_frame);
        // Reading: while a read waits, the connection is waiting on its
        // client, and a full server may evict it (common::room).
        let guarded = Guarded::new(new(opts.max_frame), share, whole);
        let mut frames = FramedRead::new(Reading(read), guarded);
        let (wait, idle) = (opts.read_timeout, opts.idle_timeout);
        let told = answer(&mut frames, &mut replies, wait, idle, say).await;
        match told {
            Err(_) if frames.decoder().out_of_memory => {
                no_memory(&mut replies, budget, say).await
            }
            told => told,
        }
    })
}
// ANCHOR_END: connection

/// No room in --max-memory for this client's frame: say so, to it and to
/// the log, and close.
async fn no_memory<C: TokioCodec>(
    replies: &mut Replies<C>,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    say!(
        say,
        refused(why = "memory"),
        "no memory for this frame: refusing it"
    );
    let message = memory::no_memory(budget);
    // The client may be gone: the close is all that is left to do.
    let _ =
        timeout(Duration::from_secs(1), replies.send(message.as_bytes())).await;
    Err(Failure::msg("refused the frame: --max-memory is spent"))
}

/// The lesson's decoder, charging `--max-memory` for what FramedRead's
/// buffer holds: past its first chunk, a frame needs room for the largest
/// frame and its reply, taken at once or not at all (the async server
/// never waits for room: a task that waited would hold its buffer).
pub struct Guarded<C> {
    codec: C,
    share: Share,
    whole: usize,
    /// True once a frame found no room: the connection refuses it.
    pub out_of_memory: bool,
}

impl<C: Codec> Guarded<C> {
    fn new(codec: C, share: Share, whole: usize) -> Guarded<C> {
        Guarded {
            codec,
            share,
            whole,
            out_of_memory: false,
        }
    }

    /// Room for what `src` holds; an error if there is none.
    fn charge(&mut self, src: &BytesMut) -> io::Result<()> {
        if src.capacity() <= BUFFER || self.share.bytes() >= self.whole {
            return Ok(());
        }
        if self.share.grow_to(self.whole, Duration::ZERO).is_err() {
            self.out_of_memory = true;
            let message = "no room in --max-memory for the frame";
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, message));
        }
        Ok(())
    }
}

impl<C: TokioCodec> Decoder for Guarded<C> {
    type Item = BytesMut;
    type Error = io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<BytesMut>> {
        self.charge(src)?;
        Decoder::decode(&mut self.codec, src)
    }

    fn decode_eof(
        &mut self,
        src: &mut BytesMut,
    ) -> io::Result<Option<BytesMut>> {
        self.charge(src)?;
        Decoder::decode_eof(&mut self.codec, src)
    }
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
