//! `--max-request`: answering before the whole request is read, and
//! closing without destroying the answer (the lingering close), or, with
//! `--close-early`, destroying it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::Options;
use crate::{refusal, shutdown_or_closed};

/// How long the lingering close keeps draining a refused request before it
/// closes anyway. It only needs to outlast what the client had in flight.
pub const LINGER_LIMIT: Duration = Duration::from_secs(2);

/// The request passed `--max-request`: say so, and close.
pub(super) fn refuse(
    mut stream: &TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let limit = opts.max_request;
    say!(
        say,
        "the request passed {limit} bytes: refusing it, the rest unread"
    );
    stream
        .write_all(&refusal(limit))
        .context("send the refusal")?;
    say.event("refused", &[("limit", &limit)]);
    // ANCHOR: close_early
    if opts.close_early {
        // Wrong on purpose. Closing a socket whose receive buffer still
        // holds unread bytes makes the kernel send RST instead of FIN
        // (RFC 2525, 2.17): the data would be lost, so it tells the peer at
        // once. The client sees ConnectionReset instead of a clean end of
        // the reply, and may lose the reply itself.
        say!(
            say,
            "--close-early: closing with the rest unread: the kernel sends RST"
        );
        say.event("closed", &[("how", &"unread")]);
        return Ok(());
    }
    // ANCHOR_END: close_early
    lingering_close(stream, say)
}

// ANCHOR: lingering_close
/// Close after answering early without losing the answer: send FIN after
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
                "still receiving after {}: closing anyway",
                fmt_duration(LINGER_LIMIT)
            );
            say.event("drained", &[("bytes", &drained), ("end", &"limit")]);
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
        "FIN sent, drained {drained} bytes to the client's FIN: no RST"
    );
    say.event("drained", &[("bytes", &drained), ("end", &"eof")]);
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: lingering_close
