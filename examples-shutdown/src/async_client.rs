//! The async client: `shutdown-client`'s exchange on tokio. Send the
//! request, half-close with `shutdown().await`, read the reply until the
//! server's FIN. [`exchange`] is the story. Where it differs from the
//! blocking one: the socket is split with `into_split`, and dropping the
//! write half sends a FIN (`drop_write_half.rs`; dropping a std `try_clone`
//! handle closes nothing); and tokio has no read-side shutdown, so
//! `--shutdown-read` borrows the descriptor through socket2
//! (`shutdown_read.rs`). Each is a whole sibling of the story;
//! `AsyncClientOptions::run` picks one from the flags.

use std::io;
use std::time::Duration;

use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::time::timeout;

use crate::client::{MAX_HEADER, check};

pub mod drop_write_half; // --drop-write-half
pub mod no_shutdown; // --no-shutdown
pub mod shutdown_read; // --shutdown-read, through socket2's SockRef

pub use crate::options::AsyncClientOptions as Options;

// ANCHOR: story
/// Connect to `addr`, send `request`, half-close, and read the whole reply;
/// each step waits `wait` at most.
pub async fn exchange(
    addr: &HostPort,
    request: &[u8],
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let stream = connect(addr, wait, say).await?;
    // Two owned halves: each could go to a task of its own.
    let (mut reader, mut writer) = stream.into_split();
    let sent = timeout(wait, writer.write_all(request)).await;
    sent.map_err(|_| stalled(wait))?
        .context("send the request")?;
    say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
    // ANCHOR: half_close
    // shutdown() flushes what tokio buffered (a TcpStream buffers nothing)
    // and calls shutdown(Write): our FIN follows the request, and the
    // server's read() returns 0 once it has read every byte before it.
    writer.shutdown().await.context("shutdown()")?;
    say!(
        say,
        shutdown_write(how = "shutdown"),
        "shutdown() = shutdown(Write): our FIN follows the request"
    );
    // ANCHOR_END: half_close
    let reply = read_reply(&mut reader, request.len(), wait, say).await?;
    check(&reply, request, say)?;
    Ok(reply)
}
// ANCHOR_END: story

/// Connect within `wait`, and say where from.
pub(crate) async fn connect(
    addr: &HostPort,
    wait: Duration,
    say: &Narrator,
) -> Result<TcpStream, Failure> {
    let addrs = addr.resolve()?;
    let stream = timeout(wait, TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| stalled(wait))?
        .with_context(|| format!("connect to {addr}"))?;
    let peer = stream.peer_addr().context("peer_addr")?;
    let ours = stream.local_addr().context("local_addr")?;
    say!(say, "connected to {peer} from {ours}");
    Ok(stream)
}

/// Read until the server's FIN, as the blocking client does; each read
/// waits `wait` at most, and `read_buf` is cancel-safe (a read cut off by
/// the timeout has read nothing).
pub(crate) async fn read_reply(
    reader: &mut OwnedReadHalf,
    sent: usize,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let limit = sent.saturating_add(MAX_HEADER);
    let mut reply = Vec::new();
    loop {
        let read = timeout(wait, reader.read_buf(&mut reply)).await;
        let got = reply.len();
        match read {
            Ok(Ok(0)) if got == 0 => {
                say!(
                    say,
                    reply_end(bytes = got, end = "eof"),
                    "read() = 0 before any reply: the server closed"
                );
                return Ok(reply);
            }
            Ok(Ok(0)) => {
                say!(
                    say,
                    reply_end(bytes = got, end = "eof"),
                    "read {got} bytes, then read() = 0: the server's FIN"
                );
                return Ok(reply);
            }
            Ok(Ok(n)) => {
                detail!(say, "read() returned {n} bytes");
                if got > limit {
                    return Err(Failure::msg(format!(
                        "the reply passed {limit} bytes; giving up"
                    )));
                }
            }
            Ok(Err(e)) => {
                let kind = format!("{:?}", e.kind());
                say.event("reply_end", &[("bytes", &got), ("end", &kind)]);
                if e.kind() == io::ErrorKind::ConnectionReset {
                    say!(
                        say,
                        "read failed after {got} bytes: an RST came, not a FIN"
                    );
                }
                let why = format!("read the reply after {got} bytes");
                return Err(Failure::new(why, e));
            }
            Err(_) => {
                say.event("reply_end", &[("bytes", &got), ("end", &"timeout")]);
                return Err(stalled(wait));
            }
        }
    }
}

/// A step waited `wait` and got nowhere.
pub(crate) fn stalled(wait: Duration) -> Failure {
    let waited = fmt_duration(wait);
    Failure::msg(format!("no progress for {waited} (--read-timeout)"))
}
