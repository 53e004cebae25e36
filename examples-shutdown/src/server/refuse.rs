//! A request the story does not answer: one past `--max-request`, refused
//! politely and closed without destroying the refusal (the lingering
//! close); and a read that failed or timed out.

use std::io::{self, Write};
use std::net::TcpStream;

use common::{Context, Failure, Narrator, lingering_close, say};

use crate::refusal;

/// The request passed `max_request`: say so, send the refusal, and close
/// without an RST destroying it.
pub fn too_long(
    mut stream: &TcpStream,
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    say_too_long(max_request + 1, max_request, say);
    stream
        .write_all(&refusal(max_request))
        .context("send the refusal")?;
    lingering_close(stream, say)
}

/// Say that a request of `got` bytes passed `limit`, the rest unread.
pub(crate) fn say_too_long(got: usize, limit: usize, say: &Narrator) {
    say.event("request_end", &[("bytes", &got), ("end", &"too_long")]);
    say!(
        say,
        refused(limit),
        "the request passed {limit} bytes: refusing it, the rest unread"
    );
}

/// The read of a request failed after `got` bytes: why, for the log. The
/// [`Guarded`](super::Guarded) stream words its own errors (the idle
/// timeout, the watchdog, no memory); any other is the OS's.
pub fn read_failed(e: io::Error, got: usize, say: &Narrator) -> Failure {
    let end = match e.kind() {
        // SO_RCVTIMEO expired: EAGAIN on Linux, WouldBlock to Rust
        // (lesson 2 is about this).
        io::ErrorKind::WouldBlock => "timeout".to_owned(),
        kind => format!("{kind:?}"),
    };
    say.event("request_end", &[("bytes", &got), ("end", &end)]);
    match e.get_ref() {
        Some(why) if e.kind() == io::ErrorKind::WouldBlock => {
            Failure::msg(format!("{why} after {got} bytes"))
        }
        Some(why) if e.kind() == io::ErrorKind::Other => {
            Failure::msg(why.to_string())
        }
        _ => Failure::new(format!("read request after {got} bytes"), e),
    }
}
