//! Point 4: after its own shutdown(Read) a socket's read() returns 0 at
//! once, yet on Linux data the peer sends afterwards is still delivered,
//! as long as the write half is open. Point 5: shutdowns add up; once both
//! halves are shut, arriving data resets the connection.

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

const LONG: &str = "this request is longer than sixteen bytes";

#[test]
fn after_shutdown_read_read_returns_zero_at_once_yet_later_data_is_delivered() {
    // This server answers before the client's FIN only to refuse a request:
    // a 16-byte limit makes it speak while the client's write half is open.
    let server = Server::start(SERVER, &["--max-request", "16"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--shutdown-read",
            "--no-shutdown",
            LONG,
        ])
        .assert()
        .code(1)
        .stdout(contains("shutdown(Read), then read() returned 0 at once"))
        .stdout(contains(
            "read 32 bytes that arrived after our shutdown(Read)",
        ))
        .stderr(contains(
            "error: the server refused the request: request exceeds 16 bytes",
        ));
}

#[test]
fn read_then_write_shutdown_is_both_and_arriving_data_resets_the_connection() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--shutdown-read", "hello"])
        .assert()
        .code(1)
        .stdout(contains("shutdown(Read), then read() returned 0 at once"))
        .stdout(contains("shut down both ways now"))
        .stderr(contains("Connection reset by peer"));
}
