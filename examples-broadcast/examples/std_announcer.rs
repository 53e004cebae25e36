//! Exercise 2 of "UDP broadcast", solved: an announcer with std alone. A
//! server needs socket2 to share its port (SO_REUSEADDR before bind); a
//! program that only *sends* broadcasts needs neither a shared port nor a
//! fixed one, and std's `UdpSocket` does all of it.
//!
//! ```text
//! cargo run -p examples-broadcast --bin broadcast-client -- listen --for 5s
//! cargo run -p examples-broadcast --example std_announcer -- 7104 demo
//! ```

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

use examples_broadcast::DEFAULT_BROADCAST;
use examples_broadcast::message::{Message, Service};

// ANCHOR: solution
/// Broadcast `times` announcements of `service`, `every` apart, to the
/// discovery `port` on this host. Returns the port they were sent from.
fn announce(
    service: &Service,
    port: u16,
    times: u32,
    every: Duration,
) -> io::Result<u16> {
    // Port 0: the kernel picks a free one. Listeners learn our address from
    // each datagram, so nobody needs to know it in advance.
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    // The one option a sender of broadcasts cannot do without: without it
    // send_to fails with EACCES (PermissionDenied).
    socket.set_broadcast(true)?;
    let ttl = u32::try_from((every * 3).as_secs().max(1)).unwrap_or(u32::MAX);
    let datagram = Message::Announce {
        service: service.clone(),
        ttl,
    }
    .encode();
    let to = SocketAddr::from((DEFAULT_BROADCAST, port));
    for i in 0..times {
        if i > 0 {
            thread::sleep(every);
        }
        // One datagram, sent whole or not at all: no write_all for UDP.
        socket.send_to(&datagram, to)?;
    }
    socket.local_addr().map(|a| a.port())
}
// ANCHOR_END: solution

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

// The same tests run against the starter (`--example std_announcer_start`).
#[cfg(test)]
#[path = "tests/std_announcer.rs"]
mod tests;
