//! The server: read each request until the client's FIN, answer on the
//! half of the connection that is still open, and close without losing the
//! answer. `handle` is the story of one connection, [`serve`] the accept
//! loop; what hardens them, and each wrong-on-purpose flag, lives in a file
//! under `server/` named for it, called at a line marked `HARDENING` or
//! `VARIANT`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use common::{
    Budget, Context, Failure, Narrator, Share, detail, fmt_duration, say,
};

use crate::reply_to;

mod abort; // --abort: SO_LINGER 0, the abortive close
pub(crate) mod gone; // a reply to a client that is no longer there
mod limits; // --max-clients, the turn-away, accept errors
pub(crate) mod memory; // --max-memory, the bytes all connections may hold
mod refuse; // --max-request: the lingering close, and --close-early
mod watchdog; // --max-time, and --watchdog-drop

pub use crate::options::ServerOptions as Options;
pub use common::bind;

/// What every connection shares: the watchdog thread and the memory budget.
struct Shared {
    watchdog: watchdog::Watchdog,
    budget: Budget,
}

// ANCHOR: handle
/// One connection, from accept to close.
fn handle(
    stream: TcpStream,
    id: u64,
    opts: &Options,
    shared: &Shared,
    say: &Narrator,
) -> Result<(), Failure> {
    // Without timeouts a read blocks for as long as the client stays
    // silent, and a write for as long as it does not read: either way one
    // client would own this thread forever.
    let idle = Some(opts.idle_timeout);
    stream.set_read_timeout(idle).context("set_read_timeout")?;
    stream
        .set_write_timeout(idle)
        .context("set_write_timeout")?;
    // HARDENING: the watchdog, and this connection's room in --max-memory.
    let watch = shared.watchdog.watch(&stream, id, say)?;
    let mut share = memory::first(&stream, &shared.budget, opts, say)?;

    if let Some(delay) = opts.read_delay {
        say!(say, "busy: not reading for {}", fmt_duration(delay)); // VARIANT
        say.event("busy", &[("ms", &delay.as_millis())]);
        thread::sleep(delay);
    }
    let Some(request) = read_request(&stream, opts, shared, &mut share, say)?
    else {
        return refuse::refuse(&stream, opts, say); // VARIANT: too long
    };
    // HARDENING: read() returned 0 because the watchdog shut the
    // connection down, not because the client finished.
    if watch.ended_it(say) {
        return Ok(());
    }
    // A FIN says the client will send no more; the protocol takes that as
    // the end of the request (a client that crashed sends one too).
    let got = request.len();
    say!(say, "read {got} bytes, then read() = 0: the client's FIN");
    reply(&stream, &request, opts, say)
}
// ANCHOR_END: handle

