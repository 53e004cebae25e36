//! Exercise 1 of "Half-open sockets", the starting point: a half-close client
//! in a few lines. Fill in `exchange`; then `cargo test -p examples-shutdown
//! --example half_close_client_start` runs the solution's tests against your
//! code; `--example half_close_client` shows them passing on the reference
//! solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

// ANCHOR: starter
/// Send `request` to the shutdown-server at `addr` and return its whole
/// reply: connect, send everything, half-close, read until the server's FIN.
fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    todo!("connect, write_all, shutdown(Write), read_to_end")
}
// ANCHOR_END: starter

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

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/half_close_client.rs"]
mod tests;
