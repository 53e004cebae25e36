//! The server: reads frames with the chosen codec and sends each message
//! back reversed, one thread per connection. A connection that sends
//! garbage, a huge length or a truncated frame costs one log line and its
//! own thread; everyone else is served.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Instant;

use common::{Admission, accept_loop, is_timeout};
use common::{Budget, Context, Failure, Narrator, count, fmt_duration, say};

use crate::codec::{DEFAULT_MAX_FRAME, FrameReader, send};
use crate::codecs::Strategy;
use crate::mistakes::{self, ReadMistake};
use crate::transform;

mod memory; // --max-memory, the bytes all connections may hold

pub use crate::options::ServerOptions as Options;

/// Check the options before serving anyone.
pub fn check(opts: &Options) -> Result<(), Failure> {
    if opts.mistake.is_some() && opts.strategy != Strategy::U32Length {
        return Err(Failure::msg("--mistake needs --strategy u32-length")
            .with_hint(
                "the mistakes are shown on length-prefixed frames, where they \
                    are usually made",
            ));
    }
    if opts.max_frame > DEFAULT_MAX_FRAME * 1024 {
        return Err(Failure::msg(
            "--max-frame above 1GiB is refused: one frame would be held in \
                memory",
        ));
    }
    memory::check(opts)
}

/// The listening socket, with a deep accept queue.
pub use common::bind;

/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own: the accept loop of lesson 2's server,
/// `common::accept_loop`. Past
/// --max-clients, a client gets one frame saying so, and is closed.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check(opts)?;
    let rules = Admission {
        once: opts.once,
        max_clients: opts.max_clients,
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
    let budget = Budget::new(opts.max_memory);
    accept_loop(listener, rules, &frame, say, move |stream, say| {
        handle(&stream, &opts, &budget, say)
    })
}

// ANCHOR: handle
/// One connection: frames in, reversed frames out, until the client is done.
pub fn handle(
    stream: &TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    // Each read waits --read-timeout at most; a timeout in the middle of a
    // frame is no loss (below), so only --idle-timeout of silence ends it.
    let wait = opts.read_timeout.min(opts.idle_timeout);
    stream
        .set_read_timeout(Some(wait))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.idle_timeout))
        .context("set_write_timeout")?;
    stream.set_nodelay(opts.nodelay).context("TCP_NODELAY")?;
    if let Some(delay) = opts.read_delay {
        say!(say, "busy: not reading for {}", fmt_duration(delay));
        say.event("busy", &[("ms", &delay.as_millis())]);
        thread::sleep(delay);
    }
    // One codec and one FrameReader for the whole connection: the reader
    // holds what arrived of the frame in progress, and what it read ahead
    // belongs to the next frames.
    let mut codec = opts.strategy.codec(opts.max_frame);
    let mut input = FrameReader::new(stream);
    // HARDENING: room in --max-memory for small frames (memory.rs).
    let mut room = memory::Room::new(stream, &mut input, budget, opts, say)?;
    let mut output = stream;
    let (mut reply, mut frame, mut wrong) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut number = 1u64;
    // When the client last sent something, and how many bytes of the frame
    // in progress we had then.
    let (mut heard, mut told) = (Instant::now(), 0);
    loop {
        let got = match opts.mistake {
            None => input.next(&mut codec),
            // VARIANT: the usual mistakes, on purpose (mistakes.rs).
            Some(mistake) => mistakes::read_frame_wrongly(
                mistake,
                stream,
                opts.max_frame,
                &mut wrong,
            )
            .map(|got| got.then_some(&wrong[..])),
        };
        let payload = match got {
            Ok(Some(payload)) => payload,
            Ok(None) => {
                say!(say, "the client finished after {}", frames(number - 1));
                return Ok(());
            }
            // The read timed out: whatever part of the frame had arrived is
            // still in `input`, and the next read resumes the same frame.
            Err(e) if is_timeout(&e) => {
                let held = input.buffered().len();
                if held > told {
                    say!(say, "frame {number}: read timed out; {held} kept");
                    (heard, told) = (Instant::now(), held);
                } else if opts.mistake == Some(ReadMistake::ReadExact) {
                    say!(
                        say,
                        "frame {number}: read_exact timed out, keeping nothing"
                    );
                }
                say.event("timeout", &[("n", &number), ("held", &held)]);
                // HARDENING: a quiet client gives grown buffers back.
                room.settle(&mut input, &mut reply, &mut frame, true);
                if heard.elapsed() < opts.idle_timeout {
                    continue;
                }
                say.event("idle", &[("n", &number)]);
                return Err(Failure::msg(format!(
                    "frame {number}: nothing from the client for {}; closing",
                    fmt_duration(opts.idle_timeout)
                )));
            }
            // HARDENING: a frame larger than the reader's first buffer
            // waits for its room in --max-memory, then resumes.
            Err(e) if e.kind() == io::ErrorKind::OutOfMemory => {
                room.grow(stream, &mut input, opts, say)?;
                continue;
            }
            Err(e) => {
                let kind = format!("{:?}", e.kind());
                say.event("failed", &[("n", &number), ("kind", &kind)]);
                return Err(Failure::new(format!("frame {number}"), e));
            }
        };
        (heard, told) = (Instant::now(), 0);
        say!(
            say,
            "frame {number}: {} bytes; sending them back reversed",
            payload.len()
        );
        say.event("frame", &[("n", &number), ("bytes", &payload.len())]);
        transform(payload, &mut reply);
        frame.clear();
        codec
            .encode(&reply, &mut frame)
            .with_context(|| format!("encode reply {number}"))?;
        send(&mut output, &frame, &codec, opts.split_writes)
            .with_context(|| format!("send reply {number}"))?;
        room.settle(&mut input, &mut reply, &mut frame, false); // HARDENING
        number += 1;
    }
}
// ANCHOR_END: handle

/// "1 frame", "3 frames".
fn frames(n: u64) -> String {
    count(usize::try_from(n).unwrap_or(usize::MAX), "frame", "frames")
}