// ANCHOR: read_request
/// Read until read() returns 0: the client's FIN, sent by its
/// shutdown(Write), is the only end-of-request marker this protocol has.
/// One byte past the limit tells us a request is too long (`None`): the
/// server never holds more than that.
fn read_request(
    mut stream: &TcpStream,
    opts: &Options,
    shared: &Shared,
    share: &mut Share,
    say: &Narrator,
) -> Result<Option<Vec<u8>>, Failure> {
    let mut request = Vec::with_capacity(memory::CHUNK);
    let mut chunk = [0u8; memory::CHUNK];
    let end = loop {
        let room = (opts.max_request + 1 - request.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => break Ok(End::Fin),
            Ok(n) => {
                // HARDENING: past its first chunk, a request waits for its
                // room in --max-memory, reading nothing meanwhile.
                if request.len() + n > memory::CHUNK {
                    memory::grow(stream, share, &shared.budget, opts, say)?;
                    request.reserve_exact(opts.max_request + 1 - request.len());
                }
                request.extend_from_slice(&chunk[..n]);
                detail!(say, "read() returned {n} bytes");
                say.event("read", &[("bytes", &n)]);
                if request.len() > opts.max_request {
                    break Ok(End::TooLong);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    let (got, name) = (request.len(), End::name(&end));
    say.event("request_end", &[("bytes", &got), ("end", &name)]);
    match end {
        Ok(End::Fin) => Ok(Some(request)),
        Ok(End::TooLong) => Ok(None),
        // SO_RCVTIMEO expired: EAGAIN on Linux, WouldBlock to Rust (lesson
        // 2 is about this).
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            let idle = fmt_duration(opts.idle_timeout);
            let why =
                format!("no data from the client for {idle} after {got} bytes");
            Err(Failure::msg(why))
        }
        Err(e) => {
            Err(Failure::new(format!("read request after {got} bytes"), e))
        }
    }
}
// ANCHOR_END: read_request

/// Why the request loop stopped: read() returned 0, or `--max-request`.
enum End {
    Fin,
    TooLong,
}

impl End {
    /// The `end=` of the `request_end` event.
    fn name(end: &io::Result<End>) -> String {
        match end {
            Ok(End::Fin) => "eof".to_owned(),
            Ok(End::TooLong) => "too_long".to_owned(),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => "timeout".into(),
            Err(e) => format!("{:?}", e.kind()),
        }
    }
}

// ANCHOR: reply
fn reply(
    mut stream: &TcpStream,
    request: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let reply = reply_to(request);
    // One write_all: a short write is retried until every byte is queued.
    // A client that vanished makes this fail with BrokenPipe or
    // ConnectionReset, an error for this connection only: Rust ignores
    // SIGPIPE, so the process is not killed for it.
    if let Err(e) = stream.write_all(&reply) {
        return Err(gone::reply_failed(e, say)); // HARDENING
    }
    say.event("reply", &[("bytes", &reply.len())]);
    if opts.abort {
        return abort::close(stream, say); // VARIANT
    }
    // Our FIN goes out after the reply; the client's read() returns 0 once
    // it has read all of it. Say so explicitly rather than relying on the
    // close when `handle` returns: while the watchdog holds its clone of
    // this socket, dropping our handle would not close anything.
    match stream.shutdown(Shutdown::Write) {
        Ok(()) => {}
        // The client had closed and its kernel answered the reply with
        // RST: the reply is lost. The reset is the socket's pending error.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
            let reset = stream.take_error().ok().flatten().unwrap_or(e);
            return Err(gone::reply_failed(reset, say)); // HARDENING
        }
        Err(e) => return Err(Failure::new("shutdown(Write)", e)),
    }
    let n = reply.len();
    say!(say, "sent a {n}-byte reply, then shutdown(Write): our FIN");
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: reply

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own, so that a slow client holds up no other.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check(opts)?;
    let opts = Arc::new(opts.clone());
    let limits = limits::Limits::new(opts.max_clients);
    let shared = Arc::new(Shared {
        watchdog: watchdog::Watchdog::start(&opts)?,
        budget: Budget::new(opts.max_memory),
    });
    for id in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                limits::accept_failed(e, say); // HARDENING
                continue;
            }
        };
        let say = say.tagged(format_args!("#{id}"));
        say!(say, "accepted a connection from {peer}");
        say.event("accepted", &[("peer", &peer)]);
        if opts.once {
            return handle(stream, id, &opts, &shared, &say);
        }
        // HARDENING: past --max-clients, a client is told so and closed.
        let Some((stream, slot)) = limits.admit(stream, &say) else {
            continue;
        };
        let (opts, shared, conn) =
            (Arc::clone(&opts), Arc::clone(&shared), say.clone());
        let worker = thread::Builder::new().name(format!("conn-{id}"));
        let spawned = worker.spawn(move || {
            let served = handle(stream, id, &opts, &shared, &conn);
            // The slot is free before anyone hears the connection ended.
            drop(slot);
            if let Err(failure) = served {
                conn.problem(failure);
            }
            conn.event("done", &[]);
        });
        if let Err(e) = spawned {
            limits::spawn_failed(e, &say); // HARDENING
        }
    }
    Ok(())
}
// ANCHOR_END: serve

/// Check the options before serving anyone.
pub fn check(opts: &Options) -> Result<(), Failure> {
    memory::check(opts)
}
