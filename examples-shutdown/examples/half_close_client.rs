//! Exercise 1 of "Half-open sockets", solved: a half-close client in a few
//! lines. Run it against a shutdown-server:
//!
//! ```text
//! cargo run -p examples-shutdown --example half_close_client -- 127.0.0.1:7101 "hello"
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

// ANCHOR: solution
/// Send `request` to the shutdown-server at `addr` and return its whole
/// reply: connect, send everything, half-close, read until the server's FIN.
fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    // Never wait for ever: a server that does not answer is an error.
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request)?;
    // The FIN after the request is the server's only sign that it is over.
    stream.shutdown(Shutdown::Write)?;
    let mut reply = Vec::new();
    // Until the server's FIN: read_to_end returns when read() returns 0.
    stream.read_to_end(&mut reply)?;
    Ok(reply)
}
// ANCHOR_END: solution

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(message)) = (args.next(), args.next()) else {
        eprintln!("usage: half_close_client HOST:PORT MESSAGE");
        return ExitCode::from(2);
    };
    let Ok(addr) = addr.parse() else {
        eprintln!("error: {addr} is not HOST:PORT");
        return ExitCode::from(2);
    };
    match exchange(addr, message.as_bytes()) {
        Ok(reply) => {
            println!("{}", String::from_utf8_lossy(&reply));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// The same tests run against the starter (`--example half_close_client_start`).
#[cfg(test)]
#[path = "tests/half_close_client.rs"]
mod tests;
