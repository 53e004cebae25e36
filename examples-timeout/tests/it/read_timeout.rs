//! Points 1 and 2: a read timeout turns "nothing happened" into an error
//! after about the time asked, and it is not the end of the connection.

use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn read_timeout_fires_against_a_silent_server() {
    let server = Server::start(SERVER, &["--mode", "silent"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--events",
            "--read-timeout",
            "250ms",
            "--retries",
            "0",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event read_timeout got=0 "))
        .stdout(contains("temporarily unavailable").not())
        .stderr(contains(
            "error: read timeout: no data from the server for 250 ms",
        ));
    let took = started.elapsed();
    // The kernel counts the timeout in clock ticks, and the first tick may
    // be partly gone: a tick of slack.
    assert!(took >= Duration::from_millis(245), "fired early: {took:?}");
    assert!(took < Duration::from_millis(1250), "fired late: {took:?}");
}

#[test]
fn without_retries_a_slow_answer_is_a_read_timeout() {
    let server = Server::start(SERVER, &["--mode", "slow", "--delay", "1s"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "300ms",
            "--retries",
            "0",
        ])
        .assert()
        .code(1)
        .stderr(contains("error: read timeout"));
}

#[test]
fn reading_again_on_the_same_connection_gets_the_late_answer() {
    let server = Server::start(SERVER, &["--mode", "slow", "--delay", "1s"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "300ms",
            "--retries",
            "5",
            "--events",
        ])
        .assert()
        .success()
        // At least one timeout, survived: the same connection, read again.
        .stdout(contains("[client] event read_timeout got=0 "))
        .stdout(
            predicate::str::is_match(r"event reply bytes=5 timeouts=[1-5] ")
                .expect("a regex"),
        )
        .stdout(predicate::str::ends_with("ping\n"));
}
