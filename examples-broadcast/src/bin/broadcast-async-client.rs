//! `broadcast-async-client`: lesson 4's discovery on tokio. All the lesson
//! is in `src/async_client.rs`; this file parses the flags.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::args::Talk;
use common::{Failure, HostPort};
use examples_broadcast::client;
use examples_broadcast::{
    ASYNC_PAIR_HELP, DEFAULT_BROADCAST, DEFAULT_PORT, async_client, stays_here,
};

/// Finds services by broadcast, on tokio: asks once and lists who answers.
#[derive(Parser)]
#[command(name = "broadcast-async-client", version, after_help = ASYNC_PAIR_HELP)]
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
        /// Where the query goes (default: this host's loopback broadcast
        /// address, on --port).
        #[arg(long, value_name = "HOST:PORT", conflicts_with = "port")]
        addr: Option<HostPort>,
        /// The discovery port, on 127.255.255.255.
        #[arg(long, value_name = "PORT", default_value_t = DEFAULT_PORT)]
        port: u16,
        #[command(flatten)]
        options: async_client::Options,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    let Command::Discover {
        addr,
        port,
        options,
    } = &args.command;
    let target = match addr {
        Some(addr) => addr.resolve()?[0],
        None => SocketAddr::from((DEFAULT_BROADCAST, *port)),
    };
    let leaves = match target.ip() {
        IpAddr::V4(ip) => !stays_here(ip),
        IpAddr::V6(ip) => !ip.is_loopback(),
    };
    if leaves {
        common::warn(format_args!(
            "{} is not loopback: this query leaves the machine",
            target.ip()
        ));
    }
    let found = async_client::discover(target, options, &say)?;
    say.result(client::render_found(&found).as_bytes());
    Ok(())
}
