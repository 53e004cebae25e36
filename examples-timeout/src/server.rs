//! The server: an echo of lines that misbehaves on purpose, one `--mode`
//! per kind of timeout, and protects itself with timeouts of its own: every
//! read and write on a connection has the idle timeout. `handle` and
//! `answer` are the story; the accept loop (`server/accept.rs`, shared with
//! lesson 3), `--mode full` (`server/full.rs`) and `--udp`
//! (`server/udp.rs`) live beside it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use common::{
    Admission, Context, Failure, Narrator, accept_loop, fmt_duration, say,
};
use socket2::SockRef;

use crate::MAX_LINE;
use common::is_timeout;

mod full;
mod udp;

pub use crate::options::{Mode, ServerOptions as Options};
pub use full::Full;
pub use udp::{bind_udp, serve_udp};

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own, waking every `--tick` to report how many
/// are connected.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let rules = Admission {
        once: opts.once,
        max_clients: opts.max_clients,
        tick: Some(opts.tick),
    };
    let busy = busy(opts.max_clients);
    let opts = opts.clone();
    accept_loop(listener, rules, &busy, say, move |stream, say| {
        handle(stream, &opts, say)
    })
}
// ANCHOR_END: serve

// ANCHOR: handle
/// One connection: read request lines and answer each as the mode says.
fn handle(
    stream: TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // The server's own protection: no read or write on this connection may
    // wait longer than the idle timeout, so a client that connects and goes
    // quiet (or stops reading) holds this thread for that long at most.
    stream
        .set_read_timeout(Some(opts.idle_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.idle_timeout))
        .context("set_write_timeout")?;

    if opts.mode == Mode::Silent {
        let buffer = SockRef::from(&stream)
            .recv_buffer_size()
            .context("SO_RCVBUF")?;
        say!(
            say,
            "silent: never reading or writing; our SO_RCVBUF holds {buffer}"
        );
        say.event("silent", &[("rcvbuf", &buffer)]);
        // Holding the socket without touching it is the whole misbehaviour.
        thread::sleep(opts.idle_timeout);
        say!(
            say,
            "silent: {} passed; closing",
            fmt_duration(opts.idle_timeout)
        );
        return Ok(());
    }

    let mut requests = BufReader::new(&stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (&mut requests)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line);
        match read {
            Ok(0) => {
                say!(say, "the client closed the connection");
                return Ok(());
            }
            Ok(_) if !line.ends_with(b"\n") && line.len() > MAX_LINE => {
                return Err(Failure::msg(format!(
                    "a request line longer than {MAX_LINE} bytes; closing"
                )));
            }
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {
                return Err(Failure::msg(format!(
                    "idle: no request for {}; closing",
                    fmt_duration(opts.idle_timeout)
                )));
            }
            Err(e) => return Err(Failure::new("read a request", e)),
        }
        answer(&stream, &line, opts, say)?;
    }
}
// ANCHOR_END: handle

// ANCHOR: answer
/// Answer one request line the way the mode says.
fn answer(
    mut stream: &TcpStream,
    line: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let send = |mut stream: &TcpStream, bytes: &[u8]| {
        stream.write_all(bytes).context("send the answer")
    };
    match opts.mode {
        Mode::Echo => {
            send(stream, line)?;
            say!(say, "echoed {} bytes", line.len());
        }
        Mode::Slow => {
            say!(say, "slow: answering in {}", fmt_duration(opts.delay));
            say.event("slow", &[("delay_ms", &opts.delay.as_millis())]);
            thread::sleep(opts.delay);
            send(stream, line)?;
            say!(
                say,
                "echoed {} bytes, {} late",
                line.len(),
                fmt_duration(opts.delay)
            );
        }
        Mode::Halves => {
            let (head, tail) = line.split_at(line.len() / 2);
            send(stream, head)?;
            say!(
                say,
                "halves: sent the first {} bytes; the other {} follow in {}",
                head.len(),
                tail.len(),
                fmt_duration(opts.pause)
            );
            thread::sleep(opts.pause);
            send(stream, tail)?;
            say!(say, "halves: sent the last {} bytes", tail.len());
        }
        Mode::Trickle => {
            say!(
                say,
                "trickle: one byte every {}, for as long as the client listens",
                fmt_duration(opts.interval)
            );
            let mut sent = 0u64;
            loop {
                // Each write succeeds quickly, so no timeout of the client's
                // that bounds a single read will ever fire.
                if let Err(e) = stream.write_all(b".") {
                    say!(say, "trickle: stopped after {sent} bytes: {e}");
                    return Ok(());
                }
                sent += 1;
                thread::sleep(opts.interval);
            }
        }
        // Neither gets here: silent returns before reading, full never
        // accepts.
        Mode::Silent | Mode::Full => {}
    }
    Ok(())
}
// ANCHOR_END: answer

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
