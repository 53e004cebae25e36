//! `broadcast-client`: the client half of lesson 4. All the lesson is in
//! `src/client.rs` and `src/lib.rs`; this file parses the flags and reports
//! the outcome.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_broadcast::client::{self, DiscoverOptions, ListenOptions};
use examples_broadcast::{
    DEFAULT_BROADCAST, DEFAULT_PORT, Group, PAIR_HELP, bind_shared, stays_here,
};

/// Finds services by broadcast: asks once and lists who answers, or
/// listens to their announcements.
#[derive(Parser)]
#[command(name = "broadcast-client", version, after_help = PAIR_HELP)]
struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    talk: Talk,
}

#[derive(Subcommand)]
enum Command {
    /// Broadcast one query, collect the replies, list the services found.
    Discover {
        /// Where the query goes (the same as --to HOST --port PORT).
        #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["to", "port"])]
        addr: Option<HostPort>,
        /// The broadcast address: this host's loopback unless you choose
        /// otherwise (255.255.255.255 is your whole LAN).
        #[arg(long, value_name = "IP", default_value_t = DEFAULT_BROADCAST)]
        to: Ipv4Addr,
        /// The discovery port.
        #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
        port: u16,
        #[command(flatten)]
        options: DiscoverOptions,
    },
    /// Listen for announcements, and print the table of services heard.
    Listen {
        /// Where to listen (the same as --port PORT on 0.0.0.0).
        #[arg(long, value_name = "HOST:PORT", conflicts_with = "port")]
        addr: Option<HostPort>,
        /// The discovery port.
        #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
        port: u16,
        /// Listen to this multicast group instead of broadcasts: an IPv4
        /// group, or an IPv6 group with its interface, ff02::7104%eth0.
        #[arg(long, value_name = "GROUP")]
        group: Option<Group>,
        /// The interface (by its address) to join an IPv4 --group on.
        #[arg(long, value_name = "IP", default_value_t = Ipv4Addr::LOCALHOST)]
        interface: Ipv4Addr,
        #[command(flatten)]
        options: ListenOptions,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    match &args.command {
        Command::Discover {
            addr,
            to,
            port,
            options,
        } => {
            let target = match (addr, options.group) {
                (Some(addr), _) => addr.resolve()?[0],
                (None, Some(group)) => group.addr(*port),
                (None, None) => SocketAddr::from((*to, *port)),
            };
            let leaves = match target.ip() {
                IpAddr::V4(ip) => {
                    !stays_here(ip)
                        && options
                            .group
                            .is_none_or(|_| !stays_here(options.interface))
                }
                IpAddr::V6(ip) => !ip.is_loopback(),
            };
            if leaves {
                common::warn(format_args!(
                    "{} is not loopback: this query leaves the machine",
                    target.ip()
                ));
            }
            let found = client::discover(target, options, &say)?;
            say.result(client::render_found(&found).as_bytes());
            Ok(())
        }
        Command::Listen {
            addr,
            port,
            group,
            interface,
            options,
        } => {
            let bind = match (addr, group) {
                (Some(addr), _) => addr.resolve()?[0],
                (None, Some(group)) => group.bind_addr(*port),
                (None, None) => SocketAddr::from(([0, 0, 0, 0], *port)),
            };
            let socket = bind_shared(bind, group.map(|g| (g, *interface)))?;
            common::ready(socket.local_addr().context("local_addr")?);
            let heard = client::listen(&socket, options, &say)?;
            say.result(client::render(&heard).as_bytes());
            Ok(())
        }
    }
}
