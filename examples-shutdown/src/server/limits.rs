//! Hardening the accept loop: an accept queue deep enough for a crowd, a
//! limit on the connections served at once (`--max-clients`), a polite
//! refusal beyond it, and accept or spawn failures that cost one
//! connection, never the server.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, Slot, Slots, say};
use socket2::{Domain, Socket, Type};

use crate::busy;

/// How many connections the kernel may hold for `accept`. A crowd connects
/// faster than the accept loop takes them; with std's 128, a SYN that finds
/// the queue full is dropped, and its client retries only after 1 s, then
/// 3 s. Linux caps it at `net.core.somaxconn` (4096 by default).
pub const BACKLOG: i32 = 4096;

/// Bind the listening socket of every TCP server of the course: what std's
/// `TcpListener::bind` does, but with [`BACKLOG`] where std always asks for
/// 128. SO_REUSEADDR (std sets it on Unix too) lets a restarted server bind
/// its port again while connections of the previous run wait out
/// TIME_WAIT; it does not let two servers listen on one port: the second
/// still gets AddrInUse.
pub fn bind(addr: &HostPort) -> Result<std::net::TcpListener, Failure> {
    let mut last = None;
    for at in addr.resolve()? {
        let socket = Socket::new(Domain::for_address(at), Type::STREAM, None)
            .context("socket")?;
        #[cfg(unix)]
        socket.set_reuse_address(true).context("SO_REUSEADDR")?;
        match socket
            .bind(&at.into())
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = Some(e),
        }
    }
    let e = last.unwrap_or_else(|| io::Error::other("no address to bind"));
    Err(Failure::new(format!("bind {addr}"), e))
}

/// At most `max` connections at once, and the turn-away for the others.
pub(super) struct Limits {
    slots: Slots,
    turn_away: TurnAway,
}

impl Limits {
    pub(super) fn new(max: usize) -> Self {
        Limits {
            slots: Slots::new(max),
            turn_away: TurnAway::new(&busy(max)),
        }
    }

    /// A slot for this connection, or `None` once the client was turned
    /// away because `max` are being served already.
    pub(super) fn admit(
        &self,
        stream: TcpStream,
        say: &Narrator,
    ) -> Option<(TcpStream, Slot)> {
        let Some(slot) = self.slots.take() else {
            let max = self.slots.max();
            say!(say, "turned away: {max} clients already (--max-clients)");
            say.event("turned_away", &[("max", &max)]);
            self.turn_away.close(stream);
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
/// Turns away the clients a full server has no room for: each is sent the
/// refusal, then closed with the lingering close of `refuse.rs` (the
/// message, a FIN, then what the client sends read and dropped until its
/// own FIN, so that closing finds nothing unread and sends FIN, not RST).
///
/// That close can take as long as the client likes, so it never runs on
/// the accept loop: each runs on a thread of its own, within a budget of
/// 100 ms and 64 KiB in all, and at most 16 run at once. Past that, a
/// newcomer is closed at once, which may reset it: under such a flood a
/// polite goodbye is what gives. Lessons 2 and 3 turn clients away with
/// this too.
pub struct TurnAway {
    message: Arc<[u8]>,
    closing: Slots,
}

impl TurnAway {
    /// Turn clients away with `message`.
    pub fn new(message: &[u8]) -> Self {
        TurnAway {
            message: message.into(),
            closing: Slots::new(CLOSING_AT_ONCE),
        }
    }

    /// Refuse `stream`, off the caller's thread; return at once.
    pub fn close(&self, stream: TcpStream) {
        let Some(slot) = self.closing.take() else {
            return; // too many goodbyes already: dropped, closed now
        };
        let message = Arc::clone(&self.message);
        let goodbye = thread::Builder::new().name("turn-away".into());
        // If no thread can start, the stream closes with the closure.
        let _ = goodbye.spawn(move || {
            let _slot = slot;
            lingering_goodbye(&stream, &message);
        });
    }
}

/// The message, a FIN, then drain until the client's FIN, on a budget.
fn lingering_goodbye(stream: &TcpStream, message: &[u8]) {
    let _ = stream.set_write_timeout(Some(GOODBYE));
    let _ = (&*stream).write_all(message);
    let _ = stream.shutdown(Shutdown::Write);
    // A total deadline, not a timeout per read: a client that trickles a
    // byte every few milliseconds would renew a per-read timeout for ever.
    let deadline = Instant::now() + GOODBYE;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&*stream).read(&mut sink) {
            Ok(n) if n > 0 => drained += n,
            _ => break,
        }
    }
}
// ANCHOR_END: turn_away

/// How long a turned-away client may take, in all, to finish sending: on
/// a local network it has sent its request and FIN long before.
const GOODBYE: Duration = Duration::from_millis(100);

/// How many turn-aways may be closing at once.
const CLOSING_AT_ONCE: usize = 16;
