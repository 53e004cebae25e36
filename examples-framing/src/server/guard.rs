//! The frames the story reads, hardened. [`Guarded`] holds the
//! connection's `FrameReader` and its room in `--max-memory`, and stands
//! between them and the story's `next`:
//!
//! - a read that times out mid-frame keeps what it had (the reader's
//!   doing), says so, and reads again, until the client has been silent
//!   for `--idle-timeout`;
//! - a frame that outgrows the reader's first buffer waits for room for
//!   the largest frame, then resumes;
//! - a quiet client, or one whose neighbour waits for room, gives a grown
//!   buffer back.

use std::io;
use std::net::TcpStream;
use std::time::Instant;

use common::room::wait_for_client;
use common::{Budget, Failure, Narrator, fmt_duration, is_timeout, say};

use super::Options;
use super::memory::Room;
use crate::codec::{Codec, FrameReader};

/// One connection's frames, as the story reads them.
pub struct Guarded<'a> {
    stream: &'a TcpStream,
    input: FrameReader<&'a TcpStream>,
    room: Room,
    opts: &'a Options,
    say: Narrator,
    /// The number of the frame in progress.
    number: u64,
    /// When the client last sent something, and how many bytes of the
    /// frame in progress we had then.
    heard: Instant,
    told: usize,
}

impl<'a> Guarded<'a> {
    /// The frames of `stream`, with room for small ones in `budget`
    /// (refusing the client politely if there is none).
    pub(super) fn new(
        stream: &'a TcpStream,
        budget: &Budget,
        opts: &'a Options,
        say: &Narrator,
    ) -> Result<Guarded<'a>, Failure> {
        let mut input = FrameReader::new(stream);
        let room = Room::new(stream, &mut input, budget, opts, say)?;
        Ok(Guarded {
            stream,
            input,
            room,
            opts,
            say: say.clone(),
            number: 0,
            heard: Instant::now(),
            told: 0,
        })
    }

    /// The next frame's payload, or `None` when the client is done.
    pub fn next<C: Codec + ?Sized>(
        &mut self,
        codec: &mut C,
    ) -> Result<Option<&[u8]>, Failure> {
        // The last reply is sent and dropped: a grown buffer can go back
        // if another connection waits for room.
        self.room.settle(&mut self.input, false);
        self.number += 1;
        loop {
            // While it waits, the connection is waiting on its client,
            // and a full server may evict it (common::room).
            match wait_for_client(|| self.input.next_range(codec)) {
                Ok(Some(payload)) => {
                    (self.heard, self.told) = (Instant::now(), 0);
                    return Ok(Some(self.input.payload(payload)));
                }
                Ok(None) => return Ok(None),
                Err(e) if is_timeout(&e) => self.quiet()?,
                // The frame needs a larger buffer than the reader's first:
                // wait for room in --max-memory, then resume it.
                Err(e) if e.kind() == io::ErrorKind::OutOfMemory => {
                    let (stream, opts) = (self.stream, self.opts);
                    self.room.grow(stream, &mut self.input, opts, &self.say)?;
                }
                Err(e) => {
                    let (n, kind) = (self.number, format!("{:?}", e.kind()));
                    self.say.event("failed", &[("n", &n), ("kind", &kind)]);
                    return Err(Failure::new(format!("frame {n}"), e));
                }
            }
        }
    }

    /// A read timed out: whatever part of the frame had arrived is still in
    /// the reader, and the next read resumes the same frame. An error once
    /// the client has been silent for --idle-timeout.
    fn quiet(&mut self) -> Result<(), Failure> {
        let (number, say) = (self.number, &self.say);
        let held = self.input.buffered().len();
        if held > self.told {
            say!(say, "frame {number}: read timed out; {held} kept");
            (self.heard, self.told) = (Instant::now(), held);
        }
        say.event("timeout", &[("n", &number), ("held", &held)]);
        // A quiet client gives grown buffers back.
        self.room.settle(&mut self.input, true);
        if self.heard.elapsed() < self.opts.idle_timeout {
            return Ok(());
        }
        say.event("idle", &[("n", &number)]);
        Err(Failure::msg(format!(
            "frame {number}: nothing from the client for {}; closing",
            fmt_duration(self.opts.idle_timeout)
        )))
    }
}
