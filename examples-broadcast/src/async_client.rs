//! The async client: `broadcast-client discover` on tokio's `UdpSocket`.
//! Broadcast one query, then collect replies until one deadline, however
//! many datagrams come. [`discover`] is the story.

use std::net::SocketAddr;
use std::time::Duration;

use common::tasks::runtime;
use common::{Context, Failure, Narrator, fmt_duration, say};
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use crate::client::Taken::Ignored;
use crate::client::{Found, any_port, summary, take};
use crate::message::{MAX_DATAGRAM, Message};

pub use crate::options::AsyncDiscoverOptions as Options;

// ANCHOR: story
/// Broadcast one query to `target` and collect the replies that arrive
/// within `wait`.
pub async fn find_services(
    target: SocketAddr,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    // Any port: the replies come back to it, unicast.
    let socket = UdpSocket::bind(any_port(target)).await.context("bind")?;
    // tokio offers SO_BROADCAST itself; without it the send fails (EACCES).
    socket.set_broadcast(true).context("SO_BROADCAST")?;
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    let sent = socket.send_to(&query, target).await;
    sent.with_context(|| format!("send a query to {target}"))?;
    let waiting = fmt_duration(wait);
    say!(
        say,
        "sent a query to {target}; collecting replies for {waiting}"
    );
    // The window is one deadline for every wait in it. recv_from is
    // cancel-safe: when timeout_at drops it, no datagram was taken.
    let deadline = Instant::now() + wait;
    let (mut found, mut ignored) = (Vec::new(), false);
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    while let Ok(received) =
        timeout_at(deadline, socket.recv_from(&mut datagram)).await
    {
        let (n, from) = received.context("receive replies")?;
        ignored |= take(&datagram[..n], from, id, &mut found, say) == Ignored;
    }
    summary(&mut found, wait, ignored, say);
    Ok(found)
}
// ANCHOR_END: story

/// `discover`, on a runtime of this thread.
pub fn discover(
    target: SocketAddr,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    runtime()?.block_on(find_services(target, opts.wait, say))
}
