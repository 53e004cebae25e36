//! The async client: `broadcast-client discover` on tokio's `UdpSocket`.
//! Broadcast one query, then collect replies until one deadline, however
//! many datagrams come. [`discover`] is the story.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use common::tasks::runtime;
use common::{Context, Failure, Narrator, fmt_duration, say};
use tokio::net::UdpSocket;
use tokio::time::{Instant, timeout_at};

use crate::client::{Found, summary, take};
use crate::message::{MAX_DATAGRAM, Message};

pub use crate::options::AsyncDiscoverOptions as Options;

/// Send one query to `target` and collect the replies that arrive within
/// `--wait`, on a runtime of this thread.
pub fn discover(
    target: SocketAddr,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    runtime()?.block_on(collect(target, opts, say))
}

// ANCHOR: discover
async fn collect(
    target: SocketAddr,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    // Any port: the replies come back to it, unicast.
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((any, 0)).await.context("bind")?;
    // tokio offers SO_BROADCAST itself; without it the send fails (EACCES).
    socket.set_broadcast(true).context("SO_BROADCAST")?;
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    socket
        .send_to(&query, target)
        .await
        .with_context(|| format!("send a query to {target}"))?;
    let wait = fmt_duration(opts.wait);
    say!(
        say,
        "sent a query to {target}; collecting replies for {wait}"
    );

    // The window is one deadline for every wait in it. recv_from is
    // cancel-safe: when timeout_at drops it, no datagram was taken.
    let deadline = Instant::now() + opts.wait;
    let mut found = Vec::new();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    while let Ok(received) =
        timeout_at(deadline, socket.recv_from(&mut datagram)).await
    {
        let (n, from) = received.context("receive replies")?;
        take(&datagram[..n], from, id, &mut found, say);
    }
    summary(&mut found, opts.wait, say);
    Ok(found)
}
// ANCHOR_END: discover
