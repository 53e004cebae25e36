//! The async server: `shutdown-server`'s protocol on tokio, every
//! connection a task on one thread. It reads each request until the
//! client's FIN and answers with `shutdown().await` after the reply, as the
//! blocking server does with `shutdown(Write)`. Where it differs: there is
//! no watchdog thread, because a deadline around the connection's future
//! ends a read blocked on a silent client by dropping it. `handle` is the
//! story; refusals and the lingering close are in `async_server/refuse.rs`,
//! the accept loop every async server of the course shares in
//! `async_server/tasks.rs`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use common::{Budget, Failure, Narrator, Share, detail, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::server::memory::{CHUNK, FIRST, check_sizes, room_for};
use crate::{busy, reply_to};

mod refuse; // --max-request, --max-memory, and --close-early

pub use crate::options::AsyncServerOptions as Options;
pub use crate::server::bind;
use common::tasks::{Rules, accept_tasks, runtime};

/// Accept clients on one thread until the process is killed (or one, with
/// `--once`).
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check_sizes(opts.max_request, opts.max_memory)?;
    let max = opts.max_clients as usize;
    let rules = Rules {
        max_clients: max,
        once: opts.once,
        busy: busy(max),
    };
    let (opts, budget) = (Arc::new(opts.clone()), Budget::new(opts.max_memory));
    runtime()?.block_on(accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| {
            let (opts, budget) = (Arc::clone(&opts), budget.clone());
            async move { handle(stream, &opts, &budget, &say).await }
        },
    ))
}

// ANCHOR: handle
/// One connection, from accept to close, within --max-time.
async fn handle(
    stream: TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    // The blocking server's watchdog is a thread that calls shutdown(Both)
    // to wake a read blocked on a silent client. Here one deadline does it:
    // when it passes, `timeout` drops `exchange` wherever it waits, and
    // the socket, owned by it, is closed: the client gets our FIN.
    match timeout(opts.max_time, exchange(stream, opts, budget, say)).await {
        Ok(done) => done,
        Err(_) => {
            let max = common::fmt_duration(opts.max_time);
            let what = "the read cancelled, the socket dropped: our FIN";
            say!(say, "--max-time {max}: {what}");
            say.event("ended", &[("why", &"max_time")]);
            Ok(())
        }
    }
}

async fn exchange(
    mut stream: TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    // HARDENING: this connection's room in --max-memory.
    let Ok(mut share) = budget.take(FIRST, Duration::ZERO) else {
        return refuse::no_memory(stream, budget, say).await;
    };
    let request = match read_request(&mut stream, opts, &mut share, say).await {
        Ok(Some(request)) => request,
        Ok(None) => return refuse::too_long(stream, opts, say).await,
        Err(Short::Memory) => {
            return refuse::no_memory(stream, budget, say).await;
        }
        Err(Short::Read(e)) => return Err(e),
    };
    let got = request.len();
    say!(say, "read {got} bytes, then read() = 0: the client's FIN");
    let reply = reply_to(&request);
    if let Err(e) = stream.write_all(&reply).await {
        return Err(crate::server::gone::reply_failed(e, say)); // HARDENING
    }
    say.event("reply", &[("bytes", &reply.len())]);
    // tokio's shutdown() flushes what it buffered (a TcpStream buffers
    // nothing), then calls shutdown(Write): our FIN after the reply. It is
    // the only shutdown tokio offers; the async client shows the other.
    match stream.shutdown().await {
        Ok(()) => {}
        // The client's kernel answered the reply with RST before this.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
            let reset = stream.take_error().ok().flatten().unwrap_or(e);
            return Err(crate::server::gone::reply_failed(reset, say));
        }
        Err(e) => return Err(Failure::new("shutdown()", e)),
    }
    let n = reply.len();
    say!(say, "sent a {n}-byte reply, then shutdown(): our FIN");
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: handle

// ANCHOR: read_request
/// Read until read() returns 0, the client's FIN; `None` one byte past
/// --max-request. Each read waits --idle-timeout at most.
async fn read_request(
    stream: &mut TcpStream,
    opts: &Options,
    share: &mut Share,
    say: &Narrator,
) -> Result<Option<Vec<u8>>, Short> {
    let limit = opts.max_request + 1;
    let mut request = Vec::new();
    let end = loop {
        // HARDENING: past its first chunk, a request needs room for the
        // largest request and its reply; without it, it is refused.
        let room = if request.len() < CHUNK { CHUNK } else { limit };
        let whole = room_for(opts.max_request);
        if room > CHUNK && share.bytes() < whole {
            if share.grow_to(whole, Duration::ZERO).is_err() {
                break End::Memory;
            }
            say.event("memory", &[("held", &share.bytes())]);
        }
        request.reserve_exact(room.min(limit) - request.len());
        // `take` keeps the read from passing the limit; `read_buf` fills
        // the Vec's spare room, or, cancelled by the timeout, reads nothing.
        let want = (limit - request.len()) as u64;
        let mut unread = (&mut *stream).take(want);
        match timeout(opts.idle_timeout, unread.read_buf(&mut request)).await {
            Ok(Ok(0)) => break End::Fin,
            Ok(Ok(n)) => {
                detail!(say, "read() returned {n} bytes");
                say.event("read", &[("bytes", &n)]);
                if request.len() == limit {
                    break End::TooLong;
                }
            }
            Ok(Err(e)) => break End::Failed(e),
            Err(_) => break End::Idle,
        }
    };
    let got = request.len();
    say.event("request_end", &[("bytes", &got), ("end", &end.name())]);
    match end {
        End::Fin => Ok(Some(request)),
        End::TooLong => Ok(None),
        End::Memory => Err(Short::Memory),
        End::Idle => {
            let idle = common::fmt_duration(opts.idle_timeout);
            Err(Short::Read(Failure::msg(format!(
                "no data from the client for {idle} after {got} bytes"
            ))))
        }
        End::Failed(e) => {
            let why = format!("read request after {got} bytes");
            Err(Short::Read(Failure::new(why, e)))
        }
    }
}
// ANCHOR_END: read_request

/// Why the request loop stopped.
enum End {
    Fin,
    TooLong,
    Memory,
    Idle,
    Failed(io::Error),
}

impl End {
    /// The `end=` of the `request_end` event, as the blocking server's.
    fn name(&self) -> String {
        match self {
            End::Fin => "eof".into(),
            End::TooLong => "too_long".into(),
            End::Memory => "memory".into(),
            End::Idle => "timeout".into(),
            End::Failed(e) => format!("{:?}", e.kind()),
        }
    }
}

/// Why a request was not read whole.
enum Short {
    /// No room for it in --max-memory.
    Memory,
    /// The read failed or timed out.
    Read(Failure),
}
