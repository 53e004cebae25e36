//! The client: one request, one reply, and a timeout for every way the
//! server can fail to deliver it.
//!
//! Each timeout answers one question. The connect timeout: is anybody
//! there? The read timeout: did a single read get anything? The write
//! timeout: is the other side taking our data? The deadline: will the whole
//! exchange be over in time? Keepalive: is the peer still alive while we
//! both wait? And for UDP, where nothing times out by itself: resend, with
//! backoff.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use common::args::{parse_duration, parse_size, parse_timeout};
use common::{
    Context, Failure, HostPort, Narrator, detail, fmt_duration, is_timeout, say,
};
use socket2::{SockRef, TcpKeepalive};

use crate::MAX_LINE;

/// The client's timeouts and behaviours. Each field is also a flag of
/// `timeout-client`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Give up connecting after this long (TcpStream::connect_timeout).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub connect_timeout: Option<Duration>,

    /// Give up on a single read that waits this long (SO_RCVTIMEO). With
    /// --udp: how long to wait for the first answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "2s")]
    pub read_timeout: Duration,

    /// Give up on a single write that waits this long (SO_SNDTIMEO).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "2s")]
    pub write_timeout: Duration,

    /// Bound the whole exchange, from connect to the last byte.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "30s")]
    pub deadline: Duration,

    /// After a read timeout, read again on the same connection, up to N
    /// times. With --udp: send the request again, up to N times.
    #[arg(long, value_name = "N", default_value = "0")]
    pub retries: u32,

    /// Wrong on purpose: read the reply with read_exact, which loses what it
    /// had read when it times out.
    #[arg(long)]
    pub exact: bool,

    /// Instead of a request, send this many bytes and never read: against
    /// --mode silent, the write timeout fires once the buffers are full.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub flood: Option<usize>,

    /// Turn TCP keepalive on: the first probe after this long idle.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub keepalive: Option<Duration>,

    /// Keepalive: the time between two probes.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, requires = "keepalive")]
    pub keepalive_interval: Option<Duration>,

    /// Keepalive: how many unanswered probes end the connection.
    #[arg(long, value_name = "N", requires = "keepalive")]
    pub keepalive_retries: Option<u32>,

    /// Linux: drop the connection when sent data stays unacknowledged this
    /// long (TCP_USER_TIMEOUT).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub user_timeout: Option<Duration>,

    /// Wait this long between connecting and sending the request: time to
    /// cut the link in the network lab (`lab cut HOST`), so that the
    /// request is sent to a peer that is no longer there.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub pause: Option<Duration>,

    /// Use UDP: one datagram each way, sent again with exponential backoff
    /// and jitter when no answer comes.
    #[arg(long, conflicts_with_all = ["connect_timeout", "exact", "flood", "keepalive", "user_timeout", "pause"])]
    pub udp: bool,

    /// UDP: the longest wait for an answer, however many retries.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "2s")]
    pub max_backoff: Duration,
}

impl Default for Options {
    /// The defaults of `timeout-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

// ANCHOR: deadline
/// The moment by which the whole exchange must be over.
///
/// A per-call timeout bounds one read or write; a peer that sends one byte
/// just before each timeout would pass every check forever. A deadline
/// bounds them all: before every call, the time left becomes that call's
/// timeout, if it is shorter than the per-call one.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

/// The timeout for the next call, and which limit it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    /// How long the call may wait.
    pub timeout: Duration,
    /// True when the deadline, not the per-call timeout, sets it.
    pub by_deadline: bool,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn after(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }

    /// The timeout for the next call: `per_call`, or the time left if that
    /// is shorter; an error once no time is left (a socket timeout cannot be
    /// zero).
    pub fn cap(&self, per_call: Duration) -> Result<Wait, Failure> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.passed());
        }
        Ok(Wait {
            timeout: per_call.min(left),
            by_deadline: left < per_call,
        })
    }

    /// The failure when the deadline has passed.
    pub fn passed(&self) -> Failure {
        Failure::msg(format!(
            "deadline: the exchange took longer than {}",
            fmt_duration(self.total)
        ))
    }
}
// ANCHOR_END: deadline

