//! The event-driven server: the echo of lines of `timeout-server --mode
//! echo`, byte for byte, but every connection is a task on one thread.
//! A task that waits costs no thread and no buffer: the runtime asks epoll
//! which sockets are ready and runs only their tasks. Two deadlines
//! protect it: `--idle-timeout` for a request to begin, `--request-timeout`
//! for it to end (the slowloris that sends a byte now and then). `handle`
//! is the story; the turn-away and the open-file limit follow it.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use common::{Context, Failure, Narrator, Slots, detail, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};

use crate::MAX_LINE;
use crate::server::busy;

pub use crate::options::AsyncServerOptions as Options;

/// A current-thread runtime with I/O and timers: every async binary of the
/// course runs all its tasks on the one thread that calls it.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("start the runtime")
}

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

/// What the accept loop admits: how many at once, whether to stop after
/// one, and what a client turned away hears.
pub struct Rules {
    /// Serve at most this many at once.
    pub max_clients: usize,
    /// Serve one client, then return.
    pub once: bool,
    /// The refusal past `max_clients`, in the lesson's own framing.
    pub busy: Vec<u8>,
}

// ANCHOR: accept_tasks
/// Accept clients and run `handle` for each as a task of this thread's
/// runtime (lesson 3's async server runs on it too).
pub async fn accept_tasks<H, F>(
    listener: std::net::TcpListener,
    rules: Rules,
    say: Narrator,
    handle: H,
) -> Result<(), Failure>
where
    H: Fn(TcpStream, Narrator) -> F,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    // tokio registers the socket with epoll; it must not block the thread.
    listener.set_nonblocking(true).context("set_nonblocking")?;
    let listener = TcpListener::from_std(listener).context("register")?;
    let slots = Slots::new(rules.max_clients);
    let busy: Arc<[u8]> = rules.busy.into();
    for id in 1u64.. {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE past the open-file limit, or a reset while queued:
                // one connection lost, not the server; the pause keeps the
                // first kind from spinning.
                say.problem(format_args!("accept: {e}"));
                sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let say = say.tagged(format_args!("#{id}"));
        say!(say, "accepted a connection from {peer}");
        say.event("accepted", &[("peer", &peer)]);
        let Some(slot) = slots.take() else {
            turn_away(stream, slots.max(), Arc::clone(&busy), &say);
            continue;
        };
        let served = handle(stream, say.clone());
        let task = async move {
            let served = served.await;
            drop(slot);
            if let Err(failure) = served {
                say.problem(failure);
            }
            say.event("done", &[]);
        };
        if rules.once {
            task.await;
            return Ok(());
        }
        // A task, not a thread: a few hundred bytes, run on this thread
        // whenever its socket is ready.
        tokio::spawn(task);
    }
    Ok(())
}
// ANCHOR_END: accept_tasks

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

/// Past --max-clients: the refusal, our FIN, and whatever the client still
/// sends, read and dropped for 100 ms at most (closing with unread bytes
/// would send RST, which can destroy the refusal). A task of its own, so
/// the accept loop never waits for it.
fn turn_away(
    mut stream: TcpStream,
    max: usize,
    busy: Arc<[u8]>,
    say: &Narrator,
) {
    say!(say, "turned away: {max} clients already (--max-clients)");
    say.event("turned_away", &[("max", &max)]);
    let linger = async move {
        stream.write_all(&busy).await?;
        stream.shutdown().await?;
        let (mut sink, mut drained) = ([0u8; 4096], 0);
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        io::Result::Ok(())
    };
    tokio::spawn(async move {
        // Errors and the time limit end it the same way: with the close.
        let _ = timeout(Duration::from_millis(100), linger).await;
    });
}

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
