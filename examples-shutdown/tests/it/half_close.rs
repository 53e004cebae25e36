//! Point 1 of the lesson: after the client's shutdown(Write) the server's
//! read() returns 0, and the client still reads the whole reply. Point 6:
//! shutdown(Write) returns at once; only the reply proves delivery.

use std::time::Duration;

use common::testing::{Server, client, event, names, run_events};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn client_shutdown_write_ends_the_request_and_the_reply_still_arrives() {
    let mut server = Server::start(SERVER, &["--events"]);
    let hello = "hello, half-open world";
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        hello,
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    // The order of what the client saw: data, FIN, then the whole reply
    // ended by the server's FIN.
    assert_eq!(names(&events), ["sent", "shutdown_write", "reply_end"]);
    assert_eq!(event(&events, "sent").num("bytes"), 22);
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (50, "eof"));

    let request = server.wait_for_event("request_end");
    assert_eq!((request.num("bytes"), request.get("end")), (22, "eof"));
    let closed = server.wait_for_event("closed");
    assert_eq!((closed.get("how"), closed.num("reply")), ("fin", 50));
}

#[test]
fn the_reply_is_printed_whole() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "hello, half-open world"])
        .assert()
        .success()
        .stdout(contains(
            "received 22 bytes in 1 line\nHELLO, HALF-OPEN WORLD\n",
        ));
}

#[test]
fn quiet_client_prints_only_the_reply() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "hello"])
        .assert()
        .success()
        .stdout("received 5 bytes in 1 line\nHELLO\n");
}

#[test]
fn request_comes_from_stdin_or_a_file() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q"])
        .write_stdin("one\ntwo\n")
        .assert()
        .success()
        .stdout("received 8 bytes in 2 lines\nONE\nTWO\n");

    let path = std::env::temp_dir()
        .join(format!("shutdown-request-{}.bin", std::process::id()));
    std::fs::write(&path, b"abc\x00\xffdef").expect("write the request file");
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "--file"])
        .arg(&path)
        .output()
        .expect("run the client");
    std::fs::remove_file(&path).expect("remove the request file");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"received 8 bytes in 1 line\nABC\x00\xffDEF\n");
}

#[test]
fn shutdown_write_returns_before_the_data_is_delivered() {
    // The server waits a second before reading: while it does, most of a
    // 1 MiB request cannot leave our send queue, and shutdown(Write) still
    // returns at once. Only the reply, later, confirms every byte.
    let server = Server::start(SERVER, &["--read-delay", "1s"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "-q",
        "--events",
        "--size",
        "1MiB",
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    let undelivered = event(&events, "shutdown_write").num("unsent");
    assert!(undelivered > 0 && undelivered < 1 << 20, "{undelivered}");
    // Exit 0 means the server's header confirmed all 1 MiB: `check`.
    let end = event(&events, "reply_end");
    assert_eq!(end.get("end"), "eof");
    assert!(end.num("bytes") > 1 << 20);
}

#[test]
fn once_serves_one_client_then_exits() {
    let mut server = Server::start(SERVER, &["--once"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "only me"])
        .assert()
        .success();
    assert!(server.wait_for_exit(Duration::from_secs(10)).success());
}

#[test]
fn help_shows_the_pair_to_copy_into_two_terminals() {
    for bin in [SERVER, CLIENT] {
        client(bin).arg("--help").assert().success().stdout(
            contains("cargo run -p examples-shutdown --bin shutdown-server")
                .and(contains(
                    "cargo run -p examples-shutdown --bin shutdown-client --",
                )),
        );
    }
}
