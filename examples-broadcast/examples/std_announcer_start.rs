//! Exercise 2 of "UDP broadcast", the starting point: announce a service with
//! std's `UdpSocket` alone, no socket2. Fill in the `todo!()`s; then `cargo
//! test -p examples-broadcast --example std_announcer_start` runs the
//! solution's tests against your code; `--example std_announcer` shows them
//! passing on the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

use examples_broadcast::DEFAULT_BROADCAST;
use examples_broadcast::message::{Message, Service};

// ANCHOR: starter
/// Broadcast `times` announcements of `service`, `every` apart, to the
/// discovery `port` on this host. Returns the port they were sent from.
fn announce(
    service: &Service,
    port: u16,
    times: u32,
    every: Duration,
) -> io::Result<u16> {
    let datagram = Message::Announce {
        service: service.clone(),
        ttl: 3,
    }
    .encode();
    let to = SocketAddr::from((DEFAULT_BROADCAST, port));
    todo!("a socket, the one option it needs, and `times` sends")
}
// ANCHOR_END: starter

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let port = args
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(examples_broadcast::DEFAULT_PORT);
    let name = args.next().unwrap_or_else(|| "std-announcer".into());
    let service = Service { name, port: 8000 };
    match announce(&service, port, 5, Duration::from_secs(1)) {
        Ok(from) => {
            println!(
                "[server] announced {} five times, from port {from}",
                service.name
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/std_announcer.rs"]
mod tests;
