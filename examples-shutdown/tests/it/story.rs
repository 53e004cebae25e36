//! The hardened server runs the story unchanged: a connection to a server
//! with no flags, and one to a server whose every limit is as tight as the
//! request allows, tell the same story, event for event, and the client
//! reads the same bytes.

use common::testing::{Server, client, story};

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
/// printed, and the story the server's events tell.
fn exchange(
    server: &str,
    args: &[&str],
) -> (Vec<u8>, Vec<(String, Vec<String>)>) {
    let mut all = vec!["--events", "--once"];
    all.extend_from_slice(args);
    let mut server = Server::start(server, &all);
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "hello, half-open world"])
        .output()
        .expect("run the client");
    assert!(out.status.success(), "{out:?}");
    server.wait_for_event("closed");
    (out.stdout, story(&server.events()))
}

#[test]
fn a_plain_run_and_a_hardened_run_tell_the_same_story() {
    for server in [SERVER, ASYNC_SERVER] {
        let plain = exchange(server, &[]);
        let tight = exchange(server, &TIGHT);
        assert_eq!(plain, tight, "{server}");
        let names: Vec<_> = plain.1.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["accepted", "read", "request_end", "closed"]);
        assert!(plain.0.starts_with(b"received 22 bytes"), "{plain:?}");
    }
}
