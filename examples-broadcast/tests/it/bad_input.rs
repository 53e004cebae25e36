//! Bad names and addresses get clear errors.

use common::testing::client;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");

#[test]
fn a_bad_service_name_is_a_usage_error() {
    client(SERVER)
        .args(["--name", "two words"])
        .assert()
        .code(2)
        .stderr(contains("' ' is not allowed in a name"));
}

#[test]
fn ipv6_has_no_broadcast() {
    client(SERVER)
        .args(["--addr", "[::1]:0"])
        .assert()
        .code(1)
        .stderr(contains("error: [::1]:0 is IPv6, which has no broadcast"));
}

#[test]
fn a_subcommand_is_required() {
    client(CLIENT)
        .assert()
        .code(2)
        .stderr(contains("Usage: broadcast-client"));
}

#[test]
fn a_port_held_without_sharing_is_a_clear_error() {
    // A socket without SO_REUSEADDR holds the port for itself: our server,
    // which would share, cannot.
    let taken = std::net::UdpSocket::bind("0.0.0.0:0").expect("bind");
    let port = taken.local_addr().expect("local_addr").port();
    client(SERVER)
        .args(["--addr", &format!("0.0.0.0:{port}")])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "error: bind 0.0.0.0:{port}: Address already in use"
        )));
}

#[test]
fn an_ipv6_group_needs_its_interface() {
    client(CLIENT)
        .args(["discover", "--group", "ff02::7104"])
        .assert()
        .code(2)
        .stderr(contains(
            "ff02::7104 needs its interface, as in ff02::7104%eth0",
        ));
    client(SERVER)
        .args(["--group", "ff02::7104%no-such-interface"])
        .assert()
        .code(2)
        .stderr(contains("no interface \"no-such-interface\" here"));
}

#[test]
fn a_group_must_be_a_multicast_address() {
    client(CLIENT)
        .args(["discover", "--group", "10.0.0.1"])
        .assert()
        .code(2)
        .stderr(contains("10.0.0.1 is not a multicast group"));
}

#[test]
fn ipv6_multicast_cannot_be_sent_through_loopback() {
    // Linux's loopback interface is not a multicast interface (no MULTICAST
    // flag): an IPv6 group on it can be joined, but nothing can be sent to
    // it. That is why the network lab shows IPv6 multicast, on real links.
    client(CLIENT)
        .args([
            "discover",
            "--group",
            "ff02::7104%1",
            "--port",
            "9",
            "--wait",
            "100ms",
        ])
        .assert()
        .code(1)
        .stderr(contains(
            "error: send a query to [ff02::7104%1]:9: Network is unreachable",
        ));
}
