//! `--group`: the story with multicast in place of broadcast. The query
//! goes to a group address; only sockets that joined the group hear it.
//! Sending to a group needs no SO_BROADCAST, but an interface to leave by
//! and a TTL that keeps it here (`multicast.rs`).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::{Found, any_port, collect};
use crate::Group;
use crate::message::Message;
use crate::multicast::configure_sending;

// ANCHOR: group
/// [`find_services`](super::find_services), querying `group` by way of
/// the interface with address `interface`.
pub fn find_services(
    target: SocketAddr,
    group: Group,
    interface: Ipv4Addr,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    let socket = UdpSocket::bind(any_port(target)).context("bind")?;
    configure_sending(&socket, group, interface).context("set up multicast")?;
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    let sent = socket.send_to(&query, target);
    sent.with_context(|| format!("send a query to {target}"))?;
    let waiting = fmt_duration(wait);
    say!(
        say,
        "sent a query to {target}; collecting replies for {waiting}"
    );
    collect(&socket, id, wait, say)
}
// ANCHOR_END: group
