//! The client: `discover` broadcasts one query and collects the replies
//! for a while: [`find_services`] is the story. `--group` and
//! `--no-broadcast-flag` are whole siblings of it (`client/group.rs`,
//! `client/unflagged.rs`). `listen` (`client/listen.rs`) hears
//! announcements and keeps a table of services, forgetting those that fall
//! silent.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, Narrator, count, detail, fmt_duration, say};

use crate::message::{MAX_DATAGRAM, Message, Service};

pub mod group; // --group: one query to a multicast group
mod listen; // listen: announcements, and services that fall silent
pub mod unflagged; // --no-broadcast-flag: what SO_BROADCAST is for

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

// ANCHOR: story
/// Broadcast one query to `target` and collect the replies that arrive
/// within `wait`.
pub fn find_services(
    target: SocketAddr,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    // Any port: the replies come back to it, unicast.
    let socket = UdpSocket::bind(any_port(target)).context("bind")?;
    // Without SO_BROADCAST, sending to a broadcast address fails with
    // EACCES: the kernel wants proof that flooding the network is meant.
    socket.set_broadcast(true).context("SO_BROADCAST")?;
    // A random id, repeated in every reply: a late reply to someone else's
    // (or an earlier) query does not count for this one.
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    let sent = socket.send_to(&query, target);
    sent.with_context(|| format!("send a query to {target}"))?;
    let waiting = fmt_duration(wait);
    say!(
        say,
        "sent a query to {target}; collecting replies for {waiting}"
    );
    collect(&socket, id, wait, say)
}
// ANCHOR_END: story

/// `discover`: the story, or the sibling the flags ask for: `--group`
/// (`client/group.rs`), `--no-broadcast-flag` (`client/unflagged.rs`).
pub fn discover(
    target: SocketAddr,
    opts: &DiscoverOptions,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    let wait = opts.wait;
    match (opts.group, opts.no_broadcast_flag) {
        (Some(group), _) => {
            group::find_services(target, group, opts.interface, wait, say)
        }
        (None, true) => unflagged::find_services(target, wait, say),
        (None, false) => find_services(target, wait, say),
    }
}

/// The unspecified address of `target`'s family, on any port.
pub(crate) fn any_port(target: SocketAddr) -> SocketAddr {
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    SocketAddr::new(any, 0)
}

// ANCHOR: collect
/// The window: every datagram that comes within `wait` goes to [`take`];
/// then what was found, said.
pub(crate) fn collect(
    socket: &UdpSocket,
    id: u64,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    let deadline = Instant::now() + wait;
    let (mut found, mut ignored) = (Vec::new(), false);
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
        let taken = take(&datagram[..n], from, id, &mut found, say);
        ignored |= taken == Taken::Ignored;
    }
    summary(&mut found, wait, ignored, say);
    Ok(found)
}
// ANCHOR_END: collect

// ANCHOR: take
/// One datagram of the window: a reply to our query `id` joins `found`
/// (once, however many copies come); anything else is ignored, and said.
pub(crate) fn take(
    datagram: &[u8],
    from: SocketAddr,
    id: u64,
    found: &mut Vec<Found>,
    say: &Narrator,
) -> Taken {
    match Message::parse(datagram) {
        Ok(Message::Here {
            id: theirs,
            service,
        }) if theirs == id => {
            let reply = Found { service, from };
            if found.contains(&reply) {
                detail!(say, "a second copy of the reply from {from}");
                return Taken::Reply;
            }
            let (name, port) = (&reply.service.name, reply.service.port);
            say!(
                say,
                reply(from, name, port),
                "reply from {from}: {name} on port {port}"
            );
            found.push(reply);
            Taken::Reply
        }
        // A reply, but to another query (an earlier one of ours, or
        // someone else's): said, since it is why "nobody answered" may be
        // untrue.
        Ok(Message::Here { id: theirs, .. }) => {
            say!(
                say,
                "ignored a reply from {from} to another query (id \
                 {theirs:016x}, ours {id:016x})"
            );
            Taken::Ignored
        }
        // Queries and announcements: other clients' and servers' traffic.
        Ok(_) => {
            detail!(say, "ignored a message from {from} that is no reply");
            Taken::Other
        }
        Err(refused) => {
            say!(say, "ignored a datagram from {from}: {refused}");
            Taken::Ignored
        }
    }
}

/// What [`take`] made of a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Taken {
    /// A reply to this query.
    Reply,
    /// Something that looked meant for us, and was not: said.
    Ignored,
    /// Others' traffic.
    Other,
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
pub(crate) fn summary(
    found: &mut [Found],
    wait: Duration,
    ignored: bool,
    say: &Narrator,
) {
    found.sort();
    say.event("found", &[("count", &found.len())]);
    match found.len() {
        // Silence is all a sender of broadcasts can get: no host may answer
        // one with an ICMP error (RFC 1122, 3.2.2). A unicast query to a
        // closed port does bring back "port unreachable", but Linux tells
        // an unconnected UDP socket nothing of it unless it set IP_RECVERR
        // (a connected one sees ConnectionRefused on its next call).
        0 if ignored => say!(
            say,
            "no replies to this query within {}, only what was ignored above",
            fmt_duration(wait)
        ),
        0 => say!(
            say,
            "no replies within {}: nobody answered, and the kernel said \
                nothing",
            fmt_duration(wait)
        ),
        n => say!(say, "{} found", count(n, "service", "services")),
    }
}