/// What a successful exchange brought back.
#[derive(Debug)]
pub struct Reply {
    /// The reply's bytes.
    pub bytes: Vec<u8>,
    /// How many timeouts fired (and were survived) on the way.
    pub timeouts: u32,
}

/// Connect to `addr`, send `message` as one line, and read the one-line
/// reply, within every timeout the options set.
pub fn run(
    addr: &HostPort,
    message: &str,
    opts: &Options,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let deadline = Deadline::after(opts.deadline);
    let stream = connect(addr, opts, &deadline, say)?;
    configure_keepalive(&stream, opts, say)?;
    if let Some(pause) = opts.pause {
        say!(
            say,
            "pausing {} before sending (--pause)",
            fmt_duration(pause)
        );
        thread::sleep(pause);
    }

    if let Some(size) = opts.flood {
        flood(&stream, size, opts, &deadline, say)?;
        return Ok(Reply {
            bytes: Vec::new(),
            timeouts: 0,
        });
    }

    let line = format!("{message}\n");
    let wait = deadline.cap(opts.write_timeout)?;
    stream
        .set_write_timeout(Some(wait.timeout))
        .context("set_write_timeout")?;
    (&stream)
        .write_all(line.as_bytes())
        .context("send the request")?;
    say!(say, "sent {} bytes", line.len());

    let reply = if opts.exact {
        read_exact_reply(&stream, line.len(), opts, &deadline, say)?
    } else {
        read_reply(&stream, opts, &deadline, say)?
    };
    if let Some(reason) = reply.bytes.strip_prefix(b"error: ") {
        return Err(Failure::msg(format!(
            "the server refused: {}",
            String::from_utf8_lossy(reason).trim_end()
        )));
    }
    say!(
        say,
        "got the {}-byte reply after {}",
        reply.bytes.len(),
        fmt_duration(started.elapsed())
    );
    Ok(reply)
}

// ANCHOR: connect
/// Connect within --connect-timeout (or, without one, within the deadline).
fn connect(
    addr: &HostPort,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    let addrs = addr.resolve()?;
    // Without any timeout, `TcpStream::connect` waits as long as the kernel
    // keeps resending its SYN: about two minutes on Linux. The deadline is
    // the bound when no connect timeout is given.
    let limit = opts.connect_timeout.unwrap_or(opts.deadline);
    let started = Instant::now();
    let mut last = None;
    // connect_timeout takes a single address: try each one the name stands
    // for, each within what is left.
    for target in &addrs {
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let wait = deadline.cap(left)?;
        match TcpStream::connect_timeout(target, wait.timeout) {
            Ok(stream) => {
                say!(
                    say,
                    "connected to {target} in {}",
                    fmt_duration(started.elapsed())
                );
                return Ok(stream);
            }
            Err(e) => last = Some((*target, e)),
        }
    }
    let took = fmt_duration(started.elapsed());
    let Some((target, e)) = last else {
        return Err(Failure::msg(format!("{addr} has no addresses")));
    };
    match e.kind() {
        // Our limit passed first. The kernel gives up on its own too, once
        // it has resent the SYN net.ipv4.tcp_syn_retries times: that is the
        // next arm.
        io::ErrorKind::TimedOut
            if started.elapsed() + Duration::from_millis(50) >= limit =>
        {
            say!(
                say,
                "connect: no answer to our SYN within {took}: a full accept queue, a firewall \
                 that drops, or a host that is down all look like this"
            );
            Err(Failure::msg(format!(
                "connect timeout: no answer from {target} within {}",
                fmt_duration(limit)
            ))
            .with_hint("the host or its accept queue is not answering; a closed port would have refused at once"))
        }
        io::ErrorKind::TimedOut => {
            say!(
                say,
                "connect: the kernel gave up after {took} of resending our SYN (how long: \
                 net.ipv4.tcp_syn_retries)"
            );
            Err(Failure::new(format!("connect to {target}"), e)
                .with_hint("nobody answered our SYNs; a closed port would have refused at once"))
        }
        io::ErrorKind::ConnectionRefused => {
            say!(
                say,
                "connect: refused after {took}: nothing listens there, and its kernel answered our SYN with RST"
            );
            Err(Failure::new(format!("connect to {target}"), e))
        }
        _ => Err(Failure::new(format!("connect to {target}"), e)),
    }
}
// ANCHOR_END: connect

