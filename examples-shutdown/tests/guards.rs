//! Point 3: writing after shutdown(Write) fails with BrokenPipe, and the
//! process lives on. Point 5: a repeated shutdown is Ok while the peer's FIN
//! is outstanding, NotConnected once both FINs have been exchanged.

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn write_after_shutdown_write_fails_with_broken_pipe_and_the_reply_still_arrives() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--write-after-shutdown",
            "hello",
        ])
        .assert()
        .success()
        .stdout(contains(
            "write after shutdown(Write) failed, as it should: Broken pipe",
        ))
        .stdout(contains("received 5 bytes in 1 line\nHELLO\n"));
}

#[test]
fn repeated_shutdown_is_ok_until_both_fins_then_not_connected() {
    // The server waits before reading, so its FIN cannot have come when the
    // client repeats its shutdown right after the first.
    let server = Server::start(SERVER, &["--read-delay", "1s"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--repeat-shutdown", "hello"])
        .assert()
        .success()
        .stdout(contains("shutdown(Write) again: Ok"))
        .stdout(contains(
            "shutdown(Write) after both FINs: Transport endpoint is not connected",
        ));
}
