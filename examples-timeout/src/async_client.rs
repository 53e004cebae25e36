//! The async client: `timeout-client`'s exchange on tokio. One line out,
//! one line back, with the timeouts tokio gives: `timeout(d, future)`
//! bounds a whole future and cancels it when time is up. That makes a
//! per-read timeout a matter of where the bytes live: here, outside the
//! future, so a cancelled read loses none. [`exchange`] is the story;
//! `--deadline` and `--exact` are whole siblings of it
//! (`async_client/deadline.rs`, `async_client/exact.rs`). The connection is
//! opened first, within `--connect-timeout`, with keepalive if asked
//! (`connect` below); `AsyncClientOptions::run` does that and picks one.

use std::time::Duration;

use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use crate::MAX_LINE;
pub use crate::client::Reply;
use crate::client::answer;
pub use crate::options::AsyncClientOptions as Options;

pub mod deadline; // --deadline: one instant for the whole exchange
pub mod exact; // --exact: timeout(read_exact) loses what it had read

// ANCHOR: story
/// Send `message` as one line on `stream` and read the one-line reply. A
/// read that waits `read_timeout` is cancelled; the next one, up to
/// `retries` times, continues where it stopped.
pub async fn exchange(
    stream: &mut TcpStream,
    message: &str,
    read_timeout: Duration,
    retries: u32,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = std::time::Instant::now();
    let line = format!("{message}\n");
    let sent = timeout(read_timeout, stream.write_all(line.as_bytes())).await;
    sent.map_err(|_| refused_request())?
        .context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    // `reply` lives here, outside the future each timeout cancels:
    // read_buf either appended what it read, or read nothing. So a timeout
    // loses nothing, and the next read goes on where it stopped.
    let (mut reply, mut timeouts) = (Vec::with_capacity(1024), 0);
    while !reply.ends_with(b"\n") {
        match timeout(read_timeout, stream.read_buf(&mut reply)).await {
            Ok(Ok(n)) if n == 0 || reply.len() > MAX_LINE => {
                return Err(cut_short(reply.len()));
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(Failure::new("read the reply", e)),
            Err(_) if timeouts < retries => {
                timeouts += 1;
                let (got, wait) = (reply.len(), fmt_duration(read_timeout));
                say!(
                    say,
                    read_timeout(got, retry = timeouts),
                    "no data for {wait}: timeout cancelled the read; {got} \
                     bytes kept"
                );
            }
            Err(_) => return Err(timed_out(reply.len(), read_timeout, say)),
        }
    }
    answer(reply, timeouts, started, say)
}
// ANCHOR_END: story

/// Connect to `addr` within `wait` (and never past `deadline`), and turn
/// keepalive on if asked: the connection every exchange runs on.
pub async fn connect(
    addr: &HostPort,
    wait: Duration,
    deadline: Option<Instant>,
    keepalive: Option<Duration>,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    let addrs = addr.resolve()?;
    // `timeout` cancels the connect future when time is up: the SYN
    // retransmissions stop, and the socket is closed.
    let connect = TcpStream::connect(&addrs[..]);
    let Some(connected) = within(deadline, wait, connect).await else {
        say.event("connect_failed", &[("end", &"our_timeout")]);
        return Err(Failure::msg(format!(
            "connect to {addr}: no answer within {}",
            fmt_duration(wait)
        )));
    };
    let stream = connected.with_context(|| format!("connect to {addr}"))?;
    let (peer, local) = (stream.peer_addr(), stream.local_addr());
    if let (Ok(peer), Ok(local)) = (peer, local) {
        say!(say, "connected to {peer} from {local}");
    }
    if let Some(idle) = keepalive {
        // tokio has no keepalive setter; socket2 reaches the option on
        // tokio's socket without taking it over.
        let socket = SockRef::from(&stream);
        let probes = TcpKeepalive::new().with_time(idle);
        socket.set_tcp_keepalive(&probes).context("SO_KEEPALIVE")?;
        // What the kernel now says, not what we asked for.
        let on = socket.keepalive().context("SO_KEEPALIVE")?;
        let time = socket.tcp_keepalive_time().context("TCP_KEEPIDLE")?;
        let (idle_ms, after) = (time.as_millis(), fmt_duration(time));
        say!(
            say,
            keepalive(on, idle_ms),
            "keepalive on: the kernel probes after {after} of silence"
        );
    }
    Ok(stream)
}

/// Run `future` for `wait` at most, and never past `deadline`: `None` when
/// time ran out (and the future was cancelled, dropped where it stood).
pub(crate) async fn within<F: Future>(
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

/// The request could not be sent in time.
pub(crate) fn refused_request() -> Failure {
    Failure::msg("the server takes no request")
}

/// The reply stopped before its newline: the server closed, or the line
/// passed [`MAX_LINE`].
pub(crate) fn cut_short(got: usize) -> Failure {
    if got > MAX_LINE {
        return Failure::msg(format!(
            "the reply passed {MAX_LINE} bytes without ending"
        ));
    }
    Failure::msg(format!(
        "the server closed the connection {got} bytes into the reply"
    ))
}

/// The last read timeout, the retries spent.
fn timed_out(got: usize, wait: Duration, say: &Narrator) -> Failure {
    let waited = fmt_duration(wait);
    say!(
        say,
        read_timeout(got),
        "no data for {waited}: timeout cancelled the read; {got} bytes kept"
    );
    Failure::msg(format!(
        "read timeout: no data from the server for {waited}"
    ))
}
