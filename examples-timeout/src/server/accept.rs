//! The accept loop of lessons 2 and 3: a thread per client, at most
//! `max_clients` at once (a newcomer past that is turned away with lesson
//! 1's lingering close), and, with a tick, a loop that wakes up when nobody
//! connects. Lesson 1 keeps its own loop in view, where it is the lesson.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, Slots, count, detail, say};
use examples_shutdown::server::TurnAway;
use socket2::SockRef;

use crate::is_timeout;

/// How an accept loop admits clients.
#[derive(Clone, Copy, Debug)]
pub struct Admission {
    /// Serve one client on this thread, then return.
    pub once: bool,
    /// Serve at most this many at once.
    pub max_clients: usize,
    /// Wake up this often when nobody connects, to report how many are
    /// connected (Linux: SO_RCVTIMEO on the listener bounds accept()).
    pub tick: Option<Duration>,
}

// ANCHOR: accept_loop
/// Accept clients until the process is killed, each served by `handle` on
/// a thread of its own; past `max_clients`, `busy` is sent and the client
/// closed, instead of costing a thread.
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
    let slots = Slots::new(rules.max_clients);
    let turn_away = TurnAway::new(busy);
    let mut reported = 0;
    for id in 1u64.. {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if rules.tick.is_some() && is_timeout(&e) => {
                // Housekeeping: say how many are connected, if it changed.
                let now = slots.in_use();
                if now != reported {
                    say!(say, "{} connected", count(now, "client", "clients"));
                    say.event("connected", &[("clients", &now)]);
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
        let conn = say.tagged(format_args!("#{id}"));
        say!(conn, "accepted a connection from {peer}");
        conn.event("accepted", &[("peer", &peer)]);
        if rules.once {
            return handle(stream, &conn);
        }
        let Some(slot) = slots.take() else {
            let max = slots.max();
            say!(conn, "turned away: {max} clients already (--max-clients)");
            conn.event("turned_away", &[("max", &max)]);
            turn_away.close(stream);
            continue;
        };
        let handle = Arc::clone(&handle);
        let worker = thread::Builder::new().name(format!("conn-{id}"));
        let spawned = worker.spawn(move || {
            let served = handle(stream, &conn);
            // The slot is free before anyone hears the connection ended.
            drop(slot);
            if let Err(failure) = served {
                conn.problem(failure);
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
