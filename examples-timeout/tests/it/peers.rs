//! What peers the project did not write found, spoken to the servers as
//! that peer did: `printf 'no newline' | nc -N 127.0.0.1 PORT`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_timeout-async-server");

#[test]
fn a_last_line_without_its_newline_is_echoed_by_both_servers() {
    let blocking = Server::start(SERVER, &["--mode", "echo"]);
    let asynchronous = Server::start(ASYNC_SERVER, &[]);
    for server in [&blocking, &asynchronous] {
        let mut stream = TcpStream::connect(server.addr()).expect("connect");
        let wait = Some(Duration::from_secs(10));
        stream.set_read_timeout(wait).expect("set_read_timeout");
        stream.write_all(b"no newline").expect("send");
        // nc -N: our FIN after the line, which it ends.
        stream.shutdown(Shutdown::Write).expect("FIN");
        let mut echoed = Vec::new();
        stream
            .read_to_end(&mut echoed)
            .expect("the echo, then a FIN");
        assert_eq!(echoed, b"no newline", "{}", server.addr());
    }
}
