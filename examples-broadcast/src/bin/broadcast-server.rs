//! `broadcast-server`: the server half of lesson 4. All the lesson is in
//! `src/server.rs`; this file parses the flags and reports the outcome.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_broadcast::{DEFAULT_BIND, PAIR_HELP, bind_shared, server};

/// Answers discovery queries, and announces itself if asked to.
#[derive(Parser)]
#[command(name = "broadcast-server", version, after_help = PAIR_HELP)]
struct Args {
    /// Where to listen. 0.0.0.0 (every address) is what hears broadcasts,
    /// other hosts' too; 127.255.255.255 hears this host's only. Port 0
    /// lets the OS choose.
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
    let group = args.options.group;
    let addr = server::listen_addr(&args.addr, args.port, group)?;
    let socket = bind_shared(addr, group.map(|g| (g, args.options.interface)))?;
    let bound = socket.local_addr().context("local_addr")?;
    common::ready(bound);
    // One warning, about the address it listens on; how to keep it to
    // this host is in --help and the book.
    if !bound.ip().is_loopback() {
        common::warn(format_args!(
            "{bound} is reachable from your network: other hosts may query it"
        ));
    }
    server::serve(&socket, &args.options, &say)
}
