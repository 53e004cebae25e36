//! `--no-broadcast-flag`: the story without `set_broadcast(true)`. The
//! send to a broadcast address fails with EACCES: the kernel wants proof
//! that flooding the network is meant.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::{Found, any_port, collect};
use crate::message::Message;

// ANCHOR: unflagged
/// [`find_services`](super::find_services), without SO_BROADCAST.
pub fn find_services(
    target: SocketAddr,
    wait: Duration,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    let socket = UdpSocket::bind(any_port(target)).context("bind")?;
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    if let Err(e) = socket.send_to(&query, target) {
        return Err(send_failed(e, target, say));
    }
    let waiting = fmt_duration(wait);
    say!(
        say,
        "sent a query to {target}; collecting replies for {waiting}"
    );
    collect(&socket, id, wait, say)
}
// ANCHOR_END: unflagged

// ANCHOR: send_failed
fn send_failed(e: io::Error, target: SocketAddr, say: &Narrator) -> Failure {
    if e.kind() == io::ErrorKind::PermissionDenied {
        // So that flooding the network is never an accident.
        say!(say, "send_to {target} failed: {e}");
        say!(
            say,
            "a socket must set SO_BROADCAST to send to a broadcast address"
        );
        return Failure::new(format!("send a query to {target}"), e).with_hint(
            "run without --no-broadcast-flag: the client then sets \
                SO_BROADCAST",
        );
    }
    Failure::new(format!("send a query to {target}"), e)
}
// ANCHOR_END: send_failed
