//! `--drop-write-half`: the story with `drop(writer)` where it calls
//! `shutdown().await`. Dropping an `into_split` write half calls
//! shutdown(Write): tokio does it in the half's `Drop`. Dropping a std
//! `try_clone` handle does nothing of the kind (lesson 1's
//! `--watchdog-drop`).

use std::time::Duration;

use common::{Context, Failure, HostPort, Narrator, say};
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

use super::{connect, read_reply, stalled};
use crate::client::check;

// ANCHOR: drop_write_half
/// [`exchange`](super::exchange), half-closing by dropping the write half.
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
    // The half's Drop calls shutdown(Write): our FIN, as shutdown() sends.
    drop(writer);
    say!(
        say,
        shutdown_write(how = "drop"),
        "dropped the write half: tokio's drop sent our FIN"
    );
    let reply = read_reply(&mut reader, request.len(), wait, say).await?;
    check(&reply, request, say)?;
    Ok(reply)
}
// ANCHOR_END: drop_write_half
