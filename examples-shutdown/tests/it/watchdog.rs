//! Point 7: with try_clone handles, dropping one handle closes nothing while
//! another lives, while shutdown acts on the connection for every handle and
//! wakes a thread blocked in read().

use std::time::{Duration, Instant};

use common::testing::{Event, Server, client, event, run_events};

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn watchdog_shutdown_wakes_the_blocked_reader_and_ends_the_connection() {
    let mut server =
        Server::start(SERVER, &["--events", "--max-time", "300ms"]);
    let started = Instant::now();
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--no-shutdown",
        "--read-timeout",
        "10s",
        "hello",
    ]));
    let took = started.elapsed();
    assert_eq!(code, Some(1), "{stderr}");
    // The server's FIN, and no reply at all.
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (0, "eof"));
    // Ended by the watchdog at 300 ms, long before the client's own 10 s.
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert_eq!(server.wait_for_event("watchdog").get("action"), "shutdown");
    assert_eq!(server.wait_for_event("closed").get("how"), "watchdog");
}

#[test]
fn dropping_the_watchdogs_handle_closes_nothing() {
    let args = ["--events", "--max-time", "300ms", "--watchdog-drop"];
    let mut server = Server::start(SERVER, &args);
    // The watchdog gives up its handle at 300 ms, yet the connection stays
    // open: the client hears nothing until its own timeout.
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--no-shutdown",
        "--read-timeout",
        "2s",
        "hello",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (0, "timeout"));
    assert_eq!(server.wait_for_event("watchdog").get("action"), "drop");
    let events = server.events();
    let ended = |e: &&Event| e.name == "closed" && e.get("how") == "watchdog";
    assert!(!events.iter().any(|e| ended(&e)), "{events:?}");
}
