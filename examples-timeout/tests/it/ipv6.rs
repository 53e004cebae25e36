//! Every pair on IPv6 loopback, `[::1]`: each client, blocking and async,
//! against each echo server, the plain exchange, as on 127.0.0.1. (The
//! Python peers do the same in `python.rs`.)

use common::testing::{Server, client};

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_timeout-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_timeout-async-client");

#[test]
fn every_client_and_server_exchange_on_ipv6_loopback() {
    let blocking = ["--addr", "[::1]:0", "--mode", "echo"];
    for (server_bin, args) in
        [(SERVER, &blocking[..]), (ASYNC_SERVER, &blocking[..2])]
    {
        let mut server =
            Server::start(server_bin, &[args, &["--events"]].concat());
        assert!(server.addr().is_ipv6(), "{server_bin}");
        for client_bin in [CLIENT, ASYNC_CLIENT] {
            client(client_bin)
                .args(["--addr", &server.addr_arg(), "-q", "hello six"])
                .assert()
                .success()
                .stdout("hello six\n");
        }
        let accepted = server.wait_for_event("accepted");
        assert!(accepted.get("peer").starts_with("[::1]:"), "{accepted:?}");
    }
}
