//! `--exact`, wrong on purpose: `read_exact` under a read timeout.

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::{Deadline, Options, Reply, answer};
use common::is_timeout;

// ANCHOR: run
/// [`run`](super::run) with `read_exact` for the reply, whose length is
/// known: the request's, echoed.
pub fn run(
    mut stream: &TcpStream,
    message: &str,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let line = format!("{message}\n");
    stream
        .write_all(line.as_bytes())
        .context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    let started = std::time::Instant::now();
    let reply = read_exact_reply(stream, line.len(), opts, deadline, say)?;
    answer(reply.bytes, reply.timeouts, started, say)
}
// ANCHOR_END: run

// ANCHOR: trap
/// The wrong way: `read_exact` for a reply of known length. When it times
/// out, the bytes it had already read are gone with it (std says how many is
/// unspecified), and the stream is out of step.
fn read_exact_reply(
    mut stream: &TcpStream,
    len: usize,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let wait = deadline.cap(opts.read_timeout)?;
    stream
        .set_read_timeout(Some(wait.timeout))
        .context("set_read_timeout")?;
    let mut message = vec![0u8; len];
    match stream.read_exact(&mut message) {
        Ok(()) => {
            return Ok(Reply {
                bytes: message,
                timeouts: 0,
            });
        }
        Err(e) if is_timeout(&e) => {
            say!(
                say,
                read_exact(end = "timeout", len),
                "read_exact timed out after {}: what it read of {len} bytes \
                    is lost",
                fmt_duration(wait.timeout)
            );
        }
        Err(e) => return Err(Failure::new("read_exact the reply", e)),
    }
    // Show what the stream holds now: its next bytes are not the start of
    // a message.
    let mut next = [0u8; 256];
    for _ in 0..opts.retries {
        let wait = deadline.cap(opts.read_timeout)?;
        stream
            .set_read_timeout(Some(wait.timeout))
            .context("set_read_timeout")?;
        match common::uninterrupted(|| stream.read(&mut next)) {
            Ok(n) => {
                say!(
                    say,
                    next_read(bytes = n),
                    "the next read() returned {n} bytes, {:?}: a tail without \
                        its head",
                    String::from_utf8_lossy(&next[..n])
                );
                break;
            }
            Err(e) if is_timeout(&e) => continue,
            Err(e) => return Err(Failure::new("read after the timeout", e)),
        }
    }
    Err(Failure::msg(
        "out of step: a read timed out in the middle of a message",
    )
    .with_hint(
        "close it, or keep what was read in a buffer (run without --exact)",
    ))
}
// ANCHOR_END: trap
