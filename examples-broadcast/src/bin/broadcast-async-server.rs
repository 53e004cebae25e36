//! `broadcast-async-server`: lesson 4's server on tokio. All the lesson is
//! in `src/async_server.rs`; this file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_broadcast::{
    ASYNC_PAIR_HELP, DEFAULT_BIND, async_server, bind_shared, server,
};

/// Answers discovery queries, and announces itself if asked to, on tokio.
#[derive(Parser)]
#[command(name = "broadcast-async-server", version, after_help = ASYNC_PAIR_HELP)]
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
    options: async_server::Options,
    #[command(flatten)]
    talk: Talk,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.server();
    let addr = server::listen_addr(&args.addr, args.port, None)?;
    let socket = bind_shared(addr, None)?;
    let bound = socket.local_addr().context("local_addr")?;
    common::ready(bound);
    if !bound.ip().is_loopback() {
        common::warn(format_args!(
            "{bound} is reachable from your network: other hosts may query it"
        ));
    }
    async_server::serve(socket, &args.options, &say)
}
