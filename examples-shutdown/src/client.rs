//! The client: sends a request, shuts down its write half so the server
//! knows the request is complete, and reads the reply until the server's FIN.
//!
//! The flags each show one more thing `shutdown` does, or what goes wrong
//! without it; each is a test in `tests/`.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::args::parse_timeout;
use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, is_timeout, say};

use crate::Reply;

/// What the client does besides the plain exchange. Each field is also a
/// flag of `shutdown-client`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Never call shutdown(Write): the server cannot know the request is
    /// complete, and both sides wait (until --read-timeout).
    #[arg(long)]
    pub no_shutdown: bool,

    /// After shutdown(Write), try to write once more (it fails: BrokenPipe).
    #[arg(long)]
    pub write_after_shutdown: bool,

    /// Call shutdown(Read) before sending, and see what read() does after
    /// it, and what becomes of the server's data.
    #[arg(long)]
    pub shutdown_read: bool,

    /// Call shutdown(Write) again at once, and once more after the server's FIN.
    #[arg(long, conflicts_with = "no_shutdown")]
    pub repeat_shutdown: bool,

    /// Give up when a read or write waits this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub read_timeout: Duration,
}

impl Default for Options {
    /// The defaults of `shutdown-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// What the client saw: the reply for the binary to print, and the
/// observations the tour and the tests check.
#[derive(Debug, Default)]
pub struct Seen {
    /// The server's whole reply.
    pub reply: Vec<u8>,
    /// How long `shutdown(Write)` took to return.
    pub shutdown_took: Option<Duration>,
    /// Bytes still unsent or unacknowledged when it returned (Linux only).
    pub unsent_at_shutdown: Option<usize>,
    /// What a write after `shutdown(Write)` got (`--write-after-shutdown`).
    pub late_write: Option<Result<usize, io::ErrorKind>>,
    /// What `shutdown(Write)` got when repeated at once, then after both
    /// FINs (`--repeat-shutdown`).
    pub repeated: Vec<Result<(), io::ErrorKind>>,
}

/// Connect to `addr`, send `request`, and read the server's whole reply.
pub fn run(
    addr: &HostPort,
    request: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let mut seen = Seen::default();
    // ANCHOR: connect
    // A name may stand for several addresses (IPv6 and IPv4 for
    // localhost); connect tries each in turn.
    let addrs = addr.resolve()?;
    let mut stream =
        TcpStream::connect(&addrs[..]).with_context(|| format!("connect to {addr}"))?;
    say!(
        say,
        "connected to {} from {}",
        stream.peer_addr().context("peer_addr")?,
        stream.local_addr().context("local_addr")?
    );
    // A server that never answers (or never reads) must not hang us: every
    // read and every write gives up after this long.
    stream
        .set_read_timeout(Some(opts.read_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.read_timeout))
        .context("set_write_timeout")?;
    // ANCHOR_END: connect

    if opts.shutdown_read {
        seen.reply = shutdown_read_first(&stream, request, opts, say)?;
        check(&seen.reply, request, say)?;
        return Ok(seen);
    }

    // ANCHOR: send
    if let Err(e) = stream.write_all(request) {
        return Err(sending_failed(&stream, e, say));
    }
    say!(say, "sent {} bytes", request.len());
    // ANCHOR_END: send

    if opts.no_shutdown {
        say!(
            say,
            "--no-shutdown: not calling shutdown(Write), so the server cannot tell \
             that the request is complete"
        );
    } else {
        // ANCHOR: half_close
        // Half-close: the kernel queues our FIN behind the request, and the
        // server's read() returns 0 once it has read every byte before it.
        // That 0 is how the server knows the request is complete. Our read
        // half stays open: the reply can still come in.
        let started = Instant::now();
        match stream.shutdown(Shutdown::Write) {
            Ok(()) => {}
            // The server already closed the connection (it answered early,
            // or turned us away): nothing is left to shut down, and its
            // answer may be waiting to be read.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                say!(
                    say,
                    "shutdown(Write): {e}: the server has closed already; reading what it said"
                );
            }
            Err(e) => return Err(Failure::new("shutdown(Write)", e)),
        }
        let took = started.elapsed();
        // ANCHOR_END: half_close
        say!(
            say,
            "shutdown(Write) returned after {}: our FIN follows the request, and we can still read",
            fmt_duration(took)
        );
        seen.shutdown_took = Some(took);
        // The count includes the FIN, which takes one byte of sequence
        // space; while any data is unacknowledged, so is the FIN behind it.
        seen.unsent_at_shutdown = unacknowledged(&stream).map(|n| n.saturating_sub(1));
        match seen.unsent_at_shutdown {
            Some(0) => detail!(
                say,
                "the server's kernel had already acknowledged every byte"
            ),
            Some(unsent) => say!(
                say,
                "{unsent} bytes of the request were not yet delivered: shutdown(Write) did not wait for them"
            ),
            None => {}
        }
    }

    if opts.write_after_shutdown {
        seen.late_write = Some(write_after_shutdown(&stream, say));
    }
    if opts.repeat_shutdown {
        // ANCHOR: repeat_shutdown
        // The server's FIN cannot have come yet unless it has already read
        // our request and replied; until then a repeat finds an open
        // connection and changes nothing.
        let again = stream.shutdown(Shutdown::Write);
        match &again {
            Ok(()) => say!(
                say,
                "shutdown(Write) again: Ok, a repeat is harmless while the server's FIN is still to come"
            ),
            Err(e) => say!(say, "shutdown(Write) again: {e}"),
        }
        seen.repeated.push(again.map_err(|e| e.kind()));
        // ANCHOR_END: repeat_shutdown
    }

    seen.reply = read_reply(&stream, request.len(), opts, say)?;

    if opts.repeat_shutdown {
        // ANCHOR: repeat_after_close
        // Both FINs are exchanged now (we read the server's, and its reply
        // acknowledged ours): the socket is CLOSED, and Linux answers
        // NotConnected. `shutdown_or_closed` is how defensive code reads that.
        let late = stream.shutdown(Shutdown::Write);
        match &late {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => say!(
                say,
                "shutdown(Write) after both FINs: {e}; nothing is left to shut down, \
                 so code that shuts down defensively treats NotConnected as done"
            ),
            Ok(()) => say!(say, "shutdown(Write) after both FINs: Ok on this platform"),
            Err(e) => say!(say, "shutdown(Write) after both FINs: {e}"),
        }
        seen.repeated.push(late.map_err(|e| e.kind()));
        // ANCHOR_END: repeat_after_close
    }
    check(&seen.reply, request, say)?;
    Ok(seen)
}

