//! The server: bind the discovery port so that several servers can share
//! it and hear every broadcast ([`bind_shared`]), and answer each query with
//! a unicast reply to its sender ([`answer_queries`], the story).
//! `--announce-every` is a whole sibling of the story, which also
//! broadcasts announcements of its own (`server/announce.rs`); `--group`
//! (multicast) is in `multicast.rs`. [`serve`] picks one and runs it; the
//! log of ignored datagrams, which keeps a flood from flooding the log, is
//! `server/ignored.rs`.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use socket2::{Domain, Protocol, Socket, Type};

pub(crate) use crate::message::MAX_DATAGRAM;
use crate::message::{Message, Service};
use crate::{Group, multicast};

pub mod announce; // --announce-every: the server speaks first
pub(crate) mod ignored; // what is not a query, logged without flooding

use ignored::Ignored;

pub use crate::options::ServerOptions as Options;

// ANCHOR: story
/// Answer every query that reaches `socket` with `service`, to its sender
/// alone, until `until`.
pub fn answer_queries(
    socket: &UdpSocket,
    service: &Service,
    until: Instant,
    say: &Narrator,
) -> Result<(), Failure> {
    // A read timeout wakes the loop now and then, to see the time.
    let tick = Some(TICK);
    socket.set_read_timeout(tick).context("set_read_timeout")?;
    // One byte more than a datagram may hold: a longer one comes in cut to
    // this size, and the extra byte shows it.
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    let mut ignored = Ignored::default();
    while Instant::now() < until {
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(got) => got,
            // A timeout, or an error, which on a UDP socket belongs to one
            // datagram (or an ICMP message): never a reason to stop.
            Err(e) => {
                recv_failed(&e, say);
                continue;
            }
        };
        let Some(id) = query(&datagram[..n], from, &mut ignored, say) else {
            continue;
        };
        // Reply to the query's source, the client's own port: on the shared
        // well-known port a unicast datagram would reach one server only.
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
    Ok(())
}
// ANCHOR_END: story

/// A receive failed: said, unless it was the read timeout.
pub(crate) fn recv_failed(e: &std::io::Error, say: &Narrator) {
    if !is_timeout(e) {
        say.problem(format_args!("recv_from: {e}"));
    }
}

/// The id of the query in `datagram`; `None` for anything else, which is
/// said (or logged as ignored, `server/ignored.rs`).
pub(crate) fn query(
    datagram: &[u8],
    from: SocketAddr,
    ignored: &mut Ignored,
    say: &Narrator,
) -> Option<u64> {
    if datagram.len() > MAX_DATAGRAM {
        ignored.note(from, &format!("longer than {MAX_DATAGRAM} bytes"), say);
        return None;
    }
    match Message::parse(datagram) {
        Ok(Message::Query { id }) => Some(id),
        Ok(Message::Here { .. } | Message::Announce { .. }) => {
            detail!(say, "ignored another server's message from {from}");
            None
        }
        Err(refused) => {
            ignored.note(from, &refused.to_string(), say);
            None
        }
    }
}

