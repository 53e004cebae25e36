//! A UDP port is open to anyone: foreign and malformed datagrams are logged
//! and ignored, and the server keeps answering queries; the blocking server
//! and the async one alike.

use std::net::UdpSocket;

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_broadcast-async-server");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-async-client");

#[test]
fn foreign_and_malformed_datagrams_are_logged_and_ignored() {
    shrugs_off_foreign_datagrams(SERVER, CLIENT);
}

#[test]
fn the_async_server_logs_and_ignores_them_too() {
    shrugs_off_foreign_datagrams(ASYNC_SERVER, ASYNC_CLIENT);
}

/// Foreign, malformed and oversized datagrams to `server_bin`, each said
/// why it was ignored; then `client_bin` still finds it.
fn shrugs_off_foreign_datagrams(server_bin: &str, client_bin: &str) {
    let mut server =
        Server::start(server_bin, &["--addr", "0.0.0.0:0", "--name", "sturdy"]);
    let port = server.addr().port();
    let sender = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = ("127.0.0.1", port);
    sender
        .send_to(b"M-SEARCH * HTTP/1.1\r\n", to)
        .expect("send");
    sender
        .send_to(b"ASOCK/2 QUERY id=0000000000000001", to)
        .expect("send");
    sender.send_to(b"ASOCK/1 QUERY id=nope", to).expect("send");
    sender.send_to(&[b'A'; 600], to).expect("send");
    server.wait_for_line("not ours (no ASOCK/1)");
    server.wait_for_line(
        "malformed: version \"ASOCK/2\", this program speaks ASOCK/1",
    );
    server.wait_for_line("malformed: id \"nope\" is not 16 hex digits");
    server.wait_for_line("longer than 512 bytes");
    client(client_bin)
        .args([
            "discover",
            "--port",
            &port.to_string(),
            "--wait",
            "1500ms",
            "-q",
        ])
        .assert()
        .success()
        .stdout(contains("sturdy"));
}
