//! `--shutdown-read`: tokio has no read-side shutdown. Its
//! `TcpStream::shutdown(how)` went before 1.0 (tokio-rs/tokio#3294): it
//! clashed with `AsyncWriteExt::shutdown`, and a read half's shutdown is
//! not portable (data that arrives after it is kept by Linux, dropped by
//! the BSDs, answered with RST by Windows). socket2's `SockRef` borrows
//! the socket's descriptor and calls shutdown(2) itself.

use std::net::Shutdown;
use std::time::{Duration, Instant};

use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};
use socket2::SockRef;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::{connect, stalled};

// ANCHOR: shutdown_read
/// Connect, shut our read half, see what a read does, then send the request and
/// our FIN: shut both ways, the client reads no reply.
pub async fn exchange(
    addr: &HostPort,
    request: &[u8],
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let mut stream = connect(addr, wait, say).await?;
    SockRef::from(&stream)
        .shutdown(Shutdown::Read)
        .context("shutdown(Read)")?;
    // A read now completes at once on Linux: the socket is readable to
    // epoll, and read() returns 0. No FIN has come; this 0 is our own
    // shutdown's.
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = timeout(wait, stream.read(&mut buf))
        .await
        .map_err(|_| stalled(wait))?
        .context("read after shutdown(Read)")?;
    let took = started.elapsed();
    let (read, us) = (n, took.as_micros());
    say!(
        say,
        shutdown_read(read, us),
        "shutdown(Read) through SockRef; read() = {n} after {}: ours, no FIN",
        fmt_duration(took)
    );
    stream
        .write_all(request)
        .await
        .context("send the request")?;
    stream.shutdown().await.context("shutdown()")?;
    say!(
        say,
        "sent {} bytes, then shutdown(): shut both ways, no reply read",
        request.len()
    );
    Ok(Vec::new())
}
// ANCHOR_END: shutdown_read
