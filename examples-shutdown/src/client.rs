//! The client: send a request, shut down the write half so that the server
//! knows the request is complete, and read the reply until the server's FIN.
//! [`run`] is the story. Each flag that shows one more thing is a sibling of
//! it, whole, in a file named for what it shows (`no_shutdown.rs`,
//! `guards.rs`, `shutdown_read.rs`): the diff between the two is the lesson.
//! `Options::exchange` picks one from the flags.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};

use crate::Reply;

mod diagnose; // errors that say why a read or a write failed
pub mod guards; // --write-after-shutdown, --repeat-shutdown
pub mod no_shutdown; // --no-shutdown
mod send_queue; // what shutdown(Write) left undelivered
pub mod shutdown_read; // --shutdown-read

pub use crate::options::ClientOptions as Options;

// ANCHOR: story
/// Connect to `addr`, send `request`, half-close, and read the whole reply.
pub fn run(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let mut stream = connect(addr, read_timeout, say)?;
    if let Err(e) = stream.write_all(request) {
        return Err(diagnose::sending_failed(&stream, e, say));
    }
    say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
    // ANCHOR: half_close
    // Half-close: the kernel queues our FIN behind the request, and the
    // server's read() returns 0 once it has read every byte before it.
    // That 0 is the only end-of-request marker this protocol has. Our
    // read half stays open: the reply can still come in.
    let started = Instant::now();
    match stream.shutdown(Shutdown::Write) {
        Ok(()) => {}
        // The server closed already (it refused us, or turned us
        // away): nothing is left to shut down; its answer may wait.
        Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
        Err(e) => return Err(Failure::new("shutdown(Write)", e)),
    }
    let took = started.elapsed();
    // ANCHOR_END: half_close
    let after = fmt_duration(took);
    say!(
        say,
        "shutdown(Write) after {after}: our FIN follows the request"
    );
    // It returned with the request maybe still in our send queue.
    let unsent = send_queue::after_shutdown(&stream, say);
    let reply = read_reply(&stream, request.len(), Sent::HalfClosed, say)?;
    check(&reply, request, say)?;
    Ok(Seen::half_closed(reply, took, unsent))
}
// ANCHOR_END: story

/// What the server has been told of the request's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// Our FIN follows the request.
    HalfClosed,
    /// Nothing: no FIN, no length (`--no-shutdown`).
    StillOpen,
}

// ANCHOR: connect
pub(crate) fn connect(
    addr: &HostPort,
    read_timeout: Duration,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    // A name may stand for several addresses (::1 and 127.0.0.1 for
    // localhost); connect tries each in turn.
    let stream = TcpStream::connect(&addr.resolve()?[..])
        .with_context(|| format!("connect to {addr}"))?;
    let peer = stream.peer_addr().context("peer_addr")?;
    let ours = stream.local_addr().context("local_addr")?;
    say!(say, "connected to {peer} from {ours}");
    // A server that never answers, or never reads, must not hang us: every
    // read and every write gives up after this long.
    let limit = Some(read_timeout);
    stream.set_read_timeout(limit).context("set_read_timeout")?;
    stream
        .set_write_timeout(limit)
        .context("set_write_timeout")?;
    Ok(stream)
}
// ANCHOR_END: connect

// ANCHOR: read_reply
/// Read until the server's FIN: read() returns 0 once every byte before it
/// has been read. The reply is the request plus one header line, so a
/// server that sends more is not this protocol's, and we stop rather than
/// buffer without bound.
pub(crate) fn read_reply(
    mut stream: &TcpStream,
    sent: usize,
    end: Sent,
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
                    reply_end(bytes = 0, end = "eof"),
                    "read() = 0 before any reply: the server closed"
                );
                return Ok(reply);
            }
            Ok(0) => {
                say!(
                    say,
                    reply_end(bytes = reply.len(), end = "eof"),
                    "read {bytes} bytes, then read() = 0: the server's FIN"
                );
                return Ok(reply);
            }
            Ok(n) => {
                detail!(say, "read() returned {n} bytes");
                reply.extend_from_slice(&chunk[..n]);
                if reply.len() > limit {
                    return Err(Failure::msg(format!(
                        "the reply passed {limit} bytes; giving up"
                    )));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let waited = stream.read_timeout().ok().flatten();
                let got = reply.len();
                return Err(diagnose::read_failed(e, got, waited, end, say));
            }
        }
    }
}
// ANCHOR_END: read_reply

/// The longest header line a reply of this protocol starts with.
pub(crate) const MAX_HEADER: usize = 128;

// ANCHOR: check
/// The reply's header is the server's word on how many bytes it received:
/// the only proof that the whole request arrived. shutdown(Write) returning
/// proved nothing of the kind.
pub(crate) fn check(
    reply: &[u8],
    request: &[u8],
    say: &Narrator,
) -> Result<(), Failure> {
    match Reply::parse(reply) {
        _ if reply.is_empty() => Err(Failure::msg(
            "the server closed the connection without a reply",
        )),
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

/// What the client saw: the reply for the binary to print, and the figures
/// it reports as events (`--events`), which the tests and the tour check.
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

impl Seen {
    /// The story's outcome: the reply, after a half-close that took `took`
    /// and left `unsent` bytes in the send queue.
    pub(crate) fn half_closed(
        reply: Vec<u8>,
        took: Duration,
        unsent: Option<usize>,
    ) -> Seen {
        Seen {
            reply,
            shutdown_took: Some(took),
            unsent_at_shutdown: unsent,
            ..Seen::default()
        }
    }
}
