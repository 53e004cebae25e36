//! Point 2: without shutdown(Write), the server never learns the request
//! ended, and both sides wait; the client's read timeout ends it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn without_shutdown_both_sides_wait_until_the_read_timeout() {
    let mut server = Server::start(SERVER, &["--events"]);
    let started = Instant::now();
    let mut waiting = Command::new(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--no-shutdown",
            "--read-timeout",
            "2s",
            "hello",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the client");

    // The server has every byte of the request...
    assert_eq!(server.wait_for_event("read").num("bytes"), 5);
    // ...and still does not answer, because nothing told it the request is
    // over: the client is still waiting for the reply.
    assert!(waiting.try_wait().expect("poll the client").is_none());
    assert!(!server.events().iter().any(|e| e.name == "request_end"));

    let out = waiting.wait_with_output().expect("wait for the client");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: no reply within 2 s"), "{stderr}");
    assert!(stderr.contains("hint: deadlock"), "{stderr}");
    assert!(took >= Duration::from_secs(2), "gave up after {took:?}");
    assert!(took < Duration::from_secs(10), "gave up after {took:?}");
}