// ANCHOR: serve
/// Serve discovery on `socket` until killed, or for `--for`: the story, or
/// with `--announce-every` its sibling that also announces.
pub fn serve(
    socket: &UdpSocket,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
    let until = opts.serve_for.map_or(far, |d| Instant::now() + d);
    let service = service(opts);
    let port = socket.local_addr().context("local_addr")?.port();
    let announce_to = match opts.group {
        Some(group) => group.addr(port),
        None => SocketAddr::new(IpAddr::V4(opts.to), port),
    };
    if let Some(group) = opts.group {
        multicast::configure_sending(socket, group, opts.interface)
            .with_context(|| format!("send to {group}"))?;
    }
    let announced = match opts.announce_every {
        Some(every) => {
            announce::serve(socket, &service, every, announce_to, until, say)?
        }
        None => answer_queries(socket, &service, until, say).map(|()| 0)?,
    };
    if let Some(served) = opts.serve_for {
        let served = fmt_duration(served);
        say!(say, gone(announced), "served for {served}: going away");
    }
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: listen_addr
/// Where to bind: every address (0.0.0.0), which is what hears broadcasts,
/// on the given port; for an IPv6 group, every IPv6 address.
pub fn listen_addr(
    addr: &HostPort,
    port: Option<u16>,
    group: Option<Group>,
) -> Result<SocketAddr, Failure> {
    let addr = match (port, group) {
        (Some(port), Some(group)) => group.bind_addr(port),
        (Some(port), None) => SocketAddr::from(([0, 0, 0, 0], port)),
        (None, Some(group @ Group::V6(..))) => {
            group.bind_addr(addr.resolve()?[0].port())
        }
        (None, _) => addr.resolve()?[0],
    };
    if !addr.is_ipv4() && !matches!(group, Some(Group::V6(..))) {
        return Err(Failure::msg(format!(
            "{addr} is IPv6, which has no broadcast"
        ))
        .with_hint("use an IPv4 address; IPv6's way is multicast (--group)"));
    }
    Ok(addr)
}
// ANCHOR_END: listen_addr

// ANCHOR: bind_shared
/// A UDP socket that several programs on this host can bind to the same
/// address and port, and that may send broadcasts, joined to `group` when
/// given (an IPv4 group on the interface with address `interface`).
pub fn bind_shared(
    addr: SocketAddr,
    group: Option<(Group, Ipv4Addr)>,
) -> Result<UdpSocket, Failure> {
    if addr.port() != 0 {
        return bind_shared_at(addr, group);
    }
    // Port 0 means "any free port". But with SO_REUSEADDR set, Linux may
    // hand out a port that other sharing sockets already hold, and we would
    // hear their traffic. A socket without it is given only a port nobody
    // holds: take that port, let it go, and bind to it explicitly. Another
    // socket may take it in between (seen with dozens of tests at once):
    // then try another.
    let mut tries = 10;
    loop {
        let probe =
            UdpSocket::bind(addr).with_context(|| format!("bind {addr}"))?;
        let free = probe.local_addr().context("local_addr")?;
        drop(probe);
        match bind_shared_at(free, group) {
            Err(e) if e.kind() == Some(ErrorKind::AddrInUse) && tries > 1 => {
                tries -= 1;
            }
            bound => return bound,
        }
    }
}

/// `bind_shared` on a port chosen already.
fn bind_shared_at(
    addr: SocketAddr,
    group: Option<(Group, Ipv4Addr)>,
) -> Result<UdpSocket, Failure> {
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::DGRAM,
        Some(Protocol::UDP),
    )
    .context("socket")?;
    // SO_REUSEADDR lets several sockets bind the same port, so several
    // servers can run on one host; each gets its own copy of every
    // broadcast. It has to be set before bind, which is why this is
    // socket2 and not std's UdpSocket::bind.
    socket.set_reuse_address(true).context("SO_REUSEADDR")?;
    // The BSDs (macOS among them) want SO_REUSEPORT for the same effect.
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    socket.set_reuse_port(true).context("SO_REUSEPORT")?;
    if addr.is_ipv4() {
        // Without SO_BROADCAST, sending to a broadcast address fails with
        // EACCES: the kernel wants proof that flooding the network is meant.
        socket.set_broadcast(true).context("SO_BROADCAST")?;
    }
    // Hear only the groups this socket joins (none without --group).
    multicast::before_bind(&socket, addr.is_ipv4())?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("bind {addr}"))?;
    if let Some((group, interface)) = group {
        multicast::join(&socket, group, interface)?; // --group
    }
    Ok(socket.into())
}
// ANCHOR_END: bind_shared

/// How often the loop wakes up, at least, to check whether to stop or to
/// announce.
const TICK: Duration = Duration::from_millis(100);

/// What the server answers with.
pub(crate) fn service(opts: &Options) -> Service {
    Service {
        name: opts.name.clone(),
        port: opts.service_port,
    }
}
