//! A read that times out in the middle of a frame loses nothing: the
//! server's FrameReader keeps the half that arrived, and the frame is
//! answered once the rest comes. Beside it, the same stall against a server
//! that reads with `read_exact` (`--mistake read-exact`): the timeout takes
//! the bytes read so far with it, and the stream is out of step.

use common::testing::{Server, client};

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

/// The client sends half of each frame, waits 600 ms, then the rest; the
/// server's reads time out after 100 ms.
fn stalled_client(server: &Server) -> std::process::Output {
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--stall", "600ms", "-q"])
        .args(["hello, framing", "again"])
        .output()
        .expect("run the client")
}

#[test]
fn a_frame_that_stalls_past_the_read_timeout_is_answered_whole() {
    let mut server =
        Server::start(SERVER, &["--events", "--read-timeout", "100ms"]);
    let out = stalled_client(&server);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"gnimarf ,olleh\nniaga\n");
    // The 18-byte frame (4 + 14): 9 bytes came, then at least one read
    // timed out holding them; then the whole frame.
    let stalled = server.wait_for_event_where("timeout", |e| e.num("n") == 1);
    assert_eq!(stalled.num("held"), 9);
    let frame = server.wait_for_event_where("frame", |e| e.num("n") == 1);
    assert_eq!(frame.num("bytes"), 14);
    let frame = server.wait_for_event_where("frame", |e| e.num("n") == 2);
    assert_eq!(frame.num("bytes"), 5);
}

#[test]
fn read_exact_loses_what_it_read_when_the_read_times_out() {
    let mut server = Server::start(
        SERVER,
        &[
            "--events",
            "--read-timeout",
            "100ms",
            "--mistake",
            "read-exact",
        ],
    );
    let out = stalled_client(&server);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no reply came back");
    // read_exact took the header and 5 payload bytes, then timed out; the
    // next read_exact took 4 payload bytes for a header: a length far past
    // the limit, refused as bad data. Frame 1 never came whole.
    server.wait_for_event_where("timeout", |e| e.num("n") == 1);
    let failed = server.wait_for_event("failed");
    assert_eq!((failed.num("n"), failed.get("kind")), (1, "InvalidData"));
    assert!(!server.events().iter().any(|e| e.name == "frame"));
}
