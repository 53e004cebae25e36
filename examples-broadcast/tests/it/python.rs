//! The notes' Python, run: lesson 4's peers in `python/`, written with the
//! notes' `SO_BROADCAST` and `sendto`, against the Rust binaries on
//! loopback's broadcast address (IPv6 has no broadcast); and the Python
//! learner's broadcast pitfalls, each a script of `python/`.

use common::testing::{Server, client, python_client, python_server};

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_broadcast-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-async-client");

/// A script of `python/`.
fn script(name: &str) -> String {
    format!("{}/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// What the script `name` of `python/` printed, run with `args`; it must
/// succeed.
fn said(name: &str, args: &[&str]) -> String {
    let out = python_client(script(name))
        .args(args)
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{name}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Both Rust servers on one port (the first picks it), announcing every
/// 200 ms, as `alpha` (blocking) and `beta` (async).
fn both_servers() -> (Vec<Server>, String) {
    let every = ["--announce-every", "200ms", "--events"];
    let named = |name| [&["--name", name][..], &every].concat();
    let alpha = [&["--addr", "0.0.0.0:0"][..], &named("alpha")].concat();
    let alpha = Server::start(SERVER, &alpha);
    let port = alpha.addr().port().to_string();
    let shared = format!("0.0.0.0:{port}");
    let beta = [&["--addr", &shared][..], &named("beta")].concat();
    (vec![alpha, Server::start(ASYNC_SERVER, &beta)], port)
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn the_python_client_discovers_both_servers_and_hears_them_announce() {
    let (mut servers, port) = both_servers();
    let found =
        said("client.py", &["discover", "--port", &port, "--wait", "1"]);
    let from = format!("port 8000 from 127.0.0.1:{port}");
    for name in ["alpha", "beta"] {
        assert!(found.contains(&format!("{name} {from}")), "{found}");
    }
    // Each answered the Python client, to it alone.
    for server in &mut servers {
        let answered = server.wait_for_event("answered");
        assert!(answered.get("to").starts_with("127.0.0.1:"), "{answered:?}");
    }
    let heard = said("client.py", &["listen", "--port", &port, "--for", "1.5"]);
    for name in ["alpha", "beta"] {
        assert!(heard.contains(&format!("{name} {from}")), "{heard}");
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn both_rust_clients_discover_the_python_server_and_hear_it_announce() {
    let args = ["--addr", "0.0.0.0:0", "--name", "snake", "--service-port"];
    let every = ["8123", "--announce-every", "0.2"];
    let server =
        python_server(script("server.py"), &[&args[..], &every].concat());
    let port = server.addr().port().to_string();
    for bin in [CLIENT, ASYNC_CLIENT] {
        client(bin)
            .args(["discover", "--port", &port, "--wait", "1s", "-q"])
            .assert()
            .success()
            .stdout(
                predicates::str::is_match(r"(?m)^snake +port 8123 ").unwrap(),
            );
    }
    client(CLIENT)
        .args(["listen", "--port", &port, "--for", "1500ms", "-q"])
        .assert()
        .success()
        .stdout(
            predicates::str::is_match(r"(?m)^snake +127\.0\.0\.1 +8123 +alive")
                .unwrap(),
        );
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn a_query_with_a_newline_or_a_short_id_gets_no_answer_and_no_error() {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server =
            Server::start(bin, &["--addr", "0.0.0.0:0", "--events"]);
        let port = server.addr().port().to_string();
        let said = said("query_format.py", &["--port", &port]);
        let lines: Vec<&str> = said.lines().collect();
        assert!(lines[0].starts_with("a trailing newline no answer"));
        assert!(lines[1].starts_with("'%x'               no answer"));
        assert!(lines[2].starts_with("'%016x'            answered"));
        // One answer only: the two others were refused in silence.
        server.wait_for_event("answered");
        let events = server.events();
        let answered = events.iter().filter(|e| e.name == "answered");
        assert_eq!(answered.count(), 1, "{bin}");
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn a_listener_needs_so_reuseaddr_and_a_bind_to_every_address() {
    let (_servers, port) = both_servers();
    let said = said("listener_binds.py", &["--port", &port]);
    let lines: Vec<&str> = said.lines().collect();
    // Without SO_REUSEADDR: EADDRINUSE. Bound to 127.0.0.1: nothing heard
    // in a second (five announcements). Both right: an announcement.
    assert!(lines[0].contains("[Errno 98]"), "{said}");
    assert!(lines[1].ends_with("timed out"), "{said}");
    assert!(lines[2].contains(": heard ANNOUNCE "), "{said}");
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn the_notes_sendto_line_is_a_type_error_in_python_3() {
    python_client(script("notes_sendto.py"))
        .assert()
        .success()
        .stdout(predicates::str::starts_with("TypeError: "));
}
