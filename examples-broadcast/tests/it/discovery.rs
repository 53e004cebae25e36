//! Discovery over loopback broadcast: the flag it needs, every server on a
//! shared port answering, where replies come from, and what a bind to
//! 127.0.0.1 or a unicast datagram does instead.

use common::testing::{Server, client, event, events};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");

/// Servers named `names`, all on one port: the first picks it, the others
/// share it. Returns them and the port.
fn servers(names: &[&str]) -> (Vec<Server>, u16) {
    let first = Server::start(
        SERVER,
        &["--addr", "0.0.0.0:0", "--name", names[0], "--events"],
    );
    let port = first.addr().port();
    let mut all = vec![first];
    for name in &names[1..] {
        all.push(Server::start(
            SERVER,
            &[
                "--addr",
                &format!("0.0.0.0:{port}"),
                "--name",
                name,
                "--events",
            ],
        ));
    }
    (all, port)
}

#[test]
fn without_so_broadcast_the_send_fails_with_permission_denied() {
    let (_servers, port) = servers(&["alpha"]);
    client(CLIENT)
        .args([
            "discover",
            "--port",
            &port.to_string(),
            "--no-broadcast-flag",
        ])
        .assert()
        .code(1)
        .stdout(contains(
            "a socket must set SO_BROADCAST to send to a broadcast address",
        ))
        .stderr(contains(format!(
            "error: send a query to 127.255.255.255:{port}: Permission denied (os error 13)"
        )));
}

#[test]
fn every_server_on_the_port_answers_one_broadcast_query() {
    let (mut servers, port) = servers(&["alpha", "beta", "gamma"]);
    client(CLIENT)
        .args([
            "discover",
            "--port",
            &port.to_string(),
            "--wait",
            "1500ms",
            "-q",
        ])
        .assert()
        .success()
        .stdout(predicate::function(|out: &str| {
            let names: Vec<&str> = out
                .lines()
                .filter_map(|l| l.split_whitespace().next())
                .collect();
            names == ["alpha", "beta", "gamma"]
        }));
    for server in &mut servers {
        let to = server.wait_for_event("answered");
        assert!(to.get("to").starts_with("127.0.0.1:"), "{to:?}");
    }
}

#[test]
fn discovery_finds_each_server_exactly_once_and_says_where_replies_came_from() {
    let (_servers, port) = servers(&["s1", "s2", "s3", "s4", "s5"]);
    let out = client(CLIENT)
        .args(["discover", "--port", &port.to_string(), "--wait", "1500ms"])
        .arg("--events")
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let replies = events(&stdout);
    for name in ["s1", "s2", "s3", "s4", "s5"] {
        let from: Vec<&str> = replies
            .iter()
            .filter(|e| e.name == "reply" && e.get("name") == name)
            .map(|e| e.get("from"))
            .collect();
        // Once each, and from the sender as the kernel saw it: the
        // servers' shared port, on loopback.
        assert_eq!(from, [format!("127.0.0.1:{port}")], "{name}: {stdout}");
    }
    assert_eq!(event(&replies, "found").num("count"), 5, "{stdout}");
}

#[test]
fn a_server_bound_to_127_0_0_1_does_not_hear_the_broadcast() {
    let (_servers, port) = servers(&["wide"]);
    let _deaf = Server::start(
        SERVER,
        &["--addr", &format!("127.0.0.1:{port}"), "--name", "deaf"],
    );
    client(CLIENT)
        .args([
            "discover",
            "--port",
            &port.to_string(),
            "--wait",
            "1500ms",
            "-q",
        ])
        .assert()
        .success()
        .stdout(contains("wide").and(contains("deaf").not()));
}

#[test]
fn a_server_bound_to_the_broadcast_address_hears_it() {
    let first = Server::start(
        SERVER,
        &["--addr", "127.255.255.255:0", "--name", "narrow"],
    );
    let port = first.addr().port();
    client(CLIENT)
        .args([
            "discover",
            "--port",
            &port.to_string(),
            "--wait",
            "1500ms",
            "-q",
        ])
        .assert()
        .success()
        .stdout(contains("narrow"));
}

