//! `shutdown-async-server`: lesson 1's server on tokio, every connection a
//! task on one thread. All the lesson is in `src/async_server.rs`; this
//! file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_shutdown::{ASYNC_PAIR_HELP, DEFAULT_ASYNC_ADDR, async_server};

/// Reads each request until the client's FIN, replies, and half-closes
/// with tokio's shutdown(); a deadline, not a watchdog, ends a connection.
#[derive(Parser)]
#[command(name = "shutdown-async-server", version, after_help = ASYNC_PAIR_HELP)]
struct Args {
    /// Where to listen; port 0 lets the OS choose.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ASYNC_ADDR)]
    addr: HostPort,
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
    let listener = async_server::bind(&args.addr)?;
    let bound = listener.local_addr().context("local_addr")?;
    common::ready(bound);
    common::warn_if_reachable(bound);
    async_server::serve(listener, &args.options, &say)
}
