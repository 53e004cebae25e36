//! `--max-memory`: the bytes of frames and replies that all connections
//! together may hold. A connection starts with room for small frames; a
//! frame that outgrows the reader's first buffer waits for room for the
//! largest frame, its reply and the encoded reply, all at once, reading
//! nothing while it waits (TCP's flow control holds the client back). With
//! no room within --idle-timeout, the frame is refused politely. After a
//! large frame, the grown buffers and their room are given back as soon as
//! the client goes quiet or another connection waits for room.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::lingering_close;
use common::{Budget, Failure, Narrator, Share, Short, fmt_size, say};

use super::Options;
use crate::codec::{BUFFER, Codec, FrameReader};

/// What every connection holds from the start: the reader's first buffer,
/// and a reply to a frame that fits in it, before and after encoding
/// (escaping can double it).
pub(crate) const FIRST: usize = 4 * BUFFER + 64;

/// The room a connection's frames and replies take.
pub(super) struct Room {
    share: Share,
    budget: Budget,
}

impl Room {
    /// Room for small frames: the reader grows no further until more is
    /// granted.
    pub(super) fn new(
        stream: &TcpStream,
        input: &mut FrameReader<&TcpStream>,
        budget: &Budget,
        opts: &Options,
        say: &Narrator,
    ) -> Result<Room, Failure> {
        let share =
            take(stream, budget, opts, say, |wait| budget.take(FIRST, wait))?;
        input.set_limit(BUFFER);
        let mut room = Room {
            share,
            budget: budget.clone(),
        };
        if opts.mistake.is_some() {
            // The mistakes read with a buffer of their own, up to a frame.
            room.grow(stream, input, opts, say)?;
        }
        Ok(room)
    }

    /// The reader needs a larger buffer: room for the largest frame.
    pub(super) fn grow(
        &mut self,
        stream: &TcpStream,
        input: &mut FrameReader<&TcpStream>,
        opts: &Options,
        say: &Narrator,
    ) -> Result<(), Failure> {
        let (reader, whole) = largest(opts);
        let Room { share, budget } = self;
        take(stream, budget, opts, say, |wait| share.grow_to(whole, wait))?;
        input.set_limit(reader);
        Ok(())
    }

    /// Give the grown buffer and its room back, if the reader holds no
    /// more than its first buffer: after a reply when another connection
    /// waits for room, or whenever a read times out (the client is quiet).
    /// Keeping it otherwise spares a client of large frames a regrowth per
    /// frame. (The story's reply buffers live one frame each.)
    pub(super) fn settle(
        &mut self,
        input: &mut FrameReader<&TcpStream>,
        quiet: bool,
    ) {
        let wanted = quiet || self.budget.waiting() > 0;
        if self.share.bytes() <= FIRST || !wanted || !input.shrink_to(BUFFER) {
            return;
        }
        input.set_limit(BUFFER);
        // Asking for less never waits and never fails.
        let _ = self.share.grow_to(FIRST, Duration::ZERO);
    }
}

/// The reader's largest buffer, and the room for it, a reply and the
/// encoded reply: a frame on the wire is at most twice its payload
/// (escaping), plus a header.
fn largest(opts: &Options) -> (usize, usize) {
    sizes(opts.max_frame)
}

/// [`largest`], for a given --max-frame: the async server's too.
pub(crate) fn sizes(max_frame: usize) -> (usize, usize) {
    // Saturating: a --max-frame near usize::MAX asks for all there is.
    let wire = max_frame.saturating_mul(2).saturating_add(64);
    let whole = wire.saturating_mul(2).saturating_add(max_frame);
    (wire, whole)
}

/// Refuse a budget too small to serve one largest frame.
pub(super) fn check(opts: &Options) -> Result<(), Failure> {
    check_sizes(opts.max_frame, opts.max_memory)
}

/// [`check`], for the async server's options too.
pub(crate) fn check_sizes(
    max_frame: usize,
    max_memory: usize,
) -> Result<(), Failure> {
    let (_, whole) = sizes(max_frame);
    if max_memory < whole {
        return Err(Failure::msg(format!(
            "--max-memory {} cannot hold one frame of --max-frame {}",
            fmt_size(max_memory),
            fmt_size(max_frame)
        ))
        .with_hint(format!("give it at least {whole} bytes")));
    }
    Ok(())
}

/// What a client hears when its frame finds no room in the budget.
pub(crate) fn no_memory(budget: &Budget) -> String {
    format!(
        "error: server busy: no memory for the frame (--max-memory {}); try \
         again later",
        fmt_size(budget.total())
    )
}

/// Ask for room; say so and wait if there is none yet; refuse the frame
/// politely if none comes.
fn take<T>(
    stream: &TcpStream,
    budget: &Budget,
    opts: &Options,
    say: &Narrator,
    ask: impl FnMut(Duration) -> Result<T, Short>,
) -> Result<T, Failure> {
    let short = match budget.ask_or_wait(opts.idle_timeout, say, ask) {
        Ok(got) => return Ok(got),
        Err(short) => short,
    };
    say!(
        say,
        refused(why = "memory"),
        "no memory for this frame ({short}): refusing it"
    );
    let message = no_memory(budget);
    let mut frame = Vec::new();
    let mut codec = opts.strategy.codec(opts.max_frame);
    if codec.encode(message.as_bytes(), &mut frame).is_ok() {
        let mut out = stream;
        let _ = out.write_all(&frame);
    }
    lingering_close(stream, say)?;
    Err(Failure::msg(format!("refused the frame: {short}")))
}
