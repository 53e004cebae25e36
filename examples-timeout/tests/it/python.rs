//! The notes' Python, run: lesson 2's peers in `python/`, written with the
//! notes' `settimeout`, against the Rust binaries (the Python client
//! against both servers, both Rust clients against the Python server) on
//! 127.0.0.1 and [::1]; and `makefile()` after a timeout, the Python
//! learner's desync.

use common::testing::{
    Server, client, event, names, python_client, python_server, run_events,
};

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_timeout-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_timeout-async-client");

/// A script of `python/`.
fn script(name: &str) -> String {
    format!("{}/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

const HOSTS: [&str; 2] = ["127.0.0.1", "[::1]"];

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn the_python_client_reads_again_after_settimeout_fires_and_gets_the_whole_line()
 {
    for host in HOSTS {
        let addr = format!("{host}:0");
        // The async server is an echo; the blocking one answers late
        // (600 ms, against the client's 250 ms) or in two halves 600 ms
        // apart.
        for (bin, mode) in [
            (ASYNC_SERVER, &[][..]),
            (SERVER, &["--mode", "echo"]),
            (SERVER, &["--mode", "slow", "--delay", "600ms"]),
            (SERVER, &["--mode", "halves", "--pause", "600ms"]),
        ] {
            let server =
                Server::start(bin, &[&["--addr", &addr], mode].concat());
            let out = python_client(script("client.py"))
                .args(["--addr", &server.addr_arg(), "--timeout", "0.25"])
                .args(["--retries", "10"])
                .arg("hello halves")
                .output()
                .expect("run python3");
            assert!(out.status.success(), "{mode:?} on {host}: {out:?}");
            assert!(out.stdout.ends_with(b"\nhello halves\n"), "{out:?}");
        }
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn against_a_silent_server_the_python_client_times_out_and_exits_1() {
    let server = Server::start(SERVER, &["--mode", "silent"]);
    python_client(script("client.py"))
        .args(["--addr", &server.addr_arg()])
        .args(["--timeout", "0.3", "--retries", "0"])
        .assert()
        .code(1)
        .stderr(predicates::str::starts_with("error: "));
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn both_rust_clients_time_out_against_the_python_server_and_read_again() {
    for host in HOSTS {
        let addr = format!("{host}:0");
        let args = ["--addr", &addr, "--delay", "0.6"];
        let slow = python_server(script("server.py"), &args);
        for bin in [CLIENT, ASYNC_CLIENT] {
            let (code, events, stderr) = run_events(client(bin).args([
                "--addr",
                &slow.addr_arg(),
                "--events",
                "--read-timeout",
                "250ms",
                "--retries",
                "5",
            ]));
            assert_eq!(code, Some(0), "{bin} on {host}: {stderr}");
            // Answered 600 ms late: 250 ms timeouts (two, unless the
            // machine is slow), then the reply.
            let reply = event(&events, "reply");
            assert_eq!(reply.num("bytes"), 5, "{bin} on {host}");
            assert!(reply.num("timeouts") >= 1, "{bin} on {host}");
        }
    }
    let mode = ["--mode", "silent", "--addr", "127.0.0.1:0"];
    for bin in [CLIENT, ASYNC_CLIENT] {
        // A server of its own each: the Python server serves one at a time.
        let silent = python_server(script("server.py"), &mode);
        let (code, events, _) = run_events(client(bin).args([
            "--addr",
            &silent.addr_arg(),
            "--events",
            "--read-timeout",
            "250ms",
            "--retries",
            "0",
        ]));
        assert_eq!(code, Some(1), "{bin}");
        assert_eq!(names(&events).last(), Some(&"read_timeout"), "{bin}");
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn makefile_readline_after_a_timeout_refuses_to_read_and_the_half_line_is_lost()
{
    let server = Server::start(SERVER, &["--mode", "halves"]);
    let out = python_client(script("makefile_after_timeout.py"))
        .args(["--addr", &server.addr_arg()])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    // The first try times out mid-line; the second cannot read at all.
    // (socket.timeout, whose message is "timed out", is TimeoutError
    // since Python 3.10.)
    assert!(said.contains("try 1: ") && said.contains("timed out"));
    assert!(said.contains("try 2: OSError: cannot read from timed out"));
    assert!(!said.contains("readline() = "), "{said}");
}