// ANCHOR: read_reply
/// Read until the server's FIN. The reply is the request plus one header
/// line, so a server that sends more than that is not this protocol's, and
/// we stop rather than buffer without bound.
fn read_reply(
    mut stream: &TcpStream,
    sent: usize,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let limit = sent.saturating_add(MAX_HEADER);
    let mut reply = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) if reply.is_empty() => {
                say!(
                    say,
                    "read() returned 0 before any reply: the server closed without answering"
                );
                return Ok(reply);
            }
            Ok(0) => {
                say!(
                    say,
                    "read {} bytes, then read() returned 0: the server's FIN, the reply is complete",
                    reply.len()
                );
                return Ok(reply);
            }
            Ok(n) => {
                detail!(say, "read() returned {n} bytes");
                reply.extend_from_slice(&chunk[..n]);
                if reply.len() > limit {
                    return Err(Failure::msg(format!(
                        "the reply passed {limit} bytes, more than this protocol sends; giving up"
                    )));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => return Err(no_reply(opts, reply.len(), say)),
            Err(e) => return Err(read_failed(e, reply.len(), say)),
        }
    }
}
// ANCHOR_END: read_reply

/// The longest header line a reply of this protocol starts with.
const MAX_HEADER: usize = 128;

fn no_reply(opts: &Options, got: usize, say: &Narrator) -> Failure {
    let waited = fmt_duration(opts.read_timeout);
    if opts.no_shutdown && got == 0 {
        say!(
            say,
            "no data for {waited}: the server is waiting for the end of our request, \
             and we are waiting for its reply"
        );
        return Failure::msg(format!("no reply within {waited}")).with_hint(
            "deadlock: without shutdown(Write) or a length, the server cannot know the request \
             is over. Run without --no-shutdown",
        );
    }
    say!(say, "no data for {waited}, {got} bytes into the reply");
    Failure::msg(format!(
        "no data from the server for {waited}, {got} bytes into the reply"
    ))
    .with_hint("the server may be stuck or overloaded; --read-timeout waits longer")
}

