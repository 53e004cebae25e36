//! Bad input gets one clear error line and the right exit code, and the
//! server keeps serving other clients.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::testing::{ClosedPort, Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

#[test]
fn unknown_host_is_a_clear_error() {
    // A name with an empty label: glibc refuses it before asking any DNS
    // server (checked with strace), so this test sends nothing anywhere.
    client(CLIENT)
        .args(["--addr", "no..such..host:7101", "hello"])
        .assert()
        .code(1)
        .stderr(contains("error: cannot resolve no..such..host:7101: "))
        .stderr(contains("hint: check the host name"));
}

#[test]
fn refused_connection_says_to_start_the_server() {
    // Bound but not listening: refused, and held for the whole test.
    let closed = ClosedPort::new();
    let port = closed.addr().port();
    client(CLIENT)
        .args(["--addr", &format!("127.0.0.1:{port}"), "hello"])
        .assert()
        .code(1)
        .stderr(contains(format!(
            "error: connect to 127.0.0.1:{port}: Connection refused"
        )))
        .stderr(contains(
            "hint: nothing is listening there: is the server running?",
        ));
}

#[test]
fn address_in_use_suggests_port_zero() {
    let first = Server::start(SERVER, &[]);
    client(SERVER)
        .args(["--addr", &first.addr_arg()])
        .assert()
        .code(1)
        .stdout(predicates::str::is_empty())
        .stderr(contains(format!(
            "error: bind {}: Address already in use",
            first.addr()
        )))
        .stderr(contains("try --addr 127.0.0.1:0"));
}

#[test]
fn empty_input_is_refused_before_connecting() {
    client(CLIENT)
        .args(["--addr", "127.0.0.1:9"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(contains("error: nothing to send: the request is empty"));
}

#[test]
fn malformed_arguments_are_usage_errors() {
    for args in [
        &["--addr", "localhost", "hi"][..],
        &["--addr", "127.0.0.1:99999", "hi"],
        &["--read-timeout", "banana", "hi"],
        &["--read-timeout", "0s", "hi"],
        &["--size", "lots"],
        &["hi", "--size", "10"],
    ] {
        client(CLIENT)
            .args(args)
            .assert()
            .code(2)
            .stderr(contains("error: "));
    }
    client(SERVER)
        .args(["--max-request", "-1"])
        .assert()
        .code(2)
        .stderr(contains("error: "));
}

#[test]
fn client_that_vanishes_mid_request_costs_one_line_and_the_server_carries_on() {
    let mut server = Server::start(SERVER, &[]);

    // Half a request, then an abortive close: SO_LINGER with a zero timeout
    // makes close() send RST instead of FIN.
    let vanishing = TcpStream::connect(server.addr()).expect("connect");
    (&vanishing).write_all(b"half a requ").expect("send");
    let socket = socket2::Socket::from(vanishing);
    socket
        .set_linger(Some(Duration::ZERO))
        .expect("SO_LINGER 0");
    drop(socket);
    server.wait_for_line("#1 error: read request after");

    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "still there?"])
        .assert()
        .success()
        .stdout("received 12 bytes in 1 line\nSTILL THERE?\n");
}

#[test]
fn silent_client_is_dropped_after_the_idle_timeout() {
    let args = ["--events", "--idle-timeout", "300ms"];
    let mut server = Server::start(SERVER, &args);
    let _silent = TcpStream::connect(server.addr()).expect("connect");
    let end = server.wait_for_event("request_end");
    assert_eq!((end.conn, end.num("bytes")), (Some(1), 0));
    assert_eq!(end.get("end"), "timeout");
    server.wait_for_line("#1 error: ");
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "next"])
        .assert()
        .success()
        .stdout(contains("NEXT"));
}

#[test]
fn a_server_reachable_from_other_machines_says_so() {
    // Binding sends nothing; it only opens the port to the LAN while the
    // test runs, which is what the warning is about.
    let mut server = Server::start(SERVER, &["--addr", "0.0.0.0:0"]);
    server.wait_for_line(
        "can be reached from other machines on your network; 127.0.0.1 keeps a server to this one",
    );
    let mut local = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &local.addr_arg(), "-q", "hi"])
        .assert()
        .success();
    assert!(!local.output().contains("warning"));
}
