//! Multicast, the modern way to reach "everyone" (`--group`): the options
//! a socket needs before it binds, joining a group after, and where its own
//! multicast goes. Broadcast needs none of this.

use std::net::{Ipv4Addr, UdpSocket};

use common::{Context, Failure};
use socket2::Socket;

use crate::{Group, stays_here};

// ANCHOR: before_bind
/// Before bind: hear only the groups this socket joins, and for IPv6 only
/// IPv6.
pub fn before_bind(socket: &Socket, v4: bool) -> Result<(), Failure> {
    if v4 {
        // Linux delivers to a socket bound to 0.0.0.0 the multicast of every
        // group that *any* socket on the host has joined (IP_MULTICAST_ALL
        // is on by default). Turned off, a socket hears only the groups it
        // joined itself, which is what "joining a group" is supposed to mean.
        #[cfg(target_os = "linux")]
        socket
            .set_multicast_all_v4(false)
            .context("IP_MULTICAST_ALL")?;
    } else {
        // IPv6 only: on Linux a socket bound to [::] would otherwise also
        // take IPv4 datagrams for the port, as mapped addresses.
        socket.set_only_v6(true).context("IPV6_V6ONLY")?;
        // The same as IP_MULTICAST_ALL, for IPv6 groups.
        #[cfg(target_os = "linux")]
        socket
            .set_multicast_all_v6(false)
            .context("IPV6_MULTICAST_ALL")?;
    }
    Ok(())
}
// ANCHOR_END: before_bind

// ANCHOR: join
/// After bind: join `group`, on the interface with address `interface`
/// (IPv4) or the group's own interface (IPv6). Only sockets that joined
/// get the group's datagrams.
pub fn join(
    socket: &Socket,
    group: Group,
    interface: Ipv4Addr,
) -> Result<(), Failure> {
    match group {
        Group::V4(group) => socket
            .join_multicast_v4(&group, &interface)
            .with_context(|| format!("join {group} on {interface}")),
        // IPv6 names the interface by its index, not by an address.
        Group::V6(group, index) => socket
            .join_multicast_v6(&group, index)
            .with_context(|| format!("join {group} on interface {index}")),
    }
}
// ANCHOR_END: join

/// Send multicast to `group` out of its interface only (for IPv4, the one
/// with address `interface`), and keep it on this host when that interface
/// is loopback.
pub fn configure_sending(
    socket: &UdpSocket,
    group: Group,
    interface: Ipv4Addr,
) -> std::io::Result<()> {
    let sock = socket2::SockRef::from(socket);
    match group {
        Group::V4(_) => {
            sock.set_multicast_if_v4(&interface)?;
            // Deliver our own multicast to sockets of this host (other
            // servers, listeners), as loopback delivery needs.
            sock.set_multicast_loop_v4(true)?;
            // TTL 0: never past this host. On a real interface, 1: this link.
            sock.set_multicast_ttl_v4(if stays_here(interface) { 0 } else { 1 })
        }
        Group::V6(_, index) => {
            sock.set_multicast_if_v6(index)?;
            sock.set_multicast_loop_v6(true)?;
            // One hop: this link (a link-local group goes no further anyway).
            sock.set_multicast_hops_v6(1)
        }
    }
}
