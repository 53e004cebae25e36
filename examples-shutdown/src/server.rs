//! The server: reads each request until the client's FIN, answers on the
//! half of the connection that is still open, and closes without losing the
//! answer.
//!
//! One thread per connection, so one slow or broken client never holds up
//! another; a failure is logged for its connection and the server goes on.
//! Every read has a timeout and every connection a time limit, so nothing a
//! client does can hold a thread forever.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use common::args::{parse_size, parse_timeout};
use common::{
    Context, Failure, HostPort, Narrator, Slots, fmt_duration, is_timeout, say, turn_away,
};

use crate::{busy, refusal, reply_to, shutdown_or_closed};

/// How the server behaves. Each field is also a command-line flag of
/// `shutdown-server`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,

    /// Refuse requests longer than this (the server never holds more).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_request: usize,

    /// Give up on a client that sends nothing for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// End any connection still open after this long (the watchdog).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "60s")]
    pub max_time: Duration,

    /// Wait this long before reading each request, like a busy server.
    #[arg(long, value_name = "DURATION", value_parser = common::args::parse_duration, allow_hyphen_values = true)]
    pub read_delay: Option<Duration>,

    /// Serve at most this many clients at once; turn more away politely.
    #[arg(long, value_name = "N", default_value = "256")]
    pub max_clients: usize,

    /// Wrong on purpose: after refusing a request, close at once with its
    /// rest unread, so the kernel sends RST.
    #[arg(long)]
    pub close_early: bool,

    /// Wrong on purpose: the watchdog drops its handle instead of calling
    /// shutdown, which ends nothing.
    #[arg(long)]
    pub watchdog_drop: bool,
}

