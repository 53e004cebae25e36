//! Every pair on IPv6 loopback, `[::1]`: each client, blocking and async,
//! against each server, the plain exchange, as on 127.0.0.1. (The Python
//! peers do the same in `python.rs`.)

use common::testing::{Server, client, event, run_events};

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-async-client");

#[test]
fn every_client_and_server_exchange_on_ipv6_loopback() {
    for server_bin in [SERVER, ASYNC_SERVER] {
        let args = ["--addr", "[::1]:0", "--events"];
        let mut server = Server::start(server_bin, &args);
        assert!(server.addr().is_ipv6(), "{server_bin}");
        for client_bin in [CLIENT, ASYNC_CLIENT] {
            let (code, events, stderr) = run_events(client(client_bin).args([
                "--addr",
                &server.addr_arg(),
                "--events",
                "hello, half-open world",
            ]));
            assert_eq!(code, Some(0), "{client_bin}: {stderr}");
            let end = event(&events, "reply_end");
            assert_eq!((end.num("bytes"), end.get("end")), (50, "eof"));
        }
        let accepted = server.wait_for_event("accepted");
        assert!(accepted.get("peer").starts_with("[::1]:"), "{accepted:?}");
    }
}
