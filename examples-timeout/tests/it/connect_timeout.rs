//! Point 4: a connect to a full accept queue hangs until the connect timeout
//! fires (TimedOut); a connect to a closed port is refused at once.

use std::time::{Duration, Instant};

use common::testing::{ClosedPort, Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn connect_timeout_fires_against_a_full_accept_queue() {
    let server = Server::start(SERVER, &["--mode", "full"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--connect-timeout",
            "500ms",
            "--events",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event connect_failed end=our_timeout"))
        .stderr(contains(format!(
            "error: connect timeout: no answer from {} within 500 ms",
            server.addr()
        )));
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(500), "fired early: {took:?}");
    assert!(took < Duration::from_millis(1500), "fired late: {took:?}");
}

#[test]
fn a_closed_port_refuses_at_once() {
    // Bound but not listening: refused, and held for the whole test.
    let closed = ClosedPort::new();
    let port = closed.addr().port();
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--connect-timeout",
            "5s",
            "--events",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event connect_failed end=refused"))
        .stderr(contains("Connection refused"));
    // Refused, not timed out: far sooner than the 5 s allowed.
    assert!(started.elapsed() < Duration::from_secs(2));
}
