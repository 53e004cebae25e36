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
//! [`async_client`] and [`async_server`] are discovery and announcements on
//! tokio's `UdpSocket` (`broadcast-async-client`, `broadcast-async-server`),
//! speaking the same datagrams: the book's chapter "The same lessons,
//! async".
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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};
use std::str::FromStr;

pub mod async_client;
pub mod async_server;
pub mod client;
pub mod message;
pub mod multicast;
pub mod options;
pub mod server;

pub use server::bind_shared;

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

/// The end of the async binaries' `--help`.
pub const ASYNC_PAIR_HELP: &str = "\
Three terminals, from the repository's root:
  cargo run -p examples-broadcast --bin broadcast-server -- --name alpha
  cargo run -p examples-broadcast --bin broadcast-async-server -- --name beta
  cargo run -p examples-broadcast --bin broadcast-async-client -- discover

Announcements: add --announce-every 1s to broadcast-async-server, and run
  cargo run -p examples-broadcast --bin broadcast-client -- listen --for 10s
Everything stays on this machine: the broadcast address is 127.255.255.255
(see the book's chapter \"The same lessons, async\").";

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

/// True for addresses whose datagrams stay on this host.
pub fn stays_here(ip: Ipv4Addr) -> bool {
    ip.is_loopback()
}
