//! `--max-request`: answering before the whole request is read, and
//! closing without destroying the answer (the lingering close), or, with
//! `--close-early`, destroying it.

use std::io::Write;
use std::net::TcpStream;

use common::{Context, Failure, Narrator, say};

use super::Options;
use crate::refusal;
use common::lingering_close;

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
