//! What peers the project did not write found, each spoken to the programs
//! as that peer did (Python's socket module, as the notes use it).

use std::net::UdpSocket;
use std::thread;

use common::testing::{Server, client};
use predicates::prelude::*;
use predicates::str::contains;

use examples_broadcast::message::{Message, Service};

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_broadcast-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-async-client");

#[test]
fn a_double_space_is_blamed_on_itself_and_a_signed_id_is_refused() {
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server = Server::start(bin, &["--addr", "127.0.0.1:0"]);
        let sender = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let to = server.addr();
        let double = b"ASOCK/1  QUERY id=0000000000000001";
        sender.send_to(double, to).expect("send");
        server.wait_for_line("two spaces at byte 7");
        let signed = b"ASOCK/1 QUERY id=+000000000000001";
        sender.send_to(signed, to).expect("send");
        server.wait_for_line("id \"+000000000000001\" is not 16 hex digits");
    }
}

#[test]
fn a_reply_to_another_query_is_said_without_verbose() {
    for bin in [CLIENT, ASYNC_CLIENT] {
        // A peer that answers every query, with an id of its own.
        let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
        let port = peer.local_addr().expect("local_addr").port();
        let answering = thread::spawn(move || {
            let mut query = [0u8; 512];
            let (_, from) = peer.recv_from(&mut query).expect("a query");
            let service = Service {
                name: "stale".into(),
                port: 8001,
            };
            let wrong = Message::here(0x5eed, &service).encode();
            peer.send_to(&wrong, from).expect("reply");
        });
        client(bin)
            .args(["discover", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--wait", "500ms"])
            .assert()
            .success()
            .stdout(contains("ignored a reply from 127.0.0.1"))
            .stdout(contains("id 0000000000005eed"))
            .stdout(contains("nobody answered").not());
        answering.join().expect("the peer");
    }
}
