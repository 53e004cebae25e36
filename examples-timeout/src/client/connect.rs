//! `--connect-timeout`: is anybody there? A closed port refuses at once; a
//! host or queue that does not answer leaves the SYN unanswered, and only
//! a timeout ends the wait.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Failure, HostPort, Narrator, fmt_duration, say};

use super::Deadline;

// ANCHOR: connect
/// Connect within `limit` (--connect-timeout, or the deadline's length, or
/// 30 s), and never past `deadline`.
pub fn connect(
    addr: &HostPort,
    limit: Duration,
    deadline: Option<&Deadline>,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    let addrs = addr.resolve()?;
    // Without any timeout, `TcpStream::connect` waits as long as the kernel
    // keeps resending its SYN: about two minutes on Linux.
    let started = Instant::now();
    let mut last = None;
    // connect_timeout takes a single address: try each one the name stands
    // for, each within what is left.
    for target in &addrs {
        let left = limit.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let wait = match deadline {
            Some(deadline) => deadline.cap(left)?.timeout,
            None => left,
        };
        match TcpStream::connect_timeout(target, wait) {
            Ok(stream) => {
                say!(
                    say,
                    connected(to = target),
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
        // No address was tried: the time ran out before the first (resolve
        // fails by itself when a name has no address).
        return Err(match deadline {
            Some(deadline) => deadline.passed(),
            None => Failure::msg(format!(
                "connect timeout: {} passed before a connect could start",
                fmt_duration(limit)
            )),
        });
    };
    match e.kind() {
        // Our limit passed first: std's connect_timeout says so with an
        // error of its own, which carries no OS error code. The kernel
        // gives up on its own too, once it has resent the SYN
        // net.ipv4.tcp_syn_retries times: then the error is the socket's,
        // ETIMEDOUT, and that is the next arm.
        io::ErrorKind::TimedOut if e.raw_os_error().is_none() => {
            say!(
                say,
                connect_failed(end = "our_timeout"),
                "connect: no answer to our SYN within {took}"
            );
            Err(Failure::msg(format!(
                "connect timeout: no answer from {target} within {}",
                fmt_duration(limit)
            ))
            .with_hint(
                "a full queue, a dropping firewall, a host that is down: \
                 all look alike",
            ))
        }
        io::ErrorKind::TimedOut => {
            say!(
                say,
                connect_failed(end = "kernel_gave_up"),
                "connect: the kernel gave up resending our SYN after {took}"
            );
            Err(Failure::new(format!("connect to {target}"), e).with_hint(
                "nobody answered our SYNs; net.ipv4.tcp_syn_retries sets how \
                    long",
            ))
        }
        io::ErrorKind::ConnectionRefused => {
            say!(
                say,
                connect_failed(end = "refused"),
                "connect: refused after {took}: our SYN was answered by RST"
            );
            Err(Failure::new(format!("connect to {target}"), e))
        }
        _ => Err(Failure::new(format!("connect to {target}"), e)),
    }
}
// ANCHOR_END: connect
