//! The server: bind the discovery port so that several servers can share
//! it and hear every broadcast, answer each query with a unicast reply to
//! its sender, and, with `--announce-every`, broadcast announcements of its
//! own. [`bind_shared`], [`serve`] and `answer` are the story; `--group`
//! (multicast) is in `multicast.rs`, announcements and the log of ignored
//! datagrams under `server/`.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use socket2::{Domain, Protocol, Socket, Type};

use crate::message::{MAX_DATAGRAM, Message, Service};
use crate::{Group, multicast};

mod announce;
pub(crate) mod ignored;

pub use crate::options::ServerOptions as Options;

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
    // VARIANT: --group, multicast instead of broadcast.
    multicast::before_bind(&socket, addr.is_ipv4())?;
    socket
        .bind(&addr.into())
        .with_context(|| format!("bind {addr}"))?;
    if let Some((group, interface)) = group {
        multicast::join(&socket, group, interface)?; // VARIANT
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

// ANCHOR: serve
/// Serve discovery on `socket` until killed, or for `--for`.
pub fn serve(
    socket: &UdpSocket,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let until = opts.serve_for.map(|d| Instant::now() + d);
    let port = socket.local_addr().context("local_addr")?.port();
    let announce_to = match opts.group {
        Some(group) => group.addr(port),
        None => SocketAddr::new(IpAddr::V4(opts.to), port),
    };
    if let Some(group) = opts.group {
        multicast::configure_sending(socket, group, opts.interface)
            .with_context(|| format!("send to {group}"))?;
    }
    let mut next_announcement = opts.announce_every.map(|_| Instant::now());
    let mut announced = 0u64;
    let mut ignored = ignored::Ignored::default(); // HARDENING
    // One byte more than a datagram may hold: a longer one comes in cut to
    // this size, and the extra byte shows it.
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    while until.is_none_or(|t| Instant::now() < t) {
        let wait = next_announcement.map_or(TICK, |at| {
            at.saturating_duration_since(Instant::now()).min(TICK)
        });
        socket
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .context("set_read_timeout")?;
        match socket.recv_from(&mut datagram) {
            Ok((n, from)) => {
                if let Some(why) =
                    answer(socket, &datagram[..n], from, opts, say)
                {
                    ignored.note(from, &why, say);
                }
            }
            Err(e) if is_timeout(&e) => {}
            // An error on a UDP socket belongs to one datagram (or to an
            // ICMP message about an earlier one): never a reason to stop.
            Err(e) => say.problem(format_args!("recv_from: {e}")),
        }
        if let (Some(at), Some(every)) =
            (next_announcement, opts.announce_every)
            && Instant::now() >= at
        {
            // VARIANT: --announce-every.
            announce::announce(
                socket,
                announce_to,
                every,
                opts,
                say,
                announced == 0,
            );
            announced += 1;
            next_announcement = Some(at + every);
        }
    }
    if let Some(served) = opts.serve_for {
        say!(say, "served for {}: going away", fmt_duration(served));
        say.event("gone", &[("announced", &announced)]);
    }
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: answer
/// One datagram in: a query gets a reply to its sender; anything else is
/// ignored, and the reason returned.
fn answer(
    socket: &UdpSocket,
    datagram: &[u8],
    from: SocketAddr,
    opts: &Options,
    say: &Narrator,
) -> Option<String> {
    if datagram.len() > MAX_DATAGRAM {
        return Some(format!("longer than {MAX_DATAGRAM} bytes"));
    }
    match Message::parse(datagram) {
        Ok(Message::Query { id }) => {
            // Reply to the address the query came from: the client's own
            // port. Not to the well-known port: there, other servers share
            // it, and a unicast datagram reaches only one of them.
            let reply = Message::Here {
                id,
                service: service(opts),
            }
            .encode();
            match socket.send_to(&reply, from) {
                Ok(_) => {
                    say!(say, "query from {from}: answered, to {from} alone");
                    say.event("answered", &[("to", &from)]);
                }
                Err(e) => say.problem(format_args!("reply to {from}: {e}")),
            }
            None
        }
        Ok(Message::Here { .. } | Message::Announce { .. }) => {
            detail!(say, "ignored another server's message from {from}");
            None
        }
        Err(refused) => Some(refused.to_string()),
    }
}
// ANCHOR_END: answer
