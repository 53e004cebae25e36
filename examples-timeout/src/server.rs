//! The server: an echo of lines that misbehaves on purpose, one `--mode`
//! per kind of timeout, and that protects itself with timeouts of its own.
//!
//! Whatever the mode, the server itself never waits forever: every read and
//! write on a connection has the idle timeout, and the accept loop wakes up
//! every `--tick` to look after its clients.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::Duration;

use common::args::{parse_duration, parse_timeout};
use common::{
    Context, Failure, HostPort, Narrator, Slots, count, detail, fmt_duration,
    is_timeout, say,
};
use examples_shutdown::server::turn_away;
use socket2::{Domain, SockRef, Socket, Type};

use crate::MAX_LINE;

/// How the server behaves: one mode per lesson point.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A well-behaved echo: the control case.
    Echo,
    /// Accepts, then never reads and never writes.
    Silent,
    /// Answers each request after --delay.
    Slow,
    /// Answers one byte every --interval, forever (a slowloris in reverse).
    Trickle,
    /// Answers each request in two halves, --pause apart.
    Halves,
    /// A tiny accept queue, already full, that is never accepted from:
    /// further connects hang.
    Full,
}

/// How the server behaves. Each field is also a command-line flag of
/// `timeout-server`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// How to (mis)behave.
    #[arg(long, value_enum, default_value = "echo")]
    pub mode: Mode,

    /// slow: how long to wait before each answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, default_value = "1s")]
    pub delay: Duration,

    /// trickle: how long between two bytes of the answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "100ms")]
    pub interval: Duration,

    /// halves: how long between the two halves of each answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, default_value = "1s")]
    pub pause: Duration,

    /// Drop a client whose read or write waits this long (and end a
    /// silent connection after it).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,

    /// Serve at most this many clients at once; turn more away politely.
    #[arg(long, value_name = "N", default_value = "256")]
    pub max_clients: usize,

    /// How often the accept loop wakes up to report how many clients are
    /// connected.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "1s")]
    pub tick: Duration,

    /// Serve UDP datagrams instead of TCP connections.
    #[arg(long, conflicts_with = "mode")]
    pub udp: bool,

    /// UDP: ignore the first N requests, as a lossy network would.
    #[arg(long, value_name = "N", default_value = "0", requires = "udp")]
    pub drop_first: u32,
}

impl Default for Options {
    /// The defaults of `timeout-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// Bind the listening socket for every mode but `full`.
pub fn bind(addr: &HostPort) -> Result<TcpListener, Failure> {
    let addrs = addr.resolve()?;
    TcpListener::bind(&addrs[..]).with_context(|| format!("bind {addr}"))
}

// ANCHOR: full
/// A listener whose accept queue is full before anyone else connects.
///
/// std's `TcpListener::bind` always asks for a backlog of 128; socket2 lets
/// us ask for 0, which Linux rounds up to a queue of one connection. We fill
/// that place ourselves and never call accept. The kernel then drops every
/// further SYN (when the queue is full, Linux does not even answer with
/// RST), so a client's connect hangs while its kernel resends the SYN: the
/// situation a connect timeout is for, without leaving this machine.
pub struct Full {
    listener: Socket,
    _filler: TcpStream,
}

impl Full {
    /// Bind, listen with a backlog of 0, and fill the queue.
    pub fn bind(addr: &HostPort) -> Result<Full, Failure> {
        let addrs = addr.resolve()?;
        let first = addrs[0];
        let listener =
            Socket::new(Domain::for_address(first), Type::STREAM, None)
                .context("socket")?;
        listener.set_reuse_address(true).context("SO_REUSEADDR")?;
        listener
            .bind(&first.into())
            .with_context(|| format!("bind {addr}"))?;
        listener.listen(0).context("listen(0)")?;
        let bound = listener
            .local_addr()
            .context("local_addr")?
            .as_socket()
            .ok_or_else(|| Failure::msg("the listener has no IP address"))?;
        let filler =
            TcpStream::connect(bound).context("fill the accept queue")?;
        Ok(Full {
            listener,
            _filler: filler,
        })
    }

