//! Point 7: with try_clone handles, dropping one handle closes nothing while
//! another lives, while shutdown acts on the connection for every handle and
//! wakes a thread blocked in read().

use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn watchdog_shutdown_wakes_the_blocked_reader_and_ends_the_connection() {
    let mut server = Server::start(SERVER, &["--max-time", "300ms"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--no-shutdown",
            "--read-timeout",
            "10s",
            "hello",
        ])
        .assert()
        .code(1)
        .stdout(contains("read() returned 0 before any reply"))
        .stderr(contains(
            "error: the server closed the connection without a reply",
        ));
    let took = started.elapsed();
    // Ended by the watchdog at 300 ms, long before the client's own 10 s.
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    server.wait_for_line("watchdog: open for 300 ms; shutdown(Both)");
    server.wait_for_line("the watchdog ended the connection; no reply");
}

#[test]
fn dropping_the_watchdogs_handle_closes_nothing() {
    let mut server = Server::start(SERVER, &["--max-time", "300ms", "--watchdog-drop"]);
    // The watchdog gives up its handle at 300 ms, yet the connection stays
    // open: the client hears nothing until its own timeout.
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--no-shutdown",
            "--read-timeout",
            "2s",
            "hello",
        ])
        .assert()
        .code(1)
        .stderr(contains("error: no reply within 2 s"));
    server.wait_for_line("--watchdog-drop drops its handle, which closes nothing");
    assert!(
        !server
            .output()
            .contains("the watchdog ended the connection")
    );
}
