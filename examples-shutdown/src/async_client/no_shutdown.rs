//! `--no-shutdown`, on tokio: the story without its half-close. The write
//! half is kept until the reply is read, because dropping it would send
//! the FIN; nothing tells the server the request is over, so both sides
//! wait until our read timeout.

use std::time::Duration;

use common::{Context, Failure, HostPort, Narrator, say};
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

use super::{connect, read_reply, stalled};
use crate::client::check;

// ANCHOR: no_shutdown
/// [`exchange`](super::exchange), without `shutdown()`.
pub async fn exchange(
    addr: &HostPort,
    request: &[u8],
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let stream = connect(addr, wait, say).await?;
    let (mut reader, mut writer) = stream.into_split();
    let sent = timeout(wait, writer.write_all(request)).await;
    sent.map_err(|_| stalled(wait))?
        .context("send the request")?;
    say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
    // Wrong on purpose: no FIN, and this protocol has no length either.
    say!(
        say,
        "--no-shutdown: no FIN, so the server cannot tell we are done"
    );
    let reply = read_reply(&mut reader, request.len(), wait, say).await?;
    // Kept until the reply is read: dropping it would send the FIN.
    drop(writer);
    check(&reply, request, say)?;
    Ok(reply)
}
// ANCHOR_END: no_shutdown
