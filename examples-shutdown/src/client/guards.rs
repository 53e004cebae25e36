//! `--write-after-shutdown` and `--repeat-shutdown`: shutdown as a guard.
//! The closed direction stays closed, and a repeat is harmless until both
//! FINs have been exchanged.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};

use common::{Narrator, say};

use super::{Options, Seen};

/// Right after our `shutdown(Write)`, before the reply is read.
pub(super) fn after_half_close(
    stream: &TcpStream,
    opts: &Options,
    seen: &mut Seen,
    say: &Narrator,
) {
    if opts.write_after_shutdown {
        seen.late_write = Some(write_after_shutdown(stream, say));
    }
    if opts.repeat_shutdown {
        // ANCHOR: repeat_shutdown
        // The server's FIN cannot have come yet unless it has already read
        // our request and replied; until then a repeat finds an open
        // connection and changes nothing.
        let again = stream.shutdown(Shutdown::Write);
        say!(say, "shutdown(Write) again: {}", outcome(&again));
        // ANCHOR_END: repeat_shutdown
        say.event(
            "repeat_shutdown",
            &[("when", &"early"), ("result", &outcome(&again))],
        );
        seen.repeated.push(again.map_err(|e| e.kind()));
    }
}

/// After the server's FIN.
pub(super) fn after_reply(
    stream: &TcpStream,
    opts: &Options,
    seen: &mut Seen,
    say: &Narrator,
) {
    if !opts.repeat_shutdown {
        return;
    }
    // ANCHOR: repeat_after_close
    // Both FINs are exchanged now (we read the server's, and its reply
    // acknowledged ours): the socket is CLOSED, and Linux answers
    // NotConnected. `shutdown_or_closed` is how defensive code reads that.
    let late = stream.shutdown(Shutdown::Write);
    say!(say, "shutdown(Write) after both FINs: {}", outcome(&late));
    // ANCHOR_END: repeat_after_close
    say.event(
        "repeat_shutdown",
        &[("when", &"after_fins"), ("result", &outcome(&late))],
    );
    seen.repeated.push(late.map_err(|e| e.kind()));
}

/// `Ok`, or the error's kind: what the kernel said, in one word.
fn outcome<T>(result: &io::Result<T>) -> String {
    match result {
        Ok(_) => "Ok".to_owned(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

// ANCHOR: write_after_shutdown
fn write_after_shutdown(
    mut stream: &TcpStream,
    say: &Narrator,
) -> Result<usize, io::ErrorKind> {
    // The kernel refuses to send on a direction we shut down: a write that
    // comes too late (a bug) fails here, loudly, instead of sending bytes
    // the server has stopped expecting. It is an error, not a signal: Rust
    // ignores SIGPIPE, so the process lives on and can still read.
    let late = stream.write(b"one more thing");
    say!(say, "write after shutdown(Write): {}", outcome(&late));
    say.event("late_write", &[("result", &outcome(&late))]);
    late.map_err(|e| e.kind())
}
// ANCHOR_END: write_after_shutdown
