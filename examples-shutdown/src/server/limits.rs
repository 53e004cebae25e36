//! Hardening the accept loop: an accept queue deep enough for a crowd, a
//! limit on the connections served at once (`--max-clients`), room made
//! at the cap by evicting the connection waited on longest (`common::room`)
//! or a polite refusal (`--when-full turn-away`), and accept or spawn
//! failures that cost one connection, never the server.

use std::io;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Narrator, Room, Tenant, TurnAway, WhenFull, say};

use crate::busy;

/// At most `max` connections at once, and the turn-away for the others.
pub(super) struct Limits {
    room: Room,
    turn_away: TurnAway,
}

impl Limits {
    pub(super) fn new(max: usize, when_full: WhenFull) -> Self {
        Limits {
            room: Room::new(max, when_full),
            turn_away: TurnAway::new(&busy(max)),
        }
    }

    /// A place for connection `id` (another evicted if need be), or `None`
    /// once the client was turned away because `max` are being served
    /// already.
    pub(super) fn admit(
        &self,
        stream: TcpStream,
        id: u64,
        say: &Narrator,
    ) -> Option<(TcpStream, Tenant)> {
        // Eviction wakes the worker's read through a second handle.
        let second = stream.try_clone().ok().map(socket2::Socket::from);
        let Some(tenant) = self.room.admit(id, second, say) else {
            let max = self.room.max();
            say!(
                say,
                turned_away(max),
                "turned away: {max} clients already (--max-clients)"
            );
            self.turn_away.close(stream);
            return None;
        };
        Some((stream, tenant))
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
