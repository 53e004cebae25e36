//! Point 1 of the lesson: after the client's shutdown(Write) the server's
//! read() returns 0, and the client still reads the whole reply. Point 6:
//! shutdown(Write) returns at once; only the reply proves delivery.

use std::time::Duration;

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn client_shutdown_write_ends_the_request_and_the_reply_still_arrives() {
    let mut server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "hello, half-open world"])
        .assert()
        .success()
        .stdout(contains("shutdown(Write) returned after"))
        .stdout(contains(
            "read 50 bytes, then read() returned 0: the server's FIN",
        ))
        .stdout(contains(
            "received 22 bytes in 1 line\nHELLO, HALF-OPEN WORLD\n",
        ));
    server.wait_for_line("read 22 bytes, then read() returned 0: the client's FIN");
    server.wait_for_line("sent a 50-byte reply, then shutdown(Write)");
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

    let path = std::env::temp_dir().join(format!("shutdown-request-{}.bin", std::process::id()));
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
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--size", "1MiB"])
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let undelivered: usize = stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("[client] ")?
                .split_once(" bytes of the request were not yet delivered")
        })
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of undelivered bytes in:\n{stdout}"));
    assert!(undelivered > 0 && undelivered < 1 << 20, "{undelivered}");
    assert!(
        stdout.contains("the server confirms all 1048576 bytes arrived"),
        "{stdout}"
    );
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
            contains("cargo run -p examples-shutdown --bin shutdown-server").and(contains(
                "cargo run -p examples-shutdown --bin shutdown-client --",
            )),
        );
    }
}