fn read_failed(e: io::Error, got: usize, say: &Narrator) -> Failure {
    if e.kind() == io::ErrorKind::ConnectionReset {
        say!(
            say,
            "read() failed after {got} bytes of reply: {e}; the server's kernel sent RST, not FIN"
        );
        return Failure::new(format!("read the reply after {got} bytes"), e).with_hint(
            "most likely the server closed its socket with part of our request unread, so its \
             kernel reset the connection; whatever came before the reset may be incomplete",
        );
    }
    Failure::new(format!("read the reply after {got} bytes"), e)
}

/// A write of the request failed. The usual cause is a server that answered
/// and closed before reading all of it (a refusal); its answer may be
/// waiting in our receive buffer, so read what is there before reporting.
fn sending_failed(stream: &TcpStream, e: io::Error, say: &Narrator) -> Failure {
    say!(say, "sending failed: {e}");
    let mut said = Vec::new();
    // The connection is dead; read only what has already arrived.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = stream.take(MAX_HEADER as u64).read_to_end(&mut said);
    let failure = Failure::new("send the request", e);
    match Reply::parse(&said) {
        Reply::Refused(reason) => {
            failure.with_hint(format!("before closing, the server said: {reason}"))
        }
        _ => failure,
    }
}

// ANCHOR: check
/// The reply's header is the server's word on how many bytes it received:
/// the only proof that the whole request arrived. shutdown(Write) returning
/// proved nothing of the kind.
fn check(reply: &[u8], request: &[u8], say: &Narrator) -> Result<(), Failure> {
    if reply.is_empty() {
        return Err(Failure::msg(
            "the server closed the connection without a reply",
        ));
    }
    match Reply::parse(reply) {
        Reply::Received { bytes, .. } if bytes == request.len() => {
            say!(say, "the server confirms all {bytes} bytes arrived");
            Ok(())
        }
        Reply::Received { bytes, .. } => Err(Failure::msg(format!(
            "the server confirms {bytes} bytes, but we sent {}",
            request.len()
        ))),
        Reply::Refused(reason) => Err(Failure::msg(format!(
            "the server refused the request: {reason}"
        ))
        .with_hint("its --max-request is smaller than this request")),
        Reply::Garbled => Err(Failure::msg("the reply is not this protocol's")
            .with_hint("is --addr a shutdown-server?")),
    }
}
// ANCHOR_END: check

// ANCHOR: write_after_shutdown
fn write_after_shutdown(mut stream: &TcpStream, say: &Narrator) -> Result<usize, io::ErrorKind> {
    // The kernel refuses to send on a direction we shut down: a write that
    // comes too late (a bug) fails here, loudly, instead of sending bytes
    // the server has stopped expecting. It is an error, not a signal: Rust
    // ignores SIGPIPE, so the process lives on and can still read.
    let late = stream.write(b"one more thing");
    match &late {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => say!(
            say,
            "write after shutdown(Write) failed, as it should: {e}; reading the reply anyway"
        ),
        Err(e) => say!(say, "write after shutdown(Write) failed: {e}"),
        Ok(n) => say!(
            say,
            "write after shutdown(Write) accepted {n} bytes on this platform"
        ),
    }
    late.map_err(|e| e.kind())
}
// ANCHOR_END: write_after_shutdown

