//! `--write-after-shutdown` and `--repeat-shutdown`: shutdown as a guard.
//! Each is the story with one more call: a write after our half-close
//! (the closed direction stays closed), or the half-close repeated, at once
//! and after both FINs (harmless until both FINs have been exchanged).

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, say};

use super::{Seen, Sent, check, connect, diagnose, read_reply};

/// The story up to its half-close: connect, send, `shutdown(Write)`.
fn send_and_half_close(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    say: &Narrator,
) -> Result<(TcpStream, Duration), Failure> {
    let mut stream = connect(addr, read_timeout, say)?;
    if let Err(e) = stream.write_all(request) {
        return Err(diagnose::sending_failed(&stream, e, say));
    }
    say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
    let started = Instant::now();
    stream
        .shutdown(Shutdown::Write)
        .context("shutdown(Write)")?;
    let took = started.elapsed();
    let after = common::fmt_duration(took);
    say!(
        say,
        "shutdown(Write) after {after}: our FIN follows the request"
    );
    Ok((stream, took))
}

/// The story, with one more write after `shutdown(Write)`.
pub fn write_after_shutdown(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let (mut stream, took) =
        send_and_half_close(addr, request, read_timeout, say)?;
    // ANCHOR: write_after_shutdown
    // The kernel refuses to send on a direction we shut down: a write that
    // comes too late (a bug) fails here, loudly, instead of sending bytes
    // the server has stopped expecting. It is an error, not a signal: Rust
    // ignores SIGPIPE, so the process lives on and can still read.
    let late = stream.write(b"one more thing");
    let result = outcome(&late);
    say!(
        say,
        late_write(result),
        "write after shutdown(Write): {result}"
    );
    // ANCHOR_END: write_after_shutdown
    let reply = read_reply(&stream, request.len(), Sent::HalfClosed, say)?;
    check(&reply, request, say)?;
    Ok(Seen {
        late_write: Some(late.map_err(|e| e.kind())),
        ..Seen::half_closed(reply, took, None)
    })
}

/// The story, with `shutdown(Write)` repeated at once, then after the
/// server's FIN.
pub fn repeat_shutdown(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let (stream, took) = send_and_half_close(addr, request, read_timeout, say)?;
    // ANCHOR: repeat_shutdown
    // The server's FIN cannot have come yet unless it has already read
    // our request and replied; until then a repeat finds an open
    // connection and changes nothing.
    let again = stream.shutdown(Shutdown::Write);
    let result = outcome(&again);
    say!(
        say,
        repeat_shutdown(when = "early", result),
        "shutdown(Write) again: {result}"
    );
    // ANCHOR_END: repeat_shutdown
    let reply = read_reply(&stream, request.len(), Sent::HalfClosed, say)?;
    // ANCHOR: repeat_after_close
    // Both FINs are exchanged now (we read the server's, and its reply
    // acknowledged ours): the socket is CLOSED, and Linux answers
    // NotConnected. `shutdown_or_closed` is how defensive code reads that.
    let late = stream.shutdown(Shutdown::Write);
    let result = outcome(&late);
    say!(
        say,
        repeat_shutdown(when = "after_fins", result),
        "shutdown(Write) after both FINs: {result}"
    );
    // ANCHOR_END: repeat_after_close
    check(&reply, request, say)?;
    Ok(Seen {
        repeated: vec![again.map_err(|e| e.kind()), late.map_err(|e| e.kind())],
        ..Seen::half_closed(reply, took, None)
    })
}

/// `Ok`, or the error's kind: what the kernel said, in one word.
fn outcome<T>(result: &io::Result<T>) -> String {
    match result {
        Ok(_) => "Ok".to_owned(),
        Err(e) => format!("{:?}", e.kind()),
    }
}
