//! Point 8: a server that closes while unread request bytes remain makes the
//! kernel send RST; the fix is shutdown(Write), drain, then close.

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

const LONG: &str = "this request is longer than sixteen bytes";

#[test]
fn closing_with_unread_request_bytes_resets_the_connection() {
    let mut server = Server::start(SERVER, &["--max-request", "16", "--close-early"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), LONG])
        .assert()
        .code(1)
        .stdout(contains("the server's kernel sent RST, not FIN"))
        .stderr(contains("Connection reset by peer"));
    server.wait_for_line("--close-early: closing with the request's rest unread");
}

#[test]
fn lingering_close_delivers_the_refusal_cleanly() {
    let mut server = Server::start(SERVER, &["--max-request", "16"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), LONG])
        .assert()
        .code(1)
        .stdout(contains(
            "read 32 bytes, then read() returned 0: the server's FIN",
        ))
        .stderr(contains(
            "error: the server refused the request: request exceeds 16 bytes",
        ))
        .stderr(contains("reset").not());
    server.wait_for_line("drained 24 more bytes until the client's FIN");
}