impl Default for Options {
    /// The defaults of `shutdown-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// How long the lingering close keeps draining a refused request before it
/// closes anyway. It only needs to outlast what the client had in flight.
pub const LINGER_LIMIT: Duration = Duration::from_secs(2);

/// Bind the listening socket.
///
/// std's `TcpListener::bind` sets SO_REUSEADDR on Unix before binding, so a
/// restarted server can bind its port again while connections of the previous
/// run wait out TIME_WAIT. It does not let two servers listen on one port:
/// the second still gets AddrInUse.
pub fn bind(addr: &HostPort) -> Result<TcpListener, Failure> {
    let addrs = addr.resolve()?;
    TcpListener::bind(&addrs[..]).with_context(|| format!("bind {addr}"))
}

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`), each
/// on a thread of its own.
pub fn serve(listener: TcpListener, opts: &Options, say: &Narrator) -> Result<(), Failure> {
    let opts = Arc::new(opts.clone());
    let slots = Slots::new(opts.max_clients);
    for id in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                // accept can fail for one connection (it was reset while
                // queued) or for a while (out of file descriptors). Neither
                // is a reason to stop serving; the pause keeps the second
                // kind from spinning.
                say.problem(format_args!("accept: {e}"));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let say = say.tagged(format_args!("#{id}"));
        say!(say, "accepted a connection from {peer}");
        if opts.once {
            return handle(stream, &opts, &say);
        }
        // A thread per client, but not without limit: past --max-clients a
        // client is told so and closed, instead of costing a thread.
        let Some(slot) = slots.take() else {
            say!(
                say,
                "turned away: {} clients already (--max-clients)",
                slots.max()
            );
            turn_away(stream, &busy(slots.max()));
            continue;
        };
        let (opts, conn_say) = (Arc::clone(&opts), say.clone());
        let worker = thread::Builder::new().name(format!("conn-{id}"));
        let spawned = worker.spawn(move || {
            let _slot = slot;
            if let Err(failure) = handle(stream, &opts, &conn_say) {
                conn_say.problem(failure);
            }
        });
        if let Err(e) = spawned {
            // The connection's socket went down with the closure: the client
            // sees it closed. Everyone else is still served.
            say.problem(format_args!(
                "cannot start a thread for this connection: {e}"
            ));
        }
    }
    Ok(())
}
// ANCHOR_END: serve

/// One connection, from accept to close.
fn handle(mut stream: TcpStream, opts: &Options, say: &Narrator) -> Result<(), Failure> {
    // ANCHOR: idle_timeout
    // Without timeouts a read blocks for as long as the client stays silent,
    // and a write for as long as it does not read: either way one client
    // would own this thread forever.
    stream
        .set_read_timeout(Some(opts.idle_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.idle_timeout))
        .context("set_write_timeout")?;
    // ANCHOR_END: idle_timeout
    let watchdog = Watchdog::start(&stream, opts, say)?;

    if let Some(delay) = opts.read_delay {
        say!(say, "busy: not reading for {}", fmt_duration(delay));
        thread::sleep(delay);
    }

    // ANCHOR: read_request
    // Read until read() returns 0: the client's FIN, sent by its
    // shutdown(Write), is the only end-of-request marker this protocol has.
    // One byte past the limit is enough to know a request is too long; the
    // server never holds more than that.
    let mut request = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let end = loop {
        let room = (opts.max_request.saturating_add(1) - request.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => break End::Eof,
            Ok(n) => {
                request.extend_from_slice(&chunk[..n]);
                common::detail!(say, "read() returned {n} bytes");
                if request.len() > opts.max_request {
                    break End::TooLong;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                return Err(Failure::msg(format!(
                    "no data from the client for {} after {} bytes; closing",
                    fmt_duration(opts.idle_timeout),
                    request.len()
                )));
            }
            Err(e) => {
                return Err(Failure::new(
                    format!("read request after {} bytes", request.len()),
                    e,
                ));
            }
        }
    };
    // ANCHOR_END: read_request

    if watchdog.fired() {
        // read() returned 0 (or failed) because the watchdog shut the
        // connection down, not because the client finished.
        say!(say, "the watchdog ended the connection; no reply");
        return Ok(());
    }
    match end {
        End::Eof => {
            say!(
                say,
                "read {} bytes, then read() returned 0: the client's FIN, the request is complete",
                request.len()
            );
            reply(&stream, &request, say)
        }
        End::TooLong => refuse(&stream, opts, say),
    }
}

/// Why the request loop stopped.
enum End {
    /// read() returned 0: the client's FIN.
    Eof,
    /// The request passed `--max-request`.
    TooLong,
}

// ANCHOR: reply
fn reply(mut stream: &TcpStream, request: &[u8], say: &Narrator) -> Result<(), Failure> {
    let reply = reply_to(request);
    // One write_all: a short write is retried until every byte is queued.
    // A client that vanished makes this fail with BrokenPipe or
    // ConnectionReset, an error for this connection only: Rust ignores
    // SIGPIPE, so the process is not killed for it.
    stream.write_all(&reply).context("send the reply")?;
    // Our FIN goes out after the reply; the client's read() returns 0 once
    // it has read all of it. Say so explicitly rather than relying on the
    // close at the end of `handle`: while the watchdog holds its clone of
    // this socket, dropping our handle would not close anything.
    match stream.shutdown(Shutdown::Write) {
        Ok(()) => {}
        // The client's kernel answered the reply with RST: the client had
        // closed its socket (it gave up, or crashed), and the reply is lost.
        // The reset itself is kept as the socket's pending error.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
            let reset = stream.take_error().ok().flatten().unwrap_or(e);
            return Err(Failure::new(
                "the reply was not delivered: the client reset the connection",
                reset,
            ));
        }
        Err(e) => return Err(Failure::new("shutdown(Write)", e)),
    }
    say!(
        say,
        "sent a {}-byte reply, then shutdown(Write): our FIN follows it",
        reply.len()
    );
    Ok(())
}
// ANCHOR_END: reply

fn refuse(mut stream: &TcpStream, opts: &Options, say: &Narrator) -> Result<(), Failure> {
    say!(
        say,
        "the request passed {} bytes: refusing it without reading the rest",
        opts.max_request
    );
    stream
        .write_all(&refusal(opts.max_request))
        .context("send the refusal")?;
    // ANCHOR: close_early
    if opts.close_early {
        // Wrong on purpose. Closing a socket whose receive buffer still holds
        // unread bytes makes the kernel send RST instead of FIN (RFC 2525,
        // 2.17): the data would be lost, so it tells the peer at once. The
        // client then sees ConnectionReset instead of a clean end of the
        // reply, and may lose the reply itself.
        say!(
            say,
            "--close-early: closing with the request's rest unread (the kernel sends RST)"
        );
        return Ok(());
    }
    // ANCHOR_END: close_early
    lingering_close(stream, say)
}

// ANCHOR: lingering_close
/// Close after answering early without losing the answer: send FIN after it,
/// then read and discard whatever the client still sends, until its FIN or
/// [`LINGER_LIMIT`], so that nothing is left unread when the socket closes.
fn lingering_close(mut stream: &TcpStream, say: &Narrator) -> Result<(), Failure> {
    shutdown_or_closed(stream, Shutdown::Write).context("shutdown(Write)")?;
    let deadline = Instant::now() + LINGER_LIMIT;
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            say!(
                say,
                "still receiving after {}: closing anyway",
                fmt_duration(LINGER_LIMIT)
            );
            return Ok(());
        }
        stream
            .set_read_timeout(Some(left))
            .context("set_read_timeout")?;
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {}
            Err(e) => return Err(Failure::new("drain the refused request", e)),
        }
    }
    say!(
        say,
        "sent FIN after the refusal, drained {drained} more bytes until the client's FIN; \
         nothing is left unread, so closing sends no RST"
    );
    Ok(())
}
// ANCHOR_END: lingering_close

// ANCHOR: watchdog
/// Ends a connection that is still open after `--max-time`, from a thread of
/// its own, through a second handle to the same socket.
struct Watchdog {
    // Dropped when `handle` returns: the watchdog thread wakes up and drops
    // its handle too.
    _done: mpsc::Sender<()>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    fn start(stream: &TcpStream, opts: &Options, say: &Narrator) -> Result<Watchdog, Failure> {
        // try_clone gives a second handle (a dup'ed file descriptor) to the
        // *same* socket. Closing one handle closes nothing while another
        // lives; shutdown through either acts on the connection itself, for
        // every handle, and wakes a thread blocked in read() on any of them.
        let handle = stream.try_clone().context("try_clone")?;
        let (done, finished) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&fired);
        let (limit, wrong, say) = (opts.max_time, opts.watchdog_drop, say.clone());
        let watch = move || {
            if finished.recv_timeout(limit) != Err(RecvTimeoutError::Timeout) {
                return; // the connection ended in time; `handle` is dropped here
            }
            if wrong {
                say!(
                    say,
                    "watchdog: open for {}; --watchdog-drop drops its handle, \
                     which closes nothing: the other handle keeps the connection open",
                    fmt_duration(limit)
                );
                drop(handle);
                return;
            }
            say!(
                say,
                "watchdog: open for {}; shutdown(Both) ends the connection \
                 and wakes the thread blocked in read()",
                fmt_duration(limit)
            );
            // Set before the shutdown, so the woken thread sees it.
            flag.store(true, Ordering::SeqCst);
            if let Err(e) = shutdown_or_closed(&handle, Shutdown::Both) {
                say.problem(format_args!("watchdog: shutdown(Both): {e}"));
            }
        };
        thread::Builder::new()
            .name("watchdog".into())
            .spawn(watch)
            .context("start the watchdog thread")?;
        Ok(Watchdog { _done: done, fired })
    }

    /// True once the watchdog has shut the connection down.
    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: watchdog