/// The servers that answer a unicast query to 127.0.0.1 on `port`.
fn unicast_answerers(port: u16) -> Vec<String> {
    let to = format!("127.0.0.1:{port}");
    let out = client(CLIENT)
        .args(["discover", "--addr", &to, "--wait", "1500ms", "--events"])
        .output()
        .expect("run the client");
    assert!(out.status.success());
    events(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .filter(|e| e.name == "reply")
        .map(|e| e.get("name").to_owned())
        .collect()
}

#[test]
fn a_unicast_query_to_a_shared_port_reaches_only_the_last_server_bound() {
    let (_servers, port) = servers(&["first", "second", "last"]);
    assert_eq!(unicast_answerers(port), ["last"]);
}

#[test]
fn an_exact_address_bind_wins_a_unicast_whatever_the_order() {
    // One server bound to the wildcard, then one to the exact address, then
    // another to the wildcard: the last one bound is a wildcard server, yet
    // the unicast goes to the exact one. The kernel scores each socket by
    // how well its bound address matches; "the last bound wins" holds only
    // among sockets bound alike.
    let first =
        Server::start(SERVER, &["--addr", "0.0.0.0:0", "--name", "wild-1"]);
    let port = first.addr().port();
    let exact = Server::start(
        SERVER,
        &["--addr", &format!("127.0.0.1:{port}"), "--name", "exact"],
    );
    let last = Server::start(
        SERVER,
        &["--addr", &format!("0.0.0.0:{port}"), "--name", "wild-2"],
    );
    assert_eq!(unicast_answerers(port), ["exact"]);
    drop((first, exact, last));
}

/// A UDP port that nothing hears broadcasts or datagrams to 127.0.0.2 on,
/// for as long as the guard lives. The guard is bound to 127.0.0.1 without
/// SO_REUSEADDR: no server can take the port meanwhile (a port found free
/// and let go could be), and a socket bound to 127.0.0.1 hears neither
/// broadcasts (section 3) nor what is sent to 127.0.0.2.
fn a_port_nobody_hears() -> (std::net::UdpSocket, u16) {
    let guard = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a guard");
    let port = guard.local_addr().expect("local_addr").port();
    (guard, port)
}

#[test]
fn with_nobody_listening_the_query_vanishes_and_the_client_says_so() {
    let (_guard, port) = a_port_nobody_hears();
    client(CLIENT)
        .args(["discover", "--port", &port.to_string(), "--wait", "300ms"])
        .arg("--events")
        .assert()
        .success()
        .stdout(contains("[client] event found count=0"))
        .stdout(contains("no services found"));
}

#[test]
fn a_unicast_query_to_a_closed_port_is_just_as_silent_to_an_unconnected_socket()
{
    let (_guard, port) = a_port_nobody_hears();
    // Nothing is bound to 127.0.0.2 on this port: the kernel answers with
    // ICMP "port unreachable" (the chapter's capture shows it), but tells
    // the unconnected socket nothing: no error, the same silence as a
    // broadcast.
    client(CLIENT)
        .args([
            "discover",
            "--addr",
            &format!("127.0.0.2:{port}"),
            "--wait",
            "300ms",
        ])
        .arg("--events")
        .assert()
        .success()
        .stdout(contains(format!("sent a query to 127.0.0.2:{port}")))
        .stdout(contains("event found count=0"))
        .stdout(contains("no services found"));
}

#[test]
fn a_receiver_needs_no_so_broadcast() {
    // A bare socket on the shared port: SO_REUSEADDR to share it, and no
    // SO_BROADCAST. The client's broadcast query still reaches it: only the
    // sender needs the flag.
    let (_servers, port) = servers(&["alpha"]);
    let bare =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)
            .expect("socket");
    bare.set_reuse_address(true).expect("SO_REUSEADDR");
    bare.bind(&std::net::SocketAddr::from(([0, 0, 0, 0], port)).into())
        .expect("bind");
    let bare = std::net::UdpSocket::from(bare);
    assert!(!bare.broadcast().expect("read SO_BROADCAST"));
    bare.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    client(CLIENT)
        .args(["discover", "--port", &port.to_string(), "-q"])
        .assert()
        .success();
    let mut datagram = [0u8; 512];
    let (n, _) = bare
        .recv_from(&mut datagram)
        .expect("the query reaches a socket without SO_BROADCAST");
    assert!(datagram[..n].starts_with(b"ASOCK/1 QUERY"));
}
