//! The client: `discover` broadcasts one query and collects the replies
//! for a while: [`discover`] is the story. `listen` (`client/listen.rs`)
//! hears announcements and keeps a table of services, forgetting those
//! that fall silent.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, Narrator, count, detail, fmt_duration, say};

use crate::message::{MAX_DATAGRAM, Message, Service};
use crate::multicast::configure_sending;

mod listen;

pub use crate::options::{DiscoverOptions, ListenOptions};
pub use listen::{Heard, listen, render};

/// A service that answered, and where its answer came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// What the reply claims.
    pub service: Service,
    /// Who sent it, as the kernel saw it: the only part to trust.
    pub from: SocketAddr,
}

// ANCHOR: discover
/// Send one query to `target` (a broadcast address, a group, or a single
/// host) and collect the replies that arrive within `--wait`.
pub fn discover(
    target: SocketAddr,
    opts: &DiscoverOptions,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    // Any port: the replies come back to it, unicast.
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((any, 0)).context("bind a UDP socket")?;
    if let Some(group) = opts.group {
        configure_sending(&socket, group, opts.interface)
            .context("set up multicast")?;
    } else {
        socket
            .set_broadcast(!opts.no_broadcast_flag)
            .context("SO_BROADCAST")?;
    }
    // A random id, repeated in every reply: a late reply to someone else's
    // (or an earlier) query does not count for this one.
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    if let Err(e) = socket.send_to(&query, target) {
        return Err(send_failed(e, target, opts, say));
    }
    say!(
        say,
        "sent a query to {target}; collecting replies for {}",
        fmt_duration(opts.wait)
    );

    let deadline = Instant::now() + opts.wait;
    let mut found = Vec::new();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    loop {
        // The window is a deadline, not a per-read timeout: each wait is
        // what is left of it, or a steady trickle of replies (or of junk)
        // would keep us listening for ever.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        socket
            .set_read_timeout(Some(left))
            .context("set_read_timeout")?;
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) if is_timeout(&e) => break,
            // On Linux a recv with a timeout fails with EINTR when the
            // process is stopped and continued, handler or not (signal(7));
            // seen once in a soak. The window's deadline still bounds us.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::new("receive replies", e)),
        };
        take(&datagram[..n], from, id, &mut found, say);
    }
    summary(&mut found, opts.wait, say);
    Ok(found)
}
// ANCHOR_END: discover

// ANCHOR: take
/// One datagram of the window: a reply to our query `id` joins `found`
/// (once, however many copies come); anything else is ignored, and said.
pub(crate) fn take(
    datagram: &[u8],
    from: SocketAddr,
    id: u64,
    found: &mut Vec<Found>,
    say: &Narrator,
) {
    match Message::parse(datagram) {
        Ok(Message::Here {
            id: theirs,
            service,
        }) if theirs == id => {
            let reply = Found { service, from };
            if found.contains(&reply) {
                detail!(say, "a second copy of the reply from {from}");
                return;
            }
            say!(
                say,
                "reply from {from}: {} on port {}",
                reply.service.name,
                reply.service.port
            );
            let (name, port) = (&reply.service.name, reply.service.port);
            say.event(
                "reply",
                &[("from", &from), ("name", name), ("port", &port)],
            );
            found.push(reply);
        }
        Ok(_) => detail!(
            say,
            "ignored a message from {from} that does not answer our query"
        ),
        Err(refused) => {
            say!(say, "ignored a datagram from {from}: {refused}")
        }
    }
}
// ANCHOR_END: take

/// What `discover` prints: a line per service found, or "no services
/// found".
pub fn render_found(found: &[Found]) -> String {
    if found.is_empty() {
        return "no services found".to_owned();
    }
    let lines: Vec<String> = found
        .iter()
        .map(|f| {
            let (name, port) = (&f.service.name, f.service.port);
            format!("{name:<20} port {port:<5}  from {}", f.from)
        })
        .collect();
    lines.join("\n")
}

/// The end of the window: what was found, sorted, and said.
pub(crate) fn summary(found: &mut [Found], wait: Duration, say: &Narrator) {
    found.sort();
    say.event("found", &[("count", &found.len())]);
    match found.len() {
        // Silence is all a sender of broadcasts can get: no host may answer
        // one with an ICMP error (RFC 1122, 3.2.2). A unicast query to a
        // closed port does bring back "port unreachable", but Linux tells
        // an unconnected UDP socket nothing of it unless it set IP_RECVERR
        // (a connected one sees ConnectionRefused on its next call).
        0 => say!(
            say,
            "no replies within {}: nobody answered, and the kernel said \
                nothing",
            fmt_duration(wait)
        ),
        n => say!(say, "{} found", count(n, "service", "services")),
    }
}

// ANCHOR: send_failed
fn send_failed(
    e: io::Error,
    target: SocketAddr,
    opts: &DiscoverOptions,
    say: &Narrator,
) -> Failure {
    if e.kind() == io::ErrorKind::PermissionDenied && opts.no_broadcast_flag {
        // So that flooding the network is never an accident.
        say!(say, "send_to {target} failed: {e}");
        say!(
            say,
            "a socket must set SO_BROADCAST to send to a broadcast address"
        );
        return Failure::new(format!("send a query to {target}"), e).with_hint(
            "run without --no-broadcast-flag: the client then sets \
                SO_BROADCAST",
        );
    }
    Failure::new(format!("send a query to {target}"), e)
}
// ANCHOR_END: send_failed