    /// The address clients would connect to.
    pub fn local_addr(&self) -> Result<SocketAddr, Failure> {
        self.listener
            .local_addr()
            .context("local_addr")?
            .as_socket()
            .ok_or_else(|| Failure::msg("the listener has no IP address"))
    }

    /// Never accept; hold the full queue until the process is killed.
    pub fn hold(&self, say: &Narrator) -> ! {
        say!(
            say,
            "full: the accept queue is full and nobody accepts; new connects hang"
        );
        loop {
            thread::park();
        }
    }
}
// ANCHOR_END: full

// ANCHOR: serve
/// Accept clients until the process is killed (or one, with `--once`), each
/// on a thread of its own, waking every `--tick` to report how many are
/// connected.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // On Linux, SO_RCVTIMEO bounds accept() as it bounds read() (socket(7)):
    // the loop wakes up every tick even when nobody connects, and can do its
    // housekeeping. Elsewhere it may wake only when a client comes.
    SockRef::from(&listener)
        .set_read_timeout(Some(opts.tick))
        .context("set the accept timeout")?;
    let slots = Slots::new(opts.max_clients);
    let mut reported = 0;
    let mut next_id = 1u64;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                let id = next_id;
                next_id += 1;
                let conn_say = say.tagged(format_args!("#{id}"));
                say!(conn_say, "accepted a connection from {peer}");
                if opts.once {
                    return handle(stream, opts, &conn_say);
                }
                // A thread per client, but not without limit.
                let Some(slot) = slots.take() else {
                    say!(
                        conn_say,
                        "turned away: {} clients already (--max-clients)",
                        slots.max()
                    );
                    turn_away(stream, &busy(slots.max()));
                    continue;
                };
                let opts = opts.clone();
                let spawned = thread::Builder::new()
                    .name(format!("conn-{id}"))
                    .spawn(move || {
                        let _slot = slot;
                        if let Err(failure) = handle(stream, &opts, &conn_say) {
                            conn_say.problem(failure);
                        }
                    });
                if let Err(e) = spawned {
                    say.problem(format_args!(
                        "cannot start a thread for #{id}: {e}"
                    ));
                }
            }
            Err(e) if is_timeout(&e) => {
                // Housekeeping: say how many clients there are, when it changed.
                let now = slots.in_use();
                if now != reported {
                    say!(say, "{} connected", count(now, "client", "clients"));
                    reported = now;
                } else {
                    detail!(say, "tick: {now} connected");
                }
            }
            Err(e) => {
                say.problem(format_args!("accept: {e}"));
                thread::sleep(opts.tick);
            }
        }
    }
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
            "silent: never reading, never writing; our receive buffer (SO_RCVBUF) holds {buffer} bytes"
        );
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

// ANCHOR: udp
/// The UDP echo: one datagram in, the same datagram back to its sender,
/// except the first `--drop-first` requests, which are ignored as a lossy
/// network would lose them.
pub fn serve_udp(
    socket: &UdpSocket,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // One byte more than the largest datagram we answer: a longer one is
    // truncated by recv_from, and we can tell.
    let mut datagram = [0u8; 2049];
    let mut seen = 0u64;
    loop {
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) => {
                // A UDP socket's errors belong to single datagrams (and on
                // some systems to an earlier send's ICMP): never fatal.
                say.problem(format_args!("recv_from: {e}"));
                continue;
            }
        };
        seen += 1;
        if seen <= u64::from(opts.drop_first) {
            say!(
                say,
                "request {seen} from {from}: dropped on purpose (--drop-first {})",
                opts.drop_first
            );
            continue;
        }
        if n == datagram.len() {
            say!(
                say,
                "request {seen} from {from}: longer than 2048 bytes; ignored"
            );
            continue;
        }
        match socket.send_to(&datagram[..n], from) {
            Ok(_) => {
                say!(say, "request {seen} from {from}: answered ({n} bytes)")
            }
            Err(e) => say.problem(format_args!("send_to {from}: {e}")),
        }
    }
}
// ANCHOR_END: udp

/// Bind the UDP socket for `--udp`.
pub fn bind_udp(addr: &HostPort) -> Result<UdpSocket, Failure> {
    let addrs = addr.resolve()?;
    UdpSocket::bind(&addrs[..]).with_context(|| format!("bind {addr} (UDP)"))
}

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
