//! Demonstration 6: hostile input. A 4 GiB length, a length of letters, a
//! frame cut off by a closed connection: each costs one error line, and the
//! server's memory and its other clients are unaffected.

use std::io::Write;
use std::net::TcpStream;

use common::testing::{Server, client};

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

/// The server's peak resident memory, from /proc.
fn peak_kib(server: &Server) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.pid()))
            .expect("read /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .expect("a VmHWM line")
}

fn send_and_close(server: &Server, bytes: &[u8]) {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.write_all(bytes).expect("send");
}

#[test]
fn hostile_frames_cost_one_line_each_and_nothing_else() {
    let mut server = Server::start(SERVER, &[]);
    let ask = |server: &Server| {
        client(CLIENT)
            .args(["--addr", &server.addr_arg(), "-q", "still there?"])
            .assert()
            .success()
            .stdout("?ereht llits\n");
    };
    ask(&server);
    let before = peak_kib(&server);

    send_and_close(&server, &u32::MAX.to_be_bytes());
    server.wait_for_line(
        "#2 error: frame 1: u32-length: length 4294967295 > limit 1048576",
    );

    let netstring = Server::start(SERVER, &["--strategy", "netstring"]);
    send_and_close(&netstring, b"abc:hello,");
    let mut netstring = netstring;
    netstring.wait_for_line(
        "#1 error: frame 1: netstring: expected a digit, got 'a' (0x61)",
    );

    let mut cut = 100u32.to_be_bytes().to_vec();
    cut.extend_from_slice(b"only part of it");
    send_and_close(&server, &cut);
    server.wait_for_line(
        "#3 error: frame 1: u32-length: the stream ended 15 bytes into a 100-byte payload",
    );

    ask(&server);
    let after = peak_kib(&server);
    // A 4 GiB claim costs nothing: the peak grew by less than 8 MiB.
    assert!(
        after < before + 8 * 1024,
        "peak memory went from {before} KiB to {after} KiB"
    );
}

#[test]
fn a_client_that_stops_reading_is_cut_off_at_the_idle_timeout() {
    // SO_SNDTIMEO bounds each send; a client that stopped reading while
    // its kernel still took a little of each held the thread three times
    // --idle-timeout (6 s here, before). TCP_USER_TIMEOUT ends it once the
    // client has taken nothing for that long.
    let args = ["--events", "--idle-timeout", "3s"];
    let mut server = Server::start(SERVER, &args);
    let started = std::time::Instant::now();
    let frame = [&(1u32 << 20).to_be_bytes()[..], &[b'y'; 1 << 20]].concat();
    let _stopped = common::testing::hostile::stops_reading(
        server.addr(),
        frame.repeat(16),
    );
    server.wait_for_event_where("done", |e| e.conn == Some(1));
    let held = started.elapsed();
    println!("a stopped reader held its thread {held:?} (--idle-timeout 3s)");
    assert!(held >= std::time::Duration::from_secs(3), "{held:?}");
    assert!(held < std::time::Duration::from_secs(7), "{held:?}");
}
