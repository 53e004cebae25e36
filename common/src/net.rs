//! The sockets every server of the course opens the same way. Each idea
//! is taught by one lesson, whose chapter shows this code; the other
//! lessons call it here rather than reach into that lesson's crate.

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use crate::{Context, Failure, HostPort, Narrator, fmt_duration, say};

/// How many connections the kernel may hold for `accept` (lesson 1's
/// hardening, the chapter "Half-open sockets"). A crowd connects
/// faster than the accept loop takes them; with std's 128, a SYN that finds
/// the queue full is dropped, and its client retries only after 1 s, then
/// 3 s. Linux caps it at `net.core.somaxconn` (4096 by default).
pub const BACKLOG: i32 = 4096;

/// Bind the listening socket of every TCP server of the course: what std's
/// `TcpListener::bind` does, but with [`BACKLOG`] where std always asks for
/// 128. SO_REUSEADDR (std sets it on Unix too) lets a restarted server bind
/// its port again while connections of the previous run wait out
/// TIME_WAIT; it does not let two servers listen on one port: the second
/// still gets AddrInUse.
pub fn bind(addr: &HostPort) -> Result<std::net::TcpListener, Failure> {
    let mut last = None;
    for at in addr.resolve()? {
        let socket = Socket::new(Domain::for_address(at), Type::STREAM, None)
            .context("socket")?;
        #[cfg(unix)]
        socket.set_reuse_address(true).context("SO_REUSEADDR")?;
        match socket
            .bind(&at.into())
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| io::Error::other("no address to bind"));
    Err(Failure::new(format!("bind {addr}"), e))
}

/// True when `err` is what a blocking socket returns once its read or write
/// timeout has passed (lesson 2, the chapter "Timeouts", section 1).
///
/// The same event has two spellings. On Unix, `set_read_timeout` sets
/// `SO_RCVTIMEO`, and a read that waits that long fails with `EAGAIN`
/// (`EWOULDBLOCK`), which Rust calls [`io::ErrorKind::WouldBlock`]: the
/// kernel reuses the "nothing available yet" error of non-blocking sockets.
/// Windows reports `WSAETIMEDOUT`, which Rust calls
/// [`io::ErrorKind::TimedOut`]. Code that checks for only one of them works
/// on one platform and misreads the other. (On a socket in non-blocking
/// mode `WouldBlock` means "not ready", not "timed out": this helper is for
/// blocking sockets with a timeout.)
///
/// The converse trap: on Unix, `TimedOut` from a read or write is
/// `ETIMEDOUT`, the kernel's verdict that the *connection* is dead
/// (keepalive probes, or retransmissions of our data, went unanswered).
/// Treating that as "no data yet, try again" would read a dead socket for
/// ever, so on Unix this helper says no to it.
///
/// ```
/// use std::io;
/// use common::is_timeout;
/// assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
/// // A dead connection on Unix, a read timeout on Windows.
/// let timed_out = io::Error::from(io::ErrorKind::TimedOut);
/// assert_eq!(is_timeout(&timed_out), cfg!(windows));
/// assert!(!is_timeout(&io::Error::from(io::ErrorKind::ConnectionReset)));
/// ```
// ANCHOR: is_timeout
pub fn is_timeout(err: &io::Error) -> bool {
    match err.kind() {
        io::ErrorKind::WouldBlock => true,
        // Windows' read timeout; on Unix, ETIMEDOUT: the connection is dead.
        io::ErrorKind::TimedOut => cfg!(windows),
        _ => false,
    }
}
// ANCHOR_END: is_timeout

// ANCHOR: shutdown_or_closed
/// `stream.shutdown(how)`, where NotConnected counts as "already done"
/// (lesson 1, the chapter "Half-open sockets").
///
/// Shutting down a direction twice is harmless on Linux while the connection
/// is still open, but once both FINs have been exchanged the socket is in
/// state CLOSED and `shutdown` fails with NotConnected (ENOTCONN); macOS says
/// NotConnected as soon as the peer's FIN has arrived. Code that shuts down
/// defensively (a watchdog, a cleanup path) meets this whenever the peer was
/// quicker than it, and there is nothing left to do then: the connection is
/// already as closed as `shutdown` would make it.
pub fn shutdown_or_closed(stream: &TcpStream, how: Shutdown) -> io::Result<()> {
    match stream.shutdown(how) {
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
        other => other,
    }
}
// ANCHOR_END: shutdown_or_closed

/// How long the lingering close keeps draining a refused request before it
/// closes anyway. It only needs to outlast what the client had in flight.
pub const LINGER_LIMIT: Duration = Duration::from_secs(2);

// ANCHOR: lingering_close
/// Close after answering early without losing the answer (lesson 1, the
/// chapter "Half-open sockets", section 8): send FIN after
/// it, then read and discard whatever the client still sends, until its
/// FIN or [`LINGER_LIMIT`], so that nothing is left unread at the close.
pub fn lingering_close(
    mut stream: &TcpStream,
    say: &Narrator,
) -> Result<(), Failure> {
    shutdown_or_closed(stream, Shutdown::Write).context("shutdown(Write)")?;
    let deadline = Instant::now() + LINGER_LIMIT;
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            say!(
                say,
                drained(bytes = drained, end = "limit"),
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
            // The read timeout: the deadline is checked at the loop's top.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(Failure::new("drain the refused request", e)),
        }
    }
    say!(
        say,
        drained(bytes = drained, end = "eof"),
        "FIN sent, drained {bytes} bytes to the client's FIN: no RST"
    );
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: lingering_close

/// Run `call` again while it fails with EINTR. On Linux a blocking socket
/// call with a timeout (SO_RCVTIMEO, SO_SNDTIMEO) fails with EINTR when a
/// signal arrives, even a stop and a continue, whatever SA_RESTART says
/// (signal(7)); std's `read_exact` and `read_until` retry it, a bare
/// `read` or `recv` does not. Lesson 2 teaches the timeouts that bring it.
pub fn uninterrupted<T>(
    mut call: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    loop {
        match call() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            done => return done,
        }
    }
}
