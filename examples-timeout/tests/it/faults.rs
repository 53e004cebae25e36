//! Faults: a server killed in the middle of an exchange leaves its client
//! with a clear error, promptly, and a non-zero exit; a server started on a
//! port in use says so.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn a_server_killed_mid_exchange_ends_the_client_with_a_clear_error() {
    let mut server = Server::start(
        SERVER,
        &["--mode", "slow", "--delay", "30s", "--events"],
    );
    let waiting = Command::new(CLIENT)
        .args(["--addr", &server.addr_arg(), "--read-timeout", "20s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");
    assert_eq!(server.wait_for_event("slow").num("delay_ms"), 30_000);
    let killed = Instant::now();
    server.kill();
    let out = waiting.wait_with_output().expect("wait for the client");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: the server closed the connection 0 bytes into the reply"
        ),
        "{stderr}"
    );
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "took {:?}",
        killed.elapsed()
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("local_addr");
    client(SERVER)
        .args(["--addr", &addr.to_string()])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "error: bind {addr}: Address already in use"
        )))
        .stderr(contains("try --addr 127.0.0.1:0"));
}
