//! The flags of `broadcast-server`, and of `broadcast-client`'s two
//! commands. Each field is a flag; its doc comment is the
//! flag's `--help`. Nothing here touches a socket.

use std::net::Ipv4Addr;
use std::time::Duration;

use common::args::parse_timeout;

use crate::message::check_name;
use crate::{DEFAULT_BROADCAST, Group};

/// How the server presents itself (`broadcast-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ServerOptions {
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

    /// Serve this long, then exit, as a service that goes away would
    /// (a listener then reports it gone). Without it: until killed.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub serve_for: Option<Duration>,
}

impl Default for ServerOptions {
    /// The defaults of `broadcast-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

fn parse_name(name: &str) -> Result<String, String> {
    check_name(name).map(|()| name.to_owned())
}

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

/// How the async server presents itself (`broadcast-async-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncServerOptions {
    /// The service's name, as discovery reports it.
    #[arg(long, value_parser = parse_name, default_value = "echo")]
    pub name: String,

    /// The port the service itself is on (reported to clients; discovery
    /// uses the other port).
    #[arg(long, value_name = "PORT", default_value = "8000")]
    pub service_port: u16,

    /// Also broadcast an announcement this often (a task of its own).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub announce_every: Option<Duration>,

    /// Where announcements go: a broadcast address (the LAN is
    /// 255.255.255.255; the default stays on this host).
    #[arg(long, value_name = "IP", default_value_t = DEFAULT_BROADCAST)]
    pub to: Ipv4Addr,

    /// Serve this long, then exit. Without it: until killed.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub serve_for: Option<Duration>,
}

/// How the async client's `discover` asks.
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncDiscoverOptions {
    /// How long to collect replies: one deadline for the whole window.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "500ms")]
    pub wait: Duration,
}
