//! The client: one request, one reply, and a timeout on every call that
//! could wait. [`run`] is the story: connect, send, then read with a read
//! timeout, reading again after one if asked. Each other timeout lives in a
//! file under `client/` named for it, called at a line marked `VARIANT`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};

use crate::MAX_LINE;
use common::is_timeout;

mod connect; // --connect-timeout: is anybody there?
mod deadline; // --deadline: will the whole exchange be over in time?
mod keepalive; // --keepalive, --user-timeout: is the peer still alive?
mod read_exact_trap; // --exact: read_exact loses its bytes on a timeout
mod udp; // --udp: nothing times out by itself; resend, with backoff
mod write_timeout; // --flood: is the other side taking our data?

pub use crate::options::ClientOptions as Options;
pub use deadline::{Deadline, Wait};
pub use udp::run_udp;

// ANCHOR: story
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
    let stream = connect::connect(addr, opts, &deadline, say)?;
    // VARIANT: --keepalive, --user-timeout.
    keepalive::configure(&stream, opts, say)?;
    // VARIANT: time to cut the link in the network lab.
    if let Some(pause) = opts.pause {
        say!(
            say,
            "pausing {} before sending (--pause)",
            fmt_duration(pause)
        );
        say.event("pause", &[("ms", &pause.as_millis())]);
        thread::sleep(pause);
    }

    if let Some(size) = opts.flood {
        // VARIANT: --flood, the write timeout.
        write_timeout::flood(&stream, size, opts, &deadline, say)?;
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
    say.event("sent", &[("bytes", &line.len())]);

    let reply = if opts.exact {
        // VARIANT: wrong on purpose.
        read_exact_trap::read_exact_reply(
            &stream,
            line.len(),
            opts,
            &deadline,
            say,
        )?
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
    let (bytes, timeouts) = (reply.bytes.len(), reply.timeouts);
    let ms = started.elapsed().as_millis();
    say.event(
        "reply",
        &[("bytes", &bytes), ("timeouts", &timeouts), ("ms", &ms)],
    );
    Ok(reply)
}
// ANCHOR_END: story

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
        let ms = longest.as_millis();
        say.event("deadline_passed", &[("got", &got), ("longest_ms", &ms)]);
        let (longest, per_read) =
            (fmt_duration(longest), fmt_duration(opts.read_timeout));
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
                if timeouts > opts.retries {
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
                    opts.retries
                );
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return Err(keepalive::dead(e, asked.elapsed(), opts, say));
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

/// What a successful exchange brought back.
#[derive(Debug)]
pub struct Reply {
    /// The reply's bytes.
    pub bytes: Vec<u8>,
    /// How many timeouts fired (and were survived) on the way.
    pub timeouts: u32,
}
