//! `--shutdown-read`: shutdown(Read) first, then the exchange. What does
//! read() do now, and does the server's data still arrive?

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};

use super::{MAX_HEADER, Seen, check, connect};
use crate::Reply;

/// The whole exchange, with our read half shut down before anything; with
/// `half_close` false (`--no-shutdown` too), no `shutdown(Write)` after the
/// request.
pub fn run(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    half_close: bool,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let stream = connect(addr, read_timeout, say)?;
    let reply = shut_read_then_exchange(
        &stream,
        request,
        read_timeout,
        half_close,
        say,
    )?;
    check(&reply, request, say)?;
    Ok(Seen {
        reply,
        ..Seen::default()
    })
}

// ANCHOR: shutdown_read
fn shut_read_then_exchange(
    mut stream: &TcpStream,
    request: &[u8],
    read_timeout: Duration,
    half_close: bool,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    stream.shutdown(Shutdown::Read).context("shutdown(Read)")?;
    let mut buf = [0u8; 16 * 1024];
    let read = common::uninterrupted(|| stream.read(&mut buf));
    let n = read.context("read after shutdown(Read)")?;
    // Nothing has come from the server: this 0 is our own shutdown's.
    say!(
        say,
        shutdown_read(read = n),
        "shutdown(Read), then read() = {n} at once: no FIN, our own shutdown"
    );

    stream.write_all(request).context("send the request")?;
    say!(say, "sent {} bytes", request.len());
    if half_close {
        stream
            .shutdown(Shutdown::Write)
            .context("shutdown(Write)")?;
        // Shutdowns add up: Read, then Write, leaves the socket as
        // shutdown(Both) would, and as close() would for arriving data.
        say!(
            say,
            "shutdown(Write) too: shut both ways, as shutdown(Both) is"
        );
    }

    // read() now returns 0 at once whether or not data is on its way, so it
    // cannot wait for the reply: ask again every few milliseconds until the
    // reply is complete (its header says how long) or the timeout passes.
    let deadline = Instant::now() + read_timeout;
    let mut reply = Vec::new();
    while Reply::expected_len(&reply).is_none_or(|len| reply.len() < len) {
        let n = match common::uninterrupted(|| stream.read(&mut buf)) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                // Linux delivers data after shutdown(Read) only while our
                // write half is open. Shut both ways, arriving data can
                // reach no one, and the kernel answers it with RST, as
                // RFC 1122 (4.2.2.13) asks of a closed receiver.
                say!(
                    say,
                    late_data(bytes = reply.len(), end = "ConnectionReset"),
                    "ConnectionReset: the reply hit a socket shut both ways"
                );
                return Err(Failure::new(
                    "read after shutdown(Read, Write)",
                    e,
                )
                .with_hint(
                    "data arriving after shutdown(Both) resets the connection",
                ));
            }
            Err(e) => return Err(Failure::new("read after shutdown(Read)", e)),
        };
        reply.extend_from_slice(&buf[..n]);
        if reply.len() > request.len().saturating_add(MAX_HEADER) {
            return Err(Failure::msg(
                "the reply is longer than this protocol sends",
            ));
        }
        if n == 0 {
            if Instant::now() >= deadline {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
    say.event(
        "late_data",
        &[("bytes", &reply.len()), ("end", &"complete")],
    );
    if reply.is_empty() {
        say!(say, "nothing arrived within {}", fmt_duration(read_timeout));
        return Err(Failure::msg("no reply after shutdown(Read)").with_hint(
            "this server answers before our FIN only to refuse: run it with \
             --max-request 16, and send more than that with --no-shutdown",
        ));
    }
    say!(
        say,
        "read {} bytes sent after our shutdown(Read): still delivered",
        reply.len()
    );
    Ok(reply)
}
// ANCHOR_END: shutdown_read
