//! The stream the story reads, hardened. [`Guarded`] wraps the
//! connection's socket and stands between it and the story's `read`: it
//! charges what the request holds to `--max-memory`, waiting for room
//! before it reads more; it turns the watchdog's shutdown into an error
//! rather than a FIN the story would mistake for the client's; it names an
//! expired read timeout; and with `--read-delay` it waits before its first
//! read, like a busy server. The story reads it as it would the socket.

use std::io::{self, Read};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::room::wait_for_client;
use common::{Budget, Failure, Narrator, Share, detail, fmt_duration, say};

use super::Options;
use super::memory::{self, CHUNK};
use super::watchdog::{Watch, Watchdog};

/// What every connection shares: the watchdog thread and the memory budget.
pub(super) struct Shared {
    watchdog: Watchdog,
    budget: Budget,
}

impl Shared {
    pub(super) fn start(opts: &Options) -> Result<Shared, Failure> {
        Ok(Shared {
            watchdog: Watchdog::start(opts)?,
            // Part of the budget stays free for first chunks: a small
            // request is served while the largest ones hold the rest.
            budget: Budget::with_reserve(
                opts.max_memory,
                memory::room_for(opts.max_request),
            ),
        })
    }
}

/// One connection's socket, as the story reads it (see the module's docs).
pub struct Guarded<'a> {
    stream: &'a TcpStream,
    budget: &'a Budget,
    share: Share,
    watch: Watch,
    held: usize,
    opts: &'a Options,
    delay: Option<Duration>,
    say: Narrator,
}

impl<'a> Guarded<'a> {
    /// Watch `stream`, and take room for its first chunk in the budget
    /// (refusing the client politely if there is none).
    pub(super) fn new(
        stream: &'a TcpStream,
        id: u64,
        opts: &'a Options,
        shared: &'a Shared,
        say: &Narrator,
    ) -> Result<Guarded<'a>, Failure> {
        let watch = shared.watchdog.watch(stream, id, say)?;
        let share = memory::first(stream, &shared.budget, opts, say)?;
        Ok(Guarded {
            stream,
            budget: &shared.budget,
            share,
            watch,
            held: 0,
            opts,
            delay: opts.read_delay,
            say: say.clone(),
        })
    }
}

impl Read for Guarded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let say = &self.say;
        if let Some(delay) = self.delay.take() {
            let ms = delay.as_millis();
            say!(
                say,
                busy(ms),
                "busy: not reading for {}",
                fmt_duration(delay)
            );
            thread::sleep(delay);
        }
        // Past its first chunk, a request waits for room for the largest
        // request and its reply, reading nothing meanwhile: TCP's flow
        // control holds the client back.
        if self.held >= CHUNK {
            memory::grow(
                self.stream,
                &mut self.share,
                self.budget,
                self.opts,
                say,
            )
            .map_err(|refused| io::Error::other(refused.to_string()))?;
        }
        let room = buf.len().min(CHUNK);
        // While this read waits, the connection is waiting on its client,
        // and a full server may evict it (common::room).
        let read = || (&*self.stream).read(&mut buf[..room]);
        let n = match wait_for_client(read) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let idle = fmt_duration(self.opts.idle_timeout);
                let why = format!("no data from the client for {idle}");
                return Err(io::Error::new(e.kind(), why));
            }
            Err(e) => return Err(e),
        };
        // read() returned 0 because the watchdog shut the connection down,
        // not because the client finished.
        if n == 0 && self.watch.fired() {
            say!(
                say,
                closed(how = "watchdog"),
                "the watchdog ended the connection; no reply"
            );
            let max = fmt_duration(self.opts.max_time);
            return Err(io::Error::other(format!(
                "ended by the watchdog after --max-time {max}"
            )));
        }
        self.held += n;
        if n > 0 {
            detail!(say, read(bytes = n), "read() returned {bytes} bytes");
        }
        Ok(n)
    }
}
