//! `timeout-server`: the server half of lesson 2. All the lesson is in
//! `src/server.rs`; this file parses the flags and reports the outcome.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_timeout::server::{self, Full, Mode};
use examples_timeout::{DEFAULT_ADDR, PAIR_HELP};

/// An echo of lines that misbehaves on purpose, one --mode per kind of
/// timeout.
#[derive(Parser)]
#[command(name = "timeout-server", version, after_help = PAIR_HELP)]
struct Args {
    /// Where to listen; port 0 lets the OS choose.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDR)]
    addr: HostPort,
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
    let opts = &args.options;
    if opts.udp {
        let socket = server::bind_udp(&args.addr)?;
        let bound = socket.local_addr().context("local_addr")?;
        common::ready(bound);
        common::warn_if_reachable(bound);
        return server::serve_udp(&socket, opts, &say);
    }
    if opts.mode == Mode::Full {
        let full = Full::bind(&args.addr)?;
        let bound = full.local_addr()?;
        common::ready(bound);
        common::warn_if_reachable(bound);
        full.hold(&say);
    }
    let listener = server::bind(&args.addr)?;
    let bound = listener.local_addr().context("local_addr")?;
    common::ready(bound);
    common::warn_if_reachable(bound);
    server::serve(listener, opts, &say)
}
