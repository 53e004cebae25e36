//! `framing-async-server`: lesson 3's server on tokio. All the lesson is in
//! `src/async_server.rs` and `src/codecs/`; this file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Context, Failure, HostPort};
use examples_framing::{ASYNC_PAIR_HELP, DEFAULT_ASYNC_ADDR, async_server};

/// Reads frames with the chosen codec through tokio-util's FramedRead and
/// sends each message back reversed, every client a task on one thread.
#[derive(Parser)]
#[command(name = "framing-async-server", version, after_help = ASYNC_PAIR_HELP)]
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
    async_server::check(&args.options)?;
    let listener = async_server::bind(&args.addr)?;
    let bound = listener.local_addr().context("local_addr")?;
    common::ready(bound);
    common::warn_if_reachable(bound);
    async_server::serve(listener, &args.options, &say)
}
