//! # Lesson 4: UDP broadcast
//!
//! One datagram to a broadcast address reaches every host on the local
//! network, and, on each of them, every socket bound to the destination
//! port. That makes broadcast the simplest way to find services you know
//! nothing about: ask everyone, and let whoever offers the service answer.
//! This lesson's pair does exactly that, in two ways:
//!
//! - **discovery**: `broadcast-client discover` broadcasts one query;
//!   every `broadcast-server` on the port answers it, to the client alone;
//! - **announcements**: `broadcast-server --announce-every 1s` broadcasts
//!   "I am here" on its own, and `broadcast-client listen` keeps a table,
//!   forgetting a service that falls silent.
//!
//! Nothing leaves this machine by default: the broadcast address is
//! `127.255.255.255`, loopback's, which reaches the sockets of this host
//! only. `--to 255.255.255.255` reaches the LAN you are on, and only when
//! you ask.
//!
//! ```text
//! cargo run -p examples-broadcast --bin broadcast-server -- --name alpha --service-port 8001
//! cargo run -p examples-broadcast --bin broadcast-server -- --name beta --service-port 8002
//! cargo run -p examples-broadcast --bin broadcast-client -- discover
//! ```
//!
//! ## The chapter, the proofs, the exercises
//!
//! - The book's chapter "UDP broadcast" is `docs/src/broadcast.md` in the repository;
//!   `mdbook serve docs` shows it rendered, with this crate's code included
//!   from the source.
//! - `tests/` holds one test per behaviour the chapter states, each running
//!   both binaries over loopback: `cargo test -p examples-broadcast`.
//! - `examples/` holds the chapter's exercises, a starter and a tested
//!   solution each: `cargo test -p examples-broadcast --example discover_until_start` checks
//!   your answer to the first, `--example std_announcer_start` to the second.

use std::fmt;
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket,
};
use std::str::FromStr;

use common::{Context, Failure};
use socket2::{Domain, Protocol, Socket, Type};

pub mod client;
pub mod message;
pub mod server;

/// The discovery port, unless told otherwise.
pub const DEFAULT_PORT: u16 = 7104;

/// Where servers listen and listeners listen: every address of this host,
/// port 7104. A socket bound to 127.0.0.1 would not see broadcasts.
pub const DEFAULT_BIND: &str = "0.0.0.0:7104";

/// Where queries and announcements go: loopback's broadcast address, which
/// reaches this host only.
pub const DEFAULT_BROADCAST: Ipv4Addr = Ipv4Addr::new(127, 255, 255, 255);

/// The default multicast group for `--group`: in 239.255.0.0/16, the
/// "organization-local" scope, which routers do not forward off a site.
pub const DEFAULT_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 71, 4);

/// The end of both binaries' `--help`: the commands to copy into three
/// terminals.
pub const PAIR_HELP: &str = "\
Three terminals, from the repository's root:
  cargo run -p examples-broadcast --bin broadcast-server -- --name alpha --service-port 8001
  cargo run -p examples-broadcast --bin broadcast-server -- --name beta --service-port 8002
  cargo run -p examples-broadcast --bin broadcast-client -- discover

Announcements instead: add --announce-every 1s to the servers, and run
  cargo run -p examples-broadcast --bin broadcast-client -- listen --for 10s

Everything stays on this machine: the broadcast address is 127.255.255.255
unless you give --to (see the book's chapter \"UDP broadcast\").";

// ANCHOR: group
/// A multicast group to use instead of a broadcast address (`--group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// An IPv4 group, such as 239.255.71.4; the interface is chosen by its
    /// address (`--interface`).
    V4(Ipv4Addr),
    /// An IPv6 group and the index of the interface it lives on, written
    /// with a zone as ping and curl write one: `ff02::7104%eth0`. IPv6 has
    /// no broadcast; multicast is its only way to reach "everyone".
    V6(Ipv6Addr, u32),
}

impl Group {
    /// Where to send to the group on `port`.
    pub fn addr(self, port: u16) -> SocketAddr {
        match self {
            Group::V4(group) => SocketAddr::from((group, port)),
            // The scope id is the interface: a link-local group exists on
            // every link at once, and only the index says which one.
            Group::V6(group, index) => {
                SocketAddr::V6(SocketAddrV6::new(group, port, 0, index))
            }
        }
    }

    /// Where a member binds: every address of its family, on `port`.
    pub fn bind_addr(self, port: u16) -> SocketAddr {
        match self {
            Group::V4(_) => SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)),
            Group::V6(..) => SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)),
        }
    }
}
// ANCHOR_END: group

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::V4(group) => write!(f, "{group}"),
            Group::V6(group, index) => write!(f, "{group}%{index}"),
        }
    }
}

