//! Point 3: against a server that trickles, a per-call read timeout never
//! fires; a deadline, recomputed before every read, ends the exchange.

use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn a_trickle_never_trips_the_read_timeout_but_the_deadline_ends_it() {
    let server =
        Server::start(SERVER, &["--mode", "trickle", "--interval", "50ms"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "200ms",
            "--deadline",
            "1s",
            "--events",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event deadline_passed "))
        .stdout(contains("event read_timeout").not())
        .stderr(contains(
            "error: deadline: the exchange took longer than 1 s",
        ));
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(1), "ended early: {took:?}");
    assert!(took < Duration::from_secs(2), "ended late: {took:?}");
}