// ANCHOR: read_reply
/// Read the reply line, one read at a time, each with a fresh timeout.
///
/// The bytes read so far live in `reply`, outside the reads, so a timeout
/// loses nothing: after a retry, reading simply continues where it stopped.
fn read_reply(
    stream: &TcpStream,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let mut reader = BufReader::new(stream);
    let mut reply = Vec::new();
    let mut timeouts = 0;
    // The longest any read waited for data, to show what the read timeout saw.
    let mut longest = Duration::ZERO;
    let out_of_time = |got: usize, longest: Duration| {
        say!(
            say,
            "the deadline passed {got} bytes into the reply; no read waited longer than {}, \
             so the {} read timeout never fired",
            fmt_duration(longest),
            fmt_duration(opts.read_timeout)
        );
        deadline.passed()
    };
    loop {
        // Recomputed before every read: this is what makes it a deadline.
        let Ok(wait) = deadline.cap(opts.read_timeout) else {
            return Err(out_of_time(reply.len(), longest));
        };
        stream
            .set_read_timeout(Some(wait.timeout))
            .context("set_read_timeout")?;
        let asked = Instant::now();
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if is_timeout(&e) && wait.by_deadline => {
                return Err(out_of_time(
                    reply.len(),
                    longest.max(asked.elapsed()),
                ));
            }
            Err(e) if is_timeout(&e) => {
                timeouts += 1;
                say!(
                    say,
                    "no data for {}: read timeout ({} bytes of the reply so far, kept)",
                    fmt_duration(wait.timeout),
                    reply.len()
                );
                if timeouts > opts.retries {
                    return Err(Failure::msg(format!(
                        "read timeout: no data from the server for {}",
                        fmt_duration(wait.timeout)
                    ))
                    .with_hint("the server is there but silent or slow; --retries reads again, --read-timeout waits longer"));
                }
                say!(
                    say,
                    "reading again on the same connection (retry {timeouts} of {})",
                    opts.retries
                );
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(dead(e, asked.elapsed(), opts, say));
            }
            Err(e) => return Err(Failure::new("read the reply", e)),
        };
        longest = longest.max(asked.elapsed());
        if available.is_empty() {
            return Err(Failure::msg(format!(
                "the server closed the connection {} bytes into the reply",
                reply.len()
            )));
        }
        let (taken, complete) = match available.iter().position(|&b| b == b'\n')
        {
            Some(end) => (end + 1, true),
            None => (available.len(), false),
        };
        reply.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        detail!(say, "read {taken} bytes");
        if complete {
            return Ok(Reply {
                bytes: reply,
                timeouts,
            });
        }
        if reply.len() > MAX_LINE {
            return Err(Failure::msg(format!(
                "the reply passed {MAX_LINE} bytes without ending"
            )));
        }
    }
}
// ANCHOR_END: read_reply

// ANCHOR: dead
/// A read that failed with `TimedOut` after `waited`. On Unix that is
/// ETIMEDOUT: not our read timeout (that is WouldBlock) but the kernel's
/// verdict that the connection is dead, because a peer that vanished
/// without a FIN or RST stopped answering. What it stopped answering
/// depends on what was in flight.
fn dead(
    e: io::Error,
    waited: Duration,
    opts: &Options,
    say: &Narrator,
) -> Failure {
    let why = match (opts.keepalive, opts.user_timeout) {
        // With data unacknowledged, retransmissions decide, bounded by
        // TCP_USER_TIMEOUT; on an idle connection, the keepalive probes do
        // (and TCP_USER_TIMEOUT, when set, bounds them too).
        (_, Some(limit)) => format!(
            "sent data, or keepalive probes, went unacknowledged for {} (TCP_USER_TIMEOUT)",
            fmt_duration(limit)
        ),
        (Some(_), None) => "the keepalive probes went unanswered".to_owned(),
        (None, None) => {
            "our data was resent until net.ipv4.tcp_retries2 ran out".to_owned()
        }
    };
    say!(
        say,
        "read() failed after {} with ETIMEDOUT: the kernel declared the connection dead, {why}",
        fmt_duration(waited)
    );
    Failure::new("read the reply", e).with_hint(
        "the peer vanished without a FIN or RST: a machine switched off, a cable or route cut",
    )
}
// ANCHOR_END: dead

