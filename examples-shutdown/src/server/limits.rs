//! Hardening the accept loop: a limit on the connections served at once
//! (`--max-clients`), a polite refusal beyond it, and accept or spawn
//! failures that cost one connection, never the server.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::Duration;

use common::{Narrator, Slot, Slots, say};

use crate::busy;

/// At most `max` connections at once.
pub(super) struct Limits(Slots);

impl Limits {
    pub(super) fn new(max: usize) -> Self {
        Limits(Slots::new(max))
    }

    /// A slot for this connection, or `None` once the client was turned
    /// away because `max` are being served already.
    pub(super) fn admit(
        &self,
        stream: TcpStream,
        say: &Narrator,
    ) -> Option<(TcpStream, Slot)> {
        let Some(slot) = self.0.take() else {
            let max = self.0.max();
            say!(say, "turned away: {max} clients already (--max-clients)");
            say.event("turned_away", &[("max", &max)]);
            turn_away(stream, &busy(max));
            return None;
        };
        Some((stream, slot))
    }
}

/// accept can fail for one connection (it was reset while queued) or for a
/// while (out of file descriptors). Neither is a reason to stop serving;
/// the pause keeps the second kind from spinning.
pub(super) fn accept_failed(e: io::Error, say: &Narrator) {
    say.problem(format_args!("accept: {e}"));
    thread::sleep(Duration::from_millis(100));
}

/// The connection's socket went down with the thread's closure: the
/// client sees it closed. Everyone else is still served.
pub(super) fn spawn_failed(e: io::Error, say: &Narrator) {
    say.problem(format_args!(
        "cannot start a thread for this connection: {e}"
    ));
}

// ANCHOR: turn_away
/// Send `message` to a client the server has no room for, and close,
/// without a thread and without holding up the accept loop for long.
///
/// The message goes out, then a FIN (`shutdown(Write)`), and what the
/// client sends is read and dropped until its own FIN, so that closing
/// finds nothing unread and sends FIN rather than RST: the lingering close
/// of `refuse.rs`, on a budget. This runs on the accept loop, which must
/// not wait: the drain gives up after 20 ms and 64 KiB, whichever comes
/// first. Lessons 2 and 3 turn clients away with it too.
pub fn turn_away(stream: TcpStream, message: &[u8]) {
    let _ = stream.set_write_timeout(Some(GOODBYE));
    let _ = (&stream).write_all(message);
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(GOODBYE));
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        match (&stream).read(&mut sink) {
            Ok(n) if n > 0 => drained += n,
            _ => break,
        }
    }
}
// ANCHOR_END: turn_away

/// How long a turned-away client may take to finish sending: on a local
/// network it has sent its request and FIN long before.
const GOODBYE: Duration = Duration::from_millis(20);
