//! The notes' Python, run: lesson 1's peers in `python/`, written with the
//! notes' own calls, against the Rust binaries (the Python client against
//! both servers, both Rust clients against the Python server) on
//! 127.0.0.1 and [::1]; and the Python learner's two pitfalls, each a
//! script of `python/`.

use common::testing::{
    Server, client, event, python_client, python_server, run_events,
};

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-async-client");

/// A script of `python/`.
fn script(name: &str) -> String {
    format!("{}/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

const HOSTS: [&str; 2] = ["127.0.0.1", "[::1]"];

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn the_python_client_half_closes_and_both_servers_answer_it() {
    for (bin, host) in [SERVER, ASYNC_SERVER]
        .into_iter()
        .flat_map(|bin| HOSTS.map(|host| (bin, host)))
    {
        let addr = format!("{host}:0");
        let mut server = Server::start(bin, &["--events", "--addr", &addr]);
        let out = python_client(script("client.py"))
            .args(["--addr", &server.addr_arg(), "hello\nworld"])
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{bin} on {host}: {out:?}");
        let reply = b"received 11 bytes in 2 lines\nHELLO\nWORLD\n";
        assert!(out.stdout.ends_with(reply), "{bin} on {host}: {out:?}");
        // The server read to the Python client's FIN, and sent its own.
        let end = server.wait_for_event("request_end");
        assert_eq!((end.num("bytes"), end.get("end")), (11, "eof"));
        let closed = server.wait_for_event("closed");
        assert_eq!((closed.get("how"), closed.num("reply")), ("fin", 40));
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn both_rust_clients_get_the_whole_reply_from_the_python_server() {
    for host in HOSTS {
        let addr = format!("{host}:0");
        let server = python_server(script("server.py"), &["--addr", &addr]);
        for bin in [CLIENT, ASYNC_CLIENT] {
            let (code, events, stderr) = run_events(client(bin).args([
                "--addr",
                &server.addr_arg(),
                "--events",
                "hello, half-open world",
            ]));
            assert_eq!(code, Some(0), "{bin} on {host}: {stderr}");
            assert_eq!(event(&events, "sent").num("bytes"), 22);
            let end = event(&events, "reply_end");
            assert_eq!((end.num("bytes"), end.get("end")), (50, "eof"));
        }
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn close_instead_of_shutdown_loses_the_reply_to_a_reset() {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server = Server::start(bin, &["--events", "--once"]);
        python_client(script("close_instead_of_shutdown.py"))
            .args(["--addr", &server.addr_arg()])
            .assert()
            .success();
        // The close's FIN ended the request; the reply met a closed socket.
        let end = server.wait_for_event("request_end");
        assert_eq!((end.num("bytes"), end.get("end")), (5, "eof"));
        let failed = server.wait_for_event("reply_failed");
        let kind = failed.get("kind");
        assert!(matches!(kind, "BrokenPipe" | "ConnectionReset"), "{kind}");
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn after_shutdown_0_recv_returns_empty_at_once_and_the_reply_is_reset() {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server = Server::start(bin, &["--events", "--once"]);
        let out = python_client(script("shutdown_read_first.py"))
            .args(["--addr", &server.addr_arg()])
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{out:?}");
        let said = String::from_utf8_lossy(&out.stdout);
        // The read-until-empty loop: 0 bytes. Then the reply came to a
        // socket shut both ways, and the kernel reset the connection.
        assert!(said.contains("loop got 0 bytes"), "{said}");
        assert!(said.contains("raised ConnectionResetError"), "{said}");
        let failed = server.wait_for_event("reply_failed");
        let kind = failed.get("kind");
        assert!(matches!(kind, "BrokenPipe" | "ConnectionReset"), "{kind}");
    }
}

#[test]
#[cfg_attr(no_nc, ignore = "needs nc with -N (Debian: netcat-openbsd)")]
fn nc_sends_the_fin_only_with_dash_n_and_without_it_the_request_waits_out_the_idle_timeout()
 {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server =
            Server::start(bin, &["--events", "--idle-timeout", "1s"]);
        let (host, port) = (server.addr().ip(), server.addr().port());
        let nc = |flags: &[&str]| {
            let mut nc = client("nc");
            nc.args(flags).arg(host.to_string()).arg(port.to_string());
            nc.write_stdin("hello").output().expect("run nc")
        };
        // -N: shutdown(SHUT_WR) at the end of stdin, the exchange whole.
        let out = nc(&["-N"]);
        assert_eq!(out.stdout, b"received 5 bytes in 1 line\nHELLO", "{bin}");
        let end = server.wait_for_event("request_end");
        assert_eq!((end.num("bytes"), end.get("end")), (5, "eof"));
        // Without it, no FIN: the request never ends, and the server gives
        // up on it at its idle timeout, with no reply.
        let out = nc(&[]);
        assert_eq!(out.stdout, b"", "{bin}");
        let end = server
            .wait_for_event_where("request_end", |e| e.get("end") != "eof");
        assert_eq!((end.num("bytes"), end.get("end")), (5, "timeout"));
    }
}
