//! `--udp`: one datagram each way. Nothing times out by itself, and
//! nothing says a datagram was lost: wait, then send again, with backoff.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};

use super::{Options, Reply};
use common::is_timeout;

// ANCHOR: udp
/// UDP: send one datagram and wait --read-timeout for the answer; when
/// none comes, send again, each time with twice the backoff (up to
/// --max-backoff) and a wait drawn between half of it and all of it, until
/// --retries or the deadline runs out.
pub fn run_udp(
    addr: &HostPort,
    message: &str,
    opts: &Options,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let deadline = opts.deadline();
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
        // Jitter, after the first wait: between half and all of the
        // backoff, so that many clients that lost their datagrams at the
        // same moment do not all send again at the same moment. Half of
        // twice the last backoff is the last backoff: the waits never
        // shrink while the backoff doubles.
        let jittered = if attempt == 1 {
            backoff
        } else {
            backoff.mul_f64(0.5 + fastrand::f64() / 2.0)
        }
        .max(Duration::from_nanos(1)); // Some(0) is no timeout to std
        let wait = deadline.cap(jittered)?;
        socket
            .set_read_timeout(Some(wait.timeout))
            .context("set_read_timeout")?;
        match common::uninterrupted(|| socket.recv(&mut answer)) {
            Ok(n) => {
                say!(
                    say,
                    "attempt {attempt}: answered after {} in all",
                    fmt_duration(started.elapsed())
                );
                let ms = started.elapsed().as_millis();
                say.event(
                    "attempt",
                    &[("n", &attempt), ("end", &"answered"), ("ms", &ms)],
                );
                return Ok(Reply {
                    bytes: answer[..n].to_vec(),
                    timeouts: attempt - 1,
                });
            }
            Err(e) if is_timeout(&e) && wait.by_deadline => {
                return Err(deadline.passed());
            }
            Err(e) if is_timeout(&e) => {
                say!(
                    say,
                    "attempt {attempt}: no answer within {}; UDP never says \
                        why",
                    fmt_duration(wait.timeout)
                );
                let (ms, backoff_ms) =
                    (wait.timeout.as_millis(), backoff.as_millis());
                say.event(
                    "attempt",
                    &[
                        ("n", &attempt),
                        ("end", &"timeout"),
                        ("wait_ms", &ms),
                        ("backoff_ms", &backoff_ms),
                    ],
                );
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                return Err(Failure::new(format!("ask {server} (UDP)"), e)
                .with_hint(
                    "nothing listens on that UDP port: ICMP port unreachable \
                        came back",
                ));
            }
            Err(e) => return Err(Failure::new("receive the answer", e)),
        }
        backoff = backoff.saturating_mul(2).min(opts.max_backoff);
    }
    Err(Failure::msg(format!(
        "no answer after {} attempts over {}",
        opts.retries.saturating_add(1),
        fmt_duration(started.elapsed())
    ))
    .with_hint(
        "the server may be down, or datagrams lost; --retries tries more",
    ))
}
// ANCHOR_END: udp
