//! The server: answers every discovery query with a unicast reply to its
//! sender, and, with `--announce-every`, broadcasts announcements of its
//! own. Whatever arrives that is not a query of ours (someone else's
//! protocol, a malformed datagram, a flood) is logged and ignored: a UDP
//! port is open to anyone who can reach it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::args::parse_timeout;
use common::{Context, Failure, Narrator, detail, say};
use examples_timeout::is_timeout;

use crate::message::{MAX_DATAGRAM, Message, Service, check_name};
use crate::{DEFAULT_BROADCAST, Group, stays_here};

/// How the server presents itself. Each field is also a flag of
/// `broadcast-server`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// The service's name, as discovery reports it.
    #[arg(long, value_parser = parse_name, default_value = "echo")]
    pub name: String,

    /// The port the service itself is on (reported to clients; discovery
    /// uses the other port).
    #[arg(long, value_name = "PORT", default_value = "8000")]
    pub service_port: u16,

    /// Also broadcast an announcement this often.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub announce_every: Option<Duration>,

    /// Where announcements go: a broadcast address (the LAN is
    /// 255.255.255.255; the default stays on this host).
    #[arg(long, value_name = "IP", default_value_t = DEFAULT_BROADCAST)]
    pub to: Ipv4Addr,

    /// Use this multicast group instead of broadcast: an IPv4 group (see
    /// --interface), or an IPv6 group with its interface, ff02::7104%eth0.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<Group>,

    /// The interface (by its address) to join an IPv4 --group on.
    #[arg(long, value_name = "IP", default_value_t = Ipv4Addr::LOCALHOST)]
    pub interface: Ipv4Addr,
}

impl Default for Options {
    /// The defaults of `broadcast-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

fn parse_name(name: &str) -> Result<String, String> {
    check_name(name).map(|()| name.to_owned())
}

/// How often the loop wakes up, at least, to check whether to stop or to
/// announce.
const TICK: Duration = Duration::from_millis(100);

/// What the server answers with.
fn service(opts: &Options) -> Service {
    Service {
        name: opts.name.clone(),
        port: opts.service_port,
    }
}

// ANCHOR: serve
/// Serve discovery on `socket` until `stop` is set (the binaries never set
/// it; the tour does).
pub fn serve(
    socket: &UdpSocket,
    opts: &Options,
    say: &Narrator,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let port = socket.local_addr().context("local_addr")?.port();
    let announce_to = match opts.group {
        Some(group) => group.addr(port),
        None => SocketAddr::new(IpAddr::V4(opts.to), port),
    };
    if let Some(group) = opts.group {
        configure_multicast(socket, group, opts.interface)
            .with_context(|| format!("send to {group}"))?;
    }
    let mut next_announcement = opts.announce_every.map(|_| Instant::now());
    let mut announced = 0u64;
    let mut ignored = Ignored::default();
    // One byte more than a datagram may hold: a longer one comes in cut to
    // this size, and the extra byte shows it.
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    while !stop.load(Ordering::SeqCst) {
        let wait = next_announcement.map_or(TICK, |at| {
            at.saturating_duration_since(Instant::now()).min(TICK)
        });
        socket
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .context("set_read_timeout")?;
        match socket.recv_from(&mut datagram) {
            Ok((n, from)) => {
                if let Some(why) =
                    answer(socket, &datagram[..n], from, opts, say)
                {
                    ignored.note(from, &why, say);
                }
            }
            Err(e) if is_timeout(&e) => {}
            // An error on a UDP socket belongs to one datagram (or to an
            // ICMP message about an earlier one): never a reason to stop.
            Err(e) => say.problem(format_args!("recv_from: {e}")),
        }
        if let (Some(at), Some(every)) =
            (next_announcement, opts.announce_every)
            && Instant::now() >= at
        {
            announce(socket, announce_to, every, opts, say, announced == 0);
            announced += 1;
            next_announcement = Some(at + every);
        }
    }
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: answer
/// One datagram in: a query gets a reply to its sender; anything else is
/// ignored, and the reason returned.
fn answer(
    socket: &UdpSocket,
    datagram: &[u8],
    from: SocketAddr,
    opts: &Options,
    say: &Narrator,
) -> Option<String> {
    if datagram.len() > MAX_DATAGRAM {
        return Some(format!("longer than {MAX_DATAGRAM} bytes"));
    }
    match Message::parse(datagram) {
        Ok(Message::Query { id }) => {
            // Reply to the address the query came from: the client's own
            // port. Not to the well-known port: there, other servers share
            // it, and a unicast datagram reaches only one of them.
            let reply = Message::Here {
                id,
                service: service(opts),
            }
            .encode();
            match socket.send_to(&reply, from) {
                Ok(_) => {
                    say!(say, "query from {from}: answered, to {from} alone")
                }
                Err(e) => say.problem(format_args!("reply to {from}: {e}")),
            }
            None
        }
        Ok(Message::Here { .. } | Message::Announce { .. }) => {
            detail!(say, "ignored another server's message from {from}");
            None
        }
        Err(refused) => Some(refused.to_string()),
    }
}
// ANCHOR_END: answer

// ANCHOR: ignored
/// Says why datagrams were ignored, without letting a flood of them flood
/// the log: the first few one by one, then one line per thousand.
#[derive(Default)]
struct Ignored {
    count: u64,
}

impl Ignored {
    const SHOWN: u64 = 10;
    const EVERY: u64 = 1000;

    fn note(&mut self, from: SocketAddr, why: &str, say: &Narrator) {
        self.count += 1;
        if self.count <= Self::SHOWN {
            say!(say, "ignored a datagram from {from}: {why}");
        } else if self.count.is_multiple_of(Self::EVERY) {
            say!(
                say,
                "ignored {} datagrams so far (the first {} shown); the latest from {from}: {why}",
                self.count,
                Self::SHOWN
            );
        }
    }
}
// ANCHOR_END: ignored

// ANCHOR: announce
/// Broadcast (or multicast) one announcement. Listeners believe it for three
/// intervals, so one lost datagram does not make a service look gone.
fn announce(
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

/// Send multicast to `group` out of its interface only (for IPv4, the one
/// with address `interface`), and keep it on this host when that interface
/// is loopback.
pub fn configure_multicast(
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
