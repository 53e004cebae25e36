//! `--mode trickle`: answer the first request one byte every `interval`,
//! for as long as the client listens. Each byte comes well within any
//! per-read timeout, so none fires: only a deadline ends it.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::read_line;

// ANCHOR: trickle
/// [`echo`](super::echo), the answer a byte at a time, for ever.
pub fn answer(
    mut stream: &TcpStream,
    idle: Duration,
    interval: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    stream
        .set_read_timeout(Some(idle))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(idle))
        .context("set_write_timeout")?;
    let mut requests = BufReader::new(stream);
    if !read_line(&mut requests, &mut Vec::new(), idle, say)? {
        return Ok(());
    }
    let every = fmt_duration(interval);
    say!(
        say,
        "trickle: one byte every {every}, for as long as the client listens"
    );
    let mut sent = 0u64;
    loop {
        // Each write succeeds quickly, so no timeout of the client's that
        // bounds a single read will ever fire.
        if let Err(e) = stream.write_all(b".") {
            say!(say, "trickle: stopped after {sent} bytes: {e}");
            return Ok(());
        }
        sent += 1;
        thread::sleep(interval);
    }
}
// ANCHOR_END: trickle
