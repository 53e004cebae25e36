//! The client: one request, one reply, and a timeout on every call that
//! could wait. [`run`] is the story: send a line, then read the reply with a
//! read timeout, reading again after one if asked. Each other timeout is a
//! whole sibling in a file under `client/` named for it (`deadline.rs`,
//! `read_exact_trap.rs`, `write_timeout.rs`, `udp.rs`); the connection they
//! all run on is opened first, with the connect timeout and keepalive the
//! flags ask for (`connect.rs`, `keepalive.rs`). `Options::exchange` does
//! that, and picks the function.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Context, Failure, Narrator, fmt_duration, is_timeout, say};

use crate::MAX_LINE;

pub mod connect; // --connect-timeout: is anybody there?
pub mod deadline; // --deadline: will the whole exchange be over in time?
pub mod keepalive; // --keepalive, --user-timeout: is the peer still alive?
pub mod read_exact_trap; // --exact: read_exact loses its bytes on a timeout
mod udp; // --udp: nothing times out by itself; resend, with backoff
pub mod write_timeout; // --flood: is the other side taking our data?

pub use crate::options::ClientOptions as Options;
pub use deadline::{Deadline, Wait};
pub use udp::run_udp;

// ANCHOR: story
/// Send `message` as one line on `stream`, and read the one-line reply. A
/// read that waits `read_timeout` gives up; the next one, up to `retries`
/// times, continues where it stopped.
pub fn run(
    mut stream: &TcpStream,
    message: &str,
    read_timeout: Duration,
    retries: u32,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let line = format!("{message}\n");
    let sent = stream.write_all(line.as_bytes());
    sent.context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    // SO_RCVTIMEO: a read() that waits this long for data fails with EAGAIN
    // (WouldBlock to Rust) instead of blocking for ever.
    let limit = Some(read_timeout);
    stream.set_read_timeout(limit).context("set_read_timeout")?;
    // read_until keeps what it read before a timeout in `reply`: no loss.
    let mut reader = BufReader::new(stream).take(MAX_LINE as u64 + 1);
    let (mut reply, mut timeouts) = (Vec::new(), 0);
    let failed =
        |e, got| read_failed(e, got, started, read_timeout, stream, say);
    while !reply.ends_with(b"\n") {
        match reader.read_until(b'\n', &mut reply) {
            Ok(0) => return Err(cut_short(reply.len())),
            Ok(_) => {}
            Err(e) if is_timeout(&e) && timeouts < retries => {
                timeouts += 1;
                let (got, wait) = (reply.len(), fmt_duration(read_timeout));
                say!(
                    say,
                    read_timeout(got, retry = timeouts),
                    "read timeout after {wait}, {got} bytes kept: \
                     reading again ({retry} of {retries})"
                );
            }
            Err(e) => return Err(failed(e, reply.len())),
        }
    }
    answer(reply, timeouts, started, say)
}
// ANCHOR_END: story

/// The reply stopped before its newline: the server closed, or the line
/// passed [`MAX_LINE`].
fn cut_short(got: usize) -> Failure {
    if got > MAX_LINE {
        return Failure::msg(format!(
            "the reply passed {MAX_LINE} bytes without ending"
        ));
    }
    Failure::msg(format!(
        "the server closed the connection {got} bytes into the reply"
    ))
}

/// A read failed: our read timeout, once the retries are spent; the
/// kernel's verdict that the connection is dead (ETIMEDOUT); or anything
/// else the OS said.
pub(crate) fn read_failed(
    e: std::io::Error,
    got: usize,
    started: Instant,
    waited: Duration,
    stream: &TcpStream,
    say: &Narrator,
) -> Failure {
    if is_timeout(&e) {
        let wait = fmt_duration(waited);
        let ms = waited.as_millis();
        say!(
            say,
            read_timeout(got, ms),
            "no data for {wait}: read timeout ({got} bytes of reply so far)"
        );
        return Failure::msg(format!(
            "read timeout: no data from the server for {wait}"
        ))
        .with_hint(
            "silent or slow server: --retries reads again, --read-timeout \
             waits longer",
        );
    }
    if e.kind() == std::io::ErrorKind::TimedOut {
        return keepalive::dead(e, started.elapsed(), stream, say);
    }
    Failure::new("read the reply", e)
}

/// The reply, said, unless it is the server's refusal (`error: ...`).
pub(crate) fn answer(
    bytes: Vec<u8>,
    timeouts: u32,
    started: Instant,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let (n, ms) = (bytes.len(), started.elapsed().as_millis());
    let took = fmt_duration(started.elapsed());
    say!(
        say,
        reply(bytes = n, timeouts, ms),
        "got the {bytes}-byte reply after {took}"
    );
    if let Some(reason) = bytes.strip_prefix(b"error: ") {
        return Err(Failure::msg(format!(
            "the server refused: {}",
            String::from_utf8_lossy(reason).trim_end()
        )));
    }
    Ok(Reply { bytes, timeouts })
}

/// What a successful exchange brought back.
#[derive(Debug, Default)]
pub struct Reply {
    /// The reply's bytes.
    pub bytes: Vec<u8>,
    /// How many timeouts fired (and were survived) on the way.
    pub timeouts: u32,
}
