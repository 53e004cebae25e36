//! The client: `discover` broadcasts one query and collects the replies
//! for a while; `listen` hears announcements and keeps a table of services,
//! forgetting those that fall silent.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::args::parse_timeout;
use common::{Context, Failure, Narrator, count, detail, fmt_duration, say};
use examples_timeout::is_timeout;

use crate::Group;
use crate::message::{MAX_DATAGRAM, Message, Refused, Service};
use crate::server::configure_multicast;

/// How `discover` asks. Each field is also a flag of `broadcast-client
/// discover`.
#[derive(clap::Args, Clone, Debug)]
pub struct DiscoverOptions {
    /// How long to collect replies.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "500ms")]
    pub wait: Duration,

    /// Wrong on purpose: do not set SO_BROADCAST (the send then fails with
    /// EACCES).
    #[arg(long)]
    pub no_broadcast_flag: bool,

    /// Ask this multicast group instead of a broadcast address: an IPv4
    /// group (see --interface), or an IPv6 group with its interface,
    /// ff02::7104%eth0.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<Group>,

    /// The interface (by its address) to send IPv4 multicast out of.
    #[arg(long, value_name = "IP", default_value_t = Ipv4Addr::LOCALHOST)]
    pub interface: Ipv4Addr,
}

impl Default for DiscoverOptions {
    /// The defaults of `discover`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// A service that answered, and where its answer came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// What the reply claims.
    pub service: Service,
    /// Who sent it, as the kernel saw it: the only part to trust.
    pub from: SocketAddr,
}

// ANCHOR: discover
/// Send one query to `target` (a broadcast address, a group, or a single
/// host) and collect the replies that arrive within `--wait`.
pub fn discover(
    target: SocketAddr,
    opts: &DiscoverOptions,
    say: &Narrator,
) -> Result<Vec<Found>, Failure> {
    // Any port: the replies come back to it, unicast.
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((any, 0)).context("bind a UDP socket")?;
    if let Some(group) = opts.group {
        configure_multicast(&socket, group, opts.interface)
            .context("set up multicast")?;
    } else {
        socket
            .set_broadcast(!opts.no_broadcast_flag)
            .context("SO_BROADCAST")?;
    }
    // A random id, repeated in every reply: a late reply to someone else's
    // (or an earlier) query does not count for this one.
    let id = fastrand::u64(..);
    let query = Message::Query { id }.encode();
    if let Err(e) = socket.send_to(&query, target) {
        return Err(send_failed(e, target, opts, say));
    }
    say!(
        say,
        "sent a query to {target}; collecting replies for {}",
        fmt_duration(opts.wait)
    );

    let deadline = Instant::now() + opts.wait;
    let mut found = Vec::new();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    loop {
        // The window is a deadline, not a per-read timeout: each wait is
        // what is left of it, or a steady trickle of replies (or of junk)
        // would keep us listening for ever.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        socket
            .set_read_timeout(Some(left))
            .context("set_read_timeout")?;
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) if is_timeout(&e) => break,
            Err(e) => return Err(Failure::new("receive replies", e)),
        };
        match Message::parse(&datagram[..n.min(MAX_DATAGRAM + 1)]) {
            Ok(Message::Here {
                id: theirs,
                service,
            }) if theirs == id => {
                let reply = Found { service, from };
                if found.contains(&reply) {
                    detail!(say, "a second copy of the reply from {from}");
                    continue;
                }
                say!(
                    say,
                    "reply from {from}: {} on port {}",
                    reply.service.name,
                    reply.service.port
                );
                found.push(reply);
            }
            Ok(_) => detail!(
                say,
                "ignored a message from {from} that does not answer our query"
            ),
            Err(refused) => {
                say!(say, "ignored a datagram from {from}: {refused}")
            }
        }
    }
    found.sort();
    match found.len() {
        // Silence is all a sender of broadcasts can get: no host may answer
        // one with an ICMP error (RFC 1122, 3.2.2). A unicast query to a
        // closed port does bring back "port unreachable", but Linux tells
        // an unconnected UDP socket nothing of it (only a connected one
        // sees ConnectionRefused on its next call).
        0 => say!(
            say,
            "no replies within {}: nobody answered, and the kernel told us nothing (a broadcast \
             gets no ICMP error back; of one to a single host, an unconnected socket is not told)",
            fmt_duration(opts.wait)
        ),
        n => say!(say, "{} found", count(n, "service", "services")),
    }
    Ok(found)
}
// ANCHOR_END: discover

