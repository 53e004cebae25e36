//! The async client: `timeout-client`'s exchange on tokio. One line out,
//! one line back, with the timeouts tokio gives: `timeout(d, future)`
//! bounds a whole future and cancels it when time is up. That makes a
//! deadline easy and a per-read timeout a matter of where the bytes live:
//! here, outside the future, so a cancelled read loses none.
//! `--exact`, the trap, is in `async_client/exact.rs`.

use std::time::Duration;

use common::tasks::runtime;
use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use crate::MAX_LINE;
pub use crate::client::Reply;
pub use crate::options::AsyncClientOptions as Options;

mod exact; // --exact: timeout(read_exact) loses what it had read

// ANCHOR: story
/// Connect to `addr`, send `message` as one line, and read the one-line
/// reply, within every timeout the options set.
pub fn run(
    addr: &HostPort,
    message: &str,
    opts: &Options,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let runtime = runtime()?;
    runtime.block_on(exchange(addr, message, opts, say))
}

async fn exchange(
    addr: &HostPort,
    message: &str,
    opts: &Options,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = Instant::now();
    // A deadline is one instant for the whole exchange: each wait below
    // ends at the sooner of it and that wait's own timeout.
    let deadline = opts.deadline.and_then(|d| started.checked_add(d));
    let addrs = addr.resolve()?;
    // `timeout` cancels the connect future when time is up: the SYN
    // retransmissions stop, and the socket is closed.
    let connect = TcpStream::connect(&addrs[..]);
    let stream = match within(deadline, opts.connect_timeout, connect).await {
        Some(connected) => {
            connected.with_context(|| format!("connect to {addr}"))?
        }
        None => {
            say.event("connect_failed", &[("end", &"our_timeout")]);
            return Err(Failure::msg(format!(
                "connect to {addr}: no answer within {}",
                fmt_duration(opts.connect_timeout)
            )));
        }
    };
    let (peer, local) = (stream.peer_addr(), stream.local_addr());
    if let (Ok(peer), Ok(local)) = (peer, local) {
        say!(say, "connected to {peer} from {local}");
    }
    if let Some(idle) = opts.keepalive {
        // tokio has no keepalive setter; socket2 reaches the option on
        // tokio's socket without taking it over.
        let socket = SockRef::from(&stream);
        let probes = TcpKeepalive::new().with_time(idle);
        socket.set_tcp_keepalive(&probes).context("SO_KEEPALIVE")?;
        // What the kernel now says, not what we asked for.
        let on = socket.keepalive().context("SO_KEEPALIVE")?;
        let time = socket.tcp_keepalive_time().context("TCP_KEEPIDLE")?;
        say!(
            say,
            "keepalive on: the kernel probes after {} of silence",
            fmt_duration(time)
        );
        say.event("keepalive", &[("on", &on), ("idle_ms", &time.as_millis())]);
    }

    let mut stream = stream;
    let line = format!("{message}\n");
    let send = stream.write_all(line.as_bytes());
    match within(deadline, opts.read_timeout, send).await {
        Some(sent) => sent.context("send the request")?,
        None => return Err(Failure::msg("the server takes no request")),
    }
    say!(say, "sent {} bytes", line.len());
    say.event("sent", &[("bytes", &line.len())]);

    let reply = if opts.exact {
        // VARIANT: wrong on purpose.
        exact::read_exact_reply(&mut stream, line.len(), opts, say).await?
    } else {
        read_reply(&mut stream, opts, deadline, say).await?
    };
    if let Some(reason) = reply.bytes.strip_prefix(b"error: ") {
        return Err(Failure::msg(format!(
            "the server refused: {}",
            String::from_utf8_lossy(reason).trim_end()
        )));
    }
    let took = started.elapsed();
    say!(
        say,
        "got the {}-byte reply after {}",
        reply.bytes.len(),
        fmt_duration(took)
    );
    let (bytes, timeouts, ms) =
        (reply.bytes.len(), reply.timeouts, took.as_millis());
    say.event(
        "reply",
        &[("bytes", &bytes), ("timeouts", &timeouts), ("ms", &ms)],
    );
    Ok(reply)
}
// ANCHOR_END: story

// ANCHOR: read_reply
/// Read the reply line, each read under a fresh `--read-timeout`.
///
/// `reply` lives here, outside the future each timeout cancels: `read_buf`
/// either appended what it read, or read nothing. So a timeout loses
/// nothing, and a retry simply goes on where it stopped.
async fn read_reply(
    stream: &mut TcpStream,
    opts: &Options,
    deadline: Option<Instant>,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let mut reply = Vec::with_capacity(1024);
    let mut timeouts = 0;
    loop {
        let Some(got) =
            within(deadline, opts.read_timeout, stream.read_buf(&mut reply))
                .await
        else {
            if deadline.is_some_and(|at| Instant::now() >= at) {
                say.event("deadline_passed", &[("got", &reply.len())]);
                return Err(Failure::msg(format!(
                    "the deadline passed {} bytes into the reply",
                    reply.len()
                )));
            }
            timeouts += 1;
            let wait = fmt_duration(opts.read_timeout);
            say!(
                say,
                "no data for {wait}: timeout cancelled the read; {} bytes kept",
                reply.len()
            );
            say.event("read_timeout", &[("got", &reply.len())]);
            if timeouts > opts.retries {
                return Err(Failure::msg(format!(
                    "read timeout: no data from the server for {wait}"
                )));
            }
            continue;
        };
        let n = got.context("read the reply")?;
        if n == 0 {
            return Err(Failure::msg(format!(
                "the server closed the connection {} bytes into the reply",
                reply.len()
            )));
        }
        detail!(say, "read {n} bytes");
        if reply.ends_with(b"\n") {
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

/// Run `future` for `wait` at most, and never past `deadline`: `None` when
/// time ran out (and the future was cancelled, dropped where it stood).
async fn within<F: Future>(
    deadline: Option<Instant>,
    wait: Duration,
    future: F,
) -> Option<F::Output> {
    let own = Instant::now().checked_add(wait);
    let until = match (deadline, own) {
        (Some(d), Some(o)) => d.min(o),
        (Some(at), None) | (None, Some(at)) => at,
        (None, None) => return Some(future.await),
    };
    timeout_at(until, future).await.ok()
}

/// Used by `exact.rs`: a bare per-call timeout.
async fn bounded<F: Future>(wait: Duration, future: F) -> Option<F::Output> {
    timeout(wait, future).await.ok()
}
