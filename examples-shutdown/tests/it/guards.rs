//! Point 3: writing after shutdown(Write) fails with BrokenPipe, and the
//! process lives on. Point 5: a repeated shutdown is Ok while the peer's FIN
//! is outstanding, NotConnected once both FINs have been exchanged.

use common::testing::{Server, client, event, run_events};

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn write_after_shutdown_write_fails_with_broken_pipe_and_the_reply_still_arrives()
 {
    let server = Server::start(SERVER, &[]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--write-after-shutdown",
        "hello",
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(event(&events, "late_write").get("result"), "BrokenPipe");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (32, "eof"));
}

#[test]
fn repeated_shutdown_is_ok_until_both_fins_then_not_connected() {
    // The server waits before reading, so its FIN cannot have come when the
    // client repeats its shutdown right after the first.
    let server = Server::start(SERVER, &["--read-delay", "1s"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--repeat-shutdown",
        "hello",
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    let repeats: Vec<_> = events
        .iter()
        .filter(|e| e.name == "repeat_shutdown")
        .map(|e| (e.get("when"), e.get("result")))
        .collect();
    assert_eq!(
        repeats,
        [("early", "Ok"), ("after_fins", "NotConnected")],
        "{events:?}"
    );
}
