//! Point 5: against a server that never reads, writes succeed until both
//! kernels' buffers are full; then the write timeout turns the wait into an
//! error.

use common::testing::{Event, Server, client};

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn write_timeout_fires_once_both_buffers_are_full() {
    let mut server = Server::start(SERVER, &["--mode", "silent", "--events"]);
    let out = client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--flood",
            "64MiB",
            "--write-timeout",
            "250ms",
            "--events",
        ])
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let flood = Event::parse(
        stdout
            .lines()
            .find(|l| l.contains("event flood"))
            .unwrap_or(""),
    )
    .unwrap_or_else(|| panic!("no flood event in:\n{stdout}"));
    assert!(flood.num("sndbuf") > 0 && flood.num("size") == 64 << 20);
    assert!(
        stderr.contains(
            "error: write timeout: the server took nothing for 250 ms after"
        ),
        "{stderr}"
    );
    let accepted: usize = stderr
        .split_once("after ")
        .and_then(|(_, rest)| rest.split_once(" bytes"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no byte count in {stderr}"));
    // Some bytes were taken (they fill the buffers), far from all 64 MiB.
    assert!(accepted > 0 && accepted < 64 << 20, "{accepted}");
    assert!(server.wait_for_event("silent").num("rcvbuf") > 0);
}
