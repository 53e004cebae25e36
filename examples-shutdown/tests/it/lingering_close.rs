//! Point 8: a server that closes while unread request bytes remain makes the
//! kernel send RST; the fix is shutdown(Write), drain, then close. And the
//! abortive close: SO_LINGER 0 sends RST on purpose.

use common::testing::{Server, client, event, run_events};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

const LONG: &str = "more than sixteen bytes";

#[test]
fn closing_with_unread_request_bytes_resets_the_connection() {
    let args = ["--events", "--max-request", "16", "--close-early"];
    let mut server = Server::start(SERVER, &args);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        LONG,
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    // The refusal arrived, then an RST where the FIN should be.
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (32, "ConnectionReset"));
    assert_eq!(server.wait_for_event("closed").get("how"), "unread");
}

#[test]
fn lingering_close_delivers_the_refusal_cleanly() {
    let mut server =
        Server::start(SERVER, &["--events", "--max-request", "16"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        LONG,
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("request exceeds 16 bytes"), "{stderr}");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (32, "eof"));
    // 17 bytes read (one past the limit), the other 24 drained to the FIN.
    let drained = server.wait_for_event("drained");
    assert_eq!((drained.num("bytes"), drained.get("end")), (6, "eof"));
}

#[test]
fn an_abortive_close_sends_rst_instead_of_fin() {
    let mut server = Server::start(SERVER, &["--events", "--abort"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "hi",
    ]));
    // The whole reply had arrived before the RST, and Linux let the client
    // read it; but where read() should return 0 it failed.
    assert_eq!(code, Some(1), "{stderr}");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (29, "ConnectionReset"));
    let closed = server.wait_for_event("closed");
    assert_eq!((closed.get("how"), closed.num("reply")), ("abort", 29));
}

#[test]
fn the_help_names_the_command_that_shows_close_early() {
    client(SERVER)
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("shutdown-server --max-request 16 --close-early"));
}
