//! Faults: a server killed mid-transfer leaves the client with a clear
//! error and a non-zero exit; a client killed mid-frame costs the server one
//! line; a port in use is a clear error.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

#[test]
fn a_server_killed_mid_transfer_ends_the_client_with_a_clear_error() {
    let mut server =
        Server::start(SERVER, &["--events", "--read-delay", "30s"]);
    let waiting = Command::new(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "20s",
            "hello",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");
    assert_eq!(server.wait_for_event("busy").num("ms"), 30_000);
    let killed = Instant::now();
    server.kill();
    let out = waiting.wait_with_output().expect("wait for the client");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "took {:?}",
        killed.elapsed()
    );
}

#[test]
fn a_client_killed_mid_frame_costs_the_server_one_line() {
    let mut server = Server::start(SERVER, &[]);
    let mut trickling = Command::new(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--trickle",
            "--pause",
            "50ms",
            "-v",
            "a message that takes a while to send",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the client");
    // Kill it once it has sent 6 of the frame's 40 bytes: past the 4-byte
    // header, far from the end.
    let progress =
        BufReader::new(trickling.stdout.take().expect("the client's stdout"));
    let mid_frame = progress
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("sent byte 6 of 40"));
    assert!(mid_frame, "the client never got 6 bytes out");
    trickling.kill().expect("kill the client");
    let _ = trickling.wait();
    // "the stream ended N bytes into a 36-byte payload", N a few: how many
    // more the client sent before it died depends on scheduling.
    let line = server.wait_for_line("bytes into a 36-byte payload");
    assert!(
        line.contains("#1 error: frame 1: u32-length: the stream ended"),
        "{line}"
    );
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "next"])
        .assert()
        .success()
        .stdout("txen\n");
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
        )));
}