// ANCHOR: send_failed
fn send_failed(
    e: io::Error,
    target: SocketAddr,
    opts: &DiscoverOptions,
    say: &Narrator,
) -> Failure {
    if e.kind() == io::ErrorKind::PermissionDenied && opts.no_broadcast_flag {
        say!(
            say,
            "send_to {target} failed: {e}: a socket must set SO_BROADCAST before it may send to a \
             broadcast address, so that flooding the network is never an accident"
        );
        return Failure::new(format!("send a query to {target}"), e)
            .with_hint("run without --no-broadcast-flag: the client then sets SO_BROADCAST");
    }
    Failure::new(format!("send a query to {target}"), e)
}
// ANCHOR_END: send_failed

/// How `listen` listens. Each field is also a flag of `broadcast-client
/// listen`.
#[derive(clap::Args, Clone, Debug)]
pub struct ListenOptions {
    /// How long to listen before printing the table.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub duration: Duration,

    /// Forget a service not heard from for this long (default: the time
    /// its own announcements ask for).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub ttl: Option<Duration>,
}

impl Default for ListenOptions {
    /// The defaults of `listen`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// A service heard announcing itself.
#[derive(Clone, Debug)]
pub struct Heard {
    /// What it announced.
    pub service: Service,
    /// Where its announcements came from.
    pub from: IpAddr,
    /// When it was last heard.
    pub last: Instant,
    /// How long its last announcement is to be believed.
    pub ttl: Duration,
    /// Whether it has been reported gone.
    pub gone: bool,
}

// ANCHOR: listen
/// Hear announcements on `socket` (bound to the discovery port) for
/// `--for`, report each new service once, and each service that falls
/// silent for longer than its TTL as gone. Returns the table.
pub fn listen(
    socket: &UdpSocket,
    opts: &ListenOptions,
    say: &Narrator,
) -> Result<Vec<Heard>, Failure> {
    let deadline = Instant::now() + opts.duration;
    let mut table: BTreeMap<(Service, IpAddr), Heard> = BTreeMap::new();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    loop {
        let now = Instant::now();
        for heard in table.values_mut().filter(|h| !h.gone) {
            if now.duration_since(heard.last) > heard.ttl {
                heard.gone = true;
                say!(
                    say,
                    "gone: {} at {} (not heard for more than {})",
                    heard.service.name,
                    heard.from,
                    fmt_duration(heard.ttl)
                );
            }
        }
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            break;
        }
        // Wake up at least every 100 ms to notice silence.
        socket
            .set_read_timeout(Some(left.min(Duration::from_millis(100))))
            .context("set_read_timeout")?;
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) if is_timeout(&e) => continue,
            Err(e) => {
                say.problem(format_args!("recv_from: {e}"));
                continue;
            }
        };
        match Message::parse(&datagram[..n]) {
            Ok(Message::Announce { service, ttl }) => {
                let ttl =
                    opts.ttl.unwrap_or(Duration::from_secs(u64::from(ttl)));
                let key = (service.clone(), from.ip());
                let heard = table.entry(key).or_insert_with(|| {
                    say!(
                        say,
                        "new: {} on port {}, announced from {from}",
                        service.name,
                        service.port
                    );
                    Heard {
                        service,
                        from: from.ip(),
                        last: Instant::now(),
                        ttl,
                        gone: false,
                    }
                });
                if heard.gone {
                    say!(say, "back: {} at {}", heard.service.name, heard.from);
                    heard.gone = false;
                }
                heard.last = Instant::now();
                heard.ttl = ttl;
            }
            Ok(Message::Query { .. } | Message::Here { .. }) => {
                detail!(say, "ignored a query or reply from {from}");
            }
            Err(Refused::Foreign) => {
                say!(
                    say,
                    "ignored a datagram from {from}: {}",
                    Refused::Foreign
                )
            }
            Err(refused) => {
                say!(say, "ignored a datagram from {from}: {refused}")
            }
        }
    }
    Ok(table.into_values().collect())
}
// ANCHOR_END: listen

/// The table `listen` prints at the end.
pub fn render(heard: &[Heard]) -> String {
    if heard.is_empty() {
        return "no announcements heard\n".to_owned();
    }
    let mut out =
        String::from("service              address          port  status\n");
    for h in heard {
        let status = if h.gone { "gone" } else { "alive" };
        out.push_str(&format!(
            "{:<20} {:<16} {:>5}  {status}\n",
            h.service.name,
            h.from.to_string(),
            h.service.port
        ));
    }
    out
}
