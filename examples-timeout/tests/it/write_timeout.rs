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

#[test]
fn a_client_that_stops_reading_is_cut_off_at_the_idle_timeout() {
    // SO_SNDTIMEO bounds each send; a client that stopped reading while
    // its kernel still took a little of each held the thread three times
    // --idle-timeout (6 s here, before). TCP_USER_TIMEOUT ends it once the
    // client has taken nothing for that long.
    let args = ["--events", "--mode", "echo", "--idle-timeout", "3s"];
    let mut server = Server::start(SERVER, &args);
    let started = std::time::Instant::now();
    let line = [&[b'x'; 1000][..], b"\n"].concat();
    let _stopped = common::testing::hostile::stops_reading(
        server.addr(),
        line.repeat(20_000),
    );
    server.wait_for_event_where("done", |e| e.conn == Some(1));
    let held = started.elapsed();
    println!("a stopped reader held its thread {held:?} (--idle-timeout 3s)");
    assert!(held >= std::time::Duration::from_secs(3), "{held:?}");
    assert!(held < std::time::Duration::from_secs(7), "{held:?}");
}
