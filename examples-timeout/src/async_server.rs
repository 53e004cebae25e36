//! The event-driven server: the echo of lines of `timeout-server --mode
//! echo`, byte for byte, but every connection is a task on one thread.
//! A task that waits costs no thread and no buffer: the runtime asks epoll
//! which sockets are ready and runs only their tasks. Two deadlines
//! protect it: `--idle-timeout` for a request to begin, `--request-timeout`
//! for it to end (the slowloris that sends a byte now and then). [`echo`]
//! is the story; the open-file limit follows it. The accept loop, with its
//! turn-away, is every async server's (`common::tasks::accept_tasks`).

use std::io;
use std::time::Duration;

pub use common::bind;
use common::tasks::{Rules, accept_tasks, runtime};
use common::{Context, Failure, Narrator, detail, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::MAX_LINE;
use crate::server::busy;
use common::room::wait_for_client_async;

pub use crate::options::AsyncServerOptions as Options;

// ANCHOR: story
/// One connection: echo each request line. A request must begin within
/// `idle` and end within `request_timeout`: two deadlines, one future each.
pub async fn echo(
    mut stream: TcpStream,
    idle: Duration,
    request_timeout: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    // What has arrived of the next request. It lives here, outside every
    // future a timeout may cancel, so a cancelled read loses nothing.
    let mut pending = Vec::new();
    loop {
        // Idle: no buffer, no thread. The task sleeps until epoll reports
        // the socket readable, or `idle` passes.
        if pending.is_empty() {
            match timeout(idle, first_bytes(&stream, &mut pending)).await {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => return closed(say),
                Ok(Err(e)) => {
                    return Err(Failure::new("wait for a request", e));
                }
                Err(_) => return idle_out(idle, say),
            }
        }
        // The whole request, however slowly it comes, within one deadline:
        // `timeout` bounds the future, not each read inside it.
        let read = read_line(&mut stream, &mut pending);
        let end = match timeout(request_timeout, read).await {
            Ok(Ok(Some(end))) => end,
            Ok(Ok(None)) => return closed(say),
            Ok(Err(e)) => return Err(Failure::new("read a request", e)),
            Err(_) => return too_slow(request_timeout, &pending, say),
        };
        let sent = timeout(idle, stream.write_all(&pending[..end])).await;
        sent.map_err(|_| no_answer())?.context("send the answer")?;
        say!(say, echoed(bytes = end), "echoed {bytes} bytes");
        pending.drain(..end);
        if pending.is_empty() {
            pending = Vec::new(); // an idle connection holds no buffer
        }
    }
}
// ANCHOR_END: story

// ANCHOR: serve
/// Accept clients on one thread until the process is killed (or one, with
/// `--once`): a current-thread runtime runs every connection's task here,
/// each the story.
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let rules = Rules {
        max_clients: opts.max_clients as usize,
        when_full: opts.when_full,
        once: opts.once,
        busy: busy(opts.max_clients as usize),
    };
    let (idle, whole) = (opts.idle_timeout, opts.request_timeout);
    let tasks = accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| async move { echo(stream, idle, whole, &say).await },
    );
    runtime()?.block_on(tasks)
}
// ANCHOR_END: serve

/// The client closed the connection, between two requests.
fn closed(say: &Narrator) -> Result<(), Failure> {
    say!(say, "the client closed the connection");
    Ok(())
}

/// No request began within `idle`.
fn idle_out(idle: Duration, say: &Narrator) -> Result<(), Failure> {
    let idle = fmt_duration(idle);
    say!(say, idle(), "idle: no request for {idle}; closing");
    Ok(())
}

/// A request began, and did not end within `limit`.
fn too_slow(
    limit: Duration,
    pending: &[u8],
    say: &Narrator,
) -> Result<(), Failure> {
    let (took, held) = (fmt_duration(limit), pending.len());
    say!(
        say,
        request_timeout(held),
        "request not whole after {took} ({held} bytes): closing"
    );
    Ok(())
}

/// The answer could not be sent within `idle`.
fn no_answer() -> Failure {
    Failure::msg("the client takes no answer")
}

/// Wait for the first bytes of a request and put them in `pending`; false
/// if the client closed instead. Readiness is a hint, not a promise: tokio
/// starts a new socket out as ready, and a wakeup can find nothing to
/// read, so `try_read` has the last word (WouldBlock: wait again).
async fn first_bytes(
    stream: &TcpStream,
    pending: &mut Vec<u8>,
) -> io::Result<bool> {
    loop {
        // Waiting on the client: a full server may evict this one.
        wait_for_client_async(stream.readable()).await?;
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
/// included (or the last line's, which the client's FIN ended), or `None`
/// if the client closed between two requests.
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
        if wait_for_client_async(stream.read_buf(pending)).await? == 0 {
            // The client's FIN: a last line without its newline is still a
            // line, as the blocking server's read_until has it.
            return Ok((!pending.is_empty()).then_some(pending.len()));
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
