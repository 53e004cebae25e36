//! Figures from the network lab: frames on a LAN of namespaces, captured
//! as they arrive at every host (`tcpdump -Q in` on each one's eth0), and
//! merged into one ladder, a column per host.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use advanced_sockets::capture::ladder::{Call, Ladder, Spec, reduce};
use advanced_sockets::capture::{Capture, Packet};
use advanced_sockets::lab::{HOSTS, ROUTER};
use common::testing::Server;

use super::{not_root, verify};
use crate::lab::{inside, lab};

/// The lab's figures, for the check that each has its committed ladder.
pub(super) const FIGURES: [&str; 1] = ["lab-broadcast"];

/// The columns: the LAN's three hosts, the router's LAN side, and h4
/// behind it.
const COLUMNS: [&str; 5] = ["h1", "h2", "h3", "r", "h4"];

/// The column of an address of the lab.
fn column(ip: IpAddr) -> Option<usize> {
    if ip == IpAddr::V4(ROUTER.0) || ip == IpAddr::V4(ROUTER.1) {
        return Some(3);
    }
    let host = HOSTS.iter().find(|h| IpAddr::V4(h.ip) == ip)?;
    COLUMNS.iter().position(|c| *c == host.name)
}

/// Run `client` in h1 while every node captures what arrives for
/// `filter`, and return the packets, each addressed to where it was seen
/// (a broadcast's copies become one row per receiver), in a fixed order:
/// h1's datagrams first, by receiver, then the answers, by sender. (Their
/// copies arrive within microseconds of each other, in any order.)
fn capture_lab(
    servers: &[(&str, &[&str])],
    client: &[&str],
    filter: &str,
) -> Vec<Packet> {
    assert!(
        !not_root(),
        "the lab's figures need root, iproute2 and tcpdump: sudo -E env \
         \"PATH=$PATH\" cargo test --test tour -- --ignored figure_lab"
    );
    let lab = lab();
    let _servers: Vec<Server> = servers
        .iter()
        .map(|(host, args)| {
            Server::spawn(inside(&lab, host, "broadcast-server", args))
        })
        .collect();
    let captures: Vec<(usize, Capture)> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let tcpdump = lab.command(node, "tcpdump");
            let capture = Capture::incoming(tcpdump, "eth0", filter)
                .unwrap_or_else(|e| panic!("capture in {node}: {e}"));
            (i, capture)
        })
        .collect();
    let out = inside(&lab, "h1", "broadcast-client", client)
        .output()
        .expect("run the client in h1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen: Vec<(usize, Packet)> = Vec::new();
    for (at, capture) in captures {
        let packets = capture
            .finish_when_quiet(Duration::from_millis(300))
            .expect("finish a capture");
        for mut p in packets {
            let here = if at == 3 {
                ROUTER.0
            } else {
                host_ip(COLUMNS[at])
            };
            p.dst = SocketAddr::new(IpAddr::V4(here), p.dst.port());
            seen.push((at, p));
        }
    }
    let from_h1 = |p: &Packet| column(p.src.ip()) == Some(0);
    seen.sort_by_key(|(at, p)| {
        let sender = column(p.src.ip()).unwrap_or(usize::MAX);
        if from_h1(p) { (0, *at) } else { (1, sender) }
    });
    seen.into_iter().map(|(_, p)| p).collect()
}

fn host_ip(name: &str) -> std::net::Ipv4Addr {
    HOSTS
        .iter()
        .find(|h| h.name == name)
        .map(|h| h.ip)
        .unwrap_or_else(|| panic!("no host {name}"))
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test tour -- --ignored figure"]
fn figure_lab_broadcast() {
    let packets = capture_lab(
        &[
            ("h2", &["--name", "h2"]),
            ("h3", &["--name", "h3"]),
            ("h4", &["--name", "h4"]),
        ],
        &[
            "discover",
            "--to",
            "198.51.100.255",
            "--wait",
            "300ms",
            "-q",
        ],
        "udp port 7104",
    );
    let host_of = |a: SocketAddr| column(a.ip());
    let spec = Spec {
        about: &[
            "A broadcast on the lab's LAN: h1 asks 198.51.100.255; a copy of",
            "the frame arrives at h2, h3 and the router, which forwards no",
            "broadcast, so h4's server never hears it. h2 and h3 answer.",
        ],
        name: "lab-broadcast",
        hosts: &COLUMNS,
        host_of: &host_of,
        timing: None,
        calls: &[
            Call::new("h1", "udp", "h1", "QUERY"),
            Call::new("h1>r", "udp", "r", "not forwarded"),
            Call::new("h1>r", "udp", "h4", "no copy"),
            Call::new("h2", "udp", "h2", "HERE"),
            Call::new("h3", "udp", "h3", "HERE"),
        ],
    };
    let ladder: Ladder = reduce(&packets, &spec)
        .unwrap_or_else(|e| panic!("{e}; the capture:\n{packets:#?}"));
    verify(&ladder);
}