impl FromStr for Group {
    type Err = String;

    /// `239.255.71.4`, or `ff02::7104%eth0` (an interface name, or its index
    /// as `ip link` shows it).
    fn from_str(text: &str) -> Result<Group, String> {
        let (addr, zone) = match text.split_once('%') {
            Some((addr, zone)) => (addr, Some(zone)),
            None => (text, None),
        };
        match (addr.parse::<IpAddr>(), zone) {
            (Ok(IpAddr::V4(group)), None) if group.is_multicast() => {
                Ok(Group::V4(group))
            }
            (Ok(IpAddr::V6(group)), Some(zone)) if group.is_multicast() => {
                Ok(Group::V6(group, interface_index(zone)?))
            }
            (Ok(IpAddr::V6(group)), None) if group.is_multicast() => {
                Err(format!(
                    "{group} needs its interface, as in {group}%eth0: an IPv6 group is joined, and \
                 sent to, on one link"
                ))
            }
            (Ok(ip), _) if !ip.is_multicast() => {
                Err(format!("{ip} is not a multicast group"))
            }
            _ => Err(format!(
                "{text:?} is not a group: try 239.255.71.4, or ff02::7104%eth0"
            )),
        }
    }
}

/// The index of the interface `zone` (a name such as `eth0`, or already an
/// index).
fn interface_index(zone: &str) -> Result<u32, String> {
    if let Ok(index) = zone.parse() {
        return Ok(index);
    }
    // Linux publishes each interface's index in sysfs; reading it saves an
    // unsafe call to if_nametoindex(3).
    std::fs::read_to_string(format!("/sys/class/net/{zone}/ifindex"))
        .ok()
        .and_then(|i| i.trim().parse().ok())
        .ok_or_else(|| {
            format!("no interface {zone:?} here (`ip link` lists them)")
        })
}

// ANCHOR: bind_shared
/// A UDP socket that several programs on this host can bind to the same
/// address and port, and that may send broadcasts, joined to `group` when
/// given (an IPv4 group on the interface with address `interface`).
pub fn bind_shared(
    addr: SocketAddr,
    group: Option<(Group, Ipv4Addr)>,
) -> Result<UdpSocket, Failure> {
    // Port 0 means "any free port". But with SO_REUSEADDR set, Linux may
    // hand out a port that other sharing sockets already hold, and we would
    // hear their traffic. A socket without it is given only a port nobody
    // holds: take that port, let it go, and bind to it explicitly.
    let addr = if addr.port() == 0 {
        let probe =
            UdpSocket::bind(addr).with_context(|| format!("bind {addr}"))?;
        probe.local_addr().context("local_addr")?
    } else {
        addr
    };
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
        // Linux delivers to a socket bound to 0.0.0.0 the multicast of every
        // group that *any* socket on the host has joined (IP_MULTICAST_ALL
        // is on by default). Turned off, a socket hears only the groups it
        // joined itself, which is what "joining a group" is supposed to mean.
        #[cfg(target_os = "linux")]
        socket
            .set_multicast_all_v4(false)
            .context("IP_MULTICAST_ALL")?;
    } else {
        // IPv6 only: on Linux a socket bound to [::] would otherwise also
        // take IPv4 datagrams for the port, as mapped addresses.
        socket.set_only_v6(true).context("IPV6_V6ONLY")?;
        // The same as IP_MULTICAST_ALL, for IPv6 groups.
        #[cfg(target_os = "linux")]
        socket
            .set_multicast_all_v6(false)
            .context("IPV6_MULTICAST_ALL")?;
    }
    socket
        .bind(&addr.into())
        .with_context(|| format!("bind {addr}"))?;
    match group {
        // Multicast instead of broadcast: only sockets that joined the
        // group get its datagrams, on the interface chosen here.
        Some((Group::V4(group), interface)) => socket
            .join_multicast_v4(&group, &interface)
            .with_context(|| format!("join {group} on {interface}"))?,
        // IPv6 names the interface by its index, not by an address.
        Some((Group::V6(group, index), _)) => socket
            .join_multicast_v6(&group, index)
            .with_context(|| format!("join {group} on interface {index}"))?,
        None => {}
    }
    Ok(socket.into())
}
// ANCHOR_END: bind_shared

/// True for addresses whose datagrams stay on this host.
pub fn stays_here(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
}
