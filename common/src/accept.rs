//! The accept loop of every blocking TCP server of the course: a thread
//! per client, at most `max_clients` at once, and a polite turn-away past
//! that. The loop is lesson 2's (the chapter "Timeouts", its server); the
//! turn-away with its lingering close is lesson 1's.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use socket2::SockRef;

use crate::net::is_timeout;
#[cfg(doc)]
use crate::net::lingering_close;
use crate::{
    Context, Failure, Narrator, Room, Slots, WhenFull, count, detail, say,
};

/// How an accept loop admits clients.
#[derive(Clone, Copy, Debug)]
pub struct Admission {
    /// Serve one client on this thread, then return.
    pub once: bool,
    /// Serve at most this many at once.
    pub max_clients: usize,
    /// What to do with a newcomer past `max_clients` (see [`Room`]).
    pub when_full: WhenFull,
    /// Wake up this often when nobody connects, to report how many are
    /// connected (Linux: SO_RCVTIMEO on the listener bounds accept()).
    pub tick: Option<Duration>,
    /// End a connection whose client has taken none of what we sent for
    /// this long (TCP_USER_TIMEOUT; see [`stop_a_stopped_reader`]).
    pub user_timeout: Option<Duration>,
}

/// Have the kernel end `stream` once data we sent has waited this long
/// for the client to take it: unacknowledged, or held back by a zero
/// window because the client's receive buffer is full and it does not
/// read (tcp(7), TCP_USER_TIMEOUT). The send blocked on it then fails with
/// ETIMEDOUT. SO_SNDTIMEO alone bounds each send(), not the reply: a
/// client that stopped reading while its kernel still had room took a
/// little of every send, and held a thread 30 s against a 10 s timeout.
/// Every blocking server of the course sets it to its --idle-timeout; the
/// async servers put one deadline around each reply's write instead.
pub fn stop_a_stopped_reader(
    stream: &TcpStream,
    limit: Duration,
    say: &Narrator,
) {
    // Not fatal: without it, SO_SNDTIMEO still bounds each send.
    if let Err(e) = SockRef::from(stream).set_tcp_user_timeout(Some(limit)) {
        detail!(say, "TCP_USER_TIMEOUT not set: {e}");
    }
}

// ANCHOR: accept_loop
/// Accept clients until the process is killed, each served by `handle` on
/// a thread of its own. Past `max_clients`, the connection waited on
/// longest makes room (see [`Room`]); if none is waiting, or with
/// `--when-full turn-away`, `busy` is sent and the newcomer closed,
/// instead of costing a thread.
pub fn accept_loop<H>(
    listener: TcpListener,
    rules: Admission,
    busy: &[u8],
    say: &Narrator,
    handle: H,
) -> Result<(), Failure>
where
    H: Fn(TcpStream, &Narrator) -> Result<(), Failure> + Send + Sync + 'static,
{
    // On Linux, SO_RCVTIMEO bounds accept() as it bounds read() (socket(7)):
    // the loop wakes up every tick even when nobody connects, and can do
    // its housekeeping. Elsewhere it may wake only when a client comes.
    if let Some(tick) = rules.tick {
        SockRef::from(&listener)
            .set_read_timeout(Some(tick))
            .context("set the accept timeout")?;
    }
    let handle = Arc::new(handle);
    let room = Room::new(rules.max_clients, rules.when_full);
    let turn_away = TurnAway::new(busy);
    let mut reported = 0;
    for id in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if rules.tick.is_some() && is_timeout(&e) => {
                // Housekeeping: say how many are connected, if it changed.
                let now = room.in_use();
                if now != reported {
                    let connected = count(now, "client", "clients");
                    say!(
                        say,
                        connected(clients = now),
                        "{connected} connected"
                    );
                    reported = now;
                } else {
                    detail!(say, "tick: {now} connected");
                }
                continue;
            }
            Err(e) => {
                // One connection's failure, or a shortage (file
                // descriptors): neither stops the server; the pause keeps
                // the second kind from spinning.
                say.problem(format_args!("accept: {e}"));
                thread::sleep(rules.tick.unwrap_or(Duration::from_millis(100)));
                continue;
            }
        };
        if let Some(limit) = rules.user_timeout {
            stop_a_stopped_reader(&stream, limit, say);
        }
        let conn = say.tagged(format_args!("#{id}"));
        say!(conn, accepted(peer), "accepted a connection from {peer}");
        if rules.once {
            return handle(stream, &conn);
        }
        // A second handle to the socket, through which eviction wakes the
        // worker's read; without one, this connection cannot be evicted.
        let second = stream.try_clone().ok().map(socket2::Socket::from);
        let Some(tenant) = room.admit(id, second, &conn) else {
            let max = room.max();
            say!(
                conn,
                turned_away(max),
                "turned away: {max} clients already (--max-clients)"
            );
            turn_away.close(stream);
            continue;
        };
        let handle = Arc::clone(&handle);
        let worker = thread::Builder::new().name(format!("conn-{id}"));
        let spawned = worker.spawn(move || {
            let entered = tenant.enter();
            let served = handle(stream, &conn);
            // The slot is free before anyone hears the connection ended.
            drop(entered);
            let evicted = tenant.evicted();
            drop(tenant);
            match served {
                // Eviction was said when it happened.
                Err(_) if evicted => {}
                Err(failure) => conn.problem(failure),
                Ok(()) => {}
            }
            conn.event("done", &[]);
        });
        if let Err(e) = spawned {
            say.problem(format_args!("cannot start a thread for #{id}: {e}"));
        }
    }
    Ok(())
}
// ANCHOR_END: accept_loop

// ANCHOR: turn_away
/// Turns away the clients a full server has no room for: each is sent the
/// refusal, then closed with a lingering close, as [`lingering_close`]
/// does (the message, a FIN, then what the client sends read and dropped
/// until its own FIN, so that closing finds nothing unread and sends FIN,
/// not RST).
///
/// That close can take as long as the client likes, so it never runs on
/// the accept loop: each runs on a thread of its own, within a budget of
/// 100 ms and 64 KiB in all, and at most 16 run at once. Past that, a
/// newcomer is closed at once, which may reset it: under such a flood a
/// polite goodbye is what gives. The idea is lesson 1's (the chapter
/// "Half-open sockets", section 9); every blocking server of the course
/// turns clients away with it.
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
