//! Point 8: a timeout in the middle of a message. read_exact that times out
//! has consumed what it read, and the stream is out of step; a buffer that
//! survives the timeout completes the message.

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn read_exact_that_times_out_mid_message_leaves_the_stream_out_of_step() {
    let server = Server::start(SERVER, &["--mode", "halves", "--pause", "1s"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--exact",
            "--read-timeout",
            "300ms",
            "--retries",
            "5",
            "--events",
            "hello world",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event read_exact end=timeout len=12"))
        .stdout(contains("[client] event next_read bytes=6"))
        .stderr(contains(
            "error: out of step: a read timed out in the middle of a message",
        ));
}

#[test]
fn a_buffer_that_survives_the_timeout_completes_the_message() {
    let server = Server::start(SERVER, &["--mode", "halves", "--pause", "1s"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "300ms",
            "--retries",
            "5",
            "--events",
            "hello world",
        ])
        .assert()
        .success()
        // Timed out with 6 bytes in hand, kept, and completed later.
        .stdout(contains("[client] event read_timeout got=6 "))
        .stdout(predicate::str::ends_with("hello world\n"));
}
