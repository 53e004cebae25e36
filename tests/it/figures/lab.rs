//! Figures from the network lab: frames on a LAN of namespaces, captured
//! as they arrive at every host (`tcpdump -Q in` on each one's eth0), and
//! merged into one ladder, a column per host.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use advanced_sockets::capture::ladder::{Call, Ladder, Spec, reduce};
use advanced_sockets::capture::{Capture, Kind, Packet};
use advanced_sockets::lab::{HOSTS, Lab, ROUTER};
use common::testing::Server;

use super::{not_root, verify};
use crate::lab::{TestLab, inside, lab};

/// The lab's figures, for the check that each has its committed ladder.
pub(super) const FIGURES: [&str; 2] = ["lab-broadcast", "lab-multicast"];

/// The columns: the LAN's three hosts, the router's LAN side, and h4
/// behind it.
const COLUMNS: [&str; 5] = ["h1", "h2", "h3", "r", "h4"];

/// The column of each address of the lab: IPv4 from the topology, IPv6
/// link-local as each node's eth0 has it (they are made from its MAC).
fn columns(lab: &Lab) -> HashMap<IpAddr, usize> {
    let mut map = HashMap::new();
    map.insert(IpAddr::V4(ROUTER.0), 3);
    map.insert(IpAddr::V4(ROUTER.1), 3);
    for h in HOSTS {
        if let Some(i) = COLUMNS.iter().position(|c| *c == h.name) {
            map.insert(IpAddr::V4(h.ip), i);
        }
    }
    for (i, node) in COLUMNS.iter().enumerate() {
        let out = lab
            .command(node, "ip")
            .args(["-o", "-6", "addr", "show", "dev", "eth0", "scope", "link"])
            .output()
            .expect("ip addr");
        // "3: eth0    inet6 fe80::.../64 scope link ..."
        let text = String::from_utf8_lossy(&out.stdout);
        let addr = text.split_whitespace().skip_while(|w| *w != "inet6").nth(1);
        if let Some(ip) = addr
            .and_then(|a| a.split('/').next())
            .and_then(|a| a.parse().ok())
        {
            map.insert(ip, i);
        }
    }
    map
}

/// Start `servers` while every node captures what arrives for `filter`
/// (and, of group messages, those about `group`), then run `client` in
/// h1, and return the packets, each addressed to
/// where it was seen (a broadcast's copies become one row per receiver),
/// in a fixed order: group messages by sender, then h1's datagrams by
/// receiver, then the answers by sender. (Copies of one frame arrive
/// within microseconds of each other, in any order.)
fn capture_lab(
    lab: &Lab,
    servers: &[(&str, &[&str])],
    client: &[&str],
    filter: &str,
    group: Option<IpAddr>,
) -> (Vec<Packet>, HashMap<IpAddr, usize>) {
    let columns = columns(lab);
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
    let _servers: Vec<Server> = servers
        .iter()
        .map(|(host, args)| {
            Server::spawn(inside(lab, host, "broadcast-server", args))
        })
        .collect();
    let out = inside(lab, "h1", "broadcast-client", client)
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
        let here = columns
            .iter()
            .find(|(ip, c)| **c == at && ip.is_ipv4())
            .map(|(ip, _)| *ip);
        // A fresh lab's interfaces still report their own groups (the
        // solicited-node ones): only the figure's group is kept.
        let ours = |p: &Packet| match p.kind {
            Kind::Group { group: g, .. } => g.is_some() && g == group,
            _ => true,
        };
        for mut p in packets.into_iter().filter(ours) {
            // Addressed to where it was seen, in the family it came in.
            let here = if p.dst.is_ipv6() {
                columns
                    .iter()
                    .find(|(ip, c)| **c == at && ip.is_ipv6())
                    .map(|(ip, _)| *ip)
            } else {
                here
            };
            if let Some(here) = here {
                p.dst = SocketAddr::new(here, p.dst.port());
                seen.push((at, p));
            }
        }
    }
    seen.sort_by_key(|(at, p)| {
        let sender = columns.get(&p.src.ip()).copied().unwrap_or(usize::MAX);
        let phase = match p.kind {
            Kind::Group { .. } => 0,
            _ if sender == 0 => 1,
            _ => 2,
        };
        (phase, sender, *at)
    });
    (seen.into_iter().map(|(_, p)| p).collect(), columns)
}

/// A lab, or a failure saying why none can be built here.
fn root_lab() -> TestLab {
    assert!(
        !not_root(),
        "the lab's figures need root, iproute2 and tcpdump: sudo -E env \
         \"PATH=$PATH\" cargo test --test it -- --ignored figure_lab"
    );
    lab()
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored figure"]
fn figure_lab_broadcast() {
    let lab = root_lab();
    let (packets, columns) = capture_lab(
        &lab,
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
        None,
    );
    let host_of = |a: SocketAddr| columns.get(&a.ip()).copied();
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

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored figure"]
fn figure_lab_multicast() {
    let lab = root_lab();
    // Each join is reported twice (MLD's robustness), at random within
    // the unsolicited report interval: 1 ms here, so both come at once.
    for host in ["h2", "h3", "h4"] {
        let sysctl = "net.ipv6.conf.eth0.mldv2_unsolicited_report_interval=1";
        let status = lab.command(host, "sysctl").args(["-qw", sysctl]).status();
        assert!(status.is_ok_and(|s| s.success()), "{sysctl} in {host}");
    }
    let group = "ff02::7104%eth0";
    let (packets, columns) = capture_lab(
        &lab,
        &[
            ("h2", &["--name", "h2", "--group", group]),
            ("h3", &["--name", "h3", "--group", group]),
            ("h4", &["--name", "h4", "--group", group]),
        ],
        &["discover", "--group", group, "--wait", "300ms", "-q"],
        // MLD rides behind a hop-by-hop header, which `icmp6` does not
        // look past: every multicast frame, then (NDP is left out later).
        "udp port 7104 or ip6 multicast",
        Some(IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x7104))),
    );
    // A join is reported two or three times (MLD's robustness, and once
    // more when a fresh interface's address settles): one row each.
    let mut packets = packets;
    packets.dedup_by(|a, b| (a.src, a.dst, a.kind) == (b.src, b.dst, b.kind));
    let host_of = |a: SocketAddr| columns.get(&a.ip()).copied();
    let spec = Spec {
        about: &[
            "A multicast join on the lab's LAN: h2 and h3 join ff02::7104 on",
            "eth0, and say so (MLD reports, sent two or three times, drawn",
            "once); h1's query to the group reaches the LAN; h2 and h3",
            "answer. h4 joined too, on its own link: none of this reaches it.",
        ],
        name: "lab-multicast",
        hosts: &COLUMNS,
        host_of: &host_of,
        timing: None,
        calls: &[
            Call::new("h2", "mld", "h2", "join: report"),
            Call::new("h3", "mld", "h3", "join: report"),
            Call::new("h1", "udp", "h1", "QUERY"),
            Call::new("h1>r", "udp", "r", "not a member"),
            Call::new("h1>r", "udp", "h4", "no copy"),
            Call::new("h2", "udp", "h2", "HERE"),
            Call::new("h3", "udp", "h3", "HERE"),
        ],
    };
    let ladder: Ladder = reduce(&packets, &spec)
        .unwrap_or_else(|e| panic!("{e}; the capture:\n{packets:#?}"));
    verify(&ladder);
}
