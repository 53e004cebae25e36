//! `timeout-async-client`: lesson 2's client on tokio. All the lesson is in
//! `src/async_client.rs`; this file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Failure, HostPort};
use examples_timeout::{
    ASYNC_PAIR_HELP, DEFAULT_ASYNC_ADDR, MAX_LINE, async_client,
};

/// Sends one line and reads the reply on tokio, within the timeouts you
/// give it; with --exact, shows the cancel-safety trap.
#[derive(Parser)]
#[command(name = "timeout-async-client", version, after_help = ASYNC_PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ASYNC_ADDR)]
    addr: HostPort,
    /// The request: one line of text.
    #[arg(default_value = "ping")]
    message: String,
    #[command(flatten)]
    options: async_client::Options,
    #[command(flatten)]
    talk: Talk,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    if args.message.contains('\n') || args.message.len() > MAX_LINE {
        return Err(Failure::msg(
            "the request must be one line, shorter than 64 KiB",
        )
        .with_hint("this protocol ends each request at its newline"));
    }
    let reply = args.options.run(&args.addr, &args.message, &say)?;
    say.result(&reply.bytes);
    Ok(())
}
