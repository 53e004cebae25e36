//! Multicast instead of broadcast: a query to a group reaches the servers
//! that joined it, and no other, all on loopback.

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");

const GROUP: &str = "239.255.71.4";

#[test]
fn a_multicast_query_reaches_the_members_of_the_group_only() {
    let member = Server::start(
        SERVER,
        &["--addr", "0.0.0.0:0", "--name", "member", "--group", GROUP],
    );
    let port = member.addr().port().to_string();
    let shared = format!("0.0.0.0:{port}");
    let _also = Server::start(
        SERVER,
        &["--addr", &shared, "--name", "also-member", "--group", GROUP],
    );
    // Same port, did not join: with IP_MULTICAST_ALL off, it hears nothing.
    let _outsider =
        Server::start(SERVER, &["--addr", &shared, "--name", "outsider"]);
    client(CLIENT)
        .args([
            "discover", "--group", GROUP, "--port", &port, "--wait", "1500ms",
            "-q",
        ])
        .assert()
        .success()
        .stdout(
            contains("member")
                .and(contains("also-member"))
                .and(contains("outsider").not()),
        );
}

#[test]
fn announcements_travel_by_multicast_too() {
    let herald = Server::start(
        SERVER,
        &[
            "--addr",
            "0.0.0.0:0",
            "--name",
            "herald",
            "--group",
            GROUP,
            "--announce-every",
            "100ms",
        ],
    );
    let port = herald.addr().port().to_string();
    client(CLIENT)
        .args([
            "listen", "--port", &port, "--group", GROUP, "--for", "600ms",
            "--events",
        ])
        .assert()
        .success()
        .stdout(contains("[client] event new name=herald port=8000 "));
}
