//! Hardening: flooded with 10,000 malformed and foreign datagrams, the
//! server keeps answering valid queries, and its log does not drown.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use common::testing::Server;
use examples_broadcast::message::Message;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");

#[test]
fn ten_thousand_bad_datagrams_do_not_stop_valid_queries() {
    let mut server =
        Server::start(SERVER, &["--addr", "0.0.0.0:0", "--name", "steady"]);
    let port = server.addr().port();
    let flood = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let asker = UdpSocket::bind("127.0.0.1:0").expect("bind");
    asker
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let deadline = Instant::now() + Duration::from_secs(20);
    // A valid query, asked again every 200 ms until answered (UDP may drop
    // one): the server reads one socket in order, so its answer also says
    // it has read every datagram sent before.
    let ask = |id: u64| {
        let mut answer = [0u8; 512];
        loop {
            assert!(Instant::now() < deadline, "no answer to query {id}");
            asker
                .send_to(&Message::Query { id }.encode(), ("127.0.0.1", port))
                .expect("send a query");
            if let Ok((n, _)) = asker.recv_from(&mut answer)
                && let Ok(reply @ Message::Here { id: got, .. }) =
                    Message::parse(&answer[..n])
                && got == id
            {
                return reply;
            }
        }
    };
    for i in 0u32..10_000 {
        let datagram: &[u8] = match i % 4 {
            0 => b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n",
            1 => b"ASOCK/1 QUERY id=not-hex-at-all",
            2 => b"ASOCK/9 HERE",
            _ => &[0xff; 600],
        };
        flood
            .send_to(datagram, ("127.0.0.1", port))
            .expect("send a bad datagram");
        // Every 50, a valid query in the middle of the flood. It keeps the
        // receive buffer from overflowing (50 datagrams take a quarter of
        // Linux's default 208 KiB), so the server sees all 10,000, and it
        // shows valid queries answered all along.
        if i % 50 == 49 {
            ask(u64::from(i));
        }
    }
    let reply = ask(42);
    assert!(
        matches!(reply, Message::Here { id: 42, ref service } if service.name == "steady")
    );
    // The first ten ignored datagrams are shown, then one line a thousand.
    server.wait_for_line("query from 127.0.0.1");
    let log = server.output();
    let lines = log.lines().filter(|l| l.contains("ignored")).count();
    assert!(
        (10..=25).contains(&lines),
        "{lines} lines about ignored datagrams"
    );
    assert!(
        log.contains("datagrams so far (the first 10 shown)"),
        "{log}"
    );
}
