//! The hardened server runs the story unchanged: a connection to a server
//! with no flags, and one to a server whose every limit is as tight as the
//! request allows, tell the same story, event for event, and the client
//! reads the same bytes.

use common::testing::{Event, Server, client};

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

/// Every limit as tight as a 22-byte request allows, and each one on.
const TIGHT: [&str; 10] = [
    "--max-request",
    "64",
    "--max-memory",
    "40KiB",
    "--max-clients",
    "1",
    "--max-time",
    "5s",
    "--idle-timeout",
    "5s",
];

/// One exchange with a server started with `args`: what the client
/// printed, and the server's events for the connection, without the
/// peer's port (which differs from run to run).
fn story(server: &str, args: &[&str]) -> (Vec<u8>, Vec<(String, Vec<String>)>) {
    let mut all = vec!["--events", "--once"];
    all.extend_from_slice(args);
    let mut server = Server::start(server, &all);
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "hello, half-open world"])
        .output()
        .expect("run the client");
    assert!(out.status.success(), "{out:?}");
    server.wait_for_event("closed");
    let told = |e: &Event| {
        let fields = e.fields.iter().filter(|(k, _)| *k != "peer");
        (
            e.name.clone(),
            fields.map(|(k, v)| format!("{k}={v}")).collect(),
        )
    };
    // The hardening's own events (its budget, the end of the connection's
    // thread or task) are left out: the story's steps are the point.
    let hardening = ["memory", "memory_wait", "done"];
    let events = server.events();
    let story = events
        .iter()
        .filter(|e| !hardening.contains(&e.name.as_str()));
    (out.stdout, story.map(told).collect())
}

#[test]
fn a_plain_run_and_a_hardened_run_tell_the_same_story() {
    for server in [SERVER, ASYNC_SERVER] {
        let plain = story(server, &[]);
        let tight = story(server, &TIGHT);
        assert_eq!(plain, tight, "{server}");
        let names: Vec<_> = plain.1.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["accepted", "read", "request_end", "closed"]);
        assert!(plain.0.starts_with(b"received 22 bytes"), "{plain:?}");
    }
}
