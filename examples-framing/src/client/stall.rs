//! `--stall DURATION`: the first half of each frame, a pause, then the
//! rest. Past the server's `--read-timeout`, its read times out in the
//! middle of the frame: the server's FrameReader keeps the half it has,
//! and answers once the rest arrives. A reader that loses what it had read
//! (`framing-server --mistake read-exact`) is out of step from then on.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

// ANCHOR: stall
/// Send `frame` in two halves, `pause` apart.
pub(crate) fn send(
    mut stream: &TcpStream,
    frame: &[u8],
    pause: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    let (first, rest) = frame.split_at(frame.len() / 2);
    stream.write_all(first).context("send the first half")?;
    say!(
        say,
        stall(sent = first.len(), of = frame.len()),
        "sent {sent} of {of} bytes; pausing {}",
        fmt_duration(pause)
    );
    thread::sleep(pause);
    stream.write_all(rest).context("send the rest")
}
// ANCHOR_END: stall