// ANCHOR: read_exact_trap
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
        Err(e) if is_timeout(&e) => say!(
            say,
            "read_exact timed out after {}: whatever part of the {len} bytes it had read is consumed, and lost",
            fmt_duration(wait.timeout)
        ),
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
        match stream.read(&mut next) {
            Ok(n) => {
                say!(
                    say,
                    "the next read() returned {n} bytes, {:?}: the tail of the reply, without its head",
                    String::from_utf8_lossy(&next[..n])
                );
                break;
            }
            Err(e) if is_timeout(&e) => continue,
            Err(e) => return Err(Failure::new("read after the timeout", e)),
        }
    }
    Err(
        Failure::msg("out of step: a read timed out in the middle of a message").with_hint(
            "after such a timeout, close the connection, or keep partial data in a buffer that \
         survives the timeout (run without --exact)",
        ),
    )
}
// ANCHOR_END: read_exact_trap

// ANCHOR: flood
/// Send `size` bytes without reading anything, and count what the kernel
/// takes before a write waits longer than --write-timeout.
fn flood(
    mut stream: &TcpStream,
    size: usize,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<(), Failure> {
    let sock = SockRef::from(stream);
    say!(
        say,
        "flooding {size} bytes; our send buffer (SO_SNDBUF) holds {} bytes",
        sock.send_buffer_size().context("SO_SNDBUF")?
    );
    let chunk = [b'x'; 64 * 1024];
    let mut accepted = 0usize;
    while accepted < size {
        let wait = deadline.cap(opts.write_timeout)?;
        stream
            .set_write_timeout(Some(wait.timeout))
            .context("set_write_timeout")?;
        let n = (size - accepted).min(chunk.len());
        // write, not write_all, to count every byte the kernel takes. A
        // write that waits out its timeout after taking part of its buffer
        // returns that part (a short write), not an error; only a write that
        // could take nothing at all fails. So write_all, which loops on short
        // writes, can wait several timeouts in a row.
        let asked = Instant::now();
        match stream.write(&chunk[..n]) {
            Ok(written) => {
                accepted += written;
                if written < n {
                    say!(
                        say,
                        "short write: the kernel took {written} of {n} bytes, waited {} for more room, and returned with those",
                        fmt_duration(asked.elapsed())
                    );
                }
            }
            Err(e) if is_timeout(&e) && wait.by_deadline => {
                return Err(deadline.passed());
            }
            Err(e) if is_timeout(&e) => {
                say!(
                    say,
                    "write timeout: the kernel took {accepted} bytes, then nothing for {}: \
                     our send buffer and the server's receive buffer are full, and the server does not read",
                    fmt_duration(wait.timeout)
                );
                return Err(Failure::msg(format!(
                    "write timeout: the server took nothing for {} after {accepted} bytes",
                    fmt_duration(wait.timeout)
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Failure::new(
                    format!("write after {accepted} bytes"),
                    e,
                ));
            }
        }
    }
    say!(
        say,
        "the kernel took all {size} bytes (which is not to say the server read them)"
    );
    Ok(())
}
// ANCHOR_END: flood

// ANCHOR: keepalive
/// Turn keepalive (and TCP_USER_TIMEOUT) on as asked, then read back what
/// the kernel holds.
///
/// A read timeout notices a peer that is silent; it cannot tell a slow peer
/// from a vanished one (a machine that lost power sends no FIN). Keepalive
/// probes an idle connection, and a peer that is gone fails to answer them.
fn configure_keepalive(
    stream: &TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let sock = SockRef::from(stream);
    if let Some(idle) = opts.keepalive {
        let mut params = TcpKeepalive::new().with_time(idle);
        if let Some(interval) = opts.keepalive_interval {
            params = params.with_interval(interval);
        }
        if let Some(retries) = opts.keepalive_retries {
            params = params.with_retries(retries);
        }
        sock.set_tcp_keepalive(&params)
            .context("set TCP keepalive")?;
        say!(
            say,
            "keepalive {}: first probe after {} idle, then one every {}; {} unanswered probes end the connection",
            if sock.keepalive().context("SO_KEEPALIVE")? {
                "on"
            } else {
                "off"
            },
            fmt_duration(sock.tcp_keepalive_time().context("TCP_KEEPIDLE")?),
            fmt_duration(
                sock.tcp_keepalive_interval().context("TCP_KEEPINTVL")?
            ),
            sock.tcp_keepalive_retries().context("TCP_KEEPCNT")?
        );
    }
    #[cfg(target_os = "linux")]
    if let Some(limit) = opts.user_timeout {
        // Keepalive only probes an idle connection. With data sent and not
        // acknowledged, the retransmission timer decides instead, and by
        // default it keeps trying for about 15 minutes; TCP_USER_TIMEOUT
        // bounds that wait.
        sock.set_tcp_user_timeout(Some(limit))
            .context("TCP_USER_TIMEOUT")?;
        let set = sock.tcp_user_timeout().context("TCP_USER_TIMEOUT")?;
        say!(
            say,
            "TCP_USER_TIMEOUT: {}",
            set.map_or("off".to_owned(), fmt_duration)
        );
    }
    #[cfg(not(target_os = "linux"))]
    if opts.user_timeout.is_some() {
        return Err(Failure::msg(
            "--user-timeout (TCP_USER_TIMEOUT) exists on Linux only",
        ));
    }
    Ok(())
}
// ANCHOR_END: keepalive

// ANCHOR: udp
/// UDP: send one datagram and wait for the answer; when none comes, send
/// again, waiting twice as long each time (up to --max-backoff), with
/// jitter, until --retries or the deadline runs out.
pub fn run_udp(
    addr: &HostPort,
    message: &str,
    opts: &Options,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let deadline = Deadline::after(opts.deadline);
    let server = addr.resolve()?[0];
    let any: SocketAddr = if server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(any).context("bind a UDP socket")?;
    // A connected UDP socket only receives datagrams from the server, and
    // hears about an ICMP "port unreachable" as ConnectionRefused.
    socket
        .connect(server)
        .with_context(|| format!("connect to {server} (UDP)"))?;

    let mut answer = [0u8; 2048];
    let mut backoff = opts.read_timeout;
    for attempt in 1..=opts.retries.saturating_add(1) {
        socket
            .send(message.as_bytes())
            .context("send the request")?;
        // Jitter: wait between half and all of the backoff, so that many
        // clients that lost their datagrams at the same moment do not all
        // send again at the same moment.
        let jittered = backoff.mul_f64(0.5 + fastrand::f64() / 2.0);
        let wait = deadline.cap(jittered)?;
        socket
            .set_read_timeout(Some(wait.timeout))
            .context("set_read_timeout")?;
        match socket.recv(&mut answer) {
            Ok(n) => {
                say!(
                    say,
                    "attempt {attempt}: answered after {} in all",
                    fmt_duration(started.elapsed())
                );
                return Ok(Reply {
                    bytes: answer[..n].to_vec(),
                    timeouts: attempt - 1,
                });
            }
            Err(e) if is_timeout(&e) && wait.by_deadline => {
                return Err(deadline.passed());
            }
            Err(e) if is_timeout(&e) => say!(
                say,
                "attempt {attempt}: no answer within {}; UDP never says why",
                fmt_duration(wait.timeout)
            ),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                return Err(Failure::new(format!("ask {server} (UDP)"), e).with_hint(
                    "nothing listens on that UDP port: its kernel answered with ICMP port unreachable",
                ));
            }
            Err(e) => return Err(Failure::new("receive the answer", e)),
        }
        backoff = (backoff * 2).min(opts.max_backoff);
    }
    Err(Failure::msg(format!(
        "no answer after {} attempts over {}",
        opts.retries.saturating_add(1),
        fmt_duration(started.elapsed())
    ))
    .with_hint(
        "the server may be down, or the network losing datagrams; --retries tries more often",
    ))
}
// ANCHOR_END: udp
