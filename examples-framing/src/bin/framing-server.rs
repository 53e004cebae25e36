//! `framing-server`: the server half of lesson 3. All the lesson is in
//! `src/server.rs` and `src/codecs/`; this file parses the flags and
//! reports the outcome.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_framing::{DEFAULT_ADDR, PAIR_HELP, server};

/// Reads framed messages and sends each one back reversed.
#[derive(Parser)]
#[command(name = "framing-server", version, after_help = PAIR_HELP)]
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
    common::return_large_blocks();
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.server();
    server::check(&args.options)?;
    let listener = server::bind(&args.addr)?;
    let bound = listener.local_addr().context("local_addr")?;
    common::ready(bound);
    common::warn_if_reachable(bound);
    server::serve(listener, &args.options, &say)
}