// ANCHOR: shutdown_read
/// shutdown(Read) first, then the exchange: what does read() do now, and
/// does the server's data still arrive?
fn shutdown_read_first(
    mut stream: &TcpStream,
    request: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    stream.shutdown(Shutdown::Read).context("shutdown(Read)")?;
    let mut buf = [0u8; 16 * 1024];
    let n = stream.read(&mut buf).context("read after shutdown(Read)")?;
    say!(
        say,
        "shutdown(Read), then read() returned {n} at once: our own shutdown answers, \
         not a FIN from the server (it has sent nothing)"
    );

    stream.write_all(request).context("send the request")?;
    say!(say, "sent {} bytes", request.len());
    if !opts.no_shutdown {
        stream
            .shutdown(Shutdown::Write)
            .context("shutdown(Write)")?;
        // Shutdowns add up: Read, then Write, leaves the socket exactly as
        // shutdown(Both) would, and as close() would for arriving data.
        say!(
            say,
            "shutdown(Write): shut down both ways now, as shutdown(Both) would leave it"
        );
    }

    // read() now returns 0 at once whether or not data is on its way, so it
    // cannot wait for the reply any more: ask again every few milliseconds,
    // until the reply is complete (its header says how long it is) or
    // --read-timeout has passed.
    let deadline = Instant::now() + opts.read_timeout;
    let mut reply = Vec::new();
    while Reply::expected_len(&reply).is_none_or(|len| reply.len() < len) {
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                // Linux delivers data after shutdown(Read) only while our
                // write half is open. Once both halves are shut, arriving
                // data cannot reach anyone, and the kernel answers it with
                // RST, as RFC 1122 (4.2.2.13) asks of a closed receiver.
                say!(
                    say,
                    "read() failed: {e}: the reply reached a socket shut down both ways, \
                     so our kernel answered it with RST and dropped it"
                );
                return Err(Failure::new("read after shutdown(Read) and shutdown(Write)", e)
                    .with_hint("data that arrives after shutdown(Both), or after Read then Write, resets the connection"));
            }
            Err(e) => return Err(Failure::new("read after shutdown(Read)", e)),
        };
        reply.extend_from_slice(&buf[..n]);
        if reply.len() > request.len().saturating_add(MAX_HEADER) {
            return Err(Failure::msg(
                "the reply is longer than this protocol sends; giving up",
            ));
        }
        if n == 0 {
            if Instant::now() >= deadline {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
    if reply.is_empty() {
        say!(
            say,
            "nothing arrived within {}",
            fmt_duration(opts.read_timeout)
        );
        return Err(Failure::msg("no reply after shutdown(Read)").with_hint(
            "this server answers before our FIN only when it refuses a request: \
             give it a small --max-request and send more than that",
        ));
    }
    say!(
        say,
        "read {} bytes that arrived after our shutdown(Read): Linux still delivers data \
         while our write half is open; shutdown(Read) only stopped read() from waiting",
        reply.len()
    );
    Ok(reply)
}
// ANCHOR_END: shutdown_read

// ANCHOR: unacknowledged
/// How much of what we sent the peer's kernel has not yet acknowledged:
/// bytes still in our send queue. Linux only: the SIOCOUTQ ioctl.
#[cfg(target_os = "linux")]
fn unacknowledged(stream: &TcpStream) -> Option<usize> {
    use std::os::fd::AsRawFd;

    let mut queued: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (TIOCOUTQ) writes one c_int through the pointer,
    // which points at `queued`; the descriptor is open for as long as
    // `stream` is borrowed.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut queued) };
    if rc == 0 {
        usize::try_from(queued).ok()
    } else {
        None
    }
}
// ANCHOR_END: unacknowledged

#[cfg(not(target_os = "linux"))]
fn unacknowledged(_stream: &TcpStream) -> Option<usize> {
    None
}
