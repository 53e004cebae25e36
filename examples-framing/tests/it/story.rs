//! The hardened server runs the story unchanged: a connection to a server
//! with no flags, and one to a server whose every limit is as tight as the
//! messages allow, tell the same story, event for event, and the client
//! reads the same replies.

use common::testing::{Server, client, story};

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_framing-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

/// Every limit as tight as two short messages allow, and each one on.
const TIGHT: [&str; 8] = [
    "--max-frame",
    "64",
    "--max-clients",
    "1",
    "--idle-timeout",
    "5s",
    "--read-timeout",
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
        .args(["--addr", &server.addr_arg(), "-q", "hello", "two words"])
        .output()
        .expect("run the client");
    assert!(out.status.success(), "{out:?}");
    server.wait_for_event_where("frame", |e| e.num("n") == 2);
    (out.stdout, story(&server.events()))
}

#[test]
fn a_plain_run_and_a_hardened_run_tell_the_same_story() {
    let mut blocking = TIGHT.to_vec();
    blocking.extend(["--max-memory", "40KiB"]);
    for (server, tight) in [(SERVER, blocking), (ASYNC_SERVER, TIGHT.to_vec())]
    {
        let plain = exchange(server, &[]);
        assert_eq!(plain, exchange(server, &tight), "{server}");
        let names: Vec<_> = plain.1.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["accepted", "frame", "frame"], "{server}");
        assert_eq!(plain.0, b"olleh\nsdrow owt\n", "{server}");
    }
}
