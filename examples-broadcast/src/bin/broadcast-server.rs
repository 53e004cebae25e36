//! `broadcast-server`: the server half of lesson 4. All the lesson is in
//! `src/server.rs` and `src/lib.rs`; this file parses the flags and reports
//! the outcome.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_broadcast::{DEFAULT_BIND, Group, PAIR_HELP, bind_shared, server};

/// Answers discovery queries, and announces itself if asked to.
#[derive(Parser)]
#[command(name = "broadcast-server", version, after_help = PAIR_HELP)]
struct Args {
    /// Where to listen. 0.0.0.0 (every address) is what hears broadcasts;
    /// port 0 lets the OS choose.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_BIND, conflicts_with = "port")]
    addr: HostPort,
    /// Listen on 0.0.0.0 and this port: the same as --addr 0.0.0.0:PORT.
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    #[command(flatten)]
    options: server::Options,
    #[command(flatten)]
    talk: Talk,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.server();
    let addr = match (args.port, args.options.group) {
        // An IPv6 group is joined by an IPv6 socket.
        (Some(port), Some(group)) => group.bind_addr(port),
        (Some(port), None) => SocketAddr::from(([0, 0, 0, 0], port)),
        (None, Some(group @ Group::V6(..))) => {
            group.bind_addr(args.addr.resolve()?[0].port())
        }
        (None, _) => args.addr.resolve()?[0],
    };
    if !addr.is_ipv4() && !matches!(args.options.group, Some(Group::V6(..))) {
        return Err(
            Failure::msg(format!("{addr} is IPv6, which has no broadcast")).with_hint(
                "use an IPv4 address; multicast (--group) is IPv6's way, shown here over IPv4",
            ),
        );
    }
    let group = args.options.group.map(|g| (g, args.options.interface));
    let socket = bind_shared(addr, group)?;
    let bound = socket.local_addr().context("local_addr")?;
    common::ready(bound);
    if !bound.ip().is_loopback() {
        common::warn(format_args!(
            "{bound} can be reached from other machines: hosts on your network could query this \
             server too (--addr 127.255.255.255:{} hears this host's broadcasts only)",
            bound.port()
        ));
    }
    server::serve(&socket, &args.options, &say, &AtomicBool::new(false))
}
