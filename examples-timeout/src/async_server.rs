//! The event-driven server: the echo of lines of `timeout-server --mode
//! echo`, byte for byte, but every connection is a task on one thread.
//! A task that waits costs no thread and no buffer: the runtime asks epoll
//! which sockets are ready and runs only their tasks. Two deadlines
//! protect it: `--idle-timeout` for a request to begin, `--request-timeout`
//! for it to end (the slowloris that sends a byte now and then). `handle`
//! is the story; the open-file limit follows it. The accept loop, with its
//! turn-away, is every async server's (`common::tasks::accept_tasks`).

use std::io;
use std::sync::Arc;

pub use common::bind;
use common::tasks::{Rules, accept_tasks, runtime};
use common::{Context, Failure, Narrator, detail, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::MAX_LINE;
use crate::server::busy;

pub use crate::options::AsyncServerOptions as Options;

// ANCHOR: serve
/// Accept clients on one thread until the process is killed (or one, with
/// `--once`): a current-thread runtime runs every connection's task here.
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let runtime = runtime()?;
    runtime.block_on(accept_loop(listener, opts.clone(), say.clone()))
}

async fn accept_loop(
    listener: std::net::TcpListener,
    opts: Options,
    say: Narrator,
) -> Result<(), Failure> {
    let rules = Rules {
        max_clients: opts.max_clients as usize,
        once: opts.once,
        busy: busy(opts.max_clients as usize),
    };
    let opts = Arc::new(opts);
    accept_tasks(listener, rules, say, move |stream, say| {
        let opts = Arc::clone(&opts);
        async move { handle(stream, &opts, &say).await }
    })
    .await
}
// ANCHOR_END: serve

// ANCHOR: handle
/// One connection: read request lines and echo each, within the deadlines.
async fn handle(
    mut stream: TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // What has arrived of the next request. It lives here, outside every
    // future a timeout may cancel, so a cancelled read loses nothing.
    let mut pending = Vec::new();
    loop {
        // Idle: no buffer, no thread. The task sleeps until epoll reports
        // the socket readable, or the idle deadline passes.
        if pending.is_empty() {
            let begin = first_bytes(&stream, &mut pending);
            match timeout(opts.idle_timeout, begin).await {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => {
                    say!(say, "the client closed the connection");
                    return Ok(());
                }
                Ok(Err(e)) => {
                    return Err(Failure::new("wait for a request", e));
                }
                Err(_) => {
                    let idle = fmt_duration(opts.idle_timeout);
                    say!(say, "idle: no request for {idle}; closing");
                    say.event("idle", &[]);
                    return Ok(());
                }
            }
        }
        // The whole request, however slowly it comes, within one deadline:
        // `timeout` bounds the future, not each read inside it.
        let read = read_line(&mut stream, &mut pending);
        let end = match timeout(opts.request_timeout, read).await {
            Ok(Ok(Some(end))) => end,
            Ok(Ok(None)) => {
                say!(say, "the client closed the connection");
                return Ok(());
            }
            Ok(Err(e)) => return Err(Failure::new("read a request", e)),
            Err(_) => {
                let (took, held) =
                    (fmt_duration(opts.request_timeout), pending.len());
                say!(
                    say,
                    "request not whole after {took} ({held} bytes): closing"
                );
                say.event("request_timeout", &[("held", &held)]);
                return Ok(());
            }
        };
        let write = stream.write_all(&pending[..end]);
        match timeout(opts.idle_timeout, write).await {
            Ok(sent) => sent.context("send the answer")?,
            Err(_) => return Err(Failure::msg("the client takes no answer")),
        }
        say!(say, "echoed {end} bytes");
        say.event("echoed", &[("bytes", &end)]);
        pending.drain(..end);
        if pending.is_empty() {
            // Give the buffer back: an idle connection holds none.
            pending = Vec::new();
        }
    }
}
// ANCHOR_END: handle

/// Wait for the first bytes of a request and put them in `pending`; false
/// if the client closed instead. Readiness is a hint, not a promise: tokio
/// starts a new socket out as ready, and a wakeup can find nothing to
/// read, so `try_read` has the last word (WouldBlock: wait again).
async fn first_bytes(
    stream: &TcpStream,
    pending: &mut Vec<u8>,
) -> io::Result<bool> {
    loop {
        stream.readable().await?;
        let mut first = [0u8; 1024];
        match stream.try_read(&mut first) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                pending.extend_from_slice(&first[..n]);
                return Ok(true);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

// ANCHOR: read_line
/// Read into `pending` until it holds a whole line; its length, newline
/// included, or `None` if the client closed between two requests.
///
/// Cancel-safe, which `timeout` needs: `read_buf` either appends what it
/// read to `pending` or reads nothing, and `pending` is the caller's.
async fn read_line(
    stream: &mut TcpStream,
    pending: &mut Vec<u8>,
) -> io::Result<Option<usize>> {
    let mut scanned = 0;
    loop {
        if let Some(at) = pending[scanned..].iter().position(|&b| b == b'\n') {
            return Ok(Some(scanned + at + 1));
        }
        scanned = pending.len();
        if scanned > MAX_LINE {
            let message =
                format!("a request line longer than {MAX_LINE} bytes");
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        pending.reserve(1024);
        if stream.read_buf(pending).await? == 0 {
            if pending.is_empty() {
                return Ok(None);
            }
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}
// ANCHOR_END: read_line

/// Make room for --max-clients sockets: raise this process's soft limit on
/// open files up to its hard limit, and say so; warn when even the hard
/// limit is too low.
pub fn raise_open_files(opts: &Options, say: &Narrator) {
    // Each client is one descriptor; a few more for the listener, stdio
    // and the runtime's epoll.
    let wanted = u64::from(opts.max_clients) + 32;
    let raised = common::raise_open_file_limit(wanted);
    if let Ok(limit) = &raised {
        let (soft, hard) = (limit.soft, limit.hard);
        say.event(
            "open_files",
            &[("soft", &soft), ("hard", &hard), ("wanted", &wanted)],
        );
    }
    match raised {
        Ok(limit) if limit.soft >= wanted => {
            detail!(
                say,
                "open files: soft limit {} (was {}), hard {}",
                limit.soft,
                limit.was,
                limit.hard
            );
        }
        Ok(limit) => common::warn(format_args!(
            "the hard limit on open files is {}: room for about {} clients, \
             not --max-clients {}; past it accept fails (EMFILE). Raise it \
             (ulimit -Hn, as root) or lower --max-clients",
            limit.hard,
            limit.soft.saturating_sub(32),
            opts.max_clients
        )),
        Err(e) => common::warn(format_args!("the open-file limit: {e}")),
    }
}
