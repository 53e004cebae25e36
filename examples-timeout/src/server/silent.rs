//! `--mode silent`: accept, then never read and never write, until the
//! idle timeout. Against it a client's read timeout fires; its writes are
//! taken by the kernel until both buffers are full, then its write timeout
//! fires (`timeout-client --flood`).

use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};
use socket2::SockRef;

// ANCHOR: silent
/// Hold the connection for `idle`, touching nothing.
pub fn hold(
    stream: &TcpStream,
    idle: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    let rcvbuf = SockRef::from(stream)
        .recv_buffer_size()
        .context("SO_RCVBUF")?;
    say!(
        say,
        silent(rcvbuf),
        "silent: never reading or writing; our SO_RCVBUF holds {rcvbuf}"
    );
    // Holding the socket without touching it is the whole misbehaviour.
    thread::sleep(idle);
    say!(say, "silent: {} passed; closing", fmt_duration(idle));
    Ok(())
}
// ANCHOR_END: silent
