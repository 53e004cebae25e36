//! `--announce-every`: the server speaks first, to everyone.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::{Narrator, detail, say};

use super::{Options, service};
use crate::message::Message;

// ANCHOR: announce
/// Broadcast (or multicast) one announcement. Listeners believe it for three
/// intervals, so one lost datagram does not make a service look gone.
pub(super) fn announce(
    socket: &UdpSocket,
    to: SocketAddr,
    every: Duration,
    opts: &Options,
    say: &Narrator,
    first: bool,
) {
    let ttl = u32::try_from((every * 3).as_secs().max(1)).unwrap_or(u32::MAX);
    let message = Message::Announce {
        service: service(opts),
        ttl,
    }
    .encode();
    match socket.send_to(&message, to) {
        Ok(_) if first => say!(
            say,
            "announced {} on port {} to {to}; again every {} (shown with -v)",
            opts.name,
            opts.service_port,
            common::fmt_duration(every)
        ),
        Ok(_) => detail!(say, "announced {} again", opts.name),
        Err(e) => say.problem(format_args!("announce to {to}: {e}")),
    }
}
// ANCHOR_END: announce
