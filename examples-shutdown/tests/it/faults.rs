//! Faults: a server killed in the middle of an exchange leaves its client
//! with a clear error, promptly, and a non-zero exit.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn a_server_killed_mid_exchange_ends_the_client_with_a_clear_error() {
    // The server waits before reading, so the client is surely waiting for
    // its reply when the server dies.
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
    // The kernel closed the dead server's sockets: the client learns at
    // once, long before its own 20 s timeout.
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "took {:?}",
        killed.elapsed()
    );
}
