//! `--deadline`: a bound on the whole exchange, not on one call. [`run`]
//! is the story with one difference: before every read, the time left
//! becomes that read's timeout, if it is shorter than the per-read one.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{
    Context, Failure, Narrator, detail, fmt_duration, is_timeout, say,
};

use super::{Reply, answer, keepalive};
use crate::MAX_LINE;

// ANCHOR: run
/// [`run`](super::run), within `deadline`.
pub fn run(
    mut stream: &TcpStream,
    message: &str,
    read_timeout: Duration,
    retries: u32,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    let line = format!("{message}\n");
    // The write waits no longer than the time left, either.
    let wait = deadline.cap(
        stream
            .write_timeout()
            .ok()
            .flatten()
            .unwrap_or(Duration::MAX),
    )?;
    stream
        .set_write_timeout(Some(wait.timeout))
        .context("set_write_timeout")?;
    stream
        .write_all(line.as_bytes())
        .context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    let reply = read_reply(stream, read_timeout, retries, deadline, say)?;
    answer(reply.bytes, reply.timeouts, started, say)
}
// ANCHOR_END: run

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

    /// How long it was set for.
    pub fn total(&self) -> Duration {
        self.total
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

// ANCHOR: read_reply
/// Read the reply line, one read at a time, each with a fresh timeout that
/// the deadline may shorten.
///
/// The bytes read so far live in `reply`, outside the reads, so a timeout
/// loses nothing: after a retry, reading simply continues where it stopped.
fn read_reply(
    stream: &TcpStream,
    read_timeout: Duration,
    retries: u32,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let mut reader = BufReader::new(stream);
    let mut reply = Vec::new();
    let mut timeouts = 0;
    // The longest any read waited for data, to show what the read timeout saw.
    let mut longest = Duration::ZERO;
    let out_of_time = |got: usize, longest: Duration| {
        let ms = longest.as_millis();
        say.event("deadline_passed", &[("got", &got), ("longest_ms", &ms)]);
        let (longest, per_read) =
            (fmt_duration(longest), fmt_duration(read_timeout));
        say!(say, "the deadline passed {got} bytes into the reply");
        say!(
            say,
            "no read waited over {longest}: so the {per_read} read timeout \
                never fired"
        );
        deadline.passed()
    };
    loop {
        // Recomputed before every read: this is what makes it a deadline.
        let Ok(wait) = deadline.cap(read_timeout) else {
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
                let ms = asked.elapsed().as_millis();
                say.event(
                    "read_timeout",
                    &[("got", &reply.len()), ("ms", &ms)],
                );
                say!(
                    say,
                    "no data for {}: read timeout ({} bytes of reply so far, \
                        kept)",
                    fmt_duration(wait.timeout),
                    reply.len()
                );
                if timeouts > retries {
                    return Err(Failure::msg(format!(
                        "read timeout: no data from the server for {}",
                        fmt_duration(wait.timeout)
                    ))
                    .with_hint(
                        "silent or slow server: --retries reads again, \
                        --read-timeout waits longer",
                    ));
                }
                say!(
                    say,
                    "reading again on the same connection (retry {timeouts} \
                        of {})",
                    retries
                );
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(keepalive::dead(e, asked.elapsed(), stream, say));
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
