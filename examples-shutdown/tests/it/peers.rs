//! What peers the project did not write found, spoken to the servers as
//! that peer did: Python's `s.sendall(b"hello"); s.close()`, a close where
//! the protocol wants `shutdown(SHUT_WR)`. The close sends the FIN the
//! server waits for, but the reply then reaches a closed socket, whose
//! kernel answers it with RST: the reply is lost, and both servers say so.

use std::io::Write;
use std::net::TcpStream;

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");

#[test]
fn a_client_that_closes_instead_of_shutting_down_loses_its_reply_and_both_servers_say_so()
 {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server = Server::start(bin, &["--events", "--once"]);
        let mut stream = TcpStream::connect(server.addr()).expect("connect");
        stream.write_all(b"hello").expect("send");
        drop(stream);
        let failed = server.wait_for_event("reply_failed");
        let kind = failed.get("kind");
        assert!(matches!(kind, "BrokenPipe" | "ConnectionReset"), "{kind}");
        let fin = |e: &&common::testing::Event| {
            e.name == "closed" && e.get("how") == "fin"
        };
        assert!(!server.events().iter().any(|e| fin(&e)), "{bin}");
    }
}
