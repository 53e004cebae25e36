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
