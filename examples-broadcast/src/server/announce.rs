//! `--announce-every`: the story, with the server speaking first, to
//! everyone: between queries it broadcasts (or multicasts) announcements
//! of its own. Listeners believe each for three intervals, so one lost
//! datagram does not make a service look gone.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::{Context, Failure, Narrator, detail, fmt_duration, say};

use super::ignored::Ignored;
use super::{MAX_DATAGRAM, query, recv_failed};
use crate::message::{Message, Service};

// ANCHOR: announce
/// [`answer_queries`](super::answer_queries), announcing `service` to `to`
/// every `every`; how many announcements went out.
pub fn serve(
    socket: &UdpSocket,
    service: &Service,
    every: Duration,
    to: SocketAddr,
    until: Instant,
    say: &Narrator,
) -> Result<u64, Failure> {
    let ttl = u32::try_from((every * 3).as_secs().max(1)).unwrap_or(u32::MAX);
    let announcement = Message::Announce {
        service: service.clone(),
        ttl,
    };
    let (mut next, mut announced) = (Instant::now(), 0u64);
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    let mut ignored = Ignored::default();
    while Instant::now() < until {
        if Instant::now() >= next {
            // A broadcast: every socket bound to this port hears it.
            match socket.send_to(&announcement.encode(), to) {
                Ok(_) if announced == 0 => say!(
                    say,
                    "announced {} on port {} to {to}; again every {} (shown \
                     with -v)",
                    service.name,
                    service.port,
                    fmt_duration(every)
                ),
                Ok(_) => detail!(say, "announced {} again", service.name),
                Err(e) => say.problem(format_args!("announce to {to}: {e}")),
            }
            (next, announced) = (next + every, announced + 1);
        }
        // Wait for a query until the next announcement is due.
        let wait = next.saturating_duration_since(Instant::now());
        let wait = wait.clamp(Duration::from_millis(1), super::TICK);
        socket
            .set_read_timeout(Some(wait))
            .context("set_read_timeout")?;
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(got) => got,
            Err(e) => {
                recv_failed(&e, say);
                continue;
            }
        };
        let Some(id) = query(&datagram[..n], from, &mut ignored, say) else {
            continue;
        };
        let reply = Message::here(id, service).encode();
        match socket.send_to(&reply, from) {
            Ok(_) => say!(
                say,
                answered(to = from),
                "query from {from}: answered, to {from} alone"
            ),
            Err(e) => say.problem(format_args!("reply to {from}: {e}")),
        }
    }
    Ok(announced)
}
// ANCHOR_END: announce
