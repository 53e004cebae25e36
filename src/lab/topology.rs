//! The lab's topology: the hosts and their addresses, the router, the
//! switch, and the cables between them.

use std::net::Ipv4Addr;

use common::Failure;

/// A host of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its name: `h1` to `h4`.
    pub name: &'static str,
    /// Its IPv4 address.
    pub ip: Ipv4Addr,
    /// Its LAN's broadcast address.
    pub broadcast: Ipv4Addr,
}

/// The hosts: three on LAN 1, one on LAN 2 behind the router.
pub const HOSTS: [Host; 4] = [
    Host {
        name: "h1",
        ip: Ipv4Addr::new(198, 51, 100, 1),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h2",
        ip: Ipv4Addr::new(198, 51, 100, 2),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h3",
        ip: Ipv4Addr::new(198, 51, 100, 3),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h4",
        ip: Ipv4Addr::new(203, 0, 113, 4),
        broadcast: Ipv4Addr::new(203, 0, 113, 255),
    },
];

/// The router's address on LAN 1 and on LAN 2.
pub const ROUTER: (Ipv4Addr, Ipv4Addr) = (
    Ipv4Addr::new(198, 51, 100, 254),
    Ipv4Addr::new(203, 0, 113, 254),
);

/// The host named `name`.
pub fn host(name: &str) -> Result<Host, Failure> {
    HOSTS
        .iter()
        .find(|h| h.name == name)
        .copied()
        .ok_or_else(|| {
            Failure::msg(format!(
                "no host {name:?} in the lab: h1, h2, h3 or h4"
            ))
        })
}

/// The lab's namespaces: the hosts, the router, the switch, and the wire.
pub(super) const NODES: [&str; 7] = ["h1", "h2", "h3", "h4", "r", "sw", "wire"];

/// The underlay number of each node but the wire: node `k`'s side of its
/// cable to the wire is 169.254.k.2, the wire's side 169.254.k.1.
pub(super) fn underlay(node: &str) -> u8 {
    match node {
        "h1" => 1,
        "h2" => 2,
        "h3" => 3,
        "h4" => 4,
        "r" => 5,
        _ => 6, // "sw"
    }
}

/// One end of a cable: a node, and the interface there.
pub(super) type End = (&'static str, &'static str);

/// The cables: a VXLAN id (VNI), and the node and interface at each end.
/// The first end of each is the host whose link [`Lab::impair`] changes.
pub(super) const CABLES: [(u32, End, End); 5] = [
    (1, ("h1", "eth0"), ("sw", "h1")),
    (2, ("h2", "eth0"), ("sw", "h2")),
    (3, ("h3", "eth0"), ("sw", "h3")),
    (4, ("h4", "eth0"), ("r", "eth1")),
    (5, ("r", "eth0"), ("sw", "r")),
];
