//! Point 6: the server's own timeouts. A client that connects and sends
//! nothing is dropped after the idle timeout, and the accept loop wakes up
//! on its own to count the clients.

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");

#[test]
fn the_server_drops_a_client_that_says_nothing() {
    let mut server =
        Server::start(SERVER, &["--mode", "echo", "--idle-timeout", "300ms"]);
    let started = Instant::now();
    let mut hanging = TcpStream::connect(server.addr()).expect("connect");
    hanging
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set_read_timeout");
    // The server closes on us: read() returns 0, long before our own 10 s.
    let n = hanging
        .read(&mut [0u8; 16])
        .expect("read until the server closes");
    let took = started.elapsed();
    assert_eq!(n, 0);
    // The kernel counts the timeout in clock ticks (jiffies), and the
    // first tick may be partly gone: 300 ms may end a few ms early.
    assert!(took >= Duration::from_millis(290), "closed early: {took:?}");
    assert!(took < Duration::from_millis(1300), "closed late: {took:?}");
    server.wait_for_line("#1 error: idle: no request for 300 ms; closing");
}

#[test]
fn the_accept_loop_wakes_up_to_count_its_clients() {
    let mut server = Server::start(
        SERVER,
        &["--tick", "100ms", "--idle-timeout", "500ms", "--events"],
    );
    let quiet = TcpStream::connect(server.addr()).expect("connect");
    // Nobody else connects: only the tick can wake the accept loop to say so.
    server.wait_for_event_where("connected", |e| e.num("clients") == 1);
    // After the idle timeout the server lets the quiet client go.
    server.wait_for_event_where("connected", |e| e.num("clients") == 0);
    drop(quiet);
}
