//! The async client: `shutdown-client`'s exchange on tokio. Send the
//! request, half-close with `shutdown().await`, read the reply until the
//! server's FIN. Where it differs: the socket is split with `into_split`,
//! and dropping the write half sends a FIN (dropping a std `try_clone`
//! handle closes nothing); and tokio has no read-side shutdown, so
//! `--shutdown-read` borrows the descriptor through socket2. [`run`] is
//! the story.

use std::io;

use common::{Context, Failure, HostPort, Narrator, detail, fmt_duration, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::timeout;

use crate::client::{MAX_HEADER, check};
use common::tasks::runtime;

mod shutdown_read; // --shutdown-read, through socket2's SockRef

pub use crate::options::AsyncClientOptions as Options;

/// Connect to `addr`, send `request`, half-close, and read the whole
/// reply, on a runtime of this thread.
pub fn run(
    addr: &HostPort,
    request: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    runtime()?.block_on(exchange(addr, request, opts, say))
}

// ANCHOR: story
async fn exchange(
    addr: &HostPort,
    request: &[u8],
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let wait = opts.read_timeout;
    let addrs = addr.resolve()?;
    let stream = timeout(wait, TcpStream::connect(&addrs[..]))
        .await
        .map_err(|_| too_long(opts))?
        .with_context(|| format!("connect to {addr}"))?;
    let peer = stream.peer_addr().context("peer_addr")?;
    let ours = stream.local_addr().context("local_addr")?;
    say!(say, "connected to {peer} from {ours}");
    if opts.shutdown_read {
        // VARIANT: shut down our read half first.
        return shutdown_read::exchange(stream, request, opts, say).await;
    }
    // Two owned halves: each could go to a task of its own.
    let (mut reader, mut writer) = stream.into_split();
    timeout(wait, writer.write_all(request))
        .await
        .map_err(|_| too_long(opts))?
        .context("send the request")?;
    say!(say, "sent {} bytes", request.len());
    say.event("sent", &[("bytes", &request.len())]);

    let still_open = half_close(writer, opts, say).await?;
    let reply = read_reply(&mut reader, request.len(), opts, say).await?;
    drop(still_open);
    check(&reply, request, say)?;
    Ok(reply)
}

// ANCHOR: half_close
/// Send our FIN after the request; the write half if it is still open.
async fn half_close(
    mut writer: OwnedWriteHalf,
    opts: &Options,
    say: &Narrator,
) -> Result<Option<OwnedWriteHalf>, Failure> {
    if opts.no_shutdown {
        say!(
            say,
            "--no-shutdown: no FIN, so the server cannot tell we are done"
        );
        // Kept until the reply is read: dropping it would send the FIN.
        return Ok(Some(writer));
    }
    if opts.drop_write_half {
        // Dropping an into_split write half calls shutdown(Write): tokio
        // does it in the half's Drop. Dropping a std `try_clone` handle
        // does nothing of the kind (lesson 1's --watchdog-drop).
        drop(writer);
        say!(say, "dropped the write half: tokio's drop sent our FIN");
        say.event("shutdown_write", &[("how", &"drop")]);
        return Ok(None);
    }
    // shutdown() flushes what tokio buffered (a TcpStream buffers nothing)
    // and calls shutdown(Write): our FIN follows the request, and the
    // server's read() returns 0 once it has read every byte before it.
    writer.shutdown().await.context("shutdown()")?;
    say!(
        say,
        "shutdown() = shutdown(Write): our FIN follows the request"
    );
    say.event("shutdown_write", &[("how", &"shutdown")]);
    Ok(None)
}
// ANCHOR_END: half_close
// ANCHOR_END: story

/// Read until the server's FIN, as the blocking client does; each read
/// waits --read-timeout at most, and `read_buf` is cancel-safe (a read
/// cut off by the timeout has read nothing).
async fn read_reply(
    reader: &mut OwnedReadHalf,
    sent: usize,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let limit = sent.saturating_add(MAX_HEADER);
    let mut reply = Vec::new();
    loop {
        let read = timeout(opts.read_timeout, reader.read_buf(&mut reply));
        let read = read.await;
        let got = reply.len();
        let end = match read {
            Ok(Ok(0)) => "eof".to_owned(),
            Ok(Ok(n)) => {
                detail!(say, "read() returned {n} bytes");
                if got > limit {
                    return Err(Failure::msg(format!(
                        "the reply passed {limit} bytes; giving up"
                    )));
                }
                continue;
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
                return Err(too_long(opts));
            }
        };
        say.event("reply_end", &[("bytes", &got), ("end", &end)]);
        if got == 0 {
            say!(say, "read() = 0 before any reply: the server closed");
        } else {
            say!(say, "read {got} bytes, then read() = 0: the server's FIN");
        }
        return Ok(reply);
    }
}

fn too_long(opts: &Options) -> Failure {
    let waited = fmt_duration(opts.read_timeout);
    Failure::msg(format!("no progress for {waited} (--read-timeout)"))
}
