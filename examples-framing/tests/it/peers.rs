//! What peers the project did not write found, spoken to the server as
//! that peer did: malformed base64 frames of each kind. The error names
//! what arrived, as every other codec's does.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");

#[test]
fn each_kind_of_malformed_base64_is_named() {
    let mut server = Server::start(SERVER, &["--strategy", "base64"]);
    let cases: [(&[u8], &str); 6] = [
        (b"aGk_Pz8-\n", "'_' at byte 3: the URL-safe alphabet"),
        (b"aGkK\r\n", "a \\r before the \\n: a CRLF line end"),
        (b"aGk\n", "3 characters, not a multiple of 4"),
        (b"aG=K\n", "padding '=' at byte 2, before the end"),
        (b"aGk K\n", "a space at byte 3"),
        (b"aGk*\n", "byte 0x2a at byte 3"),
    ];
    for (frame, named) in cases {
        let mut stream = TcpStream::connect(server.addr()).expect("connect");
        stream.write_all(frame).expect("send");
        stream.shutdown(Shutdown::Write).expect("FIN");
        let _ = stream.read_to_end(&mut Vec::new());
        server.wait_for_line(named);
    }
}
