//! When a read or a write of the exchange fails: an error that says what
//! the kernel told us, and what most likely caused it. Plumbing for the
//! story in `client.rs`, in the way Stevens keeps his in wrappers.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Duration;

use common::{Failure, Narrator, fmt_duration, say};

use super::{MAX_HEADER, Sent};
use crate::Reply;

/// A read of the reply failed after `got` bytes.
pub(super) fn read_failed(
    e: io::Error,
    got: usize,
    waited: Option<Duration>,
    end: Sent,
    say: &Narrator,
) -> Failure {
    // SO_RCVTIMEO expired: Linux says EAGAIN, which Rust calls WouldBlock
    // (lesson 2 shows what other systems say, and why TimedOut would mean
    // a dead connection here).
    if e.kind() == io::ErrorKind::WouldBlock {
        say.event("reply_end", &[("bytes", &got), ("end", &"timeout")]);
        return no_reply(waited.unwrap_or_default(), end, got, say);
    }
    say.event(
        "reply_end",
        &[("bytes", &got), ("end", &format!("{:?}", e.kind()))],
    );
    if e.kind() == io::ErrorKind::ConnectionReset {
        say!(
            say,
            "read() failed after {got} bytes: an RST came, not a FIN"
        );
        return Failure::new(format!("read the reply after {got} bytes"), e)
            .with_hint(
                "the server's kernel reset the connection; the reply may be cut",
            );
    }
    Failure::new(format!("read the reply after {got} bytes"), e)
}

fn no_reply(
    waited: Duration,
    end: Sent,
    got: usize,
    say: &Narrator,
) -> Failure {
    let waited = fmt_duration(waited);
    if end == Sent::StillOpen && got == 0 {
        say!(
            say,
            "no data for {waited}: the server waits for our FIN, we for it"
        );
        return Failure::msg(format!("no reply within {waited}")).with_hint(
            "deadlock: without a FIN or a length the server cannot see the end",
        );
    }
    say!(say, "no data for {waited}, {got} bytes into the reply");
    Failure::msg(format!(
        "no data from the server for {waited}, {got} bytes into the reply"
    ))
    .with_hint(
        "the server may be stuck or overloaded; --read-timeout waits longer",
    )
}

/// A write of the request failed. The usual cause is a server that answered
/// and closed before reading all of it (a refusal); its answer may be
/// waiting in our receive buffer, so read what is there before reporting.
pub(super) fn sending_failed(
    stream: &TcpStream,
    e: io::Error,
    say: &Narrator,
) -> Failure {
    say!(say, "sending failed: {e}");
    say.event("send_failed", &[("kind", &format!("{:?}", e.kind()))]);
    let mut said = Vec::new();
    // The connection is dead; read only what has already arrived.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = stream.take(MAX_HEADER as u64).read_to_end(&mut said);
    let failure = Failure::new("send the request", e);
    match Reply::parse(&said) {
        Reply::Refused(reason) => failure
            .with_hint(format!("before closing, the server said: {reason}")),
        _ => failure,
    }
}
