//! The server: read each request until the client's FIN, answer on the
//! half of the connection that is still open, then send our own FIN.
//! [`answer`] is the story of one connection. `--abort` and `--close-early`
//! are whole siblings of it (`server/abort.rs`, `server/close_early.rs`);
//! [`serve`], below the story, is the hardening that wraps it: the accept
//! loop, `--max-clients`, and a [`Guarded`] stream that charges
//! `--max-memory` and lets the watchdog end a connection (`--max-time`).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use common::{Context, Failure, Narrator, say};

use crate::reply_to;

pub mod abort; // --abort: SO_LINGER 0, the abortive close
pub mod close_early; // --close-early: closing with the request unread
pub(crate) mod gone; // a reply to a client that is no longer there
mod guard; // the stream the story reads: --max-memory, --max-time
mod limits; // --max-clients, the turn-away, accept errors
pub(crate) mod memory; // --max-memory, the bytes all connections may hold
pub(crate) mod refuse; // --max-request: the lingering close
mod watchdog; // --max-time, and --watchdog-drop

pub use crate::options::ServerOptions as Options;
pub use common::bind;
pub use guard::Guarded;

// ANCHOR: story
/// One connection: read the request to the client's FIN, answer on the half
/// still open, then send our FIN. `from_client` is `stream` as the
/// hardening lets us read it (see [`Guarded`]).
pub fn answer(
    stream: &TcpStream,
    from_client: impl Read,
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    // read() returns 0 once every byte before the client's FIN was read:
    // the only end of request here. One byte past the limit is too long.
    let (mut request, mut chunk) = (Vec::new(), [0u8; 16 * 1024]);
    let mut from_client = from_client.take(max_request as u64 + 1);
    loop {
        match from_client.read(&mut chunk) {
            Ok(0) => break, // the client's FIN
            Ok(n) => request.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(refuse::read_failed(e, request.len(), say)),
        }
    }
    if request.len() > max_request {
        return refuse::too_long(stream, max_request, say);
    }
    say!(
        say,
        request_end(bytes = request.len(), end = "eof"),
        "read {bytes} bytes, then read() = 0: the client's FIN"
    );
    // A client gone fails this write (EPIPE), not the process: no SIGPIPE.
    let reply = reply_to(&request);
    let wrote = (&*stream).write_all(&reply);
    wrote.map_err(|e| gone::reply_failed(e, say))?;
    // Our FIN follows the reply. Said explicitly: while the watchdog holds
    // a clone of this socket, dropping our handle would close nothing.
    let shut = stream.shutdown(Shutdown::Write);
    shut.map_err(|e| gone::shutdown_failed(stream, e, say))?;
    say!(
        say,
        closed(how = "fin", reply = reply.len()),
        "sent a {reply}-byte reply, then shutdown(Write): our FIN"
    );
    Ok(())
}
// ANCHOR_END: story

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
    let limits = limits::Limits::new(opts.max_clients, opts.when_full);
    let shared = Arc::new(guard::Shared::start(&opts)?);
    for id in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                limits::accept_failed(e, say);
                continue;
            }
        };
        let say = say.tagged(format_args!("#{id}"));
        say!(say, accepted(peer), "accepted a connection from {peer}");
        if opts.once {
            return connection(&stream, id, &opts, &shared, &say);
        }
        // Past --max-clients, a client is told so and closed.
        let Some((stream, tenant)) = limits.admit(stream, id, &say) else {
            continue;
        };
        let (opts, shared, conn) =
            (Arc::clone(&opts), Arc::clone(&shared), say.clone());
        let worker = thread::Builder::new().name(format!("conn-{id}"));
        let spawned = worker.spawn(move || {
            let entered = tenant.enter();
            let served = connection(&stream, id, &opts, &shared, &conn);
            // The slot is free before anyone hears the connection ended.
            let evicted = tenant.evicted();
            drop((stream, entered, tenant));
            match served {
                Err(_) if evicted => {} // said when it happened
                Err(failure) => conn.problem(failure),
                Ok(()) => {}
            }
            conn.event("done", &[]);
        });
        if let Err(e) = spawned {
            limits::spawn_failed(e, &say);
        }
    }
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: connection
/// One connection, hardened: timeouts on every read and write, the stream
/// guarded, then the story (or the variant the flags chose).
fn connection(
    stream: &TcpStream,
    id: u64,
    opts: &Options,
    shared: &guard::Shared,
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
    // SO_SNDTIMEO bounds each send; this bounds how long a client that
    // stopped reading holds the reply (and this thread).
    common::stop_a_stopped_reader(stream, opts.idle_timeout, say);
    let from_client = Guarded::new(stream, id, opts, shared, say)?;
    let max = opts.max_request;
    if opts.abort {
        abort::answer(stream, from_client, max, say)
    } else if opts.close_early {
        close_early::answer(stream, from_client, max, say)
    } else {
        answer(stream, from_client, max, say)
    }
}
// ANCHOR_END: connection

/// Check the options before serving anyone.
pub fn check(opts: &Options) -> Result<(), Failure> {
    memory::check(opts)
}
