//! The server: reads frames with the chosen codec and sends each message
//! back reversed, one thread per connection. [`answer`] is the story of one
//! connection; `--mistake` is a whole sibling (`server/mistaken.rs`). The
//! hardening wraps it: `common`'s accept loop, and [`Guarded`]
//! (`server/guard.rs`), the frames the story reads, which resumes a frame
//! after a read timeout, ends a silent connection and charges
//! `--max-memory`. A connection that sends garbage, a huge length or a
//! truncated frame costs one log line and its own thread; everyone else is
//! served.

use std::net::{TcpListener, TcpStream};
use std::thread;

use common::{Admission, accept_loop};
use common::{Budget, Context, Failure, Narrator, count, fmt_duration, say};

use crate::codec::{Codec, DEFAULT_MAX_FRAME, send};
use crate::codecs::Strategy;
use crate::transform;

mod guard; // the frames the story reads: timeouts, idle, --max-memory
pub(crate) mod memory; // --max-memory, the bytes all connections may hold
pub mod mistaken; // --mistake: reading frames the usual wrong ways

pub use crate::options::ServerOptions as Options;
pub use guard::Guarded;

// ANCHOR: story
/// One connection: frames in, each payload sent back reversed in a frame,
/// until the client is done. `frames` is the connection's frames as the
/// hardening lets us read them (see [`Guarded`]).
pub fn answer(
    mut stream: &TcpStream,
    frames: &mut Guarded<'_>,
    codec: &mut impl Codec,
    split_writes: bool,
    say: &Narrator,
) -> Result<(), Failure> {
    let mut number = 0;
    // One FrameReader for the whole connection, inside `frames`: it holds
    // what arrived of the frame in progress, whatever happens to a read,
    // and what it read ahead belongs to the next frames.
    while let Some(payload) = frames.next(codec)? {
        number += 1;
        say!(
            say,
            frame(n = number, bytes = payload.len()),
            "frame {n}: {bytes} bytes; sending them back reversed"
        );
        // Fresh buffers per frame, freed after it: a connection holds no
        // reply memory between frames, outside --max-memory's budget.
        let (mut reply, mut frame) = (Vec::new(), Vec::new());
        transform(payload, &mut reply);
        let encoded = codec.encode(&reply, &mut frame);
        encoded.with_context(|| format!("encode reply {number}"))?;
        // One write for the whole frame (--split-writes: two, wrongly).
        send(&mut stream, &frame, codec, split_writes)
            .with_context(|| format!("send reply {number}"))?;
    }
    say!(say, "the client finished after {}", frames_said(number));
    Ok(())
}
// ANCHOR_END: story

/// Check the options before serving anyone.
pub fn check(opts: &Options) -> Result<(), Failure> {
    if opts.mistake.is_some() && opts.strategy != Strategy::U32Length {
        return Err(Failure::msg("--mistake needs --strategy u32-length")
            .with_hint(
                "the mistakes are shown on length-prefixed frames, where they \
                    are usually made",
            ));
    }
    check_frame(opts.max_frame)?;
    memory::check(opts)
}

/// Refuse a --max-frame above 1 GiB: one frame is held in memory whole.
pub(crate) fn check_frame(max_frame: usize) -> Result<(), Failure> {
    if max_frame > DEFAULT_MAX_FRAME * 1024 {
        return Err(Failure::msg(
            "--max-frame above 1GiB is refused: one frame would be held in \
                memory",
        ));
    }
    Ok(())
}

/// The listening socket, with a deep accept queue.
pub use common::bind;

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own: `common::accept_loop`, as lesson 2's
/// server. Past --max-clients, a client gets one frame saying so, and is
/// closed.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check(opts)?;
    let rules = Admission {
        once: opts.once,
        max_clients: opts.max_clients,
        when_full: opts.when_full,
        user_timeout: Some(opts.idle_timeout),
        tick: None,
    };
    let busy = format!(
        "error: server busy: {} clients already; try again later",
        opts.max_clients
    );
    let mut frame = Vec::new();
    let mut codec = opts.strategy.codec(opts.max_frame);
    if codec.encode(busy.as_bytes(), &mut frame).is_err() {
        // A --max-frame too small for the message: close without it.
        frame.clear();
    }
    let opts = opts.clone();
    // Part of the budget stays free for first frames: a small frame is
    // answered while the largest ones hold the rest.
    let (_, largest) = memory::sizes(opts.max_frame);
    let budget = Budget::with_reserve(opts.max_memory, largest);
    accept_loop(listener, rules, &frame, say, move |stream, say| {
        connection(&stream, &opts, &budget, say)
    })
}
// ANCHOR_END: serve

// ANCHOR: connection
/// One connection, hardened: its timeouts, its room in the budget, its
/// frames guarded; then the story, or the `--mistake` sibling.
pub fn connection(
    stream: &TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    // Each read waits --read-timeout at most; a timeout in the middle of a
    // frame is no loss, so only --idle-timeout of silence ends it.
    let wait = opts.read_timeout.min(opts.idle_timeout);
    stream
        .set_read_timeout(Some(wait))
        .context("set_read_timeout")?;
    let idle = Some(opts.idle_timeout);
    stream
        .set_write_timeout(idle)
        .context("set_write_timeout")?;
    stream.set_nodelay(opts.nodelay).context("TCP_NODELAY")?;
    if let Some(delay) = opts.read_delay {
        let (ms, busy) = (delay.as_millis(), fmt_duration(delay));
        say!(say, busy(ms), "busy: not reading for {busy}");
        thread::sleep(delay);
    }
    let mut frames = Guarded::new(stream, budget, opts, say)?;
    let split = opts.split_writes;
    match opts.mistake {
        // The codec as its own type (with_codec!): no dynamic call per
        // frame.
        None => crate::with_codec!(opts.strategy, |new| {
            let codec = &mut new(opts.max_frame);
            answer(stream, &mut frames, codec, split, say)
        }),
        Some(mistake) => {
            let idle = opts.idle_timeout;
            mistaken::answer(stream, mistake, opts.max_frame, idle, say)
        }
    }
}
// ANCHOR_END: connection

/// "1 frame", "3 frames".
pub(crate) fn frames_said(n: u64) -> String {
    count(usize::try_from(n).unwrap_or(usize::MAX), "frame", "frames")
}
