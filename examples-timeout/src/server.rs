//! The server: an echo of lines that protects itself with a timeout of its
//! own, the idle timeout, on every read and write. [`echo`] is the story of
//! one connection. It also misbehaves on purpose, one `--mode` per kind of
//! timeout a client meets: each mode is a whole sibling of the story in a
//! file named for it (`server/slow.rs`, `halves.rs`, `trickle.rs`,
//! `silent.rs`, `full.rs`); `--udp` is `server/udp.rs`. [`serve`], the
//! accept loop that runs them, is `common`'s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{
    Admission, Context, Failure, Narrator, accept_loop, fmt_duration,
    is_timeout, say,
};

use crate::MAX_LINE;
use common::room::wait_for_client;

mod full; // --mode full: connects hang in a full accept queue
pub mod halves; // --mode halves: each answer in two halves
pub mod silent; // --mode silent: never reads or writes
pub mod slow; // --mode slow: each answer late
pub mod trickle; // --mode trickle: a byte at a time, for ever
mod udp; // --udp

pub use crate::options::{Mode, ServerOptions as Options};
pub use full::Full;
pub use udp::{bind_udp, serve_udp};

// ANCHOR: story
/// One connection: echo each request line. A client that sends nothing
/// for `idle`, or reads nothing for as long, is dropped.
pub fn echo(
    mut stream: &TcpStream,
    idle: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    // The server's own protection: no read or write on this connection may
    // wait longer than `idle`, so a client that connects and goes quiet (or
    // stops reading) holds this thread for that long at most.
    stream
        .set_read_timeout(Some(idle))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(idle))
        .context("set_write_timeout")?;
    let mut requests = BufReader::new(stream);
    let mut line = Vec::new();
    while read_line(&mut requests, &mut line, idle, say)? {
        stream.write_all(&line).context("send the answer")?;
        say!(say, "echoed {} bytes", line.len());
    }
    Ok(())
}
// ANCHOR_END: story

// ANCHOR: read_line
/// Read the next request line into `line`: false once the client closed.
/// `read_until` stops at the newline, or one byte past [`MAX_LINE`].
pub(crate) fn read_line(
    requests: &mut BufReader<&TcpStream>,
    line: &mut Vec<u8>,
    idle: Duration,
    say: &Narrator,
) -> Result<bool, Failure> {
    line.clear();
    // While it waits, the connection is waiting on its client, and a full
    // server may evict it (common::room).
    let mut request = requests.take(MAX_LINE as u64 + 1);
    let read = wait_for_client(|| request.read_until(b'\n', line));
    match read {
        Ok(0) => {
            say!(say, "the client closed the connection");
            Ok(false)
        }
        Ok(_) if !line.ends_with(b"\n") && line.len() > MAX_LINE => {
            Err(Failure::msg(format!(
                "a request line longer than {MAX_LINE} bytes; closing"
            )))
        }
        Ok(_) => Ok(true),
        // SO_RCVTIMEO expired: EAGAIN, WouldBlock to Rust.
        Err(e) if is_timeout(&e) => Err(Failure::msg(format!(
            "idle: no request for {}; closing",
            fmt_duration(idle)
        ))),
        Err(e) => Err(Failure::new("read a request", e)),
    }
}
// ANCHOR_END: read_line

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own, waking every `--tick` to report how many
/// are connected; each runs the story, or the mode's sibling of it.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let rules = Admission {
        once: opts.once,
        max_clients: opts.max_clients,
        when_full: opts.when_full,
        user_timeout: Some(opts.idle_timeout),
        tick: Some(opts.tick),
    };
    let busy = busy(opts.max_clients);
    let opts = opts.clone();
    accept_loop(listener, rules, &busy, say, move |stream, say| {
        let idle = opts.idle_timeout;
        match opts.mode {
            Mode::Echo => echo(&stream, idle, say),
            Mode::Silent => silent::hold(&stream, idle, say),
            Mode::Slow => slow::echo(&stream, idle, opts.delay, say),
            Mode::Halves => halves::echo(&stream, idle, opts.pause, say),
            Mode::Trickle => trickle::answer(&stream, idle, opts.interval, say),
            // Never accepted from: see `server/full.rs`.
            Mode::Full => Ok(()),
        }
    })
}
// ANCHOR_END: serve

/// The listening socket, with a deep accept queue, for every mode but
/// `full`.
pub use common::bind;

/// What a client hears when the server already serves its maximum: one
/// line, like every answer of this protocol.
pub fn busy(max: usize) -> Vec<u8> {
    format!("error: server busy: {max} clients already; try again later\n")
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_has_a_name_on_the_command_line() {
        use clap::ValueEnum;
        let names: Vec<_> = Mode::value_variants()
            .iter()
            .filter_map(|m| m.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(
            names,
            ["echo", "silent", "slow", "trickle", "halves", "full"]
        );
    }
}
