//! Exercise 2 of "Half-open sockets", solved: a lingering close with a
//! budget of bytes and of time.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: solution
/// We have answered early and want to close without RST: send our FIN,
/// then read and drop what the peer still sends until its FIN, but never
/// more than `budget` bytes nor for longer than `limit`. Return how many
/// bytes were drained.
fn close_gently(
    mut stream: TcpStream,
    budget: usize,
    limit: Duration,
) -> io::Result<usize> {
    stream.shutdown(Shutdown::Write)?;
    let deadline = Instant::now() + limit;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < budget {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut sink[..(budget - drained).min(4096)]) {
            Ok(0) => break,
            Ok(n) => drained += n,
            // The read timeout (EAGAIN, WouldBlock on Linux): time is up.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(drained)
}
// ANCHOR_END: solution

/// Both ends in one process, on loopback: a peer uploads 100 kB while we
/// refuse after the first bytes and close gently. The peer still reads
/// our refusal; with a plain `drop` instead of `close_gently` it would
/// often get "connection reset" (the unread upload makes the kernel send
/// RST, and the RST discards our refusal at the peer).
fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let peer = thread::spawn(move || -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(addr)?;
        stream.write_all(&[b'u'; 100_000])?;
        stream.shutdown(Shutdown::Write)?;
        let mut heard = Vec::new();
        stream.read_to_end(&mut heard)?;
        Ok(heard)
    });
    let (mut ours, _) = listener.accept()?;
    let mut first = [0u8; 16];
    let n = ours.read(&mut first)?;
    println!("[server] read {n} bytes, refusing early");
    ours.write_all(b"refused: too large\n")?;
    let drained = close_gently(ours, 1 << 20, Duration::from_secs(2))?;
    println!("[server] closed gently after draining {drained} bytes");
    match peer.join().expect("the peer thread does not panic") {
        Ok(heard) => {
            println!("[client] heard {:?}", String::from_utf8_lossy(&heard))
        }
        Err(e) => println!("[client] error: {e}"),
    }
    Ok(())
}

// The same tests run against the starter (`--example gentle_close_start`).
#[cfg(test)]
#[path = "tests/gentle_close.rs"]
mod tests;
